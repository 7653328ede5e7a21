"""``mlgate deploy VERSION --shadow``, ``mlgate shadow status`` and ``stop`` against a real ``mlgate serve``.

Version 1 (logistic) is live; version 2 (a depth-4 tree) shadows it. Every client request is answered by version
1 and must stay 200; the shadow's answers are read back through ``mlgate shadow status`` and checked against the
models' own predictions on the same rows.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from fakes.serve import ServerHandle, running_server
from integration.test_cli_deploy import MODELS, approve, build_project, deploy_json, mlgate
from mlgate.registry import LocalRegistry
from schemas import schema_validator


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_project(tmp_path_factory.mktemp("shadow-project"), MODELS, ["logistic", "tree"])


@pytest.fixture
def project(built: Path, tmp_path: Path) -> Path:
    shutil.copytree(built, tmp_path / "p")
    return tmp_path / "p"


@pytest.fixture
def server(project: Path, capsys: pytest.CaptureFixture[str]) -> Iterator[ServerHandle]:
    with running_server(project / "state" / "serve") as handle:
        approve(project, capsys, "1")
        code, _, err = deploy_json(project, capsys, "deploy", "1")
        assert code == 0, err
        yield handle


def shadow_status(project: Path, capsys: pytest.CaptureFixture[str]) -> dict[str, Any]:
    code, out, err = mlgate(project, capsys, "shadow", "status", "--format", "json")
    assert code == 0, err
    document: dict[str, Any] = json.loads(out)
    schema_validator("shadow.schema.json").validate(document)
    return document


def read_test_rows(project: Path, count: int) -> list[dict[str, Any]]:
    """The first ``count`` rows of data/test.csv as a client sends them: version 1's features, numbers as numbers."""
    import csv

    features = LocalRegistry(project / "state" / "registry").get("1").features
    with (project / "data" / "test.csv").open(encoding="utf-8", newline="") as file:
        rows = [row for _, row in zip(range(count), csv.DictReader(file), strict=False)]
    assert len(rows) == count
    return [{name: _number_or_text(row[name]) for name in features} for row in rows]


def _number_or_text(text: str) -> object:
    try:
        return float(text)
    except ValueError:
        return text


def send_test_rows(server: ServerHandle, project: Path, count: int) -> list[dict[str, Any]]:
    rows = read_test_rows(project, count)
    for row in rows:
        answer = httpx.post(f"{server.url}/invocations", json={"instances": [row]}, timeout=30)
        assert answer.status_code == 200, answer.text
        assert answer.headers["x-mlgate-version"] == "1"
    return rows


def test_a_shadow_answers_beside_the_live_version_and_stops(
    project: Path, server: ServerHandle, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = mlgate(project, capsys, "deploy", "2", "--shadow", "--fraction", "1", "--format", "json")
    assert code == 0, err
    change = json.loads(out)
    assert (change["action"], change["version"], change["fraction"], change["live"]) == ("started", "2", 1.0, "1")
    server.wait_for_status(lambda s: s["shadow"]["version"] == "2" and s["shadow"]["error"] is None)
    send_test_rows(server, project, 40)
    server.wait_for_status(lambda s: s["shadow"]["rows"] >= 40)
    document = shadow_status(project, capsys)
    assert (document["version"], document["running"], document["rows"], document["answered"]) == ("2", True, 40, 40)
    assert document["live_versions"] == ["1"]
    assert document["failures"]["count"] == 0
    assert document["live_latency"]["n"] == 40
    assert document["shadow_latency"]["p95_ms"] > 0
    assert 0 <= document["disagreement"]["low"] <= document["disagreement"]["share"] <= document["disagreement"]["high"]
    assert LocalRegistry(project / "state" / "registry").history()[-1].event == "shadow-started"

    code, out, err = mlgate(project, capsys, "shadow", "stop", "--format", "json")
    assert code == 0, err
    assert json.loads(out)["action"] == "stopped"
    server.wait_for_status(lambda s: s["shadow"]["version"] is None)
    send_test_rows(server, project, 5)
    stopped = shadow_status(project, capsys)
    assert (stopped["version"], stopped["running"], stopped["rows"]) == ("2", False, 40)
    assert LocalRegistry(project / "state" / "registry").history()[-1].event == "shadow-stopped"
    code, out, _ = mlgate(project, capsys, "shadow", "stop", "--format", "json")
    assert (code, json.loads(out)["action"]) == (0, "not-running")


def test_the_live_version_a_rejected_one_and_a_bad_fraction_are_refused(
    project: Path, server: ServerHandle, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = mlgate(project, capsys, "deploy", "1", "--shadow")
    assert code == 2
    assert "version 1 is the live version" in err
    code, _, err = mlgate(project, capsys, "deploy", "2", "--shadow", "--fraction", "1.5")
    assert code == 2
    assert "--fraction 1.5 must be in (0, 1]" in err
    assert mlgate(project, capsys, "registry", "reject", "2", "--reason", "leaks", "--by", "alice")[0] == 0
    code, _, err = mlgate(project, capsys, "deploy", "2", "--shadow")
    assert code == 2
    assert "version 2 is rejected: it is not shadowed" in err
    assert not (project / "state" / "serve" / "shadow.json").exists()
    assert "Traceback" not in err


def test_the_monitor_reports_the_shadow_beside_the_live_version_with_labels(
    project: Path, server: ServerHandle, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert mlgate(project, capsys, "deploy", "2", "--shadow", "--fraction", "1")[0] == 0
    server.wait_for_status(lambda s: s["shadow"]["version"] == "2" and s["shadow"]["error"] is None)
    rows = read_test_rows(project, 30)
    for index, row in enumerate(rows):
        headers = {"X-Request-Id": f"req-{index}"}
        answer = httpx.post(f"{server.url}/invocations", json={"instances": [row]}, headers=headers, timeout=30)
        assert answer.status_code == 200, answer.text
    server.wait_for_status(lambda s: s["shadow"]["rows"] >= 30)
    labels = tmp_path / "labels.csv"
    truth = [line.split(",")[-1] for line in (project / "data" / "test.csv").read_text().splitlines()[1:31]]
    labels.write_text("request_id,label\n" + "".join(f"req-{i},{v}\n" for i, v in enumerate(truth)), encoding="utf-8")
    capture = tmp_path / "capture"  # the monitor's own capture is off here: it judges nothing, the shadow is reported
    capture.mkdir()
    code, out, err = mlgate(
        project, capsys, "monitor", "--labels", str(labels), "--capture", str(capture), "--format", "json"
    )
    assert out.strip(), f"exit {code}: {err}"
    document = json.loads(out)
    schema_validator("monitor.schema.json").validate(document)
    shadow = document["shadow"]
    schema_validator("shadow.schema.json").validate(shadow)
    assert (shadow["version"], shadow["rows"], shadow["answered"]) == ("2", 30, 30), err
    assert (shadow["quality"]["n"], shadow["quality"]["metric"]) == (30, "accuracy")
    _, out, _ = mlgate(project, capsys, "monitor", "--capture", str(capture), "--format", "markdown")
    assert "#### mlgate shadow: version 2 (shadowing on 100% of requests)" in out
