"""Deploy events in the registry history, and the endpoint's timeline read back from them."""

from __future__ import annotations

import pytest

from mlgate.deploy.history import build_event, find_previous_live, live_sequence
from mlgate.deploy.outcome import DeployOutcome, Outcome, Step
from mlgate.registry.model import HistoryEvent


def event(name: str, version: str, live: str | None = None) -> HistoryEvent:
    detail = {} if live is None else {"live": live}
    return HistoryEvent(at="2026-11-21T00:00:00+00:00", event=name, version=version, by="carol", detail=detail)


TIMELINE = [
    event("registered", "1"),
    event("deployed", "1", "1"),
    event("approved", "2"),
    event("deployed", "2", "2"),
    event("deploy-failed", "3", "2"),  # rolled back: 2 stayed live
    event("deploy-timed-out", "4"),  # state unknown: names no live version
    event("rolled-back", "1", "1"),
]


def test_the_timeline_holds_the_versions_the_endpoint_was_left_on() -> None:
    assert live_sequence(TIMELINE) == ["1", "2", "2", "1"]


def test_a_version_live_before_the_first_recorded_deploy_is_in_the_timeline() -> None:
    first = HistoryEvent(
        at="2026-11-21T00:00:00+00:00", event="deployed", version="5", by="carol", detail={"previous": "4", "live": "5"}
    )
    second = HistoryEvent(
        at="2026-11-22T00:00:00+00:00", event="deployed", version="6", by="carol", detail={"previous": "5", "live": "6"}
    )
    assert live_sequence([first, second]) == ["4", "5", "6"]
    assert find_previous_live([first], "5", lambda v: True) == "4"


def test_the_previous_live_version_skips_the_current_and_unapproved_ones() -> None:
    assert find_previous_live(TIMELINE, "1", lambda v: True) == "2"
    assert find_previous_live(TIMELINE, "1", lambda v: v != "2") is None
    assert find_previous_live(TIMELINE, "4", lambda v: True) == "1"
    assert find_previous_live([], None, lambda v: True) is None


def outcome(result: Outcome, action: str = "deploy") -> DeployOutcome:
    return DeployOutcome(
        action=action,  # type: ignore[arg-type]
        outcome=result,
        target="local",
        version="3",
        previous="2",
        live="3" if result in ("deployed", "timed-out") else "2",
        reason="why",
        steps=(Step("gate", "ok", "version 3 is approved", 0.0),),
    )


@pytest.mark.parametrize(
    ("result", "action", "name"),
    [
        ("deployed", "deploy", "deployed"),
        ("deployed", "rollback", "rolled-back"),
        ("rolled-back", "deploy", "deploy-failed"),
        ("needs-person", "rollback", "rollback-failed"),
        ("timed-out", "deploy", "deploy-timed-out"),
    ],
)
def test_each_outcome_that_touched_the_endpoint_has_an_event(result: Outcome, action: str, name: str) -> None:
    built = build_event(outcome(result, action), by="carol", at="2026-11-21T00:00:00+00:00")
    assert built is not None
    assert (built.event, built.version, built.by, built.reason) == (name, "3", "carol", "why")
    assert built.detail["outcome"] == result
    if result == "timed-out":
        assert (built.detail["pointer"], "live" in built.detail) == ("3", False)
    else:
        assert built.detail["live"] == ("3" if result == "deployed" else "2")


@pytest.mark.parametrize("result", ["no-op", "refused", "invalid"])
def test_outcomes_that_changed_nothing_have_no_event(result: Outcome) -> None:
    assert build_event(outcome(result), by="carol", at="2026-11-21T00:00:00+00:00") is None
