"""ab.yml, the scheduled A/B decision: least privilege per job, the deploy environment for acting, the act job's
condition, and what its scripts do.

Static checks on the parsed files (ab.yml, the callers in docs/workflows.md and in the project template); the act
job's ``if:`` evaluated with the harness's expression evaluator; the ``run:`` steps run with bash against stand-ins
for ``mlgate`` and ``aws`` that record their arguments and environment (tests/lint/workflow_steps.py). The whole
path runs under act in tests/workflows/test_ab.py.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from actions_harness import evaluate_condition
from lint.policy import find_violations
from lint.workflow_steps import ROOT, WORKFLOWS, JobContext, inputs_of, load, run_step, triggers_of

TEMPLATE_WORKFLOWS = ROOT / "templates" / "ml-project" / "{{cookiecutter.project_slug}}" / ".github" / "workflows"
DOC = ROOT / "docs" / "workflows.md"
CALLER_BLOCK = re.compile(r"```yaml\n# \.github/workflows/mlgate-ab\.yml(?P<note>[^\n]*)\n(?P<body>.*?)```", re.DOTALL)
DECIDE, ACT = "decide", "act"
CHECK = "Check the inputs"
OIDC = "id-token"


def test_reusable_only_pinned_granting_nothing_at_the_top_and_never_cancelled() -> None:
    workflow = load("ab.yml")
    assert set(triggers_of(workflow)) == {"workflow_call"}  # the schedule lives in the caller
    assert workflow["permissions"] == {}
    assert inputs_of("ab.yml")["mlgate-ref"]["required"] is True
    assert find_violations(WORKFLOWS / "ab.yml") == []
    assert workflow["concurrency"]["cancel-in-progress"] is False
    # not deploy.yml's group: a scheduled run waiting there would replace (cancel) a deploy waiting there
    assert workflow["concurrency"]["group"] != load("deploy.yml")["concurrency"]["group"]


def test_the_decide_job_changes_no_traffic_has_no_environment_and_notes_every_decision() -> None:
    job = load("ab.yml")["jobs"][DECIDE]
    assert job["permissions"] == {"contents": "read", "issues": "write", OIDC: "write"}
    assert "environment" not in job
    [step] = [s for s in job["steps"] if s.get("id") == "decide"]
    assert "--dry-run" in step["run"]
    assert "--issue" in step["run"]
    assert step["env"]["GITHUB_TOKEN"] == "${{ github.token }}"


def test_the_act_job_runs_in_the_deploy_environment_and_writes_the_issue() -> None:
    jobs = load("ab.yml")["jobs"]
    assert jobs[ACT]["environment"] == load("deploy.yml")["jobs"]["deploy"]["environment"]
    ours, deploys = inputs_of("ab.yml")["environment"], inputs_of("deploy.yml")["environment"]
    assert (ours["type"], ours["required"], "default" in ours) == (deploys["type"], deploys["required"], False)
    assert jobs[ACT]["permissions"] == {"contents": "read", "issues": "write", OIDC: "write"}
    [step] = [s for s in jobs[ACT]["steps"] if s.get("id") == "act"]
    assert "--dry-run" not in step["run"]
    assert step["env"]["GITHUB_TOKEN"] == "${{ github.token }}"


def act_runs(outcome: str, result: str) -> bool:
    condition = load("ab.yml")["jobs"][ACT]["if"]
    return evaluate_condition(condition, JobContext({DECIDE: (result, {"outcome": outcome})}))


@pytest.mark.parametrize(
    ("outcome", "result"),
    [("promote", "success"), ("stop", "success"), ("continue", "success"), ("", "failure"), ("promote", "failure")],
)
def test_the_act_job_runs_only_after_a_promote_or_stop_decision(outcome: str, result: str) -> None:
    assert act_runs(outcome, result) is (result == "success" and outcome in ("promote", "stop"))


@pytest.mark.parametrize("job", [DECIDE, ACT])
def test_aws_credentials_only_through_oidc_after_the_install_and_right_before_mlgate(job: str) -> None:
    steps = load("ab.yml")["jobs"][job]["steps"]
    [configure] = [s for s in steps if str(s.get("uses", "")).startswith("aws-actions/configure-aws-credentials@")]
    assert configure["if"] == "inputs.target == 'sagemaker'"
    role = {DECIDE: "aws-decide-role-arn", ACT: "aws-role-arn"}[job]
    assert configure["with"]["role-to-assume"] == f"${{{{ inputs.{role} }}}}"
    position = steps.index(configure)
    assert max(i for i, s in enumerate(steps) if "pip install" in s.get("run", "")) < position
    assert "mlgate " in steps[position + 1]["run"]


# -- the run: steps, with stand-ins for mlgate and aws -------------------------------------------------------

TOOLS = ("mlgate", "aws")
LOCAL = {"labels": "/srv/labels/ab.csv", "environment": "production"}


def test_the_decide_step_records_the_decision_without_acting(tmp_path: Path) -> None:
    inputs = LOCAL | {"registry-path": "/srv/registry", "state-path": "/srv/serve"}
    done = run_step("ab.yml", DECIDE, "decide", inputs, tmp_path, tools=TOOLS, fake_outcome="promote")
    assert done.status == 0
    assert done.outputs == {"outcome": "promote"}
    summary = str(tmp_path / "summary")
    assert done.args("mlgate") == [
        *(
            "ab",
            "decide",
            "--labels",
            "/srv/labels/ab.csv",
            "--dry-run",
            "--if-running",
            "--github-output",
            "--summary",
            summary,
        ),
        *("--issue", "--issue-key", "mlgate-monitor"),
        *("--target", "local", "--state", "/srv/serve"),
    ]
    assert done.env("mlgate") == {
        "GITHUB_TOKEN": "ghs_token",
        "MLGATE_CONFIG": "mlgate.yaml",
        "MLGATE_REGISTRY__BACKEND": "local",
        "MLGATE_REGISTRY__PATH": "/srv/registry",
    }
    assert done.args("aws") == []


@pytest.mark.parametrize("code", [0, 1, 2, 3])
def test_the_act_step_acts_comments_on_the_issue_and_fails_the_job_with_mlgate(code: int, tmp_path: Path) -> None:
    inputs = LOCAL | {"issue-key": "churn/prod"}
    done = run_step("ab.yml", ACT, "act", inputs, tmp_path, tools=TOOLS, fake_exit=str(code))
    assert done.status == code
    summary = str(tmp_path / "summary")
    assert done.args("mlgate") == [
        *("ab", "decide", "--labels", "/srv/labels/ab.csv", "--if-running", "--github-output", "--summary", summary),
        *("--issue", "--issue-key", "churn/prod", "--target", "local"),
    ]
    assert done.env("mlgate") == {
        "GITHUB_TOKEN": "ghs_token",
        "MLGATE_CONFIG": "mlgate.yaml",
        "MLGATE_REGISTRY__BACKEND": "local",
    }


@pytest.mark.parametrize(("job", "step"), [(DECIDE, "decide"), (ACT, "act")])
def test_labels_in_s3_are_copied_to_the_runner_first(job: str, step: str, tmp_path: Path) -> None:
    inputs = {"labels": "s3://bucket/labels/ab.parquet", "environment": "production", "target": "sagemaker"}
    done = run_step("ab.yml", job, step, inputs, tmp_path, tools=TOOLS)
    assert done.status == 0
    copy = str(tmp_path / "temp" / "mlgate-ab" / "ab.parquet")  # the name keeps its suffix: it picks the reader
    assert done.args("aws") == ["s3", "cp", "--only-show-errors", "s3://bucket/labels/ab.parquet", copy]
    assert done.args("mlgate")[:4] == ["ab", "decide", "--labels", copy]


def test_a_failed_copy_runs_no_mlgate(tmp_path: Path) -> None:
    inputs = {"labels": "s3://bucket/ab.csv", "environment": "production", "target": "sagemaker"}
    done = run_step("ab.yml", DECIDE, "decide", inputs, tmp_path, tools=TOOLS, fake_exit="1")
    assert done.status == 1
    assert done.args("mlgate") == []


ROLES = {"aws-role-arn": "arn:aws:iam::1:role/deploy", "aws-decide-role-arn": "arn:aws:iam::1:role/registry"}


@pytest.mark.parametrize(
    ("inputs", "message"),
    [
        ({"labels": ""}, "the input labels is empty"),
        ({"labels": "s3://bucket/ab.csv"}, "labels from s3:// need target sagemaker"),
        ({"target": "kubernetes"}, "target must be local or sagemaker, not 'kubernetes'"),
        ({"target": "sagemaker", **ROLES}, "target sagemaker needs the inputs aws-region"),
        ({"target": "sagemaker", "aws-region": "eu-west-1"}, "needs the inputs aws-role-arn aws-decide-role-arn"),
    ],
)
def test_unusable_inputs_stop_the_run_before_anything_is_installed(
    inputs: dict[str, str], message: str, tmp_path: Path
) -> None:
    done = run_step("ab.yml", DECIDE, CHECK, LOCAL | inputs, tmp_path, tools=TOOLS)
    assert done.status == 2
    assert message in done.stdout
    assert load("ab.yml")["jobs"][DECIDE]["steps"][0]["name"] == CHECK  # the first step: before any install


@pytest.mark.parametrize("inputs", [LOCAL, {**LOCAL, "target": "sagemaker", "aws-region": "eu-west-1", **ROLES}])
def test_usable_inputs_pass_the_check(inputs: dict[str, str], tmp_path: Path) -> None:
    assert run_step("ab.yml", DECIDE, CHECK, inputs, tmp_path, tools=TOOLS).status == 0


# -- callers: the docs' and the template's -------------------------------------------------------------------


def template_caller(target: str) -> dict[Any, Any]:
    """The template's mlgate-ab.yml rendered with Jinja as cookiecutter does, for one deploy target."""
    import jinja2

    answers = json.loads((TEMPLATE_WORKFLOWS.parents[2] / "cookiecutter.json").read_text(encoding="utf-8"))
    answers |= {"deploy_target": target, "python_version": "3.12", "example_data": True}
    text = (TEMPLATE_WORKFLOWS / "mlgate-ab.yml").read_text(encoding="utf-8")
    document = yaml.safe_load(jinja2.Environment(autoescape=False).from_string(text).render(cookiecutter=answers))
    assert isinstance(document, dict)
    return document


def callers() -> list[tuple[str, dict[Any, Any]]]:
    docs = [(f"docs{m['note']}", yaml.safe_load(m["body"])) for m in CALLER_BLOCK.finditer(DOC.read_text("utf-8"))]
    return [*docs, *((f"template {target}", template_caller(target)) for target in ("local", "sagemaker"))]


def test_the_doc_shows_the_caller() -> None:
    assert [where for where, _ in callers()][:1] == ["docs"]


@pytest.mark.parametrize(("where", "caller"), [pytest.param(*pair, id=pair[0]) for pair in callers()])
def test_callers_run_on_a_schedule_and_on_demand_and_grant_what_the_called_jobs_need(
    where: str, caller: dict[Any, Any]
) -> None:
    triggers = triggers_of(caller)
    assert set(triggers) == {"schedule", "workflow_dispatch"}, where
    assert all(re.fullmatch(r"(\S+ ){4}\S+", entry["cron"]) for entry in triggers["schedule"]), where
    assert caller["permissions"] == {}
    [job] = caller["jobs"].values()
    assert re.search(r"/\.github/workflows/ab\.yml@", job["uses"]), where
    needed: dict[str, str] = {}
    for callee in load("ab.yml")["jobs"].values():
        needed |= callee["permissions"]
    assert job["permissions"] == needed, where


def test_the_template_acts_in_the_environment_its_deploys_use() -> None:
    text = (TEMPLATE_WORKFLOWS / "mlgate-deploy.yml").read_text(encoding="utf-8")
    [options] = re.findall(r"options: \[(\w+)\]", text)
    for target in ("local", "sagemaker"):
        [job] = template_caller(target)["jobs"].values()
        assert job["with"]["environment"] == options
        assert job["with"]["labels"] == "${{ vars.MLGATE_AB_LABELS }}"
        assert "vars.MLGATE_AB_LABELS != ''" in job["if"]  # off until a test runs and its labels are named
        if target == "local":
            assert job["with"]["registry-path"] == "${{ vars.MLGATE_REGISTRY_PATH }}"
            assert job["with"]["state-path"] == "${{ vars.MLGATE_STATE_PATH }}"
            assert not any(key.startswith("aws-") for key in job["with"])
        else:
            assert job["with"]["aws-role-arn"] == "${{ vars.MLGATE_AWS_DEPLOY_ROLE_ARN }}"  # the deploys' role
            assert job["with"]["aws-decide-role-arn"] == "${{ vars.MLGATE_AWS_REGISTRY_ROLE_ARN }}"
            assert "registry-path" not in job["with"]
