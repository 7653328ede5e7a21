"""Monitoring and retraining under act: the project's callers of monitor.yml and retrain.yml (target ``local``).

The live version (the baked project's best model) is deployed with the CLI to a real ``mlgate serve`` with capture
on, which records the traffic this module sends it: the test split as it is (healthy) into one capture folder, the
same rows with ``monthly_charges`` tripled (drifted) into another. The self-hosted runner's config points
``monitor.capture`` at one of them (``MLGATE_MONITOR__CAPTURE``, per run). The sticky monitor issue lives in the
fake GitHub. Retraining starts from a live version that predicts the majority class, so the retrained candidates
beat it and one is registered as pending.
"""

from __future__ import annotations

import csv
import datetime as dt
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from fakes.serve import running_server
from mlgate.cli import main
from mlgate.registry.local import LocalRegistry
from workflows.act import Run
from workflows.scene import Scene, build_scene
from workflows.world import PYTHON

pytestmark = [pytest.mark.slow, pytest.mark.workflows]

ANSWERS = {"task": "classification", "deploy_target": "local", "python_version": PYTHON}
MARKER = "mlgate:monitor"
DISPATCH = {"inputs": {}, "ref": "refs/heads/main"}


def cli(scene: Scene, *args: str, config: Path | None = None, registry: Path | None = None) -> int:
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(scene.project)
        patch.setenv("MLGATE_REGISTRY__PATH", str(registry or scene.registry))
        return main([*args, "--config", str(config or scene.project / "mlgate.yaml")])


def read_rows(path: Path) -> list[dict[str, Any]]:
    """The rows of a CSV as a client sends them: numbers as numbers, the date as days since 1970 (docs/serve.md).

    (Dates sent as ISO text are accepted by the server but crash ``mlgate monitor``: a follow-up of issue 17.)
    """
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    return [{k: encode(k, v) for k, v in row.items() if k != "churned"} for row in rows]


def encode(name: str, text: str) -> Any:
    if name == "signup_date":
        return (dt.date.fromisoformat(text) - dt.date(1970, 1, 1)).days
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            continue
    return text


def send_traffic(scene: Scene, capture: Path, rows: list[dict[str, Any]]) -> None:
    """Serve the live version with capture into ``capture`` and send ``rows`` in requests of 10."""
    env = {**os.environ, "MLGATE_CAPTURE__ENABLED": "true", "MLGATE_CAPTURE__PATH": str(capture)}
    with running_server(scene.state, env=env, cwd=scene.project) as server:
        server.wait_for_version("1")
        for start in range(0, len(rows), 10):
            response = httpx.post(f"{server.url}/invocations", json={"instances": rows[start : start + 10]}, timeout=30)
            assert response.status_code == 200, response.text
        assert server.stop() == 0  # flushes the capture files


@pytest.fixture(scope="module")
def scene(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Scene]:
    built = build_scene(tmp_path_factory.mktemp("operations"), ANSWERS)
    try:
        yield built
    finally:
        built.github.stop()
    assert not built.github.violations, "fake GitHub saw OpenAPI violations:\n" + "\n".join(built.github.violations)


@pytest.fixture(scope="module")
def captures(scene: Scene) -> dict[str, Path]:
    results = scene.folder / "results"
    assert cli(scene, "train", "--out", str(results)) == 0
    assert cli(scene, "registry", "register", str(results), "--model", "engineered", "--by", "bob") == 0
    assert cli(scene, "registry", "approve", "1", "--reason", "arranged", "--by", "alice") == 0
    with running_server(scene.state) as server:
        assert cli(scene, "deploy", "1", "--state", str(scene.state), "--by", "alice") == 0
        assert server.stop() == 0
    rows = read_rows(scene.project / "data" / "test.csv")
    drifted = [row | {"monthly_charges": round(row["monthly_charges"] * 3, 2)} for row in rows]
    folders = {"healthy": scene.folder / "capture-healthy", "drifted": scene.folder / "capture-drifted"}
    send_traffic(scene, folders["healthy"], rows)
    send_traffic(scene, folders["drifted"], drifted)
    return folders


def monitor(scene: Scene, name: str, capture: Path) -> Run:
    run = scene.act.run(
        name,
        scene.project,
        "mlgate-monitor.yml",
        "workflow_dispatch",
        DISPATCH,
        env={"MLGATE_MONITOR__CAPTURE": str(capture)},
    )
    scene.record(name, run)
    return run


def test_the_monitor_opens_updates_and_closes_one_sticky_issue(scene: Scene, captures: dict[str, Path]) -> None:
    first = monitor(scene, "monitor, drifted traffic", captures["drifted"])
    opened = [issue for issue in scene.github.issues() if MARKER in (issue.body or "")]
    assert [issue.state for issue in opened] == ["open"], first.tail()
    assert "monthly_charges" in (opened[0].body or "")
    writes = len(scene.github.writes())
    second = monitor(scene, "monitor, still drifted", captures["drifted"])
    again = [issue for issue in scene.github.issues() if MARKER in (issue.body or "")]
    assert [(issue.number, issue.state) for issue in again] == [(opened[0].number, "open")], second.tail()
    touched = {w.path for w in scene.github.writes()[writes:]}
    assert touched <= {
        f"/repos/acme/churn/issues/{opened[0].number}",
        f"/repos/acme/churn/issues/{opened[0].number}/comments",
    }
    assert touched, "the second breach left the issue as it was"
    third = monitor(scene, "monitor, healthy traffic", captures["healthy"])
    final = [issue for issue in scene.github.issues() if MARKER in (issue.body or "")]
    assert [(issue.number, issue.state) for issue in final] == [(opened[0].number, "closed")], third.tail()


def test_retraining_registers_a_better_model_as_a_pending_version(scene: Scene) -> None:
    """Its own registry and state: the live version predicts the majority class; retraining beats it."""
    registry, state = scene.folder / "retrain-registry", scene.folder / "retrain-serve"
    weak = scene.project / "weak.yaml"  # beside mlgate.yaml: the same data and schema
    config = (scene.project / "mlgate.yaml").read_text(encoding="utf-8")
    models = config[config.index("models:") : config.index("metrics:")]
    weak.write_text(config.replace(models, "models:\n  majority: {estimator: sklearn.dummy.DummyClassifier}\n"))
    weak_results = scene.folder / "weak-results"
    assert cli(scene, "train", "--out", str(weak_results), config=weak) == 0
    register = ("registry", "register", str(weak_results), "--model", "majority", "--by", "bob")
    assert cli(scene, *register, config=weak, registry=registry) == 0
    assert cli(scene, "registry", "approve", "1", "--reason", "arranged", "--by", "alice", registry=registry) == 0
    with running_server(state) as server:
        assert cli(scene, "deploy", "1", "--state", str(state), "--by", "alice", registry=registry) == 0
        assert server.stop() == 0
    variables = {"MLGATE_REGISTRY_PATH": str(registry), "MLGATE_STATE_PATH": str(state)}
    run = scene.act.run(
        "retrain", scene.project, "mlgate-retrain.yml", "workflow_dispatch", DISPATCH, variables=variables
    )
    scene.record("retrain", run)
    versions = LocalRegistry(registry).list()
    assert [(v.version, v.status) for v in versions] == [("1", "approved"), ("2", "pending")], run.tail()
    assert versions[1].model != "majority"
    assert LocalRegistry(registry).history()[-1].event == "registered"
