"""Watching a SageMaker endpoint and classifying how an update ended (fake clock, no waiting)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pytest

from mlgate.deploy.sagemaker.watch import classify_endpoint, watch_endpoint
from mlgate.deploy.watch import AlarmState, Watch


class Script:
    """``DescribeEndpoint`` answers in order (the last one repeats) and a clock that sleeping advances."""

    def __init__(self, *answers: Mapping[str, Any]) -> None:
        self.answers = list(answers)
        self.now = 0.0
        self.calls = 0

    def describe(self) -> Mapping[str, Any]:
        self.calls += 1
        return self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


def watch(script: Script, **kwargs: Any) -> Watch:
    return watch_endpoint(script.describe, "new", timeout_s=300, clock=script.clock, sleep=script.sleep, **kwargs)


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        ({"EndpointStatus": "InService", "EndpointConfigName": "new"}, "succeeded"),
        ({"EndpointStatus": "InService", "EndpointConfigName": "old"}, "rolled-back"),
        ({"EndpointStatus": "Failed", "EndpointConfigName": "old"}, "failed"),
        ({"EndpointStatus": "UpdateRollbackFailed", "EndpointConfigName": "old"}, "failed"),
        ({"EndpointStatus": "Updating", "EndpointConfigName": "old"}, None),
    ],
)
def test_classify_endpoint(answer: dict[str, str], expected: str | None) -> None:
    assert classify_endpoint(answer, "new") == expected


def test_watch_polls_until_in_service_on_the_new_config() -> None:
    script = Script(
        {"EndpointStatus": "Updating", "EndpointConfigName": "old"},
        {"EndpointStatus": "Updating", "EndpointConfigName": "old"},
        {"EndpointStatus": "InService", "EndpointConfigName": "new"},
    )
    seen: list[str] = []
    result = watch(script, on_status=seen.append)
    assert result.outcome == "succeeded"
    assert script.calls == 3
    assert script.now == 60.0
    assert seen == ["Updating", "InService"]


def test_watch_reports_failure_reason_and_every_guard_alarm_with_its_state() -> None:
    script = Script({"EndpointStatus": "InService", "EndpointConfigName": "old", "FailureReason": "alarm e-5xx"})
    states = (AlarmState("e-5xx", "ALARM"), AlarmState("e-p99", "OK"))
    result = watch(script, alarm_states=lambda: states, version="7")
    assert (result.outcome, result.version, result.failure_reason) == ("rolled-back", "7", "alarm e-5xx")
    assert result.alarms == states
    assert result.firing == ("e-5xx",)
    assert result.describe() == "status InService; config old; FailureReason: alarm e-5xx; alarms in ALARM: e-5xx"


@pytest.mark.parametrize(
    "answer",
    [{"EndpointStatus": "InService", "EndpointConfigName": "new"}, {"EndpointStatus": "Updating"}],
)
def test_the_alarm_states_are_read_once_when_the_watch_ends(answer: dict[str, str]) -> None:
    reads: list[int] = []

    def states() -> tuple[AlarmState, ...]:
        reads.append(1)
        return (AlarmState("e-5xx", "OK"),)

    result = watch(Script(answer), alarm_states=states)
    assert result.alarms == (AlarmState("e-5xx", "OK"),)
    assert result.firing == ()
    assert len(reads) == 1


def test_watch_times_out_without_acting() -> None:
    script = Script({"EndpointStatus": "Updating", "EndpointConfigName": "old"})
    result = watch(script, poll_s=30)
    assert result.outcome == "timed-out"
    assert result.status == "Updating"
    assert script.now == 300.0
