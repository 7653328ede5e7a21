"""The A/B use cases over an in-memory target and registry: who may start, what decide records and does."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import pytest

from mlgate.ab.answers import Answers
from mlgate.ab.flow import AbRefused, decide_ab_test, start_ab, stop_ab
from mlgate.config import AbConfig, Config, SmokeConfig
from mlgate.deploy.deployer import Deployer, FlowSettings
from mlgate.deploy.experiment import Split, VariantHealth
from mlgate.errors import InputError
from unit.deploy.fakes import FakeClock, FakeRegistry, FakeSplitTarget, FakeTarget, make_version

CONFIG = Config(target="label", ab=AbConfig(min_labels=30, min_requests=10))
SPLIT = Split("1", "2", 50.0, "header:X", "2026-12-07T09:00:00Z")


def setup(*, live: str | None = "1", status: str = "approved") -> tuple[Deployer, FakeRegistry, FakeSplitTarget]:
    registry = FakeRegistry(make_version(1), make_version(2, status=status), make_version(3, status="pending"))  # type: ignore[arg-type]
    clock = FakeClock()
    target = FakeSplitTarget(clock=clock, pointer=live, serving=live)
    settings = FlowSettings(timeout_s=5.0, smoke=SmokeConfig(requests=3, latency_p95_ms=1000))
    deployer = Deployer(registry, target, "carol", settings, clock=clock, latency_clock=clock, verify=lambda p, v: None)
    return deployer, registry, target


def test_an_approved_version_starts_and_the_history_says_so() -> None:
    deployer, registry, target = setup()
    change = start_ab(deployer, "2", 50, "header:X")
    assert (change.action, target.split) == ("started", dataclasses.replace(SPLIT, started_at=target.split.started_at))  # type: ignore[union-attr]
    (event,) = registry.events
    assert (event.event, event.version, event.detail["champion"], event.detail["percent"]) == (
        "ab-started",
        "2",
        "1",
        50.0,
    )


@pytest.mark.parametrize(
    ("version", "live", "running", "message"),
    [
        ("3", "1", False, "version 3 is pending: an A/B test serves real clients"),
        ("2", "1", True, "an A/B test already runs on fake endpoint"),
        ("2", None, False, "nothing is live: an A/B test needs a champion"),
        ("1", "1", False, "version 1 is the live version: it cannot be its own challenger"),
    ],
)
def test_refusals_change_nothing(version: str, live: str | None, running: bool, message: str) -> None:
    deployer, registry, target = setup(live=live)
    target.split = SPLIT if running else None
    with pytest.raises(AbRefused, match=message):
        start_ab(deployer, version, 50, "header:X")
    assert (registry.events, target.split) == ([], SPLIT if running else None)


def test_bad_shares_and_keys_and_targets_without_experiments_are_input_errors() -> None:
    deployer, _, _ = setup()
    with pytest.raises(InputError, match="--ab 0 must be a percentage"):
        start_ab(deployer, "2", 0, "header:X")
    plain = dataclasses.replace(deployer, target=FakeTarget(clock=FakeClock(), pointer="1"))
    with pytest.raises(InputError, match="the fake target runs no shadow or A/B test"):
        start_ab(plain, "2", 50, "header:X")


def answers_of(good: str, rows: int = 60) -> tuple[Answers, str]:
    """Each version answers ``rows`` requests; ``good`` is always right, the other wrong on every third."""
    answers = Answers(source="test")
    labels = ["request_id,label"]
    for version in ("1", "2"):
        for i in range(rows):
            rid = f"v{version}-{i}"
            answers.request_id.append(rid)
            answers.row.append(0)
            answers.version.append(version)
            answers.prediction.append("yes")
            wrong = version != good and i % 3 == 0
            labels.append(f"{rid},{'no' if wrong else 'yes'}")
    return answers, "\n".join(labels) + "\n"


def decide(deployer: Deployer, good: str, tmp_path: Path, *, act: bool = True, record: bool = True) -> Any:
    answers, text = answers_of(good)
    labels = tmp_path / "labels.csv"
    labels.write_text(text, encoding="utf-8")

    def read(*args: Any, **kwargs: Any) -> Answers:
        return answers

    return decide_ab_test(deployer, CONFIG, labels=labels, act=act, regression=False, record=record, read=read)


def healthy(target: FakeSplitTarget) -> None:
    target.health = {v: VariantHealth(v, 60, 0, 10.0, "test") for v in ("1", "2")}


def test_a_better_challenger_is_promoted_through_a_deploy(tmp_path: Path) -> None:
    deployer, registry, target = setup()
    target.split = SPLIT
    healthy(target)
    result = decide(deployer, "2", tmp_path)
    assert (result.decision.outcome, result.acted, target.pointer) == ("promote", "promoted", "2")
    assert target.read_split() is None
    assert result.deploy.outcome == "deployed"
    events = [e.event for e in registry.events]
    assert events == ["ab-decision", "deployed"]
    assert registry.events[0].detail["lower"] > 0
    assert registry.events[0].reason.startswith("promote: the challenger is better")


def test_a_worse_challenger_is_stopped_and_rejected(tmp_path: Path) -> None:
    deployer, registry, target = setup()
    target.split = SPLIT
    healthy(target)
    result = decide(deployer, "1", tmp_path)
    assert (result.decision.outcome, result.acted, target.ended, target.pointer) == ("stop", "stopped", ["1"], "1")
    assert registry.get("2").status == "rejected"
    assert "A/B test against version 1 stopped" in registry.get("2").history[-1].reason


def test_promotion_of_a_version_no_longer_approved_is_refused_and_the_champion_takes_all(tmp_path: Path) -> None:
    deployer, registry, target = setup()
    target.split = SPLIT
    healthy(target)
    registry.set_status("2", "pending", by="eve", reason="second thoughts")
    result = decide(deployer, "2", tmp_path)
    assert (result.decision.outcome, result.acted, target.pointer) == ("promote", "refused", "1")
    assert target.read_split() is None
    assert "promotion of version 2 refused" in result.message


def test_a_dry_run_records_without_acting_and_status_records_nothing(tmp_path: Path) -> None:
    deployer, registry, target = setup()
    target.split = SPLIT
    healthy(target)
    result = decide(deployer, "2", tmp_path, act=False)
    assert (result.acted, target.split, [e.event for e in registry.events]) == ("not-acted", SPLIT, ["ab-decision"])
    assert registry.events[0].detail["acted"] is False
    decide(deployer, "2", tmp_path, act=False, record=False)
    assert len(registry.events) == 1


def test_without_labels_only_the_health_is_reported() -> None:
    deployer, registry, target = setup()
    target.split = SPLIT
    healthy(target)
    result = decide_ab_test(deployer, CONFIG, labels=None, act=True, regression=False)
    assert (result.decision, result.acted, registry.events) == (None, "not-acted", [])
    assert [h.version for h in result.health] == ["1", "2"]


def test_decide_without_a_test_is_an_input_error(tmp_path: Path) -> None:
    deployer, _, _ = setup()
    with pytest.raises(InputError, match="no A/B test runs on fake endpoint"):
        decide(deployer, "2", tmp_path)


def test_stopping_by_hand_keeps_the_challenger_approved() -> None:
    deployer, registry, target = setup()
    assert stop_ab(deployer, "not needed").action == "not-running"
    target.split = SPLIT
    change = stop_ab(deployer, "not needed")
    assert (change.action, target.ended, registry.get("2").status) == ("stopped", ["1"], "approved")
    assert registry.events[-1].event == "ab-stopped"
