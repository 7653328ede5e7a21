"""The PR workflows' scripts: the poster keeps the report's own key, and the baseline cache path is the same
text on every runner (actions/cache hashes the path into the entry's version); MLflow tracking's input and secrets
reach only the steps that run ``mlgate check`` / ``mlgate train``, and an empty input hides nothing."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from lint.workflow_steps import load, run_step

POST_STEP = "Post or update the sticky comment"


def test_the_poster_keeps_the_key_mlgate_check_wrote(tmp_path: Path) -> None:
    done = run_step("pr-comment.yml", "comment", POST_STEP, {}, tmp_path)
    assert done.status == 0
    body = str(tmp_path / "temp" / "mlgate-untrusted" / "comment.md")
    assert done.args("mlgate") == ["comment", "--body-file", body, "--key-from-report"]


def test_a_key_the_caller_passes_wins(tmp_path: Path) -> None:
    done = run_step("pr-comment.yml", "comment", POST_STEP, {"key": "nightly"}, tmp_path)
    assert done.args("mlgate")[-2:] == ["--key", "nightly"]
    assert "--key-from-report" not in done.args("mlgate")


def test_the_poster_never_defaults_the_key_to_the_artifact_name() -> None:
    [step] = [s for s in load("pr-comment.yml")["jobs"]["comment"]["steps"] if s.get("name") == POST_STEP]
    assert "artifact-name" not in str(step.get("env"))


# MLflow tracking: the steps that run `mlgate check` or `mlgate train` (job, step, matrix leg), by workflow.
TRACKED_STEPS = [
    ("pr-check.yml", "check", "Train, compare with the baseline, apply the gates", {}),
    ("pr-check.yml", "train", "Train one candidate", {"model": "forest"}),
    ("pr-check.yml", "compare", "Merge the candidates, re-score the baseline here, apply the gates", {}),
    ("main-results.yml", "results", "Validate, train and store the results for this commit", {}),
]
INSTALL_STEP = "Install mlgate"
URI = "https://mlflow.example.com"
CREDENTIALS = {"MLFLOW_TRACKING_USERNAME": "ci", "MLFLOW_TRACKING_PASSWORD": "hunter2"}


DVC_CREDENTIALS_STEP = "Give DVC the remote's credentials (secret DVC_REMOTE_CONFIG)"


def test_only_the_steps_that_run_mlgate_check_or_train_see_the_mlflow_secrets() -> None:
    seen, dvc_steps = [], []
    for workflow in ("pr-check.yml", "main-results.yml"):
        for job_id, job in load(workflow)["jobs"].items():
            assert "secrets." not in str(job.get("env")), f"{workflow} {job_id}: secrets in the job's env"
            for step in job["steps"]:
                assert "secrets." not in step.get("run", ""), f"{workflow} {job_id}: a secret in a script"
                env = {str(k): str(v) for k, v in (step.get("env") or {}).items()}
                if step["name"] == DVC_CREDENTIALS_STEP:
                    assert env == {"DVC_REMOTE_CONFIG": "${{ secrets.DVC_REMOTE_CONFIG }}"}
                    dvc_steps.append((workflow, job_id))
                    continue
                runs_mlgate = any(f"mlgate {command} " in step.get("run", "") for command in ("check", "train"))
                if runs_mlgate or "secrets." in str(env):
                    seen.append((workflow, job_id, step["name"]))
                    assert "DVC_REMOTE_CONFIG" not in str(env), f"{workflow} {job_id}: the DVC secret in {step['name']}"
    assert seen == [(workflow, job, step) for workflow, job, step, _ in TRACKED_STEPS]
    assert dvc_steps == [
        ("pr-check.yml", "check"),
        ("pr-check.yml", "validate"),
        ("pr-check.yml", "train"),
        ("pr-check.yml", "compare"),
        ("main-results.yml", "results"),
    ]


@pytest.mark.parametrize(("workflow", "job", "step", "matrix"), TRACKED_STEPS, ids=lambda v: str(v)[:24])
def test_the_tracking_uri_input_and_the_secrets_reach_mlgate(
    workflow: str, job: str, step: str, matrix: dict[str, str], tmp_path: Path
) -> None:
    inputs = {"mlflow-tracking-uri": URI}
    done = run_step(workflow, job, step, inputs, tmp_path, secrets=CREDENTIALS, matrix=matrix)
    assert done.status == 0
    env = done.env("mlgate")
    assert env["MLFLOW_TRACKING_URI"] == URI
    assert {name: env[name] for name in CREDENTIALS} == CREDENTIALS
    assert env["MLFLOW_TRACKING_TOKEN"] == ""  # not passed: empty, which MLflow reads as unset


@pytest.mark.parametrize(("workflow", "job", "step", "matrix"), TRACKED_STEPS, ids=lambda v: str(v)[:24])
def test_without_the_input_no_tracking_uri_hides_the_configs(
    workflow: str, job: str, step: str, matrix: dict[str, str], tmp_path: Path
) -> None:
    done = run_step(workflow, job, step, {}, tmp_path, matrix=matrix)  # also a fork's PR: no secrets
    assert done.status == 0
    assert "MLFLOW_TRACKING_URI" not in done.env("mlgate")
    assert done.args("mlgate")[0] in ("check", "train")


MLGATE = "mlgate @ git+https://ghe.example/mlgate/mlgate@v9"
MLGATE_MLFLOW = "mlgate[mlflow] @ git+https://ghe.example/mlgate/mlgate@v9"
MLGATE_URL = "git+https://ghe.example/mlgate/mlgate@v9"


@pytest.mark.parametrize(
    ("workflow", "job", "with_uri", "without_uri"),
    [
        ("pr-check.yml", "check", MLGATE_MLFLOW, MLGATE),
        ("pr-check.yml", "validate", MLGATE_URL, MLGATE_URL),  # runs neither check nor train
        ("pr-check.yml", "train", MLGATE_MLFLOW, MLGATE),
        ("pr-check.yml", "compare", MLGATE_MLFLOW, MLGATE),
        ("main-results.yml", "results", MLGATE_MLFLOW, MLGATE),
    ],
)
def test_the_mlflow_client_is_installed_only_when_tracking(
    workflow: str, job: str, with_uri: str, without_uri: str, tmp_path: Path
) -> None:
    for inputs, expected in (({"mlflow-tracking-uri": URI}, with_uri), ({}, without_uri)):
        done = run_step(workflow, job, INSTALL_STEP, {"mlgate-ref": "v9", **inputs}, tmp_path, tools=("python",))
        assert done.status == 0
        assert done.args("python")[-1] == expected


DVC_JOBS = [
    ("pr-check.yml", "check"),
    ("pr-check.yml", "validate"),
    ("pr-check.yml", "train"),
    ("pr-check.yml", "compare"),
    ("main-results.yml", "results"),
    ("register.yml", "register"),
    ("retrain.yml", "retrain"),
]
PULL_STEP = "Pull the DVC-tracked data (dvc-pull)"
READS_DATA = re.compile(r"^\s*mlgate (validate|check|train|retrain|baseline|registry register)\b", re.MULTILINE)


@pytest.mark.parametrize(("workflow", "job"), DVC_JOBS)
def test_the_dvc_pull_runs_after_the_install_and_before_anything_reads_the_data(workflow: str, job: str) -> None:
    steps = load(workflow)["jobs"][job]["steps"]
    names = [step["name"] for step in steps]
    pull = names.index(PULL_STEP)
    assert steps[pull]["if"] == "inputs.dvc-pull"
    assert steps[pull]["run"] == "mlgate data pull"
    assert "env" not in steps[pull]  # no secrets, nothing from the PR's event
    assert names.index(INSTALL_STEP) < pull
    first_read = min(i for i, step in enumerate(steps) if READS_DATA.search(step.get("run", "")))
    assert pull < first_read, f"{workflow} {job}: {names[first_read]!r} runs before the pull"


@pytest.mark.parametrize(("workflow", "job"), DVC_JOBS)
def test_the_pull_step_runs_mlgate_data_pull(workflow: str, job: str, tmp_path: Path) -> None:
    done = run_step(workflow, job, PULL_STEP, {"dvc-pull": "true"}, tmp_path, matrix={"model": "forest"})
    assert done.status == 0
    assert done.args("mlgate") == ["data", "pull"]


@pytest.mark.parametrize(
    ("workflow", "job", "inputs", "expected"),
    [
        ("pr-check.yml", "check", {}, [MLGATE]),
        ("pr-check.yml", "check", {"dvc-pull": "true"}, ["mlgate[dvc] @ " + MLGATE_URL]),
        (
            "pr-check.yml",
            "check",
            {"dvc-pull": "true", "dvc-plugins": "dvc-s3  dvc-gs", "mlflow-tracking-uri": URI},
            ["mlgate[mlflow,dvc] @ " + MLGATE_URL, "dvc-s3", "dvc-gs"],
        ),
        ("pr-check.yml", "check", {"dvc-plugins": "dvc-s3"}, [MLGATE]),  # plugins only with the pull
        ("pr-check.yml", "validate", {}, [MLGATE_URL]),
        (
            "pr-check.yml",
            "validate",
            {"dvc-pull": "true", "dvc-plugins": "dvc-s3"},
            ["mlgate[dvc] @ " + MLGATE_URL, "dvc-s3"],
        ),
        ("pr-check.yml", "train", {"dvc-pull": "true"}, ["mlgate[dvc] @ " + MLGATE_URL]),
        (
            "pr-check.yml",
            "compare",
            {"dvc-pull": "true", "dvc-plugins": "dvc-s3"},
            ["mlgate[dvc] @ " + MLGATE_URL, "dvc-s3"],
        ),
        ("pr-check.yml", "compare", {}, [MLGATE]),
        ("main-results.yml", "results", {"dvc-pull": "true"}, ["mlgate[dvc] @ " + MLGATE_URL]),
        ("register.yml", "register", {}, [MLGATE]),
        (
            "register.yml",
            "register",
            {"dvc-pull": "true", "dvc-plugins": "dvc-s3"},
            ["mlgate[dvc] @ " + MLGATE_URL, "dvc-s3"],
        ),
        ("retrain.yml", "retrain", {}, [MLGATE]),
        (
            "retrain.yml",
            "retrain",
            {"dvc-pull": "true", "dvc-plugins": "dvc-s3"},
            ["mlgate[dvc] @ " + MLGATE_URL, "dvc-s3"],
        ),
    ],
)
def test_dvc_pull_installs_the_dvc_command_and_its_plugins(
    workflow: str, job: str, inputs: dict[str, str], expected: list[str], tmp_path: Path
) -> None:
    done = run_step(workflow, job, INSTALL_STEP, {"mlgate-ref": "v9", **inputs}, tmp_path, tools=("python",))
    assert done.status == 0
    assert done.args("python")[-len(expected) :] == expected
