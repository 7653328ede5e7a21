"""The deployment workflows on the MLflow registry under act: register → approve → deploy, through the callers a
platform engineer writes for ``registry.backend: mlflow`` (docs/workflows.md, "The mlflow registry").

The project is baked for the ``local`` target, and its config says ``registry.backend: mlflow`` with a model name
and no tracking URI: the callers pass the real ``mlflow server`` of the session (tests/fakes/mlflow_server.py) as
``mlflow-tracking-uri`` from a repository variable, as a team with one MLflow server per environment would.
register.yml and approve.yml run with ``target: mlflow`` (a hosted runner's label), deploy.yml with ``target:
local`` and ``registry-backend: mlflow`` on the self-hosted runner that runs a real ``mlgate serve``. The runs are
judged by MLflow's own state (the model version's ``mlgate.*`` tags, the ``challenger`` and ``champion`` aliases),
``live.json`` and the endpoint's answer; the jobs' Python is the test venv's, which holds mlflow-skinny.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from fakes.mlflow_server import MlflowServer
from fakes.serve import running_server
from mlgate.serve.state import read_pointer
from workflows.act import Run
from workflows.scene import Scene, build_scene, push_event
from workflows.world import PYTHON, git, strip_cache_mode

pytestmark = [pytest.mark.slow, pytest.mark.workflows]

ANSWERS = {"task": "classification", "deploy_target": "local", "python_version": PYTHON}
LOCAL_REGISTRY = "registry:\n  backend: local\n  path: .mlgate/registry\n"
CALLERS = {
    "mlflow-main.yml": """
name: mlgate main-branch results and registration (MLflow registry)
on:
  push:
    branches: [main]
permissions: {}
jobs:
  results:
    permissions:
      contents: read
    cache-mode: write
    uses: mlgate/mlgate/.github/workflows/main-results.yml@REF
    with:
      mlgate-ref: REF
      python-version: "PYTHON"
  register:
    needs: results
    permissions:
      contents: read
      id-token: write # only used by target sagemaker (OIDC)
    cache-mode: none
    uses: mlgate/mlgate/.github/workflows/register.yml@REF
    with:
      mlgate-ref: REF
      python-version: "PYTHON"
      target: mlflow
      mlflow-tracking-uri: ${{ vars.MLFLOW_TRACKING_URI }}
    secrets:
      MLFLOW_TRACKING_TOKEN: ${{ secrets.MLFLOW_TRACKING_TOKEN }}
""",
    "mlflow-approve.yml": """
name: mlgate approve (MLflow registry)
on:
  workflow_dispatch:
    inputs:
      version:
        required: true
        type: string
      decision:
        required: true
        type: choice
        options: [approve, reject]
      reason:
        required: true
        type: string
permissions: {}
jobs:
  decide:
    permissions:
      contents: read
      id-token: write # only used by target sagemaker (OIDC)
    cache-mode: none
    uses: mlgate/mlgate/.github/workflows/approve.yml@REF
    with:
      mlgate-ref: REF
      python-version: "PYTHON"
      target: mlflow
      mlflow-tracking-uri: ${{ vars.MLFLOW_TRACKING_URI }}
      version: ${{ inputs.version }}
      decision: ${{ inputs.decision }}
      reason: ${{ inputs.reason }}
    secrets:
      MLFLOW_TRACKING_TOKEN: ${{ secrets.MLFLOW_TRACKING_TOKEN }}
""",
    "mlflow-deploy.yml": """
name: mlgate deploy (MLflow registry)
on:
  workflow_dispatch:
    inputs:
      version:
        required: true
        type: string
      environment:
        required: true
        type: choice
        options: [production]
permissions: {}
jobs:
  deploy:
    permissions:
      contents: read
      id-token: write # only used by target sagemaker (OIDC)
    cache-mode: none
    uses: mlgate/mlgate/.github/workflows/deploy.yml@REF
    with:
      mlgate-ref: REF
      python-version: "PYTHON"
      target: local
      registry-backend: mlflow
      mlflow-tracking-uri: ${{ vars.MLFLOW_TRACKING_URI }}
      version: ${{ inputs.version }}
      environment: ${{ inputs.environment }}
      registry-path: ${{ vars.MLGATE_REGISTRY_PATH }}
      state-path: ${{ vars.MLGATE_STATE_PATH }}
    secrets:
      MLFLOW_TRACKING_TOKEN: ${{ secrets.MLFLOW_TRACKING_TOKEN }}
""",
}


@pytest.fixture(scope="module")
def model_name() -> str:
    return f"churn-{uuid.uuid4().hex[:8]}"  # the session's server is shared: a registered model of our own


@pytest.fixture(scope="module")
def scene(tmp_path_factory: pytest.TempPathFactory, mlflow_server: MlflowServer, model_name: str) -> Iterator[Scene]:
    built = build_scene(tmp_path_factory.mktemp("mlflow-registry"), ANSWERS)
    config = built.project / "mlgate.yaml"
    text = config.read_text(encoding="utf-8")
    assert LOCAL_REGISTRY in text
    mlflow = f"registry:\n  backend: mlflow\n  path: .mlgate/registry\n  mlflow:\n    model_name: {model_name}\n"
    config.write_text(text.replace(LOCAL_REGISTRY, mlflow), encoding="utf-8")
    for name, body in CALLERS.items():
        caller = body.lstrip().replace("REF", built.ref).replace("PYTHON", PYTHON)
        (built.project / ".github" / "workflows" / name).write_text(caller, encoding="utf-8")
    strip_cache_mode(built.project)
    git(built.project, "add", "-A")
    git(built.project, "commit", "-q", "-m", "the registry is the team's MLflow server")
    built.act.variables["MLFLOW_TRACKING_URI"] = mlflow_server.url
    built.act.env |= {"MLFLOW_DISABLE_TELEMETRY": "true", "DO_NOT_TRACK": "true"}
    try:
        yield built
    finally:
        built.github.stop()


def dispatch(scene: Scene, name: str, workflow: str, inputs: dict[str, str]) -> Run:
    return scene.act.run(
        name, scene.project, workflow, "workflow_dispatch", {"inputs": inputs, "ref": "refs/heads/main"}
    )


@pytest.fixture(scope="module")
def lifecycle(scene: Scene, mlflow_server: MlflowServer, model_name: str) -> dict[str, Any]:
    """Push to main (register), approve version 1, deploy it; MLflow's state read after each run."""
    client = mlflow_server.client()
    seen: dict[str, Any] = {}
    main = scene.act.run("main", scene.project, "mlflow-main.yml", "push", push_event(scene))
    assert client.search_model_versions(f"name='{model_name}'"), main.tail()
    seen["registered"] = client.get_model_version(model_name, "1").tags
    seen["aliases after register"] = client.get_registered_model(model_name).aliases
    inputs = {"version": "1", "decision": "approve", "reason": "beats the baseline"}
    approve = dispatch(scene, "approve", "mlflow-approve.yml", inputs)
    seen["approved"] = client.get_model_version(model_name, "1").tags
    seen["aliases after approve"] = client.get_registered_model(model_name).aliases
    with running_server(scene.state) as server:
        deploy = dispatch(scene, "deploy", "mlflow-deploy.yml", {"version": "1", "environment": "production"})
        pointer = read_pointer(scene.state)
        seen["live"] = None if pointer is None else pointer.version
        seen["served"] = server.wait_for_version("1")["version"] if seen["live"] == "1" else None
    seen["aliases after deploy"] = client.get_registered_model(model_name).aliases
    seen["runs"] = (main, approve, deploy)
    scene.record("MLflow registry: register, approve, deploy", main, approve, deploy)
    return seen


def test_the_push_registers_the_best_model_as_a_pending_mlflow_model_version(lifecycle: dict[str, Any]) -> None:
    main = lifecycle["runs"][0]
    tags = lifecycle["registered"]
    assert tags["mlgate.status"] == "pending", main.tail()
    assert {"mlgate.sha256", "mlgate.record_sha256", "mlgate.model", "mlgate.commit"} <= set(tags)
    assert lifecycle["aliases after register"] == {}
    assert main.outcome("register", "Register the best model") == "Success"


def test_the_approval_is_recorded_on_the_version_and_moves_the_challenger(lifecycle: dict[str, Any]) -> None:
    approve = lifecycle["runs"][1]
    tags = lifecycle["approved"]
    assert (tags["mlgate.status"], tags["mlgate.status_by"], tags["mlgate.status_reason"]) == (
        "approved",
        "octocat",
        "beats the baseline",
    ), approve.tail()
    assert lifecycle["aliases after approve"] == {"challenger": "1"}


def test_the_deploy_serves_the_version_and_moves_the_champion(lifecycle: dict[str, Any]) -> None:
    deploy = lifecycle["runs"][2]
    assert lifecycle["live"] == "1", deploy.tail()
    assert lifecycle["served"] == "1"
    assert lifecycle["aliases after deploy"] == {"champion": "1", "challenger": "1"}
    assert deploy.outcome("approval gate", "Is the version approved?") == "Success"
    assert not deploy.ran_job("roll back version")
