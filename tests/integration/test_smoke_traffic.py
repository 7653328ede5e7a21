"""Smoke tests are not production traffic: a real deploy against a real ``mlgate serve`` with capture on, then
``mlgate monitor`` right after. The smoke test's rows are captured with their mark and left out, counted; the
same rows without the mark would be judged, and drift (a few golden rows repeated are nothing like the
training data): that is what the mark is for. Client traffic afterwards is judged, the smoke rows still left out."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path
from typing import Any

import httpx
import pytest

from fakes.serve import running_server
from mlgate.cli import main
from schemas import schema_validator
from unit.training.project import write_project

MODELS = "logistic: {estimator: sklearn.linear_model.LogisticRegression}"
FEATURES = ["x1", "x2", "color", "flag", "amount"]
EXTRA = f"""\
features: {json.dumps(FEATURES)}
registry: {{path: state/registry, golden_rows: 5}}
deploy: {{state: state/serve, timeout_s: 60, smoke: {{latency_p95_ms: 5000, requests: 20}}}}
capture: {{enabled: true, path: capture}}
monitor: {{min_rows: 10}}
"""


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def monitor(capsys: pytest.CaptureFixture[str], config: Path, *args: str) -> tuple[int, dict[str, Any]]:
    code, out, err = run(capsys, "monitor", "--config", str(config), "--since", "1h", "--format", "json", *args)
    document: dict[str, Any] = json.loads(out)
    schema_validator("monitor.schema.json").validate(document)
    assert "Traceback" not in err
    return code, document


def drifted(document: dict[str, Any]) -> set[str]:
    report = document["feature_drift"]
    return {f["field"] for f in report["fields"] if f["drifted"]} if report else set()


def client_rows(project: Path, count: int) -> list[dict[str, Any]]:
    """Rows of the training data's population (its test file), as a client sends them."""
    with (project / "data" / "test.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))[:count]
    return [
        {
            "x1": float(r["x1"]) if r["x1"] else None,
            "x2": int(r["x2"]),
            "color": r["color"],
            "flag": r["flag"] == "true",
            "amount": float(r["amount"]),
        }
        for r in rows
    ]


def strip_marks(capture: Path) -> int:
    """Rewrite the capture files as an unmarked server would have written them; returns the rows unmarked."""
    unmarked = 0
    for path in capture.rglob("*.jsonl"):
        records = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
        for record in records:
            unmarked += bool(record.pop("smoke", False))
            record["request_id"] = record["request_id"].replace("mlgate-smoke-", "client-")
        path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return unmarked


@pytest.mark.slow
def test_monitor_right_after_a_deploy_leaves_the_smoke_rows_out(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    project = tmp_path / "project"
    config = write_project(project, models=MODELS, extra=EXTRA, train_rows=400, test_rows=200)
    assert run(capsys, "train", "--config", str(config), "--out", str(project / "results"))[0] == 0
    code, _, err = run(
        capsys,
        "registry",
        "register",
        str(project / "results"),
        "--model",
        "logistic",
        "--by",
        "bob",
        "--config",
        str(config),
    )
    assert code == 0, err
    code, _, err = run(capsys, "registry", "approve", "1", "--reason", "ok", "--by", "alice", "--config", str(config))
    assert code == 0, err
    with running_server(project / "state" / "serve", args=["--config", str(config)], cwd=project) as server:
        code, out, err = run(capsys, "deploy", "--by", "carol", "--config", str(config))
        assert code == 0, out + err + server.log()
        assert server.stop() == 0, server.log()  # flushes and closes the capture file

    code, document = monitor(capsys, config)
    smoke = 5 + 3 + 20  # the golden rows in one request, then 3 warm-up and 20 timed single-row requests
    assert (code, document["verdict"], document["capture"]["rows"]) == (0, "insufficient", 0)
    assert document["capture"]["smoke_rows"] == smoke
    assert (
        f"{smoke} smoke-test rows left out (deploy and rollback smoke tests are not production traffic)"
        in (run(capsys, "monitor", "--config", str(config), "--since", "1h")[1])
    )
    assert drifted(document) == set()

    unmarked = tmp_path / "unmarked"  # the same rows from a server that did not mark them: judged, and drifted
    shutil.copytree(project / "capture", unmarked)
    assert strip_marks(unmarked) == smoke
    code, document = monitor(capsys, config, "--capture", str(unmarked))
    assert (code, document["verdict"], document["capture"]["rows"], document["capture"]["smoke_rows"]) == (
        1,
        "breach",
        smoke,
        0,
    )
    assert len(drifted(document)) >= 3, document["breaches"]

    with running_server(project / "state" / "serve", args=["--config", str(config)], cwd=project) as server:
        server.wait_for_version("1")
        for row in client_rows(project, 120):
            assert httpx.post(f"{server.url}/invocations", json={"instances": [row]}, timeout=10).status_code == 200
        assert server.stop() == 0, server.log()
    code, document = monitor(capsys, config)
    assert (code, document["verdict"], document["capture"]["rows"]) == (0, "healthy", 120), document["breaches"]
    assert (document["capture"]["smoke_rows"], drifted(document)) == (smoke, set())
