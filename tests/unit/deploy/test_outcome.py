"""What a deploy returns: exit codes by outcome, and the rollout watches a target reports."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import pytest

from mlgate.config import SmokeConfig
from mlgate.deploy.flow import Deployer, FlowSettings, deploy
from mlgate.deploy.outcome import EXIT_CODES, Outcome
from mlgate.deploy.watch import AlarmState, Watch
from mlgate.errors import ExitCode
from unit.deploy.fakes import FakeClock, FakeRegistry, FakeTarget, make_version

WATCH = Watch("succeeded", "InService", "e-v7-abc", None, (AlarmState("e-5xx", "OK"),), "7")


@dataclass
class WatchingTarget(FakeTarget):
    """A fake endpoint that reports one rollout watch, as the SageMaker target does."""

    watched: list[Watch] = field(default_factory=list)

    def wait_until_serving(self, version: str, timeout: float) -> None:
        super().wait_until_serving(version, timeout)
        self.watched.append(WATCH)

    def watches(self) -> Sequence[Watch]:
        return tuple(self.watched)


@pytest.mark.parametrize(
    ("outcome", "code"),
    [
        ("deployed", ExitCode.OK),
        ("rolled-back", ExitCode.CHECKS_FAILED),
        ("needs-person", ExitCode.NEEDS_PERSON),
        ("timed-out", ExitCode.TIMED_OUT),
    ],
)
def test_each_outcome_has_its_exit_code(outcome: Outcome, code: ExitCode) -> None:
    assert EXIT_CODES[outcome] == code


def test_the_outcome_carries_the_watches_of_the_run() -> None:
    clock = FakeClock()
    target = WatchingTarget(clock=clock, pointer="6", serving="6")
    settings = FlowSettings(timeout_s=5.0, smoke=SmokeConfig(latency_p95_ms=50.0, requests=2))
    deployer = Deployer(
        FakeRegistry(make_version(6), make_version(7)),
        target,
        "carol",
        settings,
        clock=clock,
        latency_clock=clock,
        verify=lambda path, version: None,
    )
    outcome = deploy(deployer, "7")
    assert (outcome.outcome, outcome.watches) == ("deployed", (WATCH,))


def test_a_target_that_watches_no_rollout_reports_none() -> None:
    clock = FakeClock()
    target = FakeTarget(clock=clock, pointer="6", serving="6")
    settings = FlowSettings(timeout_s=5.0, smoke=SmokeConfig(latency_p95_ms=50.0, requests=2))
    deployer = Deployer(
        FakeRegistry(make_version(6), make_version(7)),
        target,
        "carol",
        settings,
        clock=clock,
        latency_clock=clock,
        verify=lambda path, version: None,
    )
    assert deploy(deployer, "7").watches == ()
