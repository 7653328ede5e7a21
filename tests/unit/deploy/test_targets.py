"""Unit tests for mlgate.deploy.targets: open_target picks the configured target, or the one named."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from mlgate.config import ArtifactsConfig, Config, DeployConfig, anchor_paths
from mlgate.deploy.local import LocalTarget, open_local_target
from mlgate.deploy.target import TargetOptions
from mlgate.deploy.targets import TARGETS, open_target
from mlgate.errors import InputError, InternalError


def test_every_target_in_the_docs_is_registered() -> None:
    assert sorted(TARGETS) == ["local", "sagemaker"]


def test_open_target_builds_the_local_target_from_the_config(tmp_path: Path) -> None:
    config = anchor_paths(
        Config(deploy=DeployConfig(state="srv"), artifacts=ArtifactsConfig(trusted_types=("a.B",))), tmp_path
    )
    with httpx.Client() as client:
        target = open_target(config, None, TargetOptions(http=client))
        assert isinstance(target, LocalTarget)
        assert (target.state.resolve(), target.trusted_types) == ((tmp_path / "srv").resolve(), ("a.B",))
        chosen = open_target(config, "local", TargetOptions(state=tmp_path / "other", http=client))
        assert isinstance(chosen, LocalTarget)
        assert chosen.state == tmp_path / "other"
    with pytest.raises(InputError, match="unknown deploy target 'nowhere'"):
        open_target(config, "nowhere")
    with pytest.raises(InternalError, match="needs an HTTP client"):
        open_local_target(config, TargetOptions())


def test_an_unknown_target_names_the_ones_there_are(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="unknown deploy target 'kubernetes'") as info:
        open_target(anchor_paths(Config(), tmp_path), "kubernetes")
    assert info.value.hint == "use one of: local, sagemaker"
