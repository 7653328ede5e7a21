"""The deployment workflows encode the deploy and rollback rules (docs/workflows.md, "What the deploy workflow does").

deploy.yml's rollback job ``if:`` is evaluated with the harness's expression evaluator (GitHub's comparison
rules) for every way the deploy job can end, and must match the table; the jobs' permissions, environments,
concurrency and timeouts are checked on the parsed files; and the ``run:`` scripts of the deployment workflows
are run with bash against a stand-in ``mlgate`` that records its arguments, to check how they build the command
line and pass mlgate's exit code on.
"""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from actions_harness import evaluate_condition
from lint.workflow_steps import JobContext, StepRun, load, run_step, triggers_of
from mlgate.config import DeployConfig

OUTCOMES = ("deployed", "no-op", "refused", "rolled-back", "invalid", "needs-person", "timed-out", "error", "")
OIDC_READ = {"contents": "read", "id-token": "write"}  # the sagemaker target's OIDC credentials, nothing else
EXIT_CODES = ("0", "1", "2", "3", "4", "5", "6", "130", "137", "")


def rollback_runs(gate: str, deploy: str, outcome: str, exit_code: str, switched: str) -> bool:
    """Whether deploy.yml's rollback job runs after a gate result, a deploy result and the deploy job's outputs."""
    condition = load("deploy.yml")["jobs"]["rollback"]["if"]
    outputs = {"outcome": outcome, "exit-code": exit_code, "switched": switched}
    return evaluate_condition(condition, JobContext({"gate": (gate, {}), "deploy": (deploy, outputs)}))


# How the deploy job can end -> must the rollback job run?
# (gate result, deploy result, outcome, exit code, switched: mlgate wrote `switched=true` right before switching)
TABLE = [
    ("deployed", "success", "success", "deployed", "0", "true", False),
    ("already live", "success", "success", "no-op", "0", "", False),
    ("not approved or endpoint busy", "success", "failure", "refused", "1", "", False),
    ("mlgate rolled back itself", "success", "failure", "rolled-back", "1", "true", False),
    ("tampered or untrusted artifact", "success", "failure", "invalid", "2", "", False),
    ("unknown version", "success", "failure", "error", "2", "", False),
    ("usage error before any outcome", "success", "failure", "", "2", "", False),
    ("timed out: state unknown", "success", "failure", "timed-out", "6", "true", False),
    ("exit 6 without an outcome", "success", "failure", "", "6", "true", False),
    ("switch back failed", "success", "failure", "needs-person", "5", "true", True),
    ("reviewers rejected the job (or the runner was lost: no outputs)", "success", "failure", "", "", "", False),
    ("run cancelled before the switch", "success", "cancelled", "", "", "", False),
    ("run cancelled after the switch", "success", "cancelled", "", "", "true", True),
    ("mlgate killed before the switch", "success", "failure", "", "137", "", False),
    ("mlgate killed after the switch", "success", "failure", "", "137", "true", True),
    ("mlgate interrupted after the switch", "success", "cancelled", "", "130", "true", True),
    ("mlgate interrupted after the switch (click: exit 1)", "success", "cancelled", "", "1", "true", True),
    ("mlgate crashed after the switch (a bug)", "success", "failure", "error", "4", "true", True),
    ("mlgate crashed before the switch (a bug)", "success", "failure", "error", "4", "", False),
    (
        "endpoint unreachable before the switch (re-deploy of the live version)",
        "success",
        "failure",
        "error",
        "3",
        "",
        False,
    ),
    ("endpoint unreachable after the switch", "success", "failure", "error", "3", "true", True),
    ("gate refused: deploy skipped", "failure", "skipped", "", "", "", False),
    ("gate cancelled: deploy skipped", "cancelled", "skipped", "", "", "", False),
]


@pytest.mark.parametrize(
    ("gate", "deploy", "outcome", "exit_code", "switched", "runs"),
    [row[1:] for row in TABLE],
    ids=[row[0] for row in TABLE],
)
def test_the_rollback_job_runs_exactly_when_the_table_says(
    gate: str, deploy: str, outcome: str, exit_code: str, switched: str, runs: bool
) -> None:
    assert rollback_runs(gate, deploy, outcome, exit_code, switched) is runs


def test_the_rules_hold_for_every_combination() -> None:
    """Only after a switch this run made; then never after rolled-back / timed-out / exit 6, always after
    needs-person or a death without outcome."""
    for gate, deploy, outcome, code, switched in itertools.product(
        ("success", "failure", "cancelled"),
        ("success", "failure", "cancelled", "skipped"),
        OUTCOMES,
        EXIT_CODES,
        ("true", "false", ""),
    ):
        ran = deploy in ("failure", "cancelled") and gate == "success" and switched == "true"
        died = outcome in ("", "error") and code != "6"
        expected = ran and (outcome == "needs-person" or died)
        assert rollback_runs(gate, deploy, outcome, code, switched) is expected, (gate, deploy, outcome, code, switched)


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
    assert deploy["outputs"]["switched"] == "${{ steps.deploy.outputs.switched }}"
    assert deploy["outputs"]["previous-version"] == "${{ steps.deploy.outputs.previous-version }}"
    assert triggers_of(workflow)["workflow_call"]["outputs"]["outcome"]["value"] == "${{ jobs.deploy.outputs.outcome }}"


def test_the_rollback_job_needs_no_reviewer_and_only_undoes_a_live_version() -> None:
    rollback = load("deploy.yml")["jobs"]["rollback"]
    assert set(rollback["needs"]) == {"gate", "deploy"}
    default = "format('{0}-rollback', inputs.environment)"  # not the deploy job's environment: no reviewers
    assert rollback["environment"] == {"name": f"${{{{ inputs.rollback-environment || {default} }}}}"}
    assert rollback["permissions"] == OIDC_READ
    [step] = [s for s in rollback["steps"] if s.get("id") == "rollback"]
    assert 'args=(--from "$VERSION" --live-before "$LIVE_BEFORE"' in step["run"]
    assert step["env"]["LIVE_BEFORE"] == "${{ needs.deploy.outputs.previous-version }}"


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


DEPLOY_INPUTS = {"version": "7", "target": "", "state-path": "", "registry-path": ""}


@pytest.mark.parametrize(("code", "outcome"), [("0", "deployed"), ("1", "rolled-back"), ("5", "needs-person")])
def test_the_deploy_step_passes_the_exit_code_on_after_writing_it(code: str, outcome: str, tmp_path: Path) -> None:
    done = run_step("deploy.yml", "deploy", "deploy", DEPLOY_INPUTS, tmp_path, fake_exit=code, fake_outcome=outcome)
    assert done.status == int(code)
    assert done.outputs == {"outcome": outcome, "exit-code": code}
    assert done.args("mlgate") == ["deploy", "7", "--github-output", "--summary", str(tmp_path / "summary")]
    assert "MLGATE_REGISTRY__PATH" not in done.env("mlgate")  # empty input: registry.path from the config


def test_the_deploy_step_passes_target_state_and_registry(tmp_path: Path) -> None:
    inputs = {"version": "7", "target": "local", "state-path": "/srv/serve", "registry-path": "/srv/registry"}
    done = run_step("deploy.yml", "deploy", "deploy", inputs, tmp_path)
    assert done.status == 0
    assert done.outputs == {"exit-code": "0"}
    assert done.args("mlgate")[-4:] == ["--target", "local", "--state", "/srv/serve"]
    assert done.env("mlgate")["MLGATE_REGISTRY__PATH"] == "/srv/registry"


SWITCHED_FROM_6 = {"deploy": {"previous-version": "6", "switched": "true"}}
SWITCHED_FROM_NONE = {"deploy": {"previous-version": "", "switched": "true"}}


def test_the_rollback_steps_undo_only_the_deployed_version_or_restore_the_named_one(tmp_path: Path) -> None:
    automatic = run_step("deploy.yml", "rollback", "rollback", DEPLOY_INPUTS, tmp_path, needs=SWITCHED_FROM_6)
    assert automatic.status == 0
    assert automatic.args("mlgate")[:5] == ["rollback", "--from", "7", "--live-before", "6"]
    first = run_step("deploy.yml", "rollback", "rollback", DEPLOY_INPUTS, tmp_path, needs=SWITCHED_FROM_NONE)
    assert first.args("mlgate")[:5] == ["rollback", "--from", "7", "--live-before", ""]  # nothing was live
    manual_inputs = {"to": "5", "target": "", "state-path": "", "registry-path": ""}
    manual = run_step("rollback.yml", "rollback", "rollback", manual_inputs, tmp_path, fake_exit="5")
    assert manual.status == 5
    assert manual.args("mlgate")[0] == "rollback"
    assert manual.args("mlgate")[-2:] == ["--to", "5"]
    assert "--from" not in manual.args("mlgate")


APPROVE_STEP = "Record the decision (who, why, when)"


@pytest.mark.parametrize("decision", ["approve", "reject"])
def test_the_approval_records_the_actor_and_the_reason(decision: str, tmp_path: Path) -> None:
    inputs = {"decision": decision, "version": "3", "reason": "beats v2; see run 42", "target": "", "registry-path": ""}
    done = run_step("approve.yml", "decide", APPROVE_STEP, inputs, tmp_path)
    assert done.status == 0
    assert done.args("mlgate") == ["registry", decision, "3", "--reason", "beats v2; see run 42", "--by", "octocat"]


def test_the_approval_refuses_any_other_decision_without_calling_mlgate(tmp_path: Path) -> None:
    inputs = {"decision": "list", "version": "3", "reason": "r", "target": "", "registry-path": ""}
    done = run_step("approve.yml", "decide", APPROVE_STEP, inputs, tmp_path)
    assert done.status == 2
    assert done.args("mlgate") == []


def test_registration_registers_the_best_model_of_this_runs_results(tmp_path: Path) -> None:
    inputs = {"target": "local", "registry-path": "/srv/registry"}
    done = run_step("register.yml", "register", "register", inputs, tmp_path)
    assert done.status == 0
    candidate = str(tmp_path / "temp" / "mlgate-results" / "candidate")
    assert done.args("mlgate") == ["registry", "register", "--best", candidate, "--github-output"]
    assert done.env("mlgate")["MLGATE_REGISTRY__PATH"] == "/srv/registry"
    assert done.env("mlgate")["MLGATE_REGISTRY__BACKEND"] == "local"  # the registry backend follows the target


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
    assert "target must be local" in done.stdout  # register and approve: local, sagemaker or mlflow
    assert "not 'kubernetes'" in done.stdout


def test_sagemaker_deploys_and_rolls_back_with_the_sagemaker_registry(tmp_path: Path) -> None:
    inputs = {**DEPLOY_INPUTS, "target": "sagemaker"}
    deploy = run_step("deploy.yml", "deploy", "deploy", inputs, tmp_path, fake_exit="1", fake_outcome="rolled-back")
    assert deploy.status == 1
    assert deploy.outputs == {"outcome": "rolled-back", "exit-code": "1"}
    assert deploy.args("mlgate")[-2:] == ["--target", "sagemaker"]
    assert deploy.env("mlgate")["MLGATE_REGISTRY__BACKEND"] == "sagemaker"
    assert "MLGATE_REGISTRY__PATH" not in deploy.env("mlgate")
    gate = run_step("deploy.yml", "gate", "Is the version approved? (exit 1 refuses it)", inputs, tmp_path)
    assert gate.args("mlgate") == ["registry", "show", "7", "--require", "approved"]
    assert gate.env("mlgate")["MLGATE_REGISTRY__BACKEND"] == "sagemaker"
    automatic = run_step("deploy.yml", "rollback", "rollback", inputs, tmp_path, needs=SWITCHED_FROM_6)
    assert automatic.args("mlgate")[:5] == ["rollback", "--from", "7", "--live-before", "6"]
    assert automatic.args("mlgate")[-2:] == ["--target", "sagemaker"]
    assert automatic.env("mlgate")["MLGATE_REGISTRY__BACKEND"] == "sagemaker"
    manual_inputs = {"to": "", "target": "sagemaker", "state-path": "", "registry-path": ""}
    manual = run_step("rollback.yml", "rollback", "rollback", manual_inputs, tmp_path)
    assert manual.args("mlgate")[-2:] == ["--target", "sagemaker"]
    assert manual.env("mlgate")["MLGATE_REGISTRY__BACKEND"] == "sagemaker"


def test_approval_and_registration_use_the_sagemaker_registry(tmp_path: Path) -> None:
    inputs = {"decision": "approve", "version": "3", "reason": "r", "target": "sagemaker", "registry-path": ""}
    approve = run_step("approve.yml", "decide", APPROVE_STEP, inputs, tmp_path)
    assert approve.args("mlgate") == ["registry", "approve", "3", "--reason", "r", "--by", "octocat"]
    assert approve.env("mlgate")["MLGATE_REGISTRY__BACKEND"] == "sagemaker"
    register = run_step("register.yml", "register", "register", {"target": "sagemaker", "registry-path": ""}, tmp_path)
    assert register.status == 0
    assert register.env("mlgate")["MLGATE_REGISTRY__BACKEND"] == "sagemaker"
