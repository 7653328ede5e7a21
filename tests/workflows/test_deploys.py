"""Approve, deploy and roll back under act: the project's callers of approve.yml, deploy.yml and rollback.yml.

Target ``local``: the registry and the state folder are folders of this machine (the self-hosted runner), passed as
the repository variables ``MLGATE_REGISTRY_PATH`` / ``MLGATE_STATE_PATH``, and the endpoint is a real ``mlgate
serve`` (tests/fakes/serve.py). Each scenario gets its own registry and state folder, arranged with the mlgate CLI
from one training of the baked project (versions 1 logistic, 2 forest, 3 engineered, all pending), so the
scenarios do not depend on each other; only the workflow under test runs under act. A run is judged by the
registry and ``live.json``; which jobs ran is read from act's step lines.
"""

from __future__ import annotations

import json
import os
import select
import shutil
import signal
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from fakes.fault_proxy import Answer, FaultProxy
from fakes.serve import ServerHandle, running_server
from mlgate.cli import main
from mlgate.registry.local import LocalRegistry
from mlgate.serve.state import PORT_FILE, read_pointer
from workflows.act import Run
from workflows.scene import Scene, build_scene
from workflows.world import PYTHON

pytestmark = [pytest.mark.slow, pytest.mark.workflows]

ANSWERS = {"task": "classification", "deploy_target": "local", "python_version": PYTHON}
MODELS = ("logistic", "forest", "engineered")
DEPLOY_STEP = "Deploy, smoke-test the live endpoint"
ROLLBACK_JOB = "roll back version"


@pytest.fixture(scope="module")
def scene(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Scene]:
    built = build_scene(tmp_path_factory.mktemp("deploys"), ANSWERS)
    try:
        yield built
    finally:
        built.github.stop()


@pytest.fixture(scope="module")
def results(scene: Scene) -> Path:
    """The baked project's models, trained once with the CLI."""
    out = scene.folder / "results"
    assert cli(scene, None, "train", "--out", str(out)) == 0
    return out


def cli(scene: Scene, registry: Path | None, *args: str) -> int:
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(scene.project)
        if registry is not None:
            patch.setenv("MLGATE_REGISTRY__PATH", str(registry))
        return main([*args, "--config", str(scene.project / "mlgate.yaml")])


class Endpoint:
    """One scenario's registry, state folder and running server."""

    def __init__(self, scene: Scene, folder: Path, server: ServerHandle) -> None:
        self.scene, self.folder, self.server = scene, folder, server
        self.registry, self.state = folder / "registry", folder / "serve"

    @property
    def variables(self) -> dict[str, str]:
        return {"MLGATE_REGISTRY_PATH": str(self.registry), "MLGATE_STATE_PATH": str(self.state)}

    def live(self) -> str | None:
        pointer = read_pointer(self.state)
        return None if pointer is None else pointer.version

    def status(self, version: str) -> str:
        return LocalRegistry(self.registry).get(version).status

    def events(self) -> list[tuple[str, str]]:
        return [(event.event, event.version or "") for event in LocalRegistry(self.registry).history()]

    def approve(self, *versions: str) -> None:
        for version in versions:
            args = ("registry", "approve", version, "--reason", "arranged", "--by", "alice")
            assert cli(self.scene, self.registry, *args) == 0

    def falsify_golden(self, version: str) -> None:
        """The version's recorded golden predictions inverted: its live smoke test fails, its model loads."""
        path = self.registry / "versions" / version / "version.json"
        document = json.loads(path.read_text(encoding="utf-8"))
        for row in document["golden"]:
            row["prediction"] = not row["prediction"]
        path.write_text(json.dumps(document), encoding="utf-8")

    def deploy(self, version: str) -> None:
        args = ("deploy", version, "--state", str(self.state), "--by", "alice")
        assert cli(self.scene, self.registry, *args) == 0

    def dispatch(
        self, name: str, workflow: str, inputs: dict[str, str], *, when: tuple[str, Callable[[], None]] | None = None
    ) -> Run:
        payload = {"inputs": inputs, "ref": "refs/heads/main"}
        run = self.scene.act.run(
            name, self.scene.project, workflow, "workflow_dispatch", payload, variables=self.variables, when=when
        )
        self.scene.record(name, run)
        return run


@pytest.fixture
def endpoint(scene: Scene, results: Path, request: pytest.FixtureRequest) -> Iterator[Endpoint]:
    folder = scene.folder / request.node.name
    registry = folder / "registry"
    for model in MODELS:
        args = ("registry", "register", str(results), "--model", model, "--by", "bob")
        assert cli(scene, registry, *args) == 0
    with running_server(folder / "serve") as server:
        yield Endpoint(scene, folder, server)


def deploy_inputs(version: str) -> dict[str, str]:
    return {"version": version, "environment": "production"}


def test_an_unapproved_version_is_refused_and_nothing_changes(endpoint: Endpoint) -> None:
    run = endpoint.dispatch("deploy refused (pending)", "mlgate-deploy.yml", deploy_inputs("1"))
    assert endpoint.live() is None, run.tail()
    assert endpoint.status("1") == "pending"
    assert run.outcome("approval gate", "Is the version approved?") == "Failure"
    assert not run.ran_job("deploy version")
    assert not run.ran_job(ROLLBACK_JOB)


def test_approve_then_deploy_serves_the_version(endpoint: Endpoint) -> None:
    inputs = {"version": "1", "decision": "approve", "reason": "beats the baseline"}
    approve = endpoint.dispatch("approve", "mlgate-approve.yml", inputs)
    record = LocalRegistry(endpoint.registry).get("1")
    assert record.status == "approved", approve.tail()
    assert endpoint.events()[-1] == ("approved", "1")
    assert LocalRegistry(endpoint.registry).history()[-1].by == "octocat"
    deploy = endpoint.dispatch("deploy", "mlgate-deploy.yml", deploy_inputs("1"))
    assert endpoint.live() == "1", deploy.tail()
    assert endpoint.server.wait_for_version("1")["version"] == "1"
    assert not deploy.ran_job(ROLLBACK_JOB)


def test_a_failed_smoke_test_is_rolled_back_by_mlgate_and_the_rollback_job_is_skipped(endpoint: Endpoint) -> None:
    endpoint.approve("1", "2")
    endpoint.deploy("1")
    endpoint.falsify_golden("2")
    run = endpoint.dispatch("deploy, smoke test fails", "mlgate-deploy.yml", deploy_inputs("2"))
    assert endpoint.live() == "1", run.tail()
    assert endpoint.status("2") == "rejected"
    last = LocalRegistry(endpoint.registry).history()[-1]
    assert (last.event, last.version, last.detail["outcome"], last.detail["live"]) == (
        "deploy-failed",
        "2",
        "rolled-back",
        "1",
    )
    assert run.outcome("deploy version", DEPLOY_STEP) == "Failure"
    assert not run.ran_job(ROLLBACK_JOB)


def test_a_failed_switch_back_needs_a_person_and_the_rollback_job_runs(endpoint: Endpoint) -> None:
    endpoint.approve("1", "2")
    endpoint.deploy("1")
    (endpoint.registry / "versions" / "1" / "model.skops").unlink()  # the version to return to cannot load
    endpoint.falsify_golden("2")  # its smoke test fails (a busy runner's latency no longer does: see deploy.md)
    run = endpoint.dispatch("deploy, needs a person", "mlgate-deploy.yml", deploy_inputs("2"))
    assert endpoint.status("2") == "rejected", run.tail()
    assert run.ran_job(ROLLBACK_JOB)
    assert run.outcome(ROLLBACK_JOB, "Roll back") == "Failure"
    assert endpoint.live() == "2"  # nothing could be switched back: a person decides


def test_a_redeploy_of_the_live_version_that_fails_before_switching_leaves_production_alone(
    endpoint: Endpoint,
) -> None:
    endpoint.approve("1", "2")
    endpoint.deploy("1")
    endpoint.deploy("2")
    before = len(endpoint.events())
    port = endpoint.state / PORT_FILE
    hidden = endpoint.folder / "port.hidden"
    port.replace(hidden)  # the endpoint is unreachable for the deploy job ...

    def reachable_again() -> None:  # ... and back before the rollback job starts
        shutil.copyfile(hidden, port)

    run = endpoint.dispatch(
        "re-deploy of the live version, endpoint unreachable",
        "mlgate-deploy.yml",
        deploy_inputs("2"),
        when=(f"Failure - Main {DEPLOY_STEP}", reachable_again),
    )
    assert port.exists(), run.tail()
    assert endpoint.live() == "2", run.tail()
    assert "rolled-back" not in [event for event, _ in endpoint.events()[before:]]


class CancelAfterSwitch:
    """The runner's cancel, delivered while the deploy waits for the endpoint after its switch.

    The endpoint is reached through a loopback proxy (the state folder's port file names the proxy): requests pass
    until the pointer names ``version``; the first request after that (the deploy's wait for the switched
    endpoint) is held and the shell running the step's script gets SIGINT, as GitHub's runner does first on a
    cancel (to the shell's pid only: actions/runner's ProcessInvoker sends SIGINT, SIGTERM 7.5 s later, then
    SIGKILL, all to that one pid); once ``mlgate deploy`` has exited every request passes again (the rollback
    job's included).
    Deterministic: the cancel always lands after the switch and before mlgate could settle the endpoint.
    """

    def __init__(self, endpoint: Endpoint, version: str) -> None:
        self.endpoint, self.version = endpoint, version
        self.cancelled: int | None = None
        self.lock = threading.Lock()

    def __call__(self, operation: str, path: str, body: bytes) -> Answer | None:
        with self.lock:
            if self.cancelled is None and self.endpoint.live() == self.version:
                self.cancelled = find_deploy_process(self.endpoint.state)
                os.kill(find_parent(self.cancelled), signal.SIGINT)  # the runner signals the step's shell only
                wait_for_exit(self.cancelled)
        return None

    def __enter__(self) -> CancelAfterSwitch:
        self.proxy = FaultProxy(f"http://127.0.0.1:{self.endpoint.server.port}").__enter__()
        self.proxy.intercept = self
        self.port = self.endpoint.state / PORT_FILE
        self.saved = self.port.read_bytes()
        self.port.write_text(self.proxy.url.rsplit(":", 1)[1], encoding="utf-8")
        return self

    def __exit__(self, *exc: object) -> None:
        self.port.write_bytes(self.saved)
        self.proxy.__exit__(*exc)


def find_deploy_process(state: Path) -> int:
    """The pid of the running ``mlgate deploy … --state STATE`` (no other process names this folder)."""
    for entry in Path("/proc").iterdir():
        try:
            argv = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:  # not a process, or gone meanwhile
            continue
        words = [word.decode(errors="replace") for word in argv]
        if "deploy" in words and str(state) in words and any(word.endswith("mlgate") for word in words):
            return int(entry.name)
    raise AssertionError(f"no `mlgate deploy --state {state}` process is running")


def find_parent(pid: int) -> int:
    """The parent of ``pid`` (for ``mlgate deploy``, the shell running the step's script)."""
    stat = Path(f"/proc/{pid}/stat").read_text(encoding="utf-8")
    return int(stat.rsplit(")", 1)[1].split()[1])


def wait_for_exit(pid: int) -> None:
    """Until ``pid`` has exited (act's grandchild, reaped by bash: a pidfd becomes readable when it ends)."""
    try:
        handle = os.pidfd_open(pid)
    except ProcessLookupError:
        return
    try:
        ready, _, _ = select.select([handle], [], [], 60)
    finally:
        os.close(handle)
    assert ready, f"mlgate deploy (pid {pid}) did not stop within 60 s of SIGINT"


def test_a_deploy_run_cancelled_after_its_switch_is_undone_by_the_rollback_job(endpoint: Endpoint) -> None:
    endpoint.approve("1", "2")
    endpoint.deploy("1")
    with CancelAfterSwitch(endpoint, "2") as cancel:
        run = endpoint.dispatch("deploy cancelled after the switch", "mlgate-deploy.yml", deploy_inputs("2"))
    assert cancel.cancelled is not None, run.tail()
    assert "mlgate: interrupted" in run.text(), run.tail()
    assert run.outcome("deploy version", DEPLOY_STEP) == "Failure"
    assert run.ran_job(ROLLBACK_JOB), run.tail()
    assert run.outcome(ROLLBACK_JOB, "Roll back") == "Success", run.tail()
    assert endpoint.live() == "1", run.tail()
    assert endpoint.server.wait_for_version("1")["version"] == "1"
    assert endpoint.events()[-1] == ("rolled-back", "1"), endpoint.events()


def test_the_manual_rollback_workflow_restores_the_previous_version(endpoint: Endpoint) -> None:
    endpoint.approve("1", "3")
    endpoint.deploy("1")
    endpoint.deploy("3")
    run = endpoint.dispatch("manual rollback", "mlgate-rollback.yml", {"environment": "production", "to": ""})
    assert endpoint.live() == "1", run.tail()
    assert endpoint.server.wait_for_version("1")["version"] == "1"
    assert endpoint.events()[-1][0] == "rolled-back"
    assert endpoint.status("3") == "approved"  # a manual rollback rejects nothing


class CapturingEndpoint(Endpoint):
    """An endpoint whose server captures its traffic to ``capture/`` (what the gate job's replay reads)."""

    @property
    def capture(self) -> Path:
        return self.folder / "capture"

    @property
    def variables(self) -> dict[str, str]:
        return {**super().variables, "MLGATE_CAPTURE_PATH": str(self.capture)}

    def send(self, count: int) -> None:
        """``count`` single-row requests of the project's test data, then wait until capture holds them all."""
        import csv

        import httpx

        features = LocalRegistry(self.registry).get(self.live() or "").features
        with (self.scene.project / "data" / "test.csv").open(encoding="utf-8", newline="") as file:
            rows = [row for _, row in zip(range(count), csv.DictReader(file), strict=False)]
        assert len(rows) == count
        before = self.captured()
        for row in rows:
            instance = {name: _json_value(row[name]) for name in features}
            answer = httpx.post(f"{self.server.url}/invocations", json={"instances": [instance]}, timeout=30)
            assert answer.status_code == 200, answer.text
        self.server.wait_for_status(lambda _status: self.captured() >= before + count)

    def captured(self) -> int:
        """Rows of real (not smoke-test) requests in the capture files so far."""
        lines = 0
        for path in self.capture.rglob("*.jsonl*"):
            text = path.read_text(encoding="utf-8", errors="replace")
            lines += sum(
                1 for line in text.splitlines() if line and '"smoke":true' not in line and "mlgate-smoke-" not in line
            )
        return lines


def _json_value(text: str) -> object:
    """A CSV cell as a client would send it: a number when it reads as one, else the text."""
    try:
        number = float(text)
    except ValueError:
        return text
    return int(number) if number.is_integer() and "." not in text else number


@pytest.fixture
def capturing(scene: Scene, results: Path, request: pytest.FixtureRequest) -> Iterator[CapturingEndpoint]:
    folder = scene.folder / request.node.name
    registry = folder / "registry"
    for model in MODELS[:2]:
        args = ("registry", "register", str(results), "--model", model, "--by", "bob")
        assert cli(scene, registry, *args) == 0
    env = {**os.environ, "MLGATE_CAPTURE__PATH": str(folder / "capture")}
    serve_args = ["--capture", "--config", str(scene.project / "mlgate.yaml")]
    with running_server(folder / "serve", args=serve_args, env=env, cwd=scene.project) as server:
        yield CapturingEndpoint(scene, folder, server)


def test_a_deploy_with_replay_waits_for_enough_traffic_then_goes_ahead(capturing: CapturingEndpoint) -> None:
    """The gate job replays the captured traffic through the version: too few rows to judge refuse the deploy
    (fail closed, nothing changes); with enough, the replay passes and the deploy goes ahead."""
    capturing.approve("1", "2")
    capturing.deploy("1")
    capturing.send(20)
    inputs = {**deploy_inputs("2"), "replay": "true"}
    refused = capturing.dispatch("deploy with replay: too little traffic", "mlgate-deploy.yml", inputs)
    assert refused.outcome("approval gate", "Replay the captured traffic") == "Failure", refused.tail()
    assert "only 20 replayable row(s) in the window" in refused.text()
    assert not refused.ran_job("deploy version")
    assert capturing.live() == "1"
    capturing.send(100)
    deployed = capturing.dispatch("deploy with replay: enough traffic", "mlgate-deploy.yml", inputs)
    assert deployed.outcome("approval gate", "Replay the captured traffic") == "Success", deployed.tail()
    assert "replay pass: version 2 vs live version 1 on 120 captured row(s)" in deployed.text()
    assert capturing.live() == "2", deployed.tail()
    assert capturing.server.wait_for_version("2")["version"] == "2"
