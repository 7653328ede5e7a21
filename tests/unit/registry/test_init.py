"""open_registry and the BACKENDS dict."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from mlgate.config import Config, RegistryConfig, anchor_paths
from mlgate.errors import ConfigError
from mlgate.registry import BACKENDS, LocalRegistry, open_registry


def test_the_local_backend_lives_under_the_config_folder(tmp_path: Path) -> None:
    store = open_registry(anchor_paths(Config(registry=RegistryConfig(path="state/registry")), tmp_path))
    assert isinstance(store, LocalRegistry)
    assert store.root == (tmp_path / "state" / "registry").resolve()
    assert store.root.is_absolute()
    assert list(BACKENDS) == ["local", "sagemaker", "mlflow"]


def test_a_uri_is_not_a_local_folder(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"registry.path 's3://bucket/reg' is a URI"):
        open_registry(anchor_paths(Config(registry=RegistryConfig(path="s3://bucket/reg")), tmp_path))


def test_an_unknown_backend_names_the_known_ones(tmp_path: Path) -> None:
    config = Config(root=tmp_path, registry=dataclasses.replace(RegistryConfig(), backend="nope"))  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match=r"registry.backend 'nope' is not known") as caught:
        open_registry(config)
    assert caught.value.hint == "choose one of: local, sagemaker, mlflow"
