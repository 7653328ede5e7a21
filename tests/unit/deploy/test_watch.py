"""Unit tests for mlgate.deploy.watch: what a watched rollout reports, and its one line for the deploy report."""

from __future__ import annotations

from mlgate.deploy.watch import MISSING, AlarmState, Watch


def test_a_clean_rollout_describes_its_status_and_config() -> None:
    watch = Watch("succeeded", "InService", "churn-v2", None)
    assert watch.firing == ()
    assert watch.describe() == "status InService; config churn-v2"


def test_a_rolled_back_rollout_names_the_reason_and_only_the_alarms_in_alarm() -> None:
    alarms = (
        AlarmState("errors", "ALARM"),
        AlarmState("latency", "OK"),
        AlarmState("p99", "ALARM"),
        AlarmState("gone", MISSING),
    )
    watch = Watch("rolled-back", "InService", None, "alarm errors fired", alarms, version="3")
    assert watch.firing == ("errors", "p99")
    assert watch.describe() == (
        "status InService; config none; FailureReason: alarm errors fired; alarms in ALARM: errors, p99"
    )
