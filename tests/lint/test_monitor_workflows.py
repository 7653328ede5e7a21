"""The monitor and retrain workflows: least privilege per job, triggers, pins, and what their scripts do.

Static checks on the parsed files (monitor.yml, retrain.yml, the callers in docs/workflows.md and in the
project template); the dispatch job's ``if:`` evaluated with the harness's expression evaluator; the ``run:``
steps run with bash against a stand-in ``mlgate`` (and ``curl``) that record their arguments and environment.
"""

from __future__ import annotations

import itertools
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
CALLER_BLOCK = re.compile(
    r"```yaml\n# \.github/workflows/(?P<name>mlgate-(?:monitor|retrain)\.yml)\n(?P<body>.*?)```", re.DOTALL
)
MONITOR_JOB = {"contents": "read", "issues": "write", "id-token": "write"}


# -- permissions, triggers, pins -----------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["monitor.yml", "retrain.yml"])
def test_reusable_only_pinned_and_granting_nothing_at_the_top(name: str) -> None:
    workflow = load(name)
    assert set(triggers_of(workflow)) == {"workflow_call"}  # schedule/dispatch live in the caller: no fork PRs here
    assert workflow["permissions"] == {}
    assert inputs_of(name)["mlgate-ref"]["required"] is True
    assert find_violations(WORKFLOWS / name) == []  # pinned actions, no ${{ }} in run:, per-job permissions
    assert workflow["concurrency"]["cancel-in-progress"] is False


def test_the_monitor_job_alone_writes_the_issue_and_the_dispatch_job_alone_may_start_workflows() -> None:
    jobs = load("monitor.yml")["jobs"]
    assert jobs["monitor"]["permissions"] == MONITOR_JOB
    assert jobs["retrain"]["permissions"] == {"actions": "write"}
    assert "steps" in jobs["retrain"]
    assert not any("uses" in step for step in jobs["retrain"]["steps"])  # no checkout, no third-party code
    assert not any(re.search(r"^\s*mlgate\b", step["run"], re.MULTILINE) for step in jobs["retrain"]["steps"])
    [step] = [s for s in jobs["monitor"]["steps"] if s.get("id") == "monitor"]
    assert "--issue" in step["run"]
    assert step["env"]["GITHUB_TOKEN"] == "${{ github.token }}"


def test_the_retrain_job_writes_issues_and_nothing_else() -> None:
    [(job_id, job)] = load("retrain.yml")["jobs"].items()
    assert job_id == "retrain"
    assert job["permissions"] == MONITOR_JOB
    [step] = [s for s in job["steps"] if s.get("id") == "retrain"]
    assert "--issue" in step["run"]


def test_issues_and_actions_write_appear_in_no_other_workflow() -> None:
    allowed = {
        ("monitor.yml", "monitor"),
        ("retrain.yml", "retrain"),
        ("monitor.yml", "retrain"),
        ("ab.yml", "act"),
        ("ab.yml", "decide"),
    }
    for path in sorted(WORKFLOWS.glob("*.yml")):
        for job_id, job in load(path.name)["jobs"].items():
            granted = job.get("permissions") or {}
            if "write" in (granted.get("issues"), granted.get("actions")):
                assert (path.name, job_id) in allowed, f"{path.name}: job {job_id} grants {granted}"


OIDC_CONDITIONS = {
    "monitor.yml": "inputs.target == 'sagemaker'",
    # retraining also assumes the role to pull an S3 DVC remote, whatever its target
    "retrain.yml": "inputs.target == 'sagemaker' || (inputs.dvc-pull && inputs.aws-role-arn != '')",
}


@pytest.mark.parametrize(("name", "job"), [("monitor.yml", "monitor"), ("retrain.yml", "retrain")])
def test_aws_credentials_only_through_oidc_after_the_install(name: str, job: str) -> None:
    steps = load(name)["jobs"][job]["steps"]
    [configure] = [s for s in steps if str(s.get("uses", "")).startswith("aws-actions/configure-aws-credentials@")]
    assert configure["if"] == OIDC_CONDITIONS[name]
    position = steps.index(configure)
    assert max(i for i, s in enumerate(steps) if "pip install" in s.get("run", "")) < position
    following = steps[position + 1 :]
    first_mlgate = next(i for i, step in enumerate(following) if "mlgate " in step.get("run", ""))
    # between the role and mlgate, only the step that writes the DVC remote's secret (no user code runs there)
    assert [step["name"] for step in following[:first_mlgate]] in (
        [],
        ["Give DVC the remote's credentials (secret DVC_REMOTE_CONFIG)"],
    )


# -- the dispatch job's condition ------------------------------------------------------------------------------


def dispatch_runs(exit_code: str, retrain_on_breach: bool) -> bool:
    """Whether the dispatch job runs after the monitor job exited with ``exit_code`` (its step passes it on)."""
    condition = load("monitor.yml")["jobs"]["retrain"]["if"]
    monitor = ("success" if exit_code == "0" else "failure", {"exit-code": exit_code})
    return evaluate_condition(condition, JobContext({"monitor": monitor}, {"retrain-on-breach": retrain_on_breach}))


@pytest.mark.parametrize(("code", "flag"), list(itertools.product(["0", "1", "2", "3", "4", ""], [True, False])))
def test_retraining_is_dispatched_only_after_a_breach_when_asked(code: str, flag: bool) -> None:
    assert dispatch_runs(code, flag) is (flag and code == "1")


# -- the run: steps, with stand-ins for mlgate and curl -----------------------------------------------------


NO_MLFLOW_SECRETS = dict.fromkeys(("MLFLOW_TRACKING_USERNAME", "MLFLOW_TRACKING_PASSWORD", "MLFLOW_TRACKING_TOKEN"), "")


@pytest.mark.parametrize("code", [0, 1, 2, 3])
def test_the_monitor_step_runs_mlgate_with_the_issue_and_passes_its_exit_code_on(code: int, tmp_path: Path) -> None:
    done = run_step("monitor.yml", "monitor", "monitor", {}, tmp_path, fake_exit=str(code))
    assert done.status == code
    assert done.outputs == {"exit-code": str(code)}
    out = str(tmp_path / "temp" / "mlgate-monitor")
    assert done.args("mlgate") == [
        "monitor",
        "--format",
        "github",
        "--out",
        out,
        "--issue",
        "--issue-key",
        "mlgate-monitor",
    ]
    assert done.env("mlgate") == {
        **NO_MLFLOW_SECRETS,  # none passed: empty, which MLflow reads as unset
        "GITHUB_TOKEN": "ghs_token",
        "MLGATE_CONFIG": "mlgate.yaml",
        "MLGATE_DEPLOY__TARGET": "local",
        "MLGATE_REGISTRY__BACKEND": "local",
    }


def test_the_monitor_step_passes_window_labels_capture_and_folders(tmp_path: Path) -> None:
    inputs = {
        "since": "7d",
        "labels": "labels.csv",
        "capture": "s3://bucket/capture",
        "target": "sagemaker",
        "registry-path": "/srv/registry",
        "state-path": "/srv/serve",
        "issue-key": "churn/prod",
    }
    done = run_step("monitor.yml", "monitor", "monitor", inputs, tmp_path)
    assert done.status == 0
    assert done.args("mlgate")[-8:] == [
        "--issue-key",
        "churn/prod",
        "--capture",
        "s3://bucket/capture",
        "--since",
        "7d",
        "--labels",
        "labels.csv",
    ]
    assert done.env("mlgate") == {
        **NO_MLFLOW_SECRETS,  # none passed: empty, which MLflow reads as unset
        "GITHUB_TOKEN": "ghs_token",
        "MLGATE_CONFIG": "mlgate.yaml",
        "MLGATE_DEPLOY__STATE": "/srv/serve",
        "MLGATE_DEPLOY__TARGET": "sagemaker",
        "MLGATE_REGISTRY__BACKEND": "sagemaker",
        "MLGATE_REGISTRY__PATH": "/srv/registry",
    }


@pytest.mark.parametrize(("fetch", "code"), [("true", 0), ("false", 1)])
def test_the_retrain_step_registers_through_mlgate_and_fails_the_job_when_mlgate_does(
    fetch: str, code: int, tmp_path: Path
) -> None:
    done = run_step(
        "retrain.yml", "retrain", "retrain", {"fetch": fetch, "registry-path": "/srv/r"}, tmp_path, fake_exit=str(code)
    )
    assert done.status == code
    out = str(tmp_path / "temp" / "mlgate-retrain")
    expected = [
        "retrain",
        "--out",
        out,
        "--format",
        "github",
        "--issue",
        "--issue-key",
        "mlgate-monitor",
        "--github-output",
    ]
    assert done.args("mlgate") == expected + (["--no-fetch"] if fetch == "false" else [])
    assert done.env("mlgate")["MLGATE_REGISTRY__PATH"] == "/srv/r"


def test_the_dispatch_posts_one_workflow_dispatch_with_the_token(tmp_path: Path) -> None:
    done = run_step("monitor.yml", "retrain", "Dispatch the retrain workflow on this branch", {}, tmp_path)
    assert done.status == 0
    args = done.args("curl")
    assert args[-1] == "https://ghe.example/api/v3/repos/octo/demo/actions/workflows/mlgate-retrain.yml/dispatches"
    assert args[args.index("--data") + 1] == '{"ref":"main"}'
    assert "Authorization: Bearer ghs_token" in args
    assert "X-GitHub-Api-Version: 2022-11-28" in args
    assert "dispatched mlgate-retrain.yml on main" in done.stdout


@pytest.mark.parametrize("workflow", ["../ci.yml", "retrain", "a b.yml", 'x".yml'])
def test_the_dispatch_refuses_anything_but_a_workflow_file_name(workflow: str, tmp_path: Path) -> None:
    done = run_step(
        "monitor.yml",
        "retrain",
        "Dispatch the retrain workflow on this branch",
        {"retrain-workflow": workflow},
        tmp_path,
    )
    assert done.status == 2
    assert done.args("curl") == []
    assert "must be a workflow file name" in done.stdout


def test_a_failing_dispatch_fails_the_job(tmp_path: Path) -> None:
    done = run_step(
        "monitor.yml", "retrain", "Dispatch the retrain workflow on this branch", {}, tmp_path, fake_exit="22"
    )
    assert done.status == 22
    assert "dispatched" not in done.stdout


# -- callers: the docs' and the template's -------------------------------------------------------------------


def doc_callers() -> dict[str, dict[Any, Any]]:
    return {m["name"]: yaml.safe_load(m["body"]) for m in CALLER_BLOCK.finditer(DOC.read_text(encoding="utf-8"))}


def template_caller(name: str, target: str) -> dict[Any, Any]:
    """A template caller rendered with Jinja as cookiecutter does, for one deploy target."""
    import jinja2

    answers = json.loads((TEMPLATE_WORKFLOWS.parents[2] / "cookiecutter.json").read_text(encoding="utf-8"))
    answers |= {"deploy_target": target, "python_version": "3.12", "example_data": True}
    text = (TEMPLATE_WORKFLOWS / name).read_text(encoding="utf-8")
    document = yaml.safe_load(jinja2.Environment(autoescape=False).from_string(text).render(cookiecutter=answers))
    assert isinstance(document, dict), name
    return document


def callers() -> list[tuple[str, dict[Any, Any]]]:
    found = [(f"docs {name}", body) for name, body in doc_callers().items()]
    for name, target in itertools.product(("mlgate-monitor.yml", "mlgate-retrain.yml"), ("local", "sagemaker")):
        found.append((f"template {name} {target}", template_caller(name, target)))
    return found


def test_the_doc_shows_both_callers() -> None:
    assert set(doc_callers()) == {"mlgate-monitor.yml", "mlgate-retrain.yml"}


@pytest.mark.parametrize(("where", "caller"), [pytest.param(*pair, id=pair[0]) for pair in callers()])
def test_callers_run_on_a_schedule_and_on_demand_and_grant_what_the_called_jobs_need(
    where: str, caller: dict[Any, Any]
) -> None:
    triggers = triggers_of(caller)
    assert set(triggers) == {"schedule", "workflow_dispatch"}, where
    assert all(re.fullmatch(r"(\S+ ){4}\S+", entry["cron"]) for entry in triggers["schedule"]), where
    assert caller["permissions"] == {}
    for job_id, job in caller["jobs"].items():
        called = re.search(r"\.github/workflows/(monitor|retrain)\.yml@", job["uses"])
        assert called is not None, f"{where}: job {job_id}"
        needed: dict[str, str] = {}
        for callee in load(f"{called[1]}.yml")["jobs"].values():
            needed |= callee["permissions"]
        assert {k: v for k, v in job["permissions"].items()} == needed, f"{where}: job {job_id}"


@pytest.mark.parametrize("name", ["mlgate-monitor.yml", "mlgate-retrain.yml"])
def test_template_callers_pass_the_runners_folders_or_the_aws_role_of_their_target(name: str) -> None:
    role = {"mlgate-monitor.yml": "MLGATE_AWS_GATE_ROLE_ARN", "mlgate-retrain.yml": "MLGATE_AWS_REGISTRY_ROLE_ARN"}[
        name
    ]
    [local] = template_caller(name, "local")["jobs"].values()
    assert local["with"]["target"] == "local"
    assert local["with"]["registry-path"] == "${{ vars.MLGATE_REGISTRY_PATH }}"
    assert local["with"]["state-path"] == "${{ vars.MLGATE_STATE_PATH }}"
    assert local["if"] == "${{ vars.MLGATE_REGISTRY_PATH != '' }}"  # off until the registry is set up
    assert not any(key.startswith("aws-") for key in local["with"])
    [cloud] = template_caller(name, "sagemaker")["jobs"].values()
    assert cloud["with"]["target"] == "sagemaker"
    assert cloud["with"]["aws-role-arn"] == f"${{{{ vars.{role} }}}}"
    assert cloud["with"]["aws-region"] == "${{ vars.AWS_REGION }}"
    assert cloud["if"] == f"${{{{ vars.{role} != '' }}}}"
    assert "registry-path" not in cloud["with"]
