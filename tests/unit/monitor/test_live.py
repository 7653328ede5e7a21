"""Which version the monitor judges against."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from mlgate.config import load_config
from mlgate.errors import InputError
from mlgate.monitor.live import find_live_version
from mlgate.registry import HistoryEvent, LocalRegistry
from mlgate.serve.state import LivePointer, write_pointer
from unit.monitor.helpers import make_project


def test_override_then_deploy_state_then_history(tmp_path: Path) -> None:
    config = load_config(make_project(tmp_path))
    registry = LocalRegistry(tmp_path / "registry")
    with pytest.raises(InputError, match="no live version is known"):
        find_live_version(config.deploy, registry)
    registry.record(HistoryEvent(at="2026-11-22T00:00:00Z", event="deployed", version="1", by="ci",
                                 detail={"live": "1", "previous": None}))  # fmt: skip
    assert (
        find_live_version(config.deploy, registry).version
        == find_live_version(config.deploy, registry, override="v1").version
    )
    assert find_live_version(config.deploy, registry).source == "registry history"
    state = tmp_path / ".mlgate" / "serve"
    state.mkdir(parents=True)
    write_pointer(state, LivePointer("1", "rule", "/x", "0" * 64, (), (), "2026-11-22T00:00:00Z"))
    assert find_live_version(config.deploy, registry).source == "deploy state"
    cloud = dataclasses.replace(config.deploy, target="sagemaker")
    assert find_live_version(cloud, registry).source == "registry history"
    with pytest.raises(InputError, match="version 9"):
        find_live_version(config.deploy, registry, override="9")


def test_capture_location_defaults(tmp_path: Path) -> None:
    from mlgate.monitor.run import capture_location

    config = load_config(make_project(tmp_path))
    assert capture_location(config, "s3://b/p") == "s3://b/p"
    assert capture_location(config, None).endswith(".mlgate/capture")
    sagemaker = dataclasses.replace(config.sagemaker, data_capture_prefix="s3://b/dc/", endpoint="prod")
    cloud = dataclasses.replace(
        config, sagemaker=sagemaker, deploy=dataclasses.replace(config.deploy, target="sagemaker")
    )
    assert capture_location(cloud, None) == "s3://b/dc/prod"
    custom = dataclasses.replace(cloud, monitor=dataclasses.replace(config.monitor, capture="traffic"))
    assert capture_location(custom, None).endswith("traffic")
