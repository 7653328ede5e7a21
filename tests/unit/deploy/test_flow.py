"""The deploy and rollback flows over an in-memory registry and a fake endpoint."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from mlgate.config import SmokeConfig
from mlgate.deploy.experiment import RunningShadow, Split
from mlgate.deploy.flow import Deployer, FlowSettings, deploy, rollback
from mlgate.errors import ExitCode, InputError, ServiceError
from mlgate.registry.model import HistoryEvent, ModelVersion, Status
from unit.deploy.fakes import Behaviour, FakeClock, FakeRegistry, FakeSplitTarget, FakeTarget, make_version

SMOKE = SmokeConfig(latency_p95_ms=20.0, requests=10, tolerance=1e-6)


class Verifier:
    """Stands in for load_model: refuses the versions listed in ``bad``."""

    def __init__(self) -> None:
        self.bad: dict[str, str] = {}
        self.checked: list[str] = []

    def __call__(self, path: Path, version: ModelVersion) -> None:
        self.checked.append(version.version)
        if version.version in self.bad:
            raise InputError(self.bad[version.version], hint="do not use this file")


def setup(
    *versions: ModelVersion, live: str | None = None, reject: bool = True
) -> tuple[Deployer, FakeRegistry, FakeTarget, Verifier, list[str]]:
    registry = FakeRegistry(*versions)
    clock = FakeClock()
    target = FakeTarget(clock=clock, pointer=live, serving=live)
    verifier = Verifier()
    said: list[str] = []
    settings = FlowSettings(timeout_s=5.0, reject_on_failure=reject, smoke=SMOKE)
    deployer = Deployer(
        registry=registry,
        target=target,
        actor="carol",
        settings=settings,
        say=said.append,
        clock=clock,
        latency_clock=clock,
        verify=verifier,
    )
    return deployer, registry, target, verifier, said


def test_an_approved_version_is_deployed_smoke_tested_and_recorded() -> None:
    deployer, registry, target, verifier, said = setup(make_version(1), make_version(2), live="1")
    outcome = deploy(deployer, "2")
    assert (outcome.outcome, outcome.exit_code, outcome.live, outcome.previous) == ("deployed", ExitCode.OK, "2", "1")
    assert [s.name for s in outcome.steps] == ["gate", "endpoint", "artifact", "switch", "wait", "smoke"]
    assert all(s.status == "ok" for s in outcome.steps)
    assert outcome.steps[0].detail == 'version 2 is approved (by alice, 2026-11-20: "approved for the test")'
    assert "rollback target recorded: version 1" in outcome.steps[1].detail
    assert outcome.smoke is not None
    assert outcome.smoke.passed
    assert target.switches == ["2"]
    assert verifier.checked == ["2"]
    assert target.requests == 1 + 3 + 20  # the golden batch, 3 warm-up requests, then at least 20 timed ones
    (event,) = registry.events
    assert (event.event, event.version, event.by) == ("deployed", "2", "carol")
    assert event.detail["live"] == "2"
    assert event.detail["previous"] == "1"
    assert any(line.startswith("smoke:") for line in said)


def test_without_a_version_the_newest_approved_one_is_deployed() -> None:
    deployer, _, target, _, _ = setup(make_version(1), make_version(2), make_version(3, status="pending"))
    outcome = deploy(deployer)
    assert (outcome.outcome, outcome.version, target.pointer) == ("deployed", "2", "2")
    assert "nothing was live: no rollback target" in outcome.steps[1].detail


@pytest.mark.parametrize(
    ("status", "hint"),
    [("pending", "mlgate registry approve 2"), ("rejected", "a rejected version is not deployed")],
)
def test_a_version_that_is_not_approved_is_refused_and_nothing_changes(status: Status, hint: str) -> None:
    deployer, registry, target, verifier, _ = setup(make_version(1), make_version(2, status=status), live="1")
    outcome = deploy(deployer, "2")
    assert (outcome.outcome, outcome.exit_code, outcome.live) == ("refused", ExitCode.CHECKS_FAILED, "1")
    assert outcome.reason.startswith(f"version 2 is {status}, not approved")
    assert outcome.steps[-1].hint is not None
    assert hint in outcome.steps[-1].hint
    assert (target.switches, verifier.checked, registry.events) == ([], [], [])


def test_no_approved_version_at_all_is_refused() -> None:
    deployer, _, target, _, _ = setup(make_version(1, status="pending"))
    outcome = deploy(deployer)
    assert (outcome.outcome, outcome.reason) == ("refused", "no approved version in the registry")
    assert target.switches == []


def test_an_unknown_version_is_invalid_input() -> None:
    deployer, _, target, _, _ = setup(make_version(1))
    outcome = deploy(deployer, "9")
    assert (outcome.outcome, outcome.exit_code) == ("invalid", ExitCode.BAD_INPUT)
    assert "no version 9" in outcome.reason
    assert target.switches == []


def test_redeploying_the_live_version_is_a_no_op() -> None:
    deployer, registry, target, verifier, _ = setup(make_version(1), live="1")
    outcome = deploy(deployer, "1")
    assert (outcome.outcome, outcome.exit_code, outcome.live) == ("no-op", ExitCode.OK, "1")
    assert (target.switches, verifier.checked, registry.events) == ([], [], [])


def test_a_pointer_the_server_does_not_serve_is_switched_again() -> None:
    deployer, _, target, _, _ = setup(make_version(1), live="1")
    target.serving = None  # the server never loaded it
    assert deploy(deployer, "1").outcome == "deployed"
    assert target.switches == ["1"]


def test_a_live_version_unknown_to_the_registry_cannot_be_returned_to() -> None:
    deployer, _, target, _, _ = setup(make_version(2), live="1")
    target.behaviours["2"] = Behaviour(latency_s=0.5)
    outcome = deploy(deployer, "2")
    assert "the live version 1 is not in the registry: no rollback target" in outcome.steps[1].detail
    assert (outcome.outcome, outcome.live, target.switches) == ("needs-person", "2", ["2"])


def test_a_busy_endpoint_refuses() -> None:
    deployer, _, target, _, _ = setup(make_version(1), make_version(2), live="1")
    target.busy = True
    outcome = deploy(deployer, "2")
    assert (outcome.outcome, outcome.exit_code) == ("refused", ExitCode.CHECKS_FAILED)
    assert outcome.reason.startswith("endpoint busy")
    assert target.switches == []


def test_a_tampered_artifact_is_invalid_and_nothing_is_deployed() -> None:
    deployer, registry, target, verifier, _ = setup(make_version(1), make_version(2), live="1")
    verifier.bad["2"] = "tampered artifact: model.skops has SHA-256 ab…"
    outcome = deploy(deployer, "2")
    assert (outcome.outcome, outcome.exit_code, outcome.live) == ("invalid", ExitCode.BAD_INPUT, "1")
    assert outcome.steps[-1].name == "artifact"
    assert outcome.steps[-1].status == "failed"
    assert (target.pointer, target.switches, registry.events) == ("1", [], [])


def test_an_unreachable_endpoint_stops_before_anything_changes() -> None:
    deployer, _, target, verifier, _ = setup(make_version(1), make_version(2), live="1")
    target.reachable = False
    with pytest.raises(ServiceError, match="cannot reach the fake endpoint"):
        deploy(deployer, "2")
    assert (target.switches, verifier.checked) == ([], [])


def test_a_slow_version_is_rolled_back_verified_and_rejected() -> None:
    deployer, registry, target, verifier, _ = setup(make_version(1), make_version(2), live="1")
    target.behaviours["2"] = Behaviour(latency_s=0.5)
    outcome = deploy(deployer, "2")
    assert (outcome.outcome, outcome.exit_code, outcome.live) == ("rolled-back", ExitCode.CHECKS_FAILED, "1")
    assert outcome.reason.startswith("smoke test failed: latency: p95 500.0 ms > 20 ms")
    names = [s.name for s in outcome.steps]
    assert names == [
        "gate",
        "endpoint",
        "artifact",
        "switch",
        "wait",
        "smoke",
        "switch-back",
        "wait-back",
        "verify",
        "registry",
    ]
    assert (target.switches, target.serving, verifier.checked) == (["2", "1"], "1", ["2", "1"])
    assert outcome.verify is not None
    assert outcome.verify.passed
    assert outcome.rejected
    assert registry.get("2").status == "rejected"
    assert "latency" in registry.get("2").history[-1].reason
    assert registry.get("2").history[-1].by == "carol"
    event = registry.events[-1]
    assert (event.event, event.detail["outcome"], event.detail["live"]) == ("deploy-failed", "rolled-back", "1")


def test_wrong_golden_predictions_fail_the_smoke_test() -> None:
    deployer, _, target, _, _ = setup(make_version(1), make_version(2), live="1")
    target.behaviours["2"] = Behaviour(factor=3.0)
    outcome = deploy(deployer, "2")
    assert outcome.outcome == "rolled-back"
    assert "golden: 2 of 3 golden rows differ" in outcome.reason


def test_reject_on_failure_false_keeps_the_version_approved() -> None:
    deployer, registry, target, _, _ = setup(make_version(1), make_version(2), live="1", reject=False)
    target.behaviours["2"] = Behaviour(latency_s=0.5)
    outcome = deploy(deployer, "2")
    assert (outcome.outcome, outcome.rejected) == ("rolled-back", False)
    assert outcome.steps[-1].status == "skipped"
    assert registry.get("2").status == "approved"


def test_a_version_the_server_cannot_load_is_rolled_back() -> None:
    deployer, _, target, _, _ = setup(make_version(1), make_version(2), live="1")
    target.behaviours["2"] = Behaviour(load_error="MemoryError")
    outcome = deploy(deployer, "2")
    assert (outcome.outcome, outcome.live, outcome.smoke) == ("rolled-back", "1", None)
    assert "could not load version 2: MemoryError" in outcome.reason


def test_a_timeout_changes_nothing_further() -> None:
    deployer, registry, target, _, _ = setup(make_version(1), make_version(2), live="1")
    target.behaviours["2"] = Behaviour(hangs=True)
    outcome = deploy(deployer, "2")
    assert (outcome.outcome, outcome.exit_code) == ("timed-out", ExitCode.TIMED_OUT)
    assert (target.switches, outcome.rejected) == (["2"], False)
    assert registry.get("2").status == "approved"
    (event,) = registry.events
    assert (event.event, event.detail["pointer"], "live" in event.detail) == ("deploy-timed-out", "2", False)


def test_an_unreadable_rollback_target_needs_a_person() -> None:
    deployer, registry, target, verifier, _ = setup(make_version(1), make_version(2), live="1")
    target.behaviours["2"] = Behaviour(latency_s=0.5)
    verifier.bad["1"] = "cannot read model file /registry/versions/1/model.skops: Permission denied"
    outcome = deploy(deployer, "2")
    assert (outcome.outcome, outcome.exit_code, outcome.live) == ("needs-person", ExitCode.NEEDS_PERSON, "2")
    assert "could not return to version 1: cannot read model file" in outcome.reason
    switch_back = next(s for s in outcome.steps if s.name == "switch-back")
    assert switch_back.status == "failed"
    assert switch_back.hint is not None
    assert (target.switches, registry.get("2").status) == (["2"], "rejected")
    assert registry.events[-1].detail == {
        "outcome": "needs-person",
        "target": "fake",
        "previous": "1",
        "live": "2",
        "smoke": outcome.smoke.summary() if outcome.smoke else None,
    }


def test_a_failed_first_deploy_has_nothing_to_return_to() -> None:
    deployer, _, target, _, _ = setup(make_version(1))
    target.behaviours["1"] = Behaviour(latency_s=0.5)
    outcome = deploy(deployer, "1")
    assert (outcome.outcome, outcome.live, target.pointer) == ("needs-person", "1", "1")
    assert "nothing to return to" in outcome.reason


def test_a_previous_version_that_fails_its_own_smoke_test_needs_a_person() -> None:
    deployer, _, target, _, _ = setup(make_version(1), make_version(2), live="1")
    target.behaviours["1"] = target.behaviours["2"] = Behaviour(latency_s=0.5)
    outcome = deploy(deployer, "2")
    assert (outcome.outcome, outcome.live) == ("needs-person", "1")
    assert "version 1 is back but fails its smoke test" in outcome.reason


def test_a_failed_switch_back_wait_needs_a_person() -> None:
    deployer, _, target, _, _ = setup(make_version(1), make_version(2), live="1")
    target.behaviours["2"] = Behaviour(latency_s=0.5)
    target.behaviours["1"] = Behaviour(hangs=True)
    outcome = deploy(deployer, "2")
    assert (outcome.outcome, outcome.live) == ("needs-person", "1")
    assert "switching back to version 1: version 1 was not served" in outcome.reason


def test_a_history_write_failure_is_reported_as_a_step() -> None:
    deployer, registry, _, _, _ = setup(make_version(1), make_version(2), live="1")
    registry.fail_writes = True
    outcome = deploy(deployer, "2")
    assert outcome.outcome == "deployed"
    assert (outcome.steps[-1].name, outcome.steps[-1].status) == ("history", "failed")


def test_rollback_restores_the_previous_live_version() -> None:
    deployer, registry, target, _, _ = setup(make_version(1), make_version(2), make_version(3))
    for version in ("1", "2", "3"):
        assert deploy(deployer, version).outcome == "deployed"
    outcome = rollback(deployer)
    assert (outcome.action, outcome.outcome, outcome.exit_code) == ("rollback", "deployed", ExitCode.OK)
    assert (outcome.version, outcome.previous, target.pointer) == ("2", "3", "2")
    assert outcome.steps[0].detail.endswith("; live now: 3")
    assert outcome.smoke is not None
    assert outcome.smoke.passed
    assert (registry.events[-1].event, registry.events[-1].detail["live"]) == ("rolled-back", "2")


def test_rollback_skips_versions_that_are_no_longer_approved() -> None:
    deployer, registry, target, _, _ = setup(make_version(1), make_version(2), make_version(3))
    for version in ("1", "2", "3"):
        deploy(deployer, version)
    registry.set_status("2", "rejected", by="dave", reason="bad calibration")
    outcome = rollback(deployer)
    assert (outcome.outcome, target.pointer) == ("deployed", "1")


def test_rollback_to_a_named_version_must_be_approved() -> None:
    deployer, _, target, _, _ = setup(make_version(1, status="pending"), make_version(2), live="2")
    outcome = rollback(deployer, to="1")
    assert (outcome.outcome, outcome.exit_code, target.switches) == ("refused", ExitCode.CHECKS_FAILED, [])


def test_rollback_to_a_named_approved_version() -> None:
    deployer, _, target, _, _ = setup(make_version(1), make_version(2), live="2")
    outcome = rollback(deployer, to="1")
    assert (outcome.outcome, target.pointer) == ("deployed", "1")


def test_rollback_without_history_is_refused() -> None:
    deployer, _, target, _, _ = setup(make_version(1), live="1")
    outcome = rollback(deployer)
    assert (outcome.outcome, outcome.reason) == (
        "refused",
        "nothing to roll back to: no approved version other than 1 was live before",
    )
    assert target.switches == []


def test_rollback_from_a_version_that_is_not_live_does_nothing() -> None:
    deployer, registry, target, _, _ = setup(make_version(1), make_version(2), live="1")
    outcome = rollback(deployer, only_from="2")
    assert (outcome.outcome, outcome.exit_code, outcome.live) == ("no-op", ExitCode.OK, "1")
    assert (target.switches, registry.events) == ([], [])


def test_a_rollback_that_fails_its_smoke_test_restores_the_version_that_was_live() -> None:
    deployer, registry, target, _, _ = setup(make_version(1), make_version(2))
    deploy(deployer, "1")
    deploy(deployer, "2")
    target.behaviours["1"] = Behaviour(latency_s=0.5)
    outcome = rollback(deployer)
    assert (outcome.outcome, outcome.exit_code, target.pointer) == ("rolled-back", ExitCode.CHECKS_FAILED, "2")
    assert registry.get("1").status == "rejected"
    assert registry.events[-1].event == "rollback-failed"


def test_rollback_on_a_busy_endpoint_is_refused() -> None:
    deployer, _, target, _, _ = setup(make_version(1), make_version(2), live="2")
    target.busy = True
    assert rollback(deployer, to="1").outcome == "refused"


def test_an_approval_withdrawn_during_the_deploy_stops_it_before_anything_changes() -> None:
    deployer, registry, target, _, _ = setup(make_version(1), make_version(2), live="1")

    class Withdrawing(Verifier):  # a reviewer rejects v2 while its artifact is being checked
        def __call__(self, path: Path, version: ModelVersion) -> None:
            super().__call__(path, version)
            registry.set_status("2", "rejected", by="dave", reason="found a leak")

    outcome = deploy(dataclasses.replace(deployer, verify=Withdrawing()), "2")
    assert (outcome.outcome, outcome.exit_code, outcome.live) == ("refused", ExitCode.CHECKS_FAILED, "1")
    assert outcome.steps[-1].name == "gate"
    assert "approval was withdrawn" in outcome.steps[-1].detail
    assert target.switches == []


# -- what the automatic rollback needs to know, reported the moment it holds ---------------------------------


def noting(deployer: Deployer) -> tuple[Deployer, list[tuple[dict[str, str], list[str]]]]:
    """The deployer, recording each note with the switches made when it was written."""
    notes: list[tuple[dict[str, str], list[str]]] = []
    target = deployer.target
    assert isinstance(target, FakeTarget)
    return dataclasses.replace(deployer, note=lambda facts: notes.append((facts, list(target.switches)))), notes


def test_a_deploy_notes_what_was_live_first_and_switched_right_before_the_switch() -> None:
    deployer, _, _, _, _ = setup(make_version(1), make_version(2), live="1")
    deployer, notes = noting(deployer)
    assert deploy(deployer, "2").outcome == "deployed"
    assert notes == [({"previous-version": "1"}, []), ({"switched": "true"}, [])]  # both before any switch


def test_a_deploy_that_stops_before_the_switch_never_notes_switched() -> None:
    deployer, _, target, _, _ = setup(make_version(1), make_version(2), live="2")
    deployer, notes = noting(deployer)
    target.reachable = False  # a re-deploy of the live version while the endpoint is unreachable
    with pytest.raises(ServiceError, match="cannot reach the fake endpoint"):
        deploy(deployer, "2")
    assert notes == [({"previous-version": "2"}, [])]
    refused, _, _, _, _ = setup(make_version(1), make_version(2, status="pending"), live="1")
    refused, notes = noting(refused)
    assert deploy(refused, "2").outcome == "refused"
    assert notes == []  # the gate refused before the endpoint was read


def test_a_first_deploy_notes_that_nothing_was_live() -> None:
    deployer, _, _, _, _ = setup(make_version(1))
    deployer, notes = noting(deployer)
    assert deploy(deployer, "1").outcome == "deployed"
    assert notes[0] == ({"previous-version": ""}, [])


def test_rollback_does_nothing_when_the_version_was_already_live_before_the_deploy() -> None:
    """A re-deploy of the live version that died changed nothing: the automatic rollback must not undo it."""
    deployer, registry, target, _, _ = setup(make_version(1), make_version(2))
    deploy(deployer, "1")
    deploy(deployer, "2")
    events = len(registry.events)
    outcome = rollback(deployer, only_from="2", live_before="2")
    assert (outcome.outcome, outcome.exit_code, outcome.live) == ("no-op", ExitCode.OK, "2")
    assert outcome.reason == "version 2 was already live before the deploy started: no switch of it to undo"
    assert (target.switches, len(registry.events)) == (["1", "2"], events)


def test_rollback_undoes_a_switch_the_deploy_made() -> None:
    deployer, _, target, _, _ = setup(make_version(1), make_version(2))
    deploy(deployer, "1")
    deploy(deployer, "2")  # as if the deploy job had died after this switch
    outcome = rollback(deployer, only_from="2", live_before="1")
    assert (outcome.outcome, target.pointer) == ("deployed", "1")


def test_rollback_after_a_first_deploy_that_died_finds_nothing_to_return_to() -> None:
    deployer, _, target, _, _ = setup(make_version(1))
    deploy(deployer, "1")
    outcome = rollback(deployer, only_from="1", live_before="")  # nothing was live before: the switch is this run's
    assert (outcome.outcome, target.pointer) == ("refused", "1")
    assert outcome.reason.startswith("nothing to roll back to")


def split_setup(live: str = "1") -> tuple[Deployer, FakeRegistry, FakeSplitTarget]:
    deployer, registry, _, _, _ = setup(make_version(1), make_version(2), make_version(3), live=live)
    target = FakeSplitTarget(clock=FakeClock(), pointer=live, serving=live)
    target.split = Split("1", "2", 20.0, "header:X", "2026-12-07T09:00:00Z")
    return dataclasses.replace(deployer, target=target), registry, target


def test_while_an_ab_test_runs_a_deploy_of_another_version_is_refused_before_anything_changes() -> None:
    deployer, _registry, target = split_setup()
    outcome = deploy(deployer, "3")
    assert (outcome.outcome, outcome.exit_code) == ("refused", ExitCode.CHECKS_FAILED)
    assert "an A/B test runs on fake endpoint (version 2 on 20% against version 1)" in outcome.reason
    assert (target.switches, target.split is not None) == ([], True)


def test_deploying_the_challenger_of_an_ab_test_ends_the_test_on_it() -> None:
    deployer, _registry, target = split_setup()
    outcome = deploy(deployer, "2")
    assert (outcome.outcome, target.ended, target.split, target.pointer) == ("deployed", ["2"], None, "2")
    assert "its challenger, version 2, takes all traffic" in outcome.steps[3].detail


def test_a_rollback_during_an_ab_test_ends_it_on_the_champion_first() -> None:
    deployer, registry, target = split_setup(live="3")
    target.split = Split("3", "2", 20.0, "header:X", "2026-12-07T09:00:00Z")
    registry.events.append(HistoryEvent("2026-12-01T00:00:00+00:00", "deployed", "1", "carol", "", {"live": "1"}))
    registry.events.append(HistoryEvent("2026-12-02T00:00:00+00:00", "deployed", "3", "carol", "", {"live": "3"}))
    outcome = rollback(deployer)
    assert (outcome.outcome, outcome.live, target.ended) == ("deployed", "1", ["3"])
    assert target.read_split() is None
    stopped = next(e for e in registry.events if e.event == "ab-stopped")
    assert (stopped.version, stopped.detail["reason"]) == ("2", "rollback to version 1")


def test_a_switch_that_ends_the_targets_shadow_records_it() -> None:
    deployer, registry, target = split_setup()
    target.split = None
    target.shadow = RunningShadow("3", 0.5, "2026-12-07T09:00:00Z")
    original = target.switch

    def switch_dropping_the_shadow(version: ModelVersion, artifact: Path) -> None:
        original(version, artifact)
        target.shadow = None  # as a SageMaker endpoint does: the new config has no shadow variant

    target.switch = switch_dropping_the_shadow  # type: ignore[method-assign]
    outcome = deploy(deployer, "2")
    assert outcome.outcome == "deployed"
    stopped = next(e for e in registry.events if e.event == "shadow-stopped")
    assert (stopped.version, stopped.detail["reason"]) == ("3", "deploy to version 2")
    kept = split_setup()
    kept[2].split = None
    kept[2].shadow = RunningShadow("3", 0.5, "2026-12-07T09:00:00Z")
    deploy(kept[0], "2")
    assert "shadow-stopped" not in [e.event for e in kept[1].events], "a shadow that goes on is not ended"
