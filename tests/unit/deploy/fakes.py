"""In-memory fakes of the registry and of a deploy target, for the deploy unit tests.

Imported as ``unit.deploy.fakes`` (tests/ is on sys.path). ``FakeTarget`` behaves like an endpoint:
``switch`` moves the pointer, ``wait_until_serving`` makes the pointer's version the served one (or fails
as its ``Behaviour`` says), ``invoke`` predicts ``x * factor`` and advances the fake latency clock.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mlgate.deploy.experiment import RunningShadow, Split, VariantHealth
from mlgate.deploy.target import LoadFailed, Reply, TargetBusy, TargetTimeout
from mlgate.deploy.watch import Watch
from mlgate.errors import InputError, ServiceError
from mlgate.registry.model import GoldenRow, HistoryEvent, ModelVersion, Status, StatusChange


class FakeClock:
    """A clock that only moves when told to."""

    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def make_version(number: int, *, status: Status = "approved", golden: int = 3, factor: float = 2.0) -> ModelVersion:
    """Version ``number`` whose golden rows were predicted as ``x * factor``."""
    history = [StatusChange("pending", "bob", "registered", "2026-11-19T10:00:00+00:00")]
    if status != "pending":
        history.append(StatusChange(status, "alice", f"{status} for the test", "2026-11-20T09:30:00+00:00"))
    rows = tuple(GoldenRow({"x": float(i)}, float(i) * factor) for i in range(golden))
    return ModelVersion(
        version=str(number),
        model="model",
        estimator="sklearn.linear_model.LinearRegression",
        artifact=f"/registry/versions/{number}/model.skops",
        sha256=f"{number:02d}" * 32,
        metrics={},
        params={},
        data_sha256=None,
        schema_sha256=None,
        commit=None,
        registered_by="bob",
        registered_at="2026-11-19T10:00:00+00:00",
        features=("x",),
        golden=rows,
        history=tuple(history),
    )


class FakeRegistry:
    """The ``Registry`` Protocol over a dict and a list."""

    def __init__(self, *versions: ModelVersion) -> None:
        self.versions = {v.version: v for v in versions}
        self.events: list[HistoryEvent] = []
        self.fail_writes = False

    def register(self, version: ModelVersion, artifact_file: Path) -> ModelVersion:
        raise NotImplementedError("not used by the deploy flow")

    def get(self, version: str) -> ModelVersion:
        if version not in self.versions:
            raise InputError(f"no version {version} in the registry; known: {', '.join(self.versions)}")
        return self.versions[version]

    def list(self) -> Sequence[ModelVersion]:
        return [self.versions[k] for k in sorted(self.versions, key=int)]

    def set_status(self, version: str, status: Status, *, by: str, reason: str) -> ModelVersion:
        if self.fail_writes:
            raise InputError("registry is read-only")
        current = self.get(version)
        change = StatusChange(status, by, reason, "2026-11-21T00:00:00+00:00")
        self.versions[version] = dataclasses.replace(current, history=(*current.history, change))
        self.events.append(HistoryEvent(change.at, status, version, by, reason))
        return self.versions[version]

    def record(self, event: HistoryEvent) -> None:
        if self.fail_writes:
            raise InputError("registry is read-only")
        self.events.append(event)

    def history(self, version: str | None = None) -> Sequence[HistoryEvent]:
        return [e for e in self.events if version is None or e.version == version]

    def artifact_path(self, version: ModelVersion) -> Path:
        return Path(version.artifact)


@dataclass
class Behaviour:
    """How the fake endpoint treats one version."""

    latency_s: float = 0.002
    factor: float = 2.0  # predictions are x * factor
    load_error: str | None = None
    hangs: bool = False  # never becomes served: wait_until_serving times out


@dataclass
class FakeTarget:
    """An endpoint that serves whatever the pointer names once waited for."""

    clock: FakeClock
    pointer: str | None = None
    serving: str | None = None
    behaviours: dict[str, Behaviour] = field(default_factory=dict)
    busy: bool = False
    reachable: bool = True
    switches: list[str] = field(default_factory=list)
    requests: int = 0
    smoke_requests: int = 0  # requests marked as smoke tests
    name: str = "fake"

    def describe(self) -> str:
        return "fake endpoint"

    @contextmanager
    def exclusive(self) -> Iterator[None]:
        if self.busy:
            raise TargetBusy("endpoint busy: another deploy is running", hint="wait for it")
        yield

    def current(self) -> str | None:
        return self.pointer

    def switch(self, version: ModelVersion, artifact: Path) -> None:
        self.pointer = version.version
        self.switches.append(version.version)

    def wait_until_serving(self, version: str, timeout: float) -> None:
        behaviour = self.behaviours.get(version, Behaviour())
        if behaviour.load_error:
            raise LoadFailed(f"the fake endpoint could not load version {version}: {behaviour.load_error}")
        if behaviour.hangs:
            raise TargetTimeout(f"version {version} was not served within {timeout:g} s", hint="look at it")
        self.serving = version

    def ping(self) -> Reply:
        if not self.reachable:
            raise ServiceError("cannot reach the fake endpoint", hint="start it")
        if self.serving is None:
            return Reply(503, None, {"status": "no model"}, "")
        return Reply(200, self.serving, {"status": "ok", "version": self.serving}, "")

    def invoke(self, rows: Sequence[Mapping[str, Any]], *, smoke: bool = False) -> Reply:
        if not self.reachable:
            raise ServiceError("cannot reach the fake endpoint")
        self.requests += 1
        self.smoke_requests += smoke
        assert self.serving is not None
        behaviour = self.behaviours.get(self.serving, Behaviour())
        self.clock.advance(behaviour.latency_s)
        predictions = [row["x"] * behaviour.factor for row in rows]
        return Reply(200, self.serving, {"predictions": predictions, "version": self.serving}, "")

    def watches(self) -> Sequence[Watch]:
        return ()


@dataclass
class FakeSplitTarget(FakeTarget):
    """A FakeTarget that also runs shadows and A/B splits (``mlgate.deploy.experiment.Experiments``) in memory."""

    shadow: RunningShadow | None = None
    split: Split | None = None
    health: dict[str, VariantHealth] = field(default_factory=dict)
    ended: list[str] = field(default_factory=list)  # the winners of end_split, in order

    def read_shadow(self) -> RunningShadow | None:
        return self.shadow

    def start_shadow(self, version: ModelVersion, artifact: Path, fraction: float, started_at: str) -> None:
        self.shadow = RunningShadow(version.version, fraction, started_at)

    def stop_shadow(self) -> bool:
        running, self.shadow = self.shadow is not None, None
        return running

    def read_split(self) -> Split | None:
        return self.split

    def start_split(self, split: Split, challenger: ModelVersion, artifact: Path) -> None:
        self.split = split

    def end_split(self, winner: ModelVersion, artifact: Path) -> None:
        assert self.split is not None, "end_split without a split"
        self.ended.append(winner.version)
        if winner.version == self.split.challenger:
            self.switch(winner, artifact)
            self.serving = winner.version
        self.split = None

    def read_health(self, split: Split, since: Any) -> Mapping[str, VariantHealth]:
        return self.health
