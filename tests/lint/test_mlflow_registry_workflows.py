"""The deployment workflows on the MLflow registry (``registry.backend: mlflow``, docs/workflows.md).

register.yml and approve.yml take ``target: mlflow`` (their target is the registry backend) and run on a hosted
runner; deploy.yml and rollback.yml keep ``target`` for the endpoint and take ``registry-backend: mlflow``, so a
``local`` endpoint still runs on the self-hosted runner; so do monitor.yml and retrain.yml. The optional ``mlflow-tracking-uri`` becomes
MLFLOW_TRACKING_URI only when set, ``mlgate[mlflow]`` is installed only when the MLflow registry is used, and the
MLFLOW_TRACKING_* secrets reach only the steps that run an mlgate registry, deploy or rollback command. The
``run:`` scripts are run with bash against the recording stand-in ``mlgate`` (tests/lint/workflow_steps.py).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from actions_harness import Context
from lint.workflow_steps import inputs_of, load, run_step, triggers_of

URI = "https://mlflow.example.com"
CREDENTIALS = {"MLFLOW_TRACKING_USERNAME": "ci", "MLFLOW_TRACKING_PASSWORD": "hunter2"}
SECRETS = ("MLFLOW_TRACKING_USERNAME", "MLFLOW_TRACKING_PASSWORD", "MLFLOW_TRACKING_TOKEN")
REGISTER, APPROVE = "register", "Record the decision (who, why, when)"
GATE = "Is the version approved? (exit 1 refuses it)"
CHECK_STEP = "Check the target's inputs"
# (workflow, job, step, the inputs that choose the MLflow registry, mlgate's first arguments)
REPLAY = "Replay the captured traffic through the version (replay; a failed gate refuses it)"
MLGATE_STEPS = [
    ("register.yml", "register", REGISTER, {"target": "mlflow"}, ["registry", "register", "--best"]),
    ("approve.yml", "decide", APPROVE, {"target": "mlflow"}, ["registry", "approve", "3"]),
    ("deploy.yml", "gate", GATE, {"registry-backend": "mlflow"}, ["registry", "show", "3"]),
    ("deploy.yml", "gate", REPLAY, {"registry-backend": "mlflow", "replay": "true"}, ["replay", "3"]),
    ("deploy.yml", "deploy", "deploy", {"registry-backend": "mlflow"}, ["deploy", "3"]),
    ("deploy.yml", "rollback", "rollback", {"registry-backend": "mlflow"}, ["rollback", "--from", "3"]),
    ("rollback.yml", "rollback", "rollback", {"registry-backend": "mlflow"}, ["rollback"]),
    ("monitor.yml", "monitor", "monitor", {"registry-backend": "mlflow"}, ["monitor"]),
    ("retrain.yml", "retrain", "retrain", {"registry-backend": "mlflow"}, ["retrain"]),
]
WORKFLOWS = ["register.yml", "approve.yml", "deploy.yml", "rollback.yml", "monitor.yml", "retrain.yml"]
DVC_CREDENTIALS_STEP = "Give DVC the remote's credentials (secret DVC_REMOTE_CONFIG)"
STEP_INPUTS = {"version": "3", "decision": "approve", "reason": "beats v2", "environment": "production"}
SWITCHED = {"deploy": {"previous-version": "2", "switched": "true"}}
INSTALLS = (
    [("register.yml", "register"), ("approve.yml", "decide")]
    + [
        (workflow, job)
        for workflow, jobs in (("deploy.yml", ("gate", "deploy", "rollback")), ("rollback.yml", ("rollback",)))
        for job in jobs
    ]
    + [("monitor.yml", "monitor"), ("retrain.yml", "retrain")]
)


def runs_mlgate(script: str) -> bool:
    commands = ("registry", "deploy", "rollback", "monitor", "retrain", "replay")
    return any(f"mlgate {command} " in script for command in commands)


@pytest.mark.parametrize("workflow", WORKFLOWS)
def test_only_the_steps_that_run_mlgate_see_the_mlflow_secrets(workflow: str) -> None:
    declared = triggers_of(load(workflow))["workflow_call"]["secrets"]
    mlflow = {name: spec["required"] for name, spec in declared.items() if name.startswith("MLFLOW_")}
    assert mlflow == dict.fromkeys(SECRETS, False)
    seen = []
    for job_id, job in load(workflow)["jobs"].items():
        assert "secrets." not in str(job.get("env")), f"{workflow} {job_id}: secrets in the job's env"
        for step in job["steps"]:
            script, env = step.get("run", ""), {str(k): str(v) for k, v in (step.get("env") or {}).items()}
            assert "secrets." not in script, f"{workflow} {job_id}: a secret in a script"
            assert "secrets." not in str(step.get("with")), f"{workflow} {job_id}: a secret given to an action"
            if step.get("name") == DVC_CREDENTIALS_STEP:  # retrain's DVC remote: its own secret alone
                assert env == {"DVC_REMOTE_CONFIG": "${{ secrets.DVC_REMOTE_CONFIG }}"}
                continue
            if "secrets." in str(env):
                assert runs_mlgate(script), f"{workflow} {job_id}: {step['name']} sees secrets, runs no mlgate"
                assert {k: v for k, v in env.items() if "secrets." in v} == {
                    name: f"${{{{ secrets.{name} }}}}" for name in SECRETS
                }
                seen.append((job_id, step.get("id") or step["name"]))
            else:
                assert not runs_mlgate(script), f"{workflow} {job_id}: {step['name']} runs mlgate without them"
    assert seen == [(job, step) for name, job, step, _, _ in MLGATE_STEPS if name == workflow]


@pytest.mark.parametrize(("workflow", "job", "step", "chosen", "args"), MLGATE_STEPS, ids=lambda v: str(v)[:20])
def test_the_mlflow_registry_the_uri_and_the_secrets_reach_mlgate(
    workflow: str, job: str, step: str, chosen: dict[str, str], args: list[str], tmp_path: Path
) -> None:
    inputs = {**STEP_INPUTS, **chosen, "mlflow-tracking-uri": URI}
    done = run_step(workflow, job, step, inputs, tmp_path, secrets=CREDENTIALS, needs=SWITCHED)
    assert done.status == 0, done.stdout
    assert done.args("mlgate")[: len(args)] == args
    env = done.env("mlgate")
    assert env["MLGATE_REGISTRY__BACKEND"] == "mlflow"
    assert env["MLFLOW_TRACKING_URI"] == URI
    assert {name: env[name] for name in CREDENTIALS} == CREDENTIALS
    assert env["MLFLOW_TRACKING_TOKEN"] == ""  # not passed: empty, which MLflow reads as unset
    if workflow in ("deploy.yml", "rollback.yml") and job != "gate":
        assert done.args("mlgate")[-2:] == ["--target", "local"]  # the endpoint stays the target's


@pytest.mark.parametrize(("workflow", "job", "step", "chosen", "args"), MLGATE_STEPS, ids=lambda v: str(v)[:20])
def test_without_the_uri_input_the_configs_tracking_uri_is_left_alone(
    workflow: str, job: str, step: str, chosen: dict[str, str], args: list[str], tmp_path: Path
) -> None:
    done = run_step(workflow, job, step, {**STEP_INPUTS, **chosen}, tmp_path, needs=SWITCHED)
    assert done.status == 0, done.stdout
    assert "MLFLOW_TRACKING_URI" not in done.env("mlgate")
    assert done.env("mlgate")["MLGATE_REGISTRY__BACKEND"] == "mlflow"


@pytest.mark.parametrize(
    ("workflow", "job", "step"),
    [
        ("deploy.yml", "deploy", "deploy"),
        ("rollback.yml", "rollback", "rollback"),
        ("monitor.yml", "monitor", "monitor"),
        ("retrain.yml", "retrain", "retrain"),
    ],
)
def test_without_registry_backend_the_registry_follows_the_target(
    workflow: str, job: str, step: str, tmp_path: Path
) -> None:
    for target, expected in (("sagemaker", "sagemaker"), ("local", "local"), ("", None)):
        inputs = {**STEP_INPUTS, "target": target}
        done = run_step(workflow, job, step, inputs, tmp_path)
        assert done.env("mlgate").get("MLGATE_REGISTRY__BACKEND") == expected, target


@pytest.mark.parametrize(("workflow", "job"), INSTALLS)
def test_the_mlflow_client_is_installed_only_for_the_mlflow_registry(workflow: str, job: str, tmp_path: Path) -> None:
    choose = "target" if workflow in ("register.yml", "approve.yml") else "registry-backend"
    plain = "mlgate @ git+https://ghe.example/mlgate/mlgate@v9"
    client = "mlgate[mlflow] @ git+https://ghe.example/mlgate/mlgate@v9"
    for inputs, expected in (
        ({choose: "mlflow"}, client),
        ({"mlflow-tracking-uri": URI}, client),  # target empty and the config's registry.backend: mlflow
        ({}, plain),
        ({choose: "local" if choose == "target" else ""}, plain),
    ):
        done = run_step(workflow, job, "Install mlgate", {"mlgate-ref": "v9", **inputs}, tmp_path, tools=("python",))
        assert done.status == 0
        packages = [arg for arg in done.args("python") if "git+" in arg]
        assert packages == [expected], inputs


@pytest.mark.parametrize(
    ("workflow", "inputs", "expected"),
    [
        ("register.yml", {"target": "mlflow"}, "ubuntu-latest"),
        ("approve.yml", {"target": "mlflow"}, "ubuntu-latest"),
        ("register.yml", {"target": "mlflow", "runs-on": "mlflow-net"}, "mlflow-net"),
        ("deploy.yml", {"target": "local", "registry-backend": "mlflow"}, "self-hosted"),
        ("rollback.yml", {"target": "local", "registry-backend": "mlflow"}, "self-hosted"),
        ("monitor.yml", {"target": "local", "registry-backend": "mlflow"}, "self-hosted"),
        ("retrain.yml", {"target": "local", "registry-backend": "mlflow"}, "self-hosted"),
        ("deploy.yml", {"target": "sagemaker", "registry-backend": "mlflow"}, "ubuntu-latest"),
    ],
)
def test_registry_only_jobs_run_hosted_and_a_local_endpoint_self_hosted(
    workflow: str, inputs: dict[str, str], expected: str
) -> None:
    context = Context(github={}, runner={}, env={})
    context.inputs = {"runs-on": "", **inputs}
    for job_id, job in load(workflow)["jobs"].items():
        if job_id != "retrain" or workflow != "monitor.yml":  # monitor's dispatch job runs no mlgate
            assert context.render(job["runs-on"]) == expected


@pytest.mark.parametrize(
    ("workflow", "job", "inputs", "status", "said"),
    [
        ("register.yml", "register", {"target": "mlflow"}, 0, ""),
        ("approve.yml", "decide", {"target": "mlflow"}, 0, ""),
        ("deploy.yml", "gate", {"target": "local", "registry-backend": "mlflow"}, 0, ""),
        ("rollback.yml", "rollback", {"target": "local", "registry-backend": "mlflow"}, 0, ""),
        ("deploy.yml", "gate", {"target": "mlflow"}, 2, "target must be local or sagemaker, not 'mlflow'"),
        ("deploy.yml", "gate", {"registry-backend": "mlfow"}, 2, "registry-backend must be mlflow or empty"),
        ("rollback.yml", "rollback", {"registry-backend": "local"}, 2, "not 'local'"),
        ("monitor.yml", "monitor", {"target": "local", "registry-backend": "mlflow"}, 0, ""),
        ("retrain.yml", "retrain", {"target": "local", "registry-backend": "mlflow"}, 0, ""),
        ("retrain.yml", "retrain", {"registry-backend": "sagemaker"}, 2, "registry-backend must be mlflow or empty"),
    ],
)
def test_the_first_step_accepts_the_mlflow_registry_and_refuses_a_misspelt_one(
    workflow: str, job: str, inputs: dict[str, str], status: int, said: str, tmp_path: Path
) -> None:
    assert load(workflow)["jobs"][job]["steps"][0]["name"] == CHECK_STEP  # before anything is installed
    done = run_step(workflow, job, CHECK_STEP, inputs, tmp_path)
    assert done.status == status
    assert said in done.stdout


def test_the_inputs_are_optional_strings() -> None:
    for workflow in WORKFLOWS:
        names = ["mlflow-tracking-uri"] + ([] if workflow in ("register.yml", "approve.yml") else ["registry-backend"])
        for name in names:
            spec = inputs_of(workflow)[name]
            assert (spec["type"], spec["default"]) == ("string", ""), (workflow, name)
