"""The deployment workflows encode the deploy and rollback rules (docs/workflows.md, "What the deploy workflow does").

deploy.yml's rollback job ``if:`` is evaluated with the harness's expression evaluator (GitHub's comparison
rules) for every way the deploy job can end, and must match the table; the jobs' permissions, environments,
concurrency and timeouts are checked on the parsed files; and the ``run:`` scripts of the deployment workflows
are run with bash against a stand-in ``mlgate`` that records its arguments, to check how they build the command
line and pass mlgate's exit code on.
"""

from __future__ import annotations

import functools
import itertools
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from actions_harness import BASH, Context, Value, evaluate_condition
from mlgate.config import DeployConfig

ROOT = Path(__file__).resolve().parents[2]
WORKFLOWS = ROOT / ".github" / "workflows"
OUTCOMES = ("deployed", "no-op", "refused", "rolled-back", "invalid", "needs-person", "timed-out", "error", "")
OIDC_READ = {"contents": "read", "id-token": "write"}  # the sagemaker target's OIDC credentials, nothing else
EXIT_CODES = ("0", "1", "2", "3", "4", "5", "6", "130", "137", "")
FAKE_MLGATE = """#!/usr/bin/env bash
printf '%s\\n' "$@" > "$FAKE_LOG/args"
printf '%s\\n' "${MLGATE_REGISTRY__PATH-unset}" > "$FAKE_LOG/registry"
printf '%s\\n' "${MLGATE_REGISTRY__BACKEND-unset}" > "$FAKE_LOG/backend"
if [ -n "${FAKE_OUTCOME:-}" ]; then echo "outcome=$FAKE_OUTCOME" >> "$GITHUB_OUTPUT"; fi
exit "${FAKE_EXIT:-0}"
"""


@functools.cache
def load(name: str) -> dict[Any, Any]:
    document = yaml.safe_load((WORKFLOWS / name).read_text(encoding="utf-8"))
    assert isinstance(document, dict), name
    return document


def triggers_of(workflow: dict[Any, Any]) -> Any:
    """The ``on:`` mapping (PyYAML reads a bare ``on`` key as True)."""
    return workflow["on"] if "on" in workflow else workflow[True]


class JobContext(Context):
    """A job-level ``if:``: ``needs.<job>.result`` / ``needs.<job>.outputs.<name>`` on top of the harness contexts."""

    def __init__(self, needs: Mapping[str, tuple[str, Mapping[str, str]]]) -> None:
        super().__init__(github={}, runner={}, env={})
        self.needs = needs
        self.succeeded = all(result == "success" for result, _ in needs.values())

    def _lookup(self, reference: str) -> Value:
        parts = reference.split(".")
        if parts[0] == "needs" and len(parts) >= 3 and parts[1] in self.needs:
            result, outputs = self.needs[parts[1]]
            if parts[2:] == ["result"]:
                return result
            if parts[2] == "outputs" and len(parts) == 4:
                return outputs.get(parts[3], "")
        return super()._lookup(reference)


def rollback_runs(gate: str, deploy: str, outcome: str, exit_code: str) -> bool:
    """Whether deploy.yml's rollback job runs after a gate result, a deploy result and the deploy job's outputs."""
    condition = load("deploy.yml")["jobs"]["rollback"]["if"]
    outputs = {"outcome": outcome, "exit-code": exit_code}
    return evaluate_condition(condition, JobContext({"gate": (gate, {}), "deploy": (deploy, outputs)}))


# How the deploy job can end -> must the rollback job run? (gate result, deploy result, outcome, exit code)
TABLE = [
    ("deployed", "success", "success", "deployed", "0", False),
    ("already live", "success", "success", "no-op", "0", False),
    ("not approved or endpoint busy", "success", "failure", "refused", "1", False),
    ("mlgate rolled back itself", "success", "failure", "rolled-back", "1", False),
    ("tampered or untrusted artifact", "success", "failure", "invalid", "2", False),
    ("unknown version", "success", "failure", "error", "2", False),
    ("usage error before any outcome", "success", "failure", "", "2", False),
    ("timed out: state unknown", "success", "failure", "timed-out", "6", False),
    ("exit 6 without an outcome", "success", "failure", "", "6", False),
    ("switch back failed", "success", "failure", "needs-person", "5", True),
    ("runner lost (or reviewers rejected)", "success", "failure", "", "", True),
    ("job timeout or run cancelled", "success", "cancelled", "", "", True),
    ("mlgate killed", "success", "failure", "", "137", True),
    ("mlgate interrupted", "success", "cancelled", "", "130", True),
    ("mlgate crashed (a bug)", "success", "failure", "error", "4", True),
    ("endpoint unreachable", "success", "failure", "error", "3", True),
    ("gate refused: deploy skipped", "failure", "skipped", "", "", False),
    ("gate cancelled: deploy skipped", "cancelled", "skipped", "", "", False),
]


@pytest.mark.parametrize(("gate", "deploy", "outcome", "exit_code", "runs"), [row[1:] for row in TABLE],
                         ids=[row[0] for row in TABLE])  # fmt: skip
def test_the_rollback_job_runs_exactly_when_the_table_says(
    gate: str, deploy: str, outcome: str, exit_code: str, runs: bool
) -> None:
    assert rollback_runs(gate, deploy, outcome, exit_code) is runs


def test_the_rules_hold_for_every_combination() -> None:
    """Never after refused / rolled-back / timed-out / exit 6; always after needs-person or a death without outcome."""
    for gate, deploy, outcome, code in itertools.product(
        ("success", "failure", "cancelled"), ("success", "failure", "cancelled", "skipped"), OUTCOMES, EXIT_CODES
    ):
        ran = deploy in ("failure", "cancelled") and gate == "success"
        died = outcome in ("", "error") and code not in ("1", "2", "6")
        expected = ran and (outcome == "needs-person" or died)
        assert rollback_runs(gate, deploy, outcome, code) is expected, (gate, deploy, outcome, code)


def test_the_deploy_job_is_gated_reviewed_and_exposes_mlgates_outcome() -> None:
    workflow = load("deploy.yml")
    jobs = workflow["jobs"]
    assert jobs["gate"]["permissions"] == OIDC_READ  # AWS through its own read-only role (sagemaker)
    assert "environment" not in jobs["gate"]  # read-only: none of the endpoint's secrets
    assert any("mlgate registry show" in step.get("run", "") for step in jobs["gate"]["steps"])
    deploy = jobs["deploy"]
    assert deploy["needs"] == "gate"
    assert deploy["environment"] == {"name": "${{ inputs.environment }}"}
    assert deploy["permissions"] == OIDC_READ
    [step] = [s for s in deploy["steps"] if s.get("id") == "deploy"]
    assert 'mlgate deploy "${args[@]}"' in step["run"]
    assert deploy["outputs"]["outcome"] == "${{ steps.deploy.outputs.outcome }}"
    assert deploy["outputs"]["exit-code"] == "${{ steps.deploy.outputs.exit-code }}"
    assert triggers_of(workflow)["workflow_call"]["outputs"]["outcome"]["value"] == "${{ jobs.deploy.outputs.outcome }}"


def test_the_rollback_job_needs_no_reviewer_and_only_undoes_a_live_version() -> None:
    rollback = load("deploy.yml")["jobs"]["rollback"]
    assert set(rollback["needs"]) == {"gate", "deploy"}
    default = "format('{0}-rollback', inputs.environment)"  # not the deploy job's environment: no reviewers
    assert rollback["environment"] == {"name": f"${{{{ inputs.rollback-environment || {default} }}}}"}
    assert rollback["permissions"] == OIDC_READ
    [step] = [s for s in rollback["steps"] if s.get("id") == "rollback"]
    assert 'args=(--from "$VERSION"' in step["run"]


def test_one_run_per_endpoint_and_never_cancelled() -> None:
    deploy, rollback = load("deploy.yml"), load("rollback.yml")
    assert deploy["concurrency"]["cancel-in-progress"] is False
    assert "${{ inputs.environment }}" in deploy["concurrency"]["group"]
    assert rollback["concurrency"] == deploy["concurrency"]  # a manual rollback waits for a running deploy


def test_the_job_timeouts_outlast_mlgates_own() -> None:
    workflow = load("deploy.yml")
    inputs = triggers_of(workflow)["workflow_call"]["inputs"]
    for job in ("deploy", "rollback"):
        assert workflow["jobs"][job]["timeout-minutes"] == "${{ inputs.timeout-minutes }}"
    # two waits for the endpoint (the new version, then the previous one) plus the smoke test and the install
    assert inputs["timeout-minutes"]["default"] * 60 > 2 * DeployConfig().timeout_s + 300


# -- the run: scripts, with a stand-in mlgate ---------------------------------------------------------------


@dataclass(frozen=True)
class StepRun:
    """One ``run:`` step's exit status, GITHUB_OUTPUT and stdout, the arguments mlgate got, its registry variables."""

    status: int
    outputs: dict[str, str]
    args: list[str]
    registry: str
    backend: str
    stdout: str


def run_step(workflow: str, job: str, step_key: str, inputs: Mapping[str, str], tmp_path: Path, **fake: str) -> StepRun:
    """Run one step's script as GitHub does (bash -eo pipefail), its ``env:`` rendered from ``inputs``."""
    spec = load(workflow)["jobs"][job]
    [step] = [s for s in spec["steps"] if step_key in (s.get("id"), s.get("name"))]
    context = Context(github={"actor": "octocat"}, runner={}, env={})
    context.inputs = dict(inputs)
    log, bin_dir = tmp_path / "log", tmp_path / "bin"
    for folder in (log, bin_dir):
        folder.mkdir(exist_ok=True)
    (bin_dir / "mlgate").write_text(FAKE_MLGATE, encoding="utf-8")
    (bin_dir / "mlgate").chmod(0o755)
    for name in ("args", "registry", "backend"):
        (log / name).write_text("", encoding="utf-8")
    output, script = tmp_path / "output", tmp_path / "script.sh"
    output.write_text("", encoding="utf-8")
    script.write_text(step["run"], encoding="utf-8")
    env = {
        "PATH": f"{bin_dir}:/usr/bin:/bin",
        "GITHUB_OUTPUT": str(output),
        "GITHUB_STEP_SUMMARY": str(tmp_path / "summary"),
        "RUNNER_TEMP": str(tmp_path / "temp"),
        "FAKE_LOG": str(log),
        **{name.upper(): value for name, value in fake.items()},
        **{key: context.render(value) for key, value in (step.get("env") or {}).items()},
    }
    done = subprocess.run([*BASH, str(script)], cwd=tmp_path, env=env, capture_output=True, text=True, check=False)
    return StepRun(
        status=done.returncode,
        outputs=dict(line.split("=", 1) for line in output.read_text(encoding="utf-8").splitlines()),
        args=(log / "args").read_text(encoding="utf-8").splitlines(),
        registry=(log / "registry").read_text(encoding="utf-8").strip(),
        backend=(log / "backend").read_text(encoding="utf-8").strip(),
        stdout=done.stdout,
    )


DEPLOY_INPUTS = {"version": "7", "target": "", "state-path": "", "registry-path": ""}


@pytest.mark.parametrize(("code", "outcome"), [("0", "deployed"), ("1", "rolled-back"), ("5", "needs-person")])
def test_the_deploy_step_passes_the_exit_code_on_after_writing_it(code: str, outcome: str, tmp_path: Path) -> None:
    done = run_step("deploy.yml", "deploy", "deploy", DEPLOY_INPUTS, tmp_path, fake_exit=code, fake_outcome=outcome)
    assert done.status == int(code)
    assert done.outputs == {"outcome": outcome, "exit-code": code}
    assert done.args == ["deploy", "7", "--github-output", "--summary", str(tmp_path / "summary")]
    assert done.registry == "unset"  # empty input: registry.path from the config


def test_the_deploy_step_passes_target_state_and_registry(tmp_path: Path) -> None:
    inputs = {"version": "7", "target": "local", "state-path": "/srv/serve", "registry-path": "/srv/registry"}
    done = run_step("deploy.yml", "deploy", "deploy", inputs, tmp_path)
    assert done.status == 0
    assert done.outputs == {"exit-code": "0"}
    assert done.args[-4:] == ["--target", "local", "--state", "/srv/serve"]
    assert done.registry == "/srv/registry"


def test_the_rollback_steps_undo_only_the_deployed_version_or_restore_the_named_one(tmp_path: Path) -> None:
    automatic = run_step("deploy.yml", "rollback", "rollback", DEPLOY_INPUTS, tmp_path)
    assert automatic.status == 0
    assert automatic.args[:3] == ["rollback", "--from", "7"]
    manual_inputs = {"to": "5", "target": "", "state-path": "", "registry-path": ""}
    manual = run_step("rollback.yml", "rollback", "rollback", manual_inputs, tmp_path, fake_exit="5")
    assert manual.status == 5
    assert manual.args[0] == "rollback"
    assert manual.args[-2:] == ["--to", "5"]
    assert "--from" not in manual.args


APPROVE_STEP = "Record the decision (who, why, when)"


@pytest.mark.parametrize("decision", ["approve", "reject"])
def test_the_approval_records_the_actor_and_the_reason(decision: str, tmp_path: Path) -> None:
    inputs = {"decision": decision, "version": "3", "reason": "beats v2; see run 42", "target": "", "registry-path": ""}
    done = run_step("approve.yml", "decide", APPROVE_STEP, inputs, tmp_path)
    assert done.status == 0
    assert done.args == ["registry", decision, "3", "--reason", "beats v2; see run 42", "--by", "octocat"]


def test_the_approval_refuses_any_other_decision_without_calling_mlgate(tmp_path: Path) -> None:
    inputs = {"decision": "list", "version": "3", "reason": "r", "target": "", "registry-path": ""}
    done = run_step("approve.yml", "decide", APPROVE_STEP, inputs, tmp_path)
    assert done.status == 2
    assert done.args == []


def test_registration_registers_the_best_model_of_this_runs_results(tmp_path: Path) -> None:
    inputs = {"target": "local", "registry-path": "/srv/registry"}
    done = run_step("register.yml", "register", "register", inputs, tmp_path)
    assert done.status == 0
    candidate = str(tmp_path / "temp" / "mlgate-results" / "candidate")
    assert done.args == ["registry", "register", "--best", candidate, "--github-output"]
    assert done.registry == "/srv/registry"
    assert done.backend == "local"  # the registry backend follows the target


# -- target sagemaker: the registry backend follows, the inputs are checked first ------------------------------

CHECK_STEP = "Check the target's inputs"
ROLES = {"aws-role-arn": "arn:aws:iam::123456789012:role/deploy", "aws-region": "eu-west-1"}
GATE_ROLE = {"aws-gate-role-arn": "arn:aws:iam::123456789012:role/read"}
CHECKED = [
    ("deploy.yml", "gate"),
    ("rollback.yml", "rollback"),
    ("approve.yml", "decide"),
    ("register.yml", "register"),
]


def check_inputs(workflow: str, job: str, tmp_path: Path, **inputs: str) -> StepRun:
    given = {"target": "local", "aws-role-arn": "", "aws-gate-role-arn": "", "aws-region": "", **inputs}
    return run_step(workflow, job, CHECK_STEP, given, tmp_path)


@pytest.mark.parametrize(("workflow", "job"), CHECKED)
def test_the_first_step_accepts_local_and_a_complete_sagemaker_setup(workflow: str, job: str, tmp_path: Path) -> None:
    assert load(workflow)["jobs"][job]["steps"][0]["name"] == CHECK_STEP  # before anything is installed
    assert check_inputs(workflow, job, tmp_path).status == 0
    assert check_inputs(workflow, job, tmp_path, target="").status == 0
    assert check_inputs(workflow, job, tmp_path, target="sagemaker", **ROLES, **GATE_ROLE).status == 0


@pytest.mark.parametrize(("workflow", "job"), CHECKED)
@pytest.mark.parametrize("missing", ["aws-role-arn", "aws-region"])
def test_sagemaker_without_a_role_or_region_stops_before_anything_runs(
    workflow: str, job: str, missing: str, tmp_path: Path
) -> None:
    given = {**ROLES, **GATE_ROLE, missing: ""}
    done = check_inputs(workflow, job, tmp_path, target="sagemaker", **given)
    assert done.status == 2
    assert missing in done.stdout
    assert "no access keys" in done.stdout


def test_the_deploy_gate_needs_its_own_read_only_role(tmp_path: Path) -> None:
    done = check_inputs("deploy.yml", "gate", tmp_path, target="sagemaker", **ROLES)
    assert done.status == 2
    assert "aws-gate-role-arn" in done.stdout


@pytest.mark.parametrize(("workflow", "job"), CHECKED)
def test_an_unknown_target_is_refused(workflow: str, job: str, tmp_path: Path) -> None:
    done = check_inputs(workflow, job, tmp_path, target="kubernetes")
    assert done.status == 2
    assert "target must be local or sagemaker, not 'kubernetes'" in done.stdout


def test_sagemaker_deploys_and_rolls_back_with_the_sagemaker_registry(tmp_path: Path) -> None:
    inputs = {**DEPLOY_INPUTS, "target": "sagemaker"}
    deploy = run_step("deploy.yml", "deploy", "deploy", inputs, tmp_path, fake_exit="1", fake_outcome="rolled-back")
    assert deploy.status == 1
    assert deploy.outputs == {"outcome": "rolled-back", "exit-code": "1"}
    assert deploy.args[-2:] == ["--target", "sagemaker"]
    assert (deploy.backend, deploy.registry) == ("sagemaker", "unset")
    gate = run_step("deploy.yml", "gate", "Is the version approved? (exit 1 refuses it)", inputs, tmp_path)
    assert gate.args == ["registry", "show", "7", "--require", "approved"]
    assert gate.backend == "sagemaker"
    automatic = run_step("deploy.yml", "rollback", "rollback", inputs, tmp_path)
    assert automatic.args[:3] == ["rollback", "--from", "7"]
    assert automatic.args[-2:] == ["--target", "sagemaker"]
    assert automatic.backend == "sagemaker"
    manual_inputs = {"to": "", "target": "sagemaker", "state-path": "", "registry-path": ""}
    manual = run_step("rollback.yml", "rollback", "rollback", manual_inputs, tmp_path)
    assert manual.args[-2:] == ["--target", "sagemaker"]
    assert manual.backend == "sagemaker"


def test_approval_and_registration_use_the_sagemaker_registry(tmp_path: Path) -> None:
    inputs = {"decision": "approve", "version": "3", "reason": "r", "target": "sagemaker", "registry-path": ""}
    approve = run_step("approve.yml", "decide", APPROVE_STEP, inputs, tmp_path)
    assert approve.args == ["registry", "approve", "3", "--reason", "r", "--by", "octocat"]
    assert approve.backend == "sagemaker"
    register = run_step("register.yml", "register", "register", {"target": "sagemaker", "registry-path": ""}, tmp_path)
    assert register.status == 0
    assert register.backend == "sagemaker"
