"""Starting and stopping a shadow: who may shadow, what is written, what is recorded."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import httpx
import pytest

from mlgate.deploy.deployer import Deployer
from mlgate.deploy.local import LocalTarget
from mlgate.deploy.shadow import start_shadow, stop_shadow
from mlgate.errors import InputError
from mlgate.registry.model import ModelVersion
from mlgate.serve.shadow_state import read_shadow
from mlgate.serve.state import LivePointer, write_pointer
from unit.deploy.fakes import FakeClock, FakeRegistry, FakeTarget, make_version

NOW = dt.datetime(2026, 12, 7, 9, 30, tzinfo=dt.timezone.utc)


def deployer(state: Path, *versions: ModelVersion, verified: list[str]) -> Deployer:
    target = LocalTarget(state, http=httpx.Client(), trusted_types=("sklearn.tree._tree.Tree",))
    return Deployer(
        registry=FakeRegistry(*versions),
        target=target,
        actor="carol",
        now=lambda: NOW,
        verify=lambda _path, version: verified.append(version.version),
    )


def test_a_pending_version_shadows_and_stops_with_history(tmp_path: Path) -> None:
    verified: list[str] = []
    d = deployer(tmp_path, make_version(1), make_version(2, status="pending"), verified=verified)
    write_pointer(tmp_path, LivePointer("1", "m", "/a", "0" * 64, (), ("x",), "t"))
    change = start_shadow(d, "2", 0.25)
    assert (change.action, change.version, change.fraction, change.live) == ("started", "2", 0.25, "1")
    assert verified == ["2"]  # the artifact is loaded (digest, trusted types) before anything is written
    shadow = read_shadow(tmp_path)
    assert shadow is not None
    assert (shadow.pointer.version, shadow.fraction, shadow.started_at) == ("2", 0.25, "2026-12-07T09:30:00+00:00")
    assert shadow.pointer.trusted_types == ("sklearn.tree._tree.Tree",)
    stopped = stop_shadow(d)
    assert (stopped.action, stopped.version, read_shadow(tmp_path)) == ("stopped", "2", None)
    assert [(e.event, e.version, e.by) for e in d.registry.history()] == [
        ("shadow-started", "2", "carol"),
        ("shadow-stopped", "2", "carol"),
    ]
    assert stop_shadow(d).action == "not-running"


def test_rejected_live_and_other_targets_are_refused_before_anything_is_written(tmp_path: Path) -> None:
    verified: list[str] = []
    d = deployer(tmp_path, make_version(1), make_version(2, status="rejected"), verified=verified)
    write_pointer(tmp_path, LivePointer("1", "m", "/a", "0" * 64, (), ("x",), "t"))
    with pytest.raises(InputError, match="version 2 is rejected: it is not shadowed"):
        start_shadow(d, "2", 0.5)
    with pytest.raises(InputError, match="version 1 is the live version"):
        start_shadow(d, "1", 0.5)
    assert (verified, read_shadow(tmp_path)) == ([], None)
    other = Deployer(registry=FakeRegistry(make_version(2)), target=FakeTarget(clock=FakeClock()), actor="carol")
    with pytest.raises(InputError, match="the fake target runs no shadow or A/B test"):
        start_shadow(other, "2", 0.5)
