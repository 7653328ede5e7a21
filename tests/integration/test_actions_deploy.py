"""The deploy and rollback actions, run step by step by tests/actions_harness.py.

Against the real thing: a copy of examples/churn with three registered versions (built once per module with
the ``mlgate train`` and ``mlgate registry`` commands) and a real ``mlgate serve`` on a free loopback port
(tests/fakes/serve.py). Version 1 (logistic) and 3 (a project estimator) are approved, 2 (tree) is pending.
Version 3's class lives in the project (``churnmodels.py``), which the server's environment does not have: it
cannot load it, a realistic failing deploy that mlgate must roll back without failing a request.

Then with a ``python`` shim standing in for mlgate: how the actions build the command line and map every exit
code to the step's result, and that the install steps pip-install the action's own checkout.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator, Mapping
from pathlib import Path

import httpx
import pytest
import yaml

from actions_harness import ActionRun, run_action
from fakes.serve import ServerHandle, running_server

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "churn"
VENV_BIN = Path(sys.executable).parent
JOB_ENV = {
    "GITHUB_REPOSITORY": "octo/demo",
    "GITHUB_WORKFLOW": "deploy",
    "GITHUB_ACTOR": "octocat",
    # a shorter smoke test than the default 50 requests keeps the tests fast; the checks are the same
    "MLGATE_DEPLOY__SMOKE__REQUESTS": "10",
    "MLGATE_DEPLOY__TIMEOUT_S": "30",
}
PROJECT_MODULE = '''"""A project's own estimator: its module lives in the project, not where the endpoint runs."""

from sklearn.linear_model import LogisticRegression


class ProjectLogistic(LogisticRegression):
    """Logistic regression under the project's own name."""
'''
MODELS = {
    "logistic": {"estimator": "sklearn.linear_model.LogisticRegression", "params": {"C": 1.0, "max_iter": 300}},
    "tree": {"estimator": "sklearn.tree.DecisionTreeClassifier", "params": {"max_depth": 3}},
    "project": {"estimator": "churnmodels.ProjectLogistic", "params": {"C": 0.5, "max_iter": 300}},
}


def mlgate(workspace: Path, *args: str) -> str:
    """Run the installed mlgate in the project (so ``churnmodels`` is importable there); fail on any error."""
    done = subprocess.run(
        [sys.executable, "-m", "mlgate", *args], cwd=workspace, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, f"mlgate {' '.join(args)} exited {done.returncode}:\n{done.stdout}{done.stderr}"
    return done.stdout


@pytest.fixture(scope="module")
def registered(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The project with versions 1 (logistic, approved), 2 (tree, pending), 3 (project estimator, approved)."""
    workspace = tmp_path_factory.mktemp("deploy") / "workspace"
    shutil.copytree(EXAMPLE, workspace)
    config = yaml.safe_load((workspace / "mlgate.yaml").read_text(encoding="utf-8"))
    config["models"] = MODELS
    config["train"] |= {"latency_rows": 5, "batch_rows": 50}
    config["artifacts"]["trusted_types"].append("churnmodels.ProjectLogistic")
    (workspace / "mlgate.yaml").write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    (workspace / "churnmodels.py").write_text(PROJECT_MODULE, encoding="utf-8")
    mlgate(workspace, "train", "--out", "results")
    for number, model in enumerate(MODELS, start=1):
        document = yaml.safe_load(
            mlgate(workspace, "registry", "register", "--model", model, "results", "--by", "ci", "--format", "json")
        )
        assert document["version"]["version"] == str(number), document
    for version in ("1", "3"):
        mlgate(workspace, "registry", "approve", version, "--reason", "tested", "--by", "alice")
    return workspace


@pytest.fixture
def endpoint(registered: Path, tmp_path: Path) -> Iterator[tuple[Path, ServerHandle]]:
    """A fresh copy of the project and registry, and ``mlgate serve`` on its own state folder (nothing live)."""
    workspace = tmp_path / "workspace"
    shutil.copytree(registered, workspace)
    with running_server(tmp_path / "serve", cwd=tmp_path) as server:
        yield workspace, server


def run(action: str, workspace: Path, inputs: Mapping[str, str], *, python: str = "python3") -> ActionRun:
    """Run actions/<action> in ``workspace`` with mlgate preinstalled (or ``python`` standing in for it)."""
    return run_action(
        ROOT / "actions" / action,
        inputs={"install": "false", "python": python, **inputs},
        workspace=workspace,
        runner_temp=workspace.parent / "runner-temp",
        env=JOB_ENV,
        path=[VENV_BIN],
    )


def ping(server: ServerHandle) -> str:
    return str(httpx.get(f"{server.url}/ping", timeout=5).json()["version"])


def status_of(workspace: Path, version: str) -> str:
    return str(yaml.safe_load(mlgate(workspace, "registry", "show", version, "--format", "json"))["status"])


@pytest.mark.slow
def test_an_approved_version_goes_live_and_a_pending_one_is_refused(endpoint: tuple[Path, ServerHandle]) -> None:
    workspace, server = endpoint
    state = str(server.state)
    done = run("deploy", workspace, {"version": "1", "state": state})
    assert not done.failed, done.log + server.log()
    assert done.outputs == {
        "outcome": "deployed",
        "version": "1",
        "live-version": "1",
        "previous-version": "",
        "switched": "true",
        "exit-code": "0",
    }
    assert ping(server) == "1"
    assert "deployed" in done.summary  # the narration, in the job summary
    assert done.step("Fail on a refused or rolled-back deploy").status == "skipped"

    refused = run("deploy", workspace, {"version": "2", "state": state})
    assert refused.failed
    assert refused.outputs["outcome"] == "refused"
    assert refused.outputs["exit-code"] == "1"
    assert refused.step("deploy").status == "success"  # outputs first, then the named step fails
    assert refused.step("Fail on a refused or rolled-back deploy").status == "failure"
    assert "::error title=mlgate deploy::" in refused.log
    assert ping(server) == "1"  # nothing changed
    reported = run("deploy", workspace, {"version": "2", "state": state, "fail-on-refused": "false"})
    assert not reported.failed
    assert reported.outputs["outcome"] == "refused"


@pytest.mark.slow
def test_a_version_the_endpoint_cannot_load_is_rolled_back_without_a_failed_request(
    endpoint: tuple[Path, ServerHandle],
) -> None:
    workspace, server = endpoint
    state = str(server.state)
    assert not run("deploy", workspace, {"version": "1", "state": state}).failed
    shown = yaml.safe_load(mlgate(workspace, "registry", "show", "1", "--format", "json"))
    row = {"instances": [shown["golden"][0]["features"]]}
    failures: list[str] = []
    served: set[str] = set()
    stop = threading.Event()

    def load() -> None:  # a steady client during the deploy and the automatic rollback
        with httpx.Client(base_url=server.url, timeout=10) as client:
            while not stop.is_set():
                response = client.post("/invocations", json=row)
                if response.status_code != 200:
                    failures.append(f"{response.status_code}: {response.text}")
                served.add(response.headers.get("X-Mlgate-Version", ""))

    thread = threading.Thread(target=load)
    thread.start()
    try:
        done = run("deploy", workspace, {"version": "3", "state": state})
    finally:
        stop.set()
        thread.join()
    assert done.outputs["outcome"] == "rolled-back", done.log + server.log()
    assert done.outputs["live-version"] == "1"
    assert done.outputs["exit-code"] == "1"
    assert done.step("Fail on a refused or rolled-back deploy").status == "failure"
    assert "churnmodels" in done.log  # why: the server cannot import the project's estimator
    assert failures == []
    assert served == {"1"}
    assert ping(server) == "1"
    assert status_of(workspace, "3") == "rejected"


@pytest.mark.slow
def test_the_rollback_action_restores_the_previous_version_and_refuses_a_rejected_one(
    endpoint: tuple[Path, ServerHandle],
) -> None:
    workspace, server = endpoint
    state = str(server.state)
    mlgate(workspace, "registry", "approve", "2", "--reason", "tested", "--by", "alice")
    for version in ("1", "2"):
        assert not run("deploy", workspace, {"version": version, "state": state}).failed
    done = run("rollback", workspace, {"state": state})
    assert not done.failed, done.log + server.log()
    assert done.outputs == {
        "outcome": "deployed",
        "version": "1",
        "live-version": "1",
        "previous-version": "2",
        "exit-code": "0",
    }
    assert ping(server) == "1"
    assert "version 1" in done.summary
    untouched = run("rollback", workspace, {"from": "2", "state": state})  # 2 is not live: nothing to undo
    assert not untouched.failed, untouched.log
    assert untouched.outputs["outcome"] == "no-op"
    assert ping(server) == "1"

    mlgate(workspace, "registry", "reject", "2", "--reason", "bad data", "--by", "alice")
    refused = run("rollback", workspace, {"to": "2", "state": state})  # only approved versions go live
    assert refused.failed
    assert refused.step("rollback").exit_code == 1
    assert refused.outputs["outcome"] == "refused"
    assert ping(server) == "1"


@pytest.mark.slow
@pytest.mark.parametrize(("version", "code"), [("1", 0), ("2", 1)])
def test_the_deploy_workflows_gate_passes_only_an_approved_version(
    version: str, code: int, registered: Path, tmp_path: Path
) -> None:
    """deploy.yml's gate step, run with bash against the real registry (read-only)."""
    workflow = yaml.safe_load((ROOT / ".github" / "workflows" / "deploy.yml").read_text(encoding="utf-8"))
    [script] = [step["run"] for step in workflow["jobs"]["gate"]["steps"] if "mlgate registry" in step.get("run", "")]
    (tmp_path / "gate.sh").write_text(script, encoding="utf-8")
    env = {"PATH": f"{VENV_BIN}:/usr/bin:/bin", "HOME": str(tmp_path), "VERSION": version, "REGISTRY_PATH": ""}
    done = subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", str(tmp_path / "gate.sh")],
        cwd=registered,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == code, done.stdout + done.stderr


# -- the command line and the exit codes, with a stand-in for mlgate ------------------------------------------

SHIM = """#!/usr/bin/env bash
if [ "$1 $2" = "-m pip" ] || [ "$1 $2" = "-m uv" ]; then printf '%s\\n' "$*" >> "{log}/install"; exit 0; fi
printf '%s\\n' "$@" > "{log}/args"
printf '%s\\n' "${{MLGATE_REGISTRY__PATH-unset}}" > "{log}/registry"
{{
  echo "outcome={outcome}"
  echo "version=7"
  echo "exit-code={code}"
}} >> "$GITHUB_OUTPUT"
exit {code}
"""


def shim(tmp_path: Path, outcome: str, code: int) -> tuple[str, Path]:
    """A ``python`` that records how it was called and answers like mlgate would with ``outcome`` / ``code``."""
    log = tmp_path / "shim-log"
    log.mkdir(exist_ok=True)
    path = tmp_path / f"python-{outcome}-{code}"
    path.write_text(SHIM.format(log=log, outcome=outcome, code=code), encoding="utf-8")
    path.chmod(0o755)
    return str(path), log


@pytest.mark.parametrize(
    ("outcome", "code", "failed_step"),
    [
        ("deployed", 0, None),
        ("refused", 1, "Fail on a refused or rolled-back deploy"),
        ("rolled-back", 1, "Fail on a refused or rolled-back deploy"),
        ("invalid", 2, "deploy"),
        ("error", 3, "deploy"),
        ("needs-person", 5, "deploy"),
        ("timed-out", 6, "deploy"),
    ],
)
def test_the_deploy_action_sets_its_outputs_then_fails_as_the_exit_code_says(
    outcome: str, code: int, failed_step: str | None, tmp_path: Path
) -> None:
    python, _ = shim(tmp_path, outcome, code)
    (tmp_path / "workspace").mkdir()
    done = run("deploy", tmp_path / "workspace", {}, python=python)
    assert done.outputs == {
        "outcome": outcome,
        "version": "7",
        "live-version": "",
        "previous-version": "",
        "switched": "",
        "exit-code": str(code),
    }
    assert [s.id or s.name for s in done.steps if s.status == "failure"] == ([failed_step] if failed_step else [])
    if failed_step == "deploy":
        assert done.step("deploy").exit_code == code
        assert done.step("Fail on a refused or rolled-back deploy").status == "skipped"


@pytest.mark.parametrize(("code", "failed"), [(0, False), (1, True), (5, True)])
def test_the_rollback_action_fails_on_any_exit_code_but_zero(code: int, failed: bool, tmp_path: Path) -> None:
    python, _ = shim(tmp_path, "deployed" if code == 0 else "refused", code)
    (tmp_path / "workspace").mkdir()
    done = run("rollback", tmp_path / "workspace", {}, python=python)
    assert done.failed is failed
    assert done.step("rollback").exit_code == code
    assert done.outputs["exit-code"] == str(code)


@pytest.mark.parametrize(
    ("action", "inputs", "expected"),
    [
        ("deploy", {}, ["deploy", "--github-output", "--summary", "SUMMARY"]),
        (
            "deploy",
            {"version": "7", "target": "local", "state": "srv/serve", "registry-path": "srv/registry"},
            ["deploy", "--github-output", "--summary", "SUMMARY", "--state", "srv/serve", "7", "--target", "local"],
        ),
        ("rollback", {}, ["rollback", "--github-output", "--summary", "SUMMARY"]),
        (
            "rollback",
            {"to": "5", "state": "/srv/serve", "registry-path": "/srv/registry"},
            ["rollback", "--github-output", "--summary", "SUMMARY", "--state", "/srv/serve", "--to", "5"],
        ),
        ("rollback", {"from": "7"}, ["rollback", "--github-output", "--summary", "SUMMARY", "--from", "7"]),
        (
            "rollback",
            {"from": "7", "live-before": "6"},
            ["rollback", "--github-output", "--summary", "SUMMARY", "--from", "7", "--live-before", "6"],
        ),
    ],
)
def test_the_actions_build_mlgates_command_line(
    action: str, inputs: dict[str, str], expected: list[str], tmp_path: Path
) -> None:
    python, log = shim(tmp_path, "deployed", 0)
    workspace = tmp_path / "workspace"
    workspace.mkdir()
    done = run(action, workspace, inputs, python=python)
    assert not done.failed, done.log
    args = (log / "args").read_text(encoding="utf-8").splitlines()
    assert args[:2] == ["-m", "mlgate"]
    summary = args.index("--summary") + 1
    assert Path(args[summary]).name == "github_step_summary"  # the runner's job summary file
    assert [*args[2:summary], "SUMMARY", *args[summary + 1 :]] == expected
    registry = inputs.get("registry-path")
    expected_registry = (
        "unset" if registry is None else registry if registry.startswith("/") else str(workspace / registry)
    )
    assert (log / "registry").read_text(encoding="utf-8").strip() == expected_registry


@pytest.mark.parametrize("action", ["deploy", "rollback"])
def test_the_install_steps_uv_install_the_action_checkout(action: str, tmp_path: Path) -> None:
    python, log = shim(tmp_path, "deployed", 0)
    (tmp_path / "workspace").mkdir()
    done = run(action, tmp_path / "workspace", {"install": "true"}, python=python)
    assert not done.failed, done.log
    pinned, installed = (log / "install").read_text(encoding="utf-8").splitlines()
    assert pinned == "-m pip install --disable-pip-version-check --quiet uv==0.13.8"
    cache = Path.home() / ".cache" / "mlgate-uv"  # a runner-independent path: one cache entry for every runner
    assert installed == f"-m uv pip install --python {python} --cache-dir {cache} {ROOT / 'actions' / action}/../.."
    assert done.step("Restore the uv cache").status == "uses"
