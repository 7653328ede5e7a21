"""The scheduled A/B decision under act: the project's caller of ab.yml (target ``local``).

Each scenario gets its own registry and state folder and a real ``mlgate serve``: version 1 (logistic) is deployed
with the CLI, the A/B test on version 2 (forest, half of the clients, sticky by the ``X-Client`` header) is started
with the CLI, and clients send the test split. Labels are simulated from what each client was answered, as in
tests/integration/test_cli_ab.py: version 2 right on every row, version 1 wrong on every third, so the decision is
promote. Only the workflow runs under act, the labels file named by the repository variable ``MLGATE_AB_LABELS``.
The latency guardrail is not what these scenarios judge (a busy machine's p99 is not the model's), so
``ab.max_p99_ratio`` is out of its way.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from fakes.serve import ServerHandle, running_server
from integration.test_cli_ab import write_labels
from mlgate.registry.local import LocalRegistry
from mlgate.serve.state import read_pointer
from workflows.act import Run
from workflows.scene import Scene, build_scene
from workflows.test_deploys import cli, results  # noqa: F401  # results: a module fixture
from workflows.test_operations import read_rows
from workflows.world import PYTHON, git

pytestmark = [pytest.mark.slow, pytest.mark.workflows]

ANSWERS = {"task": "classification", "deploy_target": "local", "python_version": PYTHON}
AB_CONFIG = "ab: {key: 'header:X-Client', min_labels: 30, min_requests: 20, max_p99_ratio: 1000}\n"
CLIENTS = 120
ACT_STEP = "Decide again and act"
TARGET = "churned"  # the target column, as the baked mlgate.yaml names it
DISPATCH = {"inputs": {}, "ref": "refs/heads/main"}


@pytest.fixture(scope="module")
def scene(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Scene]:
    built = build_scene(tmp_path_factory.mktemp("ab"), ANSWERS)
    with (built.project / "mlgate.yaml").open("a", encoding="utf-8") as config:
        config.write(AB_CONFIG)
    git(built.project, "commit", "-q", "-am", "an A/B test judged on few labels")
    try:
        yield built
    finally:
        built.github.stop()
    assert not built.github.violations, "fake GitHub saw OpenAPI violations:\n" + "\n".join(built.github.violations)


class Endpoint:
    """One scenario's registry, state folder and server: version 1 live, version 2 its challenger on 50 %."""

    def __init__(self, scene: Scene, folder: Path, server: ServerHandle) -> None:
        self.scene, self.folder, self.server = scene, folder, server
        self.registry, self.state = folder / "registry", folder / "serve"

    def mlgate(self, *args: str) -> int:
        return cli(self.scene, self.registry, *args)

    def live(self) -> str | None:
        pointer = read_pointer(self.state)
        return None if pointer is None else pointer.version

    def events(self, version: str) -> list[str]:
        return [e.event for e in LocalRegistry(self.registry).history() if e.version == version]

    def send(self, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Two requests per client (the second must land on the same variant); what each was answered."""
        answers = []
        for i in range(CLIENTS):
            versions = set()
            for attempt in range(2):
                request_id = f"c{i}-r{attempt}"
                headers = {"X-Client": f"client-{i}", "X-Request-Id": request_id}
                body = {"instances": [rows[i % len(rows)]]}
                reply = httpx.post(f"{self.server.url}/invocations", json=body, headers=headers, timeout=30)
                assert reply.status_code == 200, reply.text
                versions.add(reply.headers["x-mlgate-version"])
                answer = reply.json()["predictions"][0]
                answers.append(
                    {"request_id": request_id, "version": reply.headers["x-mlgate-version"], "answer": answer}
                )
            assert len(versions) == 1, f"client-{i} moved between variants: {versions}"
        self.server.wait_for_status(lambda s: s["ab"]["logged"] >= 2 * CLIENTS)  # the A/B log decide reads
        return answers

    def run_ab(self, name: str, labels: Path) -> Run:
        variables = {
            "MLGATE_REGISTRY_PATH": str(self.registry),
            "MLGATE_STATE_PATH": str(self.state),
            "MLGATE_AB_LABELS": str(labels),
        }
        run = self.scene.act.run(
            name, self.scene.project, "mlgate-ab.yml", "workflow_dispatch", DISPATCH, variables=variables
        )
        self.scene.record(name, run)
        return run


@pytest.fixture
def endpoint(scene: Scene, results: Path, request: pytest.FixtureRequest) -> Iterator[Endpoint]:  # noqa: F811
    folder = scene.folder / request.node.name
    with running_server(folder / "serve") as server:
        made = Endpoint(scene, folder, server)
        for model in ("logistic", "forest"):
            assert made.mlgate("registry", "register", str(results), "--model", model, "--by", "bob") == 0
            version = "1" if model == "logistic" else "2"
            assert made.mlgate("registry", "approve", version, "--reason", "arranged", "--by", "alice") == 0
        assert made.mlgate("deploy", "1", "--state", str(made.state), "--by", "alice") == 0
        assert made.mlgate("deploy", "2", "--ab", "50", "--state", str(made.state), "--by", "carol") == 0
        assert server.status()["ab"]["challenger"] == "2"
        yield made


def test_a_better_challenger_is_promoted_by_the_scheduled_workflow(endpoint: Endpoint) -> None:
    answers = endpoint.send(read_rows(endpoint.scene.project / "data" / "test.csv"))
    assert {a["version"] for a in answers} == {"1", "2"}, "both variants answer"
    labels = write_labels(endpoint.folder / "labels.csv", answers, better="2", target=TARGET)

    run = endpoint.run_ab("ab, challenger better", labels)

    assert endpoint.live() == "2", run.tail()
    assert run.outcome("carry out the decision", ACT_STEP) == "Success"
    assert endpoint.server.wait_for_status(lambda s: s["version"] == "2" and s["ab"] is None)["version"] == "2"
    decisions = [e for e in LocalRegistry(endpoint.registry).history() if e.event == "ab-decision"]
    assert [(d.detail["outcome"], d.detail["acted"]) for d in decisions] == [("promote", False), ("promote", True)]
    assert all(d.by == "octocat" for d in decisions)
    assert endpoint.events("2")[-1] == "deployed"
    [issue] = [i for i in endpoint.scene.github.issues() if "mlgate:monitor" in (i.body or "")]
    assert (issue.title, issue.state) == ("mlgate ab: version 2 vs 1: promote", "open")  # a promotion opens one
    assert "version 2 promoted" in (issue.body or "")


def test_a_challenger_no_longer_approved_cannot_be_promoted_and_the_champion_keeps_serving(endpoint: Endpoint) -> None:
    answers = endpoint.send(read_rows(endpoint.scene.project / "data" / "test.csv"))
    labels = write_labels(endpoint.folder / "labels.csv", answers, better="2", target=TARGET)
    assert endpoint.mlgate("registry", "reject", "2", "--reason", "leaks a feature", "--by", "alice") == 0

    run = endpoint.run_ab("ab, challenger rejected meanwhile", labels)

    assert run.outcome("decide the A/B test", "Decide and record the decision") == "Success", run.tail()
    assert run.outcome("carry out the decision", ACT_STEP) == "Failure"
    assert "::set-output:: acted=refused" in run.text()
    assert endpoint.live() == "1"
    assert endpoint.server.wait_for_status(lambda s: s["ab"] is None)["version"] == "1"
    assert LocalRegistry(endpoint.registry).get("2").status == "rejected"
    assert "deployed" not in endpoint.events("2")
    decisions = [e for e in LocalRegistry(endpoint.registry).history() if e.event == "ab-decision"]
    assert [d.detail["outcome"] for d in decisions] == ["promote", "promote"]
