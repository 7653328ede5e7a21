"""The local target's experiments: shadow.json and ab.json written for the server, waiting on its /status, health
from its A/B log (httpx.MockTransport as the server)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from mlgate.deploy.experiment import Experiments, RunningShadow, Split
from mlgate.deploy.local import LocalTarget
from mlgate.deploy.target import LoadFailed, TargetTimeout
from mlgate.serve.ab_log import AbEntry, AbLog
from mlgate.serve.ab_state import read_ab
from mlgate.serve.state import read_pointer
from unit.deploy.fakes import FakeClock, make_version
from unit.deploy.test_local import clients, state  # noqa: F401  # fixtures used by name

NOW = dt.datetime(2026, 12, 7, 9, 0, tzinfo=dt.timezone.utc)
SPLIT = Split("1", "2", 20.0, "header:X-Client", "2026-12-07T09:00:00Z")


class Server:
    """/status with an ``ab`` member that follows ab.json (after ``lag`` polls), /ping naming ``live``."""

    def __init__(self, folder: Path, *, error: str | None = None, lag: int = 1) -> None:
        self.state, self.error, self.lag, self.live = folder, error, lag, "1"
        self.polls = 0

    def __call__(self, request: httpx.Request) -> httpx.Response:
        if request.url.path == "/ping":
            return httpx.Response(200, json={"version": self.live}, headers={"X-Mlgate-Version": self.live})
        self.polls += 1
        pointer = read_pointer(self.state)
        self.live = pointer.version if pointer else self.live
        found = read_ab(self.state)
        ab: dict[str, Any] | None = None
        if found is not None and self.polls > self.lag:
            ready = self.error is None
            ab = {"challenger": found.challenger.version, "ready": ready, "error": self.error}
        return httpx.Response(200, json={"version": self.live, "loading": False, "ab": ab})


@pytest.fixture
def make(state: Path, clients: Callable[[Any], httpx.Client]) -> Callable[..., tuple[LocalTarget, Server]]:  # noqa: F811
    def build(**options: Any) -> tuple[LocalTarget, Server]:
        server = Server(state, **options)
        clock = FakeClock()
        target = LocalTarget(state, http=clients(server), clock=clock, sleep=clock.advance, now=lambda: NOW)
        return target, server

    return build


def test_a_shadow_is_shadow_json(make: Callable[..., tuple[LocalTarget, Server]], tmp_path: Path) -> None:
    target, _ = make()
    assert isinstance(target, Experiments)
    assert target.read_shadow() is None
    target.start_shadow(make_version(2), tmp_path / "m.skops", 0.25, "2026-12-07T09:00:00Z")
    assert target.read_shadow() == RunningShadow("2", 0.25, "2026-12-07T09:00:00Z")
    assert (target.stop_shadow(), target.stop_shadow(), target.read_shadow()) == (True, False, None)


def test_a_split_starts_once_the_server_has_loaded_the_challenger(
    make: Callable[..., tuple[LocalTarget, Server]], tmp_path: Path
) -> None:
    target, server = make(lag=3)
    target.start_split(SPLIT, make_version(2), tmp_path / "m.skops")
    assert target.read_split() == SPLIT
    assert server.polls == 4, "waited for /status to report the challenger ready"


def test_a_challenger_the_server_cannot_load_removes_the_split(
    make: Callable[..., tuple[LocalTarget, Server]], tmp_path: Path
) -> None:
    target, _ = make(error="version 2: untrusted type evil.Thing")
    with pytest.raises(LoadFailed, match="could not start the A/B test: version 2: untrusted type"):
        target.start_split(SPLIT, make_version(2), tmp_path / "m.skops")
    assert target.read_split() is None


def test_a_server_that_never_follows_times_out_and_leaves_no_split(
    make: Callable[..., tuple[LocalTarget, Server]], tmp_path: Path
) -> None:
    target, _ = make(lag=10**9)
    with pytest.raises(TargetTimeout, match="did not follow"):
        target.start_split(SPLIT, make_version(2), tmp_path / "m.skops")
    assert target.read_split() is None


def test_ending_on_the_challenger_switches_live_first(
    make: Callable[..., tuple[LocalTarget, Server]], tmp_path: Path
) -> None:
    target, _ = make()
    target.start_split(SPLIT, make_version(2), tmp_path / "m.skops")
    target.end_split(make_version(2), tmp_path / "m.skops")
    assert (read_pointer(target.state).version, target.read_split()) == ("2", None)  # type: ignore[union-attr]


def test_ending_on_the_champion_only_removes_the_split(
    make: Callable[..., tuple[LocalTarget, Server]], tmp_path: Path
) -> None:
    target, _ = make()
    target.start_split(SPLIT, make_version(2), tmp_path / "m.skops")
    target.end_split(make_version(1), tmp_path / "m.skops")
    assert (read_pointer(target.state), target.read_split()) == (None, None)


def test_health_comes_from_the_servers_ab_log(make: Callable[..., tuple[LocalTarget, Server]]) -> None:
    target, _ = make()
    log = AbLog(target.state / "ab", clock=lambda: NOW)
    for i in range(3):
        log.add(AbEntry(NOW, f"r{i}", "champion", "1", 0.001, 200, False, [1]))
    log.add(AbEntry(NOW, "r9", "challenger", "1", 0.002, 200, True, [1]))
    log.flush()
    health = target.read_health(SPLIT, NOW - dt.timedelta(minutes=1))
    assert [(h.version, h.requests, h.errors) for h in health.values()] == [("1", 3, 0), ("2", 1, 1)]
    assert "A/B log" in health["1"].source
