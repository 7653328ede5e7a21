"""Which version is live: a given one, the local deploy state's pointer, the registry history; else none."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from mlgate.config import DeployConfig, load_config
from mlgate.deploy.live import find_live_version
from mlgate.errors import InputError
from mlgate.registry.local import LocalRegistry
from mlgate.registry.model import HistoryEvent
from mlgate.serve.state import LivePointer, write_pointer
from unit.registry.helpers import WHEN, artifact, version


def registry_with(tmp_path: Path, count: int) -> LocalRegistry:
    store = LocalRegistry(tmp_path / "registry", lock_timeout_s=1)
    for n in range(count):
        path, digest = artifact(tmp_path / f"r{n}", f"model {n}".encode())
        store.register(version(digest), path)
    return store


def deployed(store: LocalRegistry, live: str, previous: str | None) -> None:
    detail = {"outcome": "deployed", "target": "local", "previous": previous, "live": live}
    store.record(HistoryEvent(at=WHEN, event="deployed", version=live, by="ci", reason="test", detail=detail))


def test_the_registry_history_names_the_live_version(tmp_path: Path) -> None:
    store = registry_with(tmp_path, 3)
    deployed(store, "1", None)
    deployed(store, "2", "1")
    store.record(
        HistoryEvent(
            at=WHEN,
            event="rolled-back",
            version="1",
            by="ci",
            reason="smoke failed",
            detail={"previous": "2", "live": "1"},
        )
    )
    live = find_live_version(load_config(cwd=tmp_path).deploy, store, given=None)
    assert live is not None
    assert (live.version.version, live.source) == ("1", "registry history")


def test_the_local_deploy_state_comes_before_the_history(tmp_path: Path) -> None:
    store = registry_with(tmp_path, 2)
    deployed(store, "1", None)
    config = load_config(cwd=tmp_path)
    pointer = LivePointer(
        version="2",
        model="forest",
        artifact=str(tmp_path / "m"),
        sha256="0" * 64,
        trusted_types=(),
        features=(),
        switched_at=WHEN,
    )
    write_pointer(Path(config.deploy.state), pointer)
    live = find_live_version(config.deploy, store, given=None)
    assert live is not None
    assert (live.version.version, live.source) == ("2", "deploy state")
    sagemaker = dataclasses.replace(config, deploy=DeployConfig(target="sagemaker"))
    on_sagemaker = find_live_version(sagemaker.deploy, store, given=None)
    assert on_sagemaker is not None
    assert on_sagemaker.version.version == "1"  # no local pointer for SageMaker


def test_an_explicit_version_wins_and_must_exist(tmp_path: Path) -> None:
    store = registry_with(tmp_path, 2)
    deployed(store, "1", None)
    config = load_config(cwd=tmp_path)
    given = find_live_version(config.deploy, store, given="v2", given_as="--version")
    assert given is not None
    assert (given.version.version, given.source) == ("2", "--version")
    with pytest.raises(InputError, match="9"):
        find_live_version(config.deploy, store, given="9")


def test_nothing_deployed_is_none(tmp_path: Path) -> None:
    assert find_live_version(load_config(cwd=tmp_path).deploy, registry_with(tmp_path, 1), given=None) is None
