"""The deploy/rollback renderers: narration, job summary, annotations, and JSON against its schema."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from mlgate.config import SmokeConfig
from mlgate.deploy.flow import Deployer, FlowSettings, deploy, rollback
from mlgate.deploy.outcome import DeployOutcome
from mlgate.deploy.watch import MISSING, AlarmState, Watch
from mlgate.report.deploy import describe_result, render_github, render_json, render_markdown, render_text
from unit.deploy.fakes import Behaviour, FakeClock, FakeRegistry, FakeTarget, make_version

SCHEMA = Path(__file__).resolve().parents[3] / "docs" / "schemas" / "deploy.schema.json"


def run(*, slow: str | None = None, live: str | None = "6", version: str = "7", first: bool = False) -> DeployOutcome:
    clock = FakeClock()
    target = FakeTarget(clock=clock, pointer=live, serving=live)
    if slow:
        target.behaviours[slow] = Behaviour(latency_s=0.4)
    registry = FakeRegistry(make_version(6), make_version(7), make_version(8, status="pending"))
    deployer = Deployer(
        registry=registry,
        target=target,
        actor="carol",
        settings=FlowSettings(timeout_s=5.0, smoke=SmokeConfig(latency_p95_ms=20.0, requests=5)),
        clock=clock,
        latency_clock=clock,
        verify=lambda path, v: None,
    )
    if first:
        deploy(deployer, "6")
        deploy(deployer, "7")
        return rollback(deployer)
    return deploy(deployer, version)


def validate(document: dict[str, Any]) -> None:
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.Draft202012Validator(schema).validate(document)


def test_the_narration_of_a_successful_deploy() -> None:
    lines = render_text(run()).splitlines()
    assert [line.split()[1] for line in lines if line.startswith("▸")] == [
        "gate",
        "endpoint",
        "artifact",
        "switch",
        "wait",
        "smoke",
        "result",
    ]
    assert lines[0].startswith('▸ gate        version 7 is approved (by alice, 2026-11-20: "approved for the test")')
    assert lines[0].endswith(" ✓")
    assert lines[1].startswith("▸ endpoint    fake endpoint serves version 6 → rollback target recorded: version 6")
    smoke = lines[5:9]
    assert [line[14:].split(":")[0] for line in smoke] == ["ping", "golden", "schema", "latency"]
    assert smoke[3].startswith("              latency: p95 2.0 ms ≤ 20 ms over 20 requests")
    assert all(line.endswith("✓") and len(line) == 86 for line in smoke)
    assert lines[-1].startswith("▸ result      deployed: the endpoint serves version 7 (")
    assert not any(line.startswith("exit") for line in lines)


def test_the_narration_of_a_rolled_back_deploy_ends_with_what_was_done() -> None:
    text = render_text(run(slow="7"))
    lines = text.splitlines()
    assert "latency: p95 400.0 ms > 20 ms over 20 requests, and 400.0 ms in a second measurement" in text
    assert any(line.startswith("▸ switch-back pointer → version 6") for line in lines)
    assert any(line.startswith("▸ verify") and line.endswith("✓") for line in lines)
    assert lines[-2].startswith("▸ result      version 7 failed (smoke test failed: latency: p95 400.0 ms > 20 ms")
    assert "the endpoint serves version 6 again; version 7 marked rejected" in lines[-2]
    assert lines[-1] == "exit 1"


def test_a_refusal_shows_the_hint() -> None:
    text = render_text(run(version="8"))
    assert "▸ gate        version 8 is pending, not approved (by alice" not in text  # pending: set at registration
    assert '▸ gate        version 8 is pending, not approved (by bob, 2026-11-19: "registered")' in text
    assert "              hint: approve it first: mlgate registry approve 8 --reason WHY" in text
    assert text.endswith("exit 1\n")


def test_a_needs_person_outcome_says_what_state_the_endpoint_is_in() -> None:
    outcome = run(slow="7", live=None)
    assert describe_result(outcome).startswith("needs a person: smoke test failed")
    assert describe_result(outcome).endswith("the endpoint is set to version 7; version 7 marked rejected")
    assert render_text(outcome).endswith("exit 5\n")


def test_a_successful_rollback_reads_as_one() -> None:
    outcome = run(first=True)
    assert describe_result(outcome) == "rolled back: the endpoint serves version 6"


def test_the_job_summary_has_the_steps_and_both_smoke_tests() -> None:
    markdown = render_markdown(run(slow="7"))
    assert markdown.startswith("### ↩️ mlgate deploy: version 7 failed (smoke test failed: latency")
    assert "| step | | detail | time |" in markdown
    assert (
        "| smoke | ✗ | latency: p95 400.0 ms &gt; 20 ms over 20 requests, and 400.0 ms in a second measurement | 17.6 s |"
        in markdown
    )
    assert "**Smoke test of version 7**" in markdown
    assert "**Verification after switching back of version 6**" in markdown
    assert (
        "| latency | ✗ | p95 400.0 ms &gt; 20 ms over 20 requests, and 400.0 ms in a second measurement |" in markdown
    )
    assert markdown.rstrip().endswith("outcome `rolled-back`, exit 1, 17.6 s")  # 3 warm-up + 2 × 20 requests of 0.4 s


@pytest.mark.parametrize(("slow", "level"), [(None, "notice"), ("7", "error")])
def test_github_format_adds_one_annotation(slow: str | None, level: str) -> None:
    text = render_github(run(slow=slow))
    last = text.splitlines()[-1]
    assert last.startswith(f"::{level} title=mlgate deploy%3A ")
    assert text.startswith("▸ gate")


@pytest.mark.parametrize("kwargs", [{}, {"slow": "7"}, {"version": "8"}, {"slow": "7", "live": None}, {"first": True}])
def test_the_json_document_matches_its_schema(kwargs: dict[str, Any]) -> None:
    outcome = run(**kwargs)
    document = json.loads(render_json(outcome))
    validate(document)
    assert (document["outcome"], document["exit_code"]) == (outcome.outcome, int(outcome.exit_code))
    assert len(document["steps"]) == len(outcome.steps)


def with_watches(outcome: DeployOutcome) -> DeployOutcome:
    """``outcome`` as a SageMaker deploy reports it: the new version's watch (rolled back), then the switch back's."""
    alarms = (AlarmState("churn-5xx", "ALARM"), AlarmState("churn-p99", "OK"), AlarmState("churn-4xx", MISSING))
    rolled = Watch("rolled-back", "InService", "churn-v6-abc", "Deployment was rolled back | alarm", alarms, "7")
    back = Watch("succeeded", "InService", "churn-v6-abc", None, alarms, "6")
    return dataclasses.replace(outcome, watches=(rolled, back))


def test_the_watches_are_separate_json_fields_and_match_the_schema() -> None:
    document = json.loads(render_json(with_watches(run(slow="7"))))
    validate(document)
    first, second = document["watches"]
    assert (first["version"], first["outcome"], first["status"]) == ("7", "rolled-back", "InService")
    assert first["failure_reason"] == "Deployment was rolled back | alarm"
    assert first["alarms"] == [
        {"name": "churn-5xx", "state": "ALARM"},
        {"name": "churn-p99", "state": "OK"},
        {"name": "churn-4xx", "state": "missing"},
    ]
    assert (second["version"], second["outcome"], second["failure_reason"]) == ("6", "succeeded", None)
    assert json.loads(render_json(run()))["watches"] == []


def test_text_and_markdown_show_each_watch_with_failure_reason_and_alarm_states() -> None:
    outcome = with_watches(run(slow="7"))
    watch_lines = [line for line in render_text(outcome).splitlines() if line.startswith("▸ watch")]
    assert watch_lines == [
        "▸ watch       version 7: rolled-back (InService); FailureReason: Deployment was rolled back | alarm; "
        "alarms: churn-5xx ALARM, churn-p99 OK, churn-4xx missing",
        "▸ watch       version 6: succeeded (InService); alarms: churn-5xx ALARM, churn-p99 OK, churn-4xx missing",
    ]
    markdown = render_markdown(outcome)
    assert "**Rollout watch**" in markdown
    assert (
        "| 7 | rolled-back | InService | Deployment was rolled back \\| alarm | "
        "churn-5xx `ALARM`, churn-p99 `OK`, churn-4xx `missing` |"
    ) in markdown
    assert "| 6 | succeeded | InService | — |" in markdown
    assert "Rollout watch" not in render_markdown(run())
