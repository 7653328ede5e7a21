"""Deployer (artifact check, smoke test), FlowSettings and Run (timed steps, the outcome and its history event)."""

from __future__ import annotations

import dataclasses
import hashlib
from datetime import UTC, datetime
from pathlib import Path

import pytest

from mlgate.config import SmokeConfig, load_config
from mlgate.deploy.deployer import Deployer, FlowSettings, Run
from mlgate.deploy.gate import Refusal
from mlgate.deploy.outcome import Step
from mlgate.errors import InputError, ServiceError
from mlgate.registry.model import HistoryEvent
from unit.deploy.fakes import Behaviour, FakeClock, FakeRegistry, FakeTarget, make_version

AT = datetime(2026, 11, 21, 8, 15, 30, 123456, tzinfo=UTC)
SMOKE = SmokeConfig(latency_p95_ms=20.0, requests=4, tolerance=1e-6)


class BrokenTarget(FakeTarget):
    """A target whose ``current`` cannot be read."""

    def current(self) -> str | None:
        raise ServiceError("cannot reach the fake endpoint")


def make_deployer(registry: FakeRegistry, target: FakeTarget, said: list[str]) -> Deployer:
    return Deployer(
        registry=registry,
        target=target,
        actor="carol",
        settings=FlowSettings(timeout_s=5.0, smoke=SMOKE),
        say=said.append,
        now=lambda: AT,
        clock=target.clock,
        latency_clock=target.clock,
    )


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


def test_flow_settings_come_from_the_deploy_and_artifacts_sections(tmp_path: Path) -> None:
    (tmp_path / "mlgate.yaml").write_text(
        "deploy:\n  timeout_s: 12.5\n  reject_on_failure: false\n"
        "  smoke: {latency_p95_ms: 80, requests: 7, tolerance: 0.001}\n"
        "artifacts:\n  trusted_types: [my_project.Scaler]\n",
        encoding="utf-8",
    )
    settings = FlowSettings.from_config(load_config(cwd=tmp_path, environ={}, required=True))
    assert settings == FlowSettings(12.5, False, SmokeConfig(80.0, 7, 0.001), ("my_project.Scaler",))


def test_flow_settings_defaults() -> None:
    assert FlowSettings() == FlowSettings(60.0, True, SmokeConfig(), ())


def test_check_artifact_uses_the_injected_verifier(clock: FakeClock) -> None:
    seen: list[tuple[Path, str]] = []
    version = make_version(3)
    deployer = Deployer(
        FakeRegistry(version), FakeTarget(clock), "carol", verify=lambda path, v: seen.append((path, v.version))
    )
    assert deployer.check_artifact(version) == Path("/registry/versions/3/model.skops")
    assert seen == [(Path("/registry/versions/3/model.skops"), "3")]


def test_check_artifact_loads_the_file_with_its_digest_by_default(tmp_path: Path, clock: FakeClock) -> None:
    artifact = tmp_path / "model.skops"
    artifact.write_bytes(b"not the registered bytes")
    version = dataclasses.replace(make_version(1), artifact=str(artifact))
    deployer = Deployer(FakeRegistry(version), FakeTarget(clock), "carol")
    digest = hashlib.sha256(b"not the registered bytes").hexdigest()
    with pytest.raises(InputError, match=rf"tampered artifact: .*model.skops has SHA-256 {digest[:16]}…"):
        deployer.check_artifact(version)


def test_smoke_test_runs_against_the_target_with_the_settings(clock: FakeClock) -> None:
    said: list[str] = []
    version = make_version(2)
    target = FakeTarget(clock, pointer="2", serving="2", behaviours={"2": Behaviour(latency_s=0.004)})
    result = make_deployer(FakeRegistry(version), target, said).smoke_test(version)
    assert result.version == "2"
    assert [(check.name, check.status) for check in result.checks] == [
        ("ping", "pass"),
        ("golden", "pass"),
        ("schema", "pass"),
        ("latency", "pass"),
    ]
    assert said[:2] == ["smoke test of version 2: /ping", "smoke test of version 2: 3 golden rows"]


def test_smoke_test_times_requests_with_the_latency_clock(clock: FakeClock) -> None:
    version = make_version(2)
    target = FakeTarget(clock, pointer="2", serving="2", behaviours={"2": Behaviour(latency_s=0.05)})
    result = make_deployer(FakeRegistry(version), target, []).smoke_test(version)
    assert [check.name for check in result.failures] == ["latency"]  # 50 ms on the fake clock, SLO 20 ms


def test_smoke_test_fails_on_wrong_predictions(clock: FakeClock) -> None:
    version = make_version(2, factor=2.0)
    target = FakeTarget(clock, pointer="2", serving="2", behaviours={"2": Behaviour(factor=3.0)})
    result = make_deployer(FakeRegistry(version), target, []).smoke_test(version)
    assert [check.name for check in result.failures] == ["golden"]


def test_steps_are_timed_from_the_previous_step_and_said(clock: FakeClock) -> None:
    said: list[str] = []
    run = Run(make_deployer(FakeRegistry(), FakeTarget(clock), said), "deploy")
    clock.advance(1.25)
    run.step("gate", "ok", "version 2 is approved")
    clock.advance(0.5004)
    run.step("switch", "failed", "endpoint busy", hint="wait")
    assert run.steps == [
        Step("gate", "ok", "version 2 is approved", 1.25, None),
        Step("switch", "failed", "endpoint busy", 0.5, "wait"),
    ]
    assert said == ["gate: version 2 is approved", "switch: endpoint busy"]


def test_a_deployed_outcome_is_recorded_in_the_history(clock: FakeClock) -> None:
    registry = FakeRegistry(make_version(1), make_version(2))
    target = FakeTarget(clock, pointer="2", serving="2")
    run = Run(make_deployer(registry, target, []), "deploy")
    run.version, run.previous = "2", "1"
    run.step("switch", "ok", "pointer at 2")
    clock.advance(2.0)
    outcome = run.finish("deployed", "version 2 is live", live="2")
    assert (outcome.action, outcome.outcome, outcome.target) == ("deploy", "deployed", "fake")
    assert (outcome.version, outcome.previous, outcome.live) == ("2", "1", "2")
    assert outcome.seconds == 2.0
    assert len(outcome.steps) == 1
    assert registry.events == [
        HistoryEvent(
            at="2026-11-21T08:15:30+00:00",
            event="deployed",
            version="2",
            by="carol",
            reason="version 2 is live",
            detail={"outcome": "deployed", "target": "fake", "previous": "1", "live": "2"},
        )
    ]


def test_a_history_that_cannot_be_written_adds_a_failed_step(clock: FakeClock) -> None:
    said: list[str] = []
    registry = FakeRegistry(make_version(1))
    registry.fail_writes = True
    run = Run(make_deployer(registry, FakeTarget(clock), said), "rollback")
    run.version = "1"
    outcome = run.finish("deployed", "rolled back to 1", live="1")
    assert outcome.outcome == "deployed"
    assert outcome.steps == (
        Step("history", "failed", "could not append to the registry history: registry is read-only", 0.0),
    )
    assert said == ["history: could not append to the registry history: registry is read-only"]


def test_a_refusal_stops_with_the_live_version_read_from_the_target_and_no_history(clock: FakeClock) -> None:
    registry = FakeRegistry(make_version(1), make_version(2, status="pending"))
    run = Run(make_deployer(registry, FakeTarget(clock, pointer="1", serving="1"), []), "deploy")
    outcome = run.stop("gate", "refused", Refusal("version 2 is pending", hint="approve it first"), version="2")
    assert (outcome.outcome, outcome.version, outcome.live, outcome.reason) == (
        "refused",
        "2",
        "1",
        "version 2 is pending",
    )
    assert outcome.steps == (Step("gate", "failed", "version 2 is pending", 0.0, "approve it first"),)
    assert registry.events == []  # the endpoint was not touched


def test_stop_keeps_a_version_already_chosen(clock: FakeClock) -> None:
    run = Run(make_deployer(FakeRegistry(), FakeTarget(clock), []), "deploy")
    run.version = "2"
    outcome = run.stop("artifact", "invalid", InputError("tampered artifact"), version="3", live="1")
    assert (outcome.version, outcome.live) == ("2", "1")


def test_an_unreadable_target_leaves_the_live_version_unknown(clock: FakeClock) -> None:
    run = Run(make_deployer(FakeRegistry(), BrokenTarget(clock, pointer="1"), []), "deploy")
    outcome = run.stop("endpoint", "invalid", ServiceError("cannot reach the fake endpoint"), version=None)
    assert outcome.live is None
    assert outcome.steps[0].detail == "cannot reach the fake endpoint"


def test_a_failed_deploy_is_recorded_with_the_live_version_given(clock: FakeClock) -> None:
    registry = FakeRegistry(make_version(1), make_version(2))
    run = Run(make_deployer(registry, FakeTarget(clock, pointer="1"), []), "deploy")
    run.previous = "1"
    outcome = run.stop("smoke", "rolled-back", InputError("golden rows differ"), version="2", live="1")
    assert outcome.outcome == "rolled-back"
    assert [(e.event, e.version, e.detail["live"]) for e in registry.events] == [("deploy-failed", "2", "1")]
