"""``mlgate deploy VERSION --ab PERCENT`` and ``mlgate ab status|decide|stop`` against a real ``mlgate serve``.

Version 1 (logistic) is live; version 2 (a depth-4 tree) is the challenger on half of the clients, sticky by the
``X-Client`` header. Labels are simulated from the answers the clients got (the true labels of a test decide
nothing here): one scenario makes the challenger right on every row and the champion wrong on every third, the
other the reverse, so the decision is known; the sequential test's error rates are measured by
``scripts/bench_ab.py``, not here.
"""

from __future__ import annotations

import csv
import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from fakes.serve import ServerHandle, running_server
from integration.test_cli_deploy import MODELS, approve, build_project, mlgate, registry_of
from integration.test_cli_shadow import read_test_rows
from schemas import schema_validator

AB_CONFIG = "ab: {key: 'header:X-Client', min_labels: 30, min_requests: 20}\n"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = build_project(tmp_path_factory.mktemp("ab-project"), MODELS, ["logistic", "tree"])
    config = folder / "mlgate.yaml"
    text = config.read_text(encoding="utf-8")
    # the smoke tests' latency budget is not what these tests are about: a busy machine must not fail them
    assert "latency_p95_ms: 150" in text
    config.write_text(text.replace("latency_p95_ms: 150", "latency_p95_ms: 5000") + AB_CONFIG, encoding="utf-8")
    return folder


@pytest.fixture
def project(built: Path, tmp_path: Path) -> Path:
    shutil.copytree(built, tmp_path / "p")
    return tmp_path / "p"


@pytest.fixture
def server(project: Path, capsys: pytest.CaptureFixture[str]) -> Iterator[ServerHandle]:
    with running_server(project / "state" / "serve") as handle:
        approve(project, capsys, "1", "2")
        code, _, err = mlgate(project, capsys, "deploy", "1", "--by", "carol", "--format", "json")
        assert code == 0, err
        yield handle


def start(project: Path, server: ServerHandle, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = mlgate(project, capsys, "deploy", "2", "--ab", "50", "--by", "carol", "--format", "json")
    assert code == 0, err
    change = json.loads(out)
    assert change["action"] == "started"
    assert change["split"] | {"started_at": None} == {
        "champion": "1",
        "challenger": "2",
        "percent": 50.0,
        "key": "header:X-Client",
        "started_at": None,
    }
    assert server.status()["ab"]["ready"] is True


def send(server: ServerHandle, project: Path, clients: int) -> list[dict[str, Any]]:
    """One request per client (each twice: the second must land on the same variant); the answers."""
    rows = read_test_rows(project, 40)
    answers = []
    for i in range(clients):
        row = rows[i % len(rows)]
        got = []
        for attempt in range(2):
            headers = {"X-Client": f"client-{i}", "X-Request-Id": f"c{i}-r{attempt}"}
            reply = httpx.post(f"{server.url}/invocations", json={"instances": [row]}, headers=headers, timeout=30)
            assert reply.status_code == 200, reply.text
            got.append((reply.headers["x-mlgate-version"], reply.headers["x-mlgate-variant"]))
            answers.append(
                {"request_id": f"c{i}-r{attempt}", "version": got[-1][0], "answer": reply.json()["predictions"][0]}
            )
        assert got[0] == got[1], f"client-{i} moved between variants: {got}"
    return answers


def write_labels(path: Path, answers: list[dict[str, Any]], *, better: str, target: str = "label") -> Path:
    """Labels (column ``target``): the ``better`` version is right on every row, the other wrong on every third of
    its rows."""
    with path.open("w", encoding="utf-8", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(["request_id", target])
        for i, answer in enumerate(answers):
            truth = answer["answer"]
            if answer["version"] != better and i % 3 == 0:
                truth = "no" if str(truth) == "yes" else "yes" if str(truth) == "no" else (not truth)
            writer.writerow([answer["request_id"], truth])
    return path


def ab_json(project: Path, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, dict[str, Any], str]:
    code, out, err = mlgate(project, capsys, "ab", *args, "--by", "dana", "--format", "json")
    document: dict[str, Any] = json.loads(out) if out.strip() else {}
    if document:
        schema_validator("ab.schema.json").validate(document)
    return code, document, err


def test_a_better_challenger_is_promoted_with_its_evidence(
    project: Path, server: ServerHandle, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    start(project, server, capsys)
    answers = send(server, project, 120)
    versions = {a["version"] for a in answers}
    assert versions == {"1", "2"}, "both variants answer"
    labels = write_labels(tmp_path / "labels.csv", answers, better="2")
    server.wait_for_status(lambda s: s["ab"]["logged"] >= 240)

    code, status, err = ab_json(project, capsys, "status", "--labels", str(labels))
    assert code == 0, err
    assert (status["decision"]["outcome"], status["acted"]) == ("promote", "not-acted")
    health = {h["version"]: h for h in status["health"]}
    assert health["1"]["requests"] + health["2"]["requests"] == 240
    assert health["2"]["errors"] == 0
    events = [e.event for e in registry_of(project).history()]
    assert "ab-decision" not in events, "status records nothing"

    code, decided, err = ab_json(project, capsys, "decide", "--labels", str(labels))
    assert code == 0, err
    assert (decided["decision"]["outcome"], decided["acted"]) == ("promote", "promoted")
    assert decided["deploy"]["outcome"] == "deployed"
    primary = decided["decision"]["primary"]
    assert primary["lower"] > 0, "promoted only when the interval clears 0"
    server.wait_for_status(lambda s: s["version"] == "2" and s["ab"] is None)
    reply = httpx.post(
        f"{server.url}/invocations", json={"instances": read_test_rows(project, 1)}, headers={"X-Client": "x"}
    )
    assert reply.headers["x-mlgate-version"] == "2"
    history = registry_of(project).history()
    decision = next(e for e in history if e.event == "ab-decision")
    assert decision.detail["outcome"] == "promote"
    assert decision.detail["lower"] > 0
    assert [e.event for e in history if e.version == "2"][-1] == "deployed"


def test_a_worse_challenger_is_stopped_and_rejected(
    project: Path, server: ServerHandle, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    start(project, server, capsys)
    answers = send(server, project, 120)
    labels = write_labels(tmp_path / "labels.csv", answers, better="1")
    server.wait_for_status(lambda s: s["ab"]["logged"] >= 240)
    code, decided, err = ab_json(project, capsys, "decide", "--labels", str(labels))
    assert code == 0, err
    assert (decided["decision"]["outcome"], decided["acted"]) == ("stop", "stopped")
    server.wait_for_status(lambda s: s["version"] == "1" and s["ab"] is None)
    assert registry_of(project).get("2").status == "rejected"
    assert "A/B test against version 1 stopped" in registry_of(project).get("2").history[-1].reason


def test_a_promotion_that_fails_its_smoke_test_is_rolled_back_and_exits_1(
    project: Path, server: ServerHandle, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    start(project, server, capsys)
    answers = send(server, project, 120)
    labels = write_labels(tmp_path / "labels.csv", answers, better="2")
    server.wait_for_status(lambda s: s["ab"]["logged"] >= 240)
    path = registry_of(project).root / "versions" / "2" / "version.json"
    document = json.loads(path.read_text(encoding="utf-8"))
    for row in document["golden"]:  # the challenger's live smoke test fails; its model loads
        row["prediction"] = "never-predicted"
    path.write_text(json.dumps(document), encoding="utf-8")
    code, decided, err = ab_json(project, capsys, "decide", "--labels", str(labels))
    assert code == 1, err
    assert (decided["decision"]["outcome"], decided["acted"], decided["deploy"]["outcome"]) == (
        "promote",
        "stopped",
        "rolled-back",
    )
    server.wait_for_status(lambda s: s["version"] == "1" and s["ab"] is None)


def test_bad_requests_are_refused_and_the_champion_keeps_serving(
    project: Path, server: ServerHandle, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, _, err = mlgate(project, capsys, "ab", "decide", "--labels", str(project / "mlgate.yaml"))
    assert code == 2
    assert "no A/B test runs on local server" in err
    code, out, _ = mlgate(project, capsys, "ab", "decide", "--labels", str(project / "mlgate.yaml"), "--if-running")
    assert (code, out) == (
        0,
        f"mlgate: no A/B test runs on local server {server.url.removeprefix('http://')}: nothing to decide\n",
    )
    assert mlgate(project, capsys, "registry", "reject", "2", "--reason", "leaks", "--by", "alice")[0] == 0
    code, _, err = mlgate(project, capsys, "deploy", "2", "--ab", "10")
    assert code == 1, err
    assert "version 2 is rejected: an A/B test serves real clients" in err
    approve(project, capsys, "2")
    code, _, err = mlgate(project, capsys, "deploy", "2", "--ab", "150")
    assert code == 2
    assert "--ab 150 must be a percentage between 0 and 100" in err
    start(project, server, capsys)
    code, _, err = mlgate(project, capsys, "deploy", "2", "--ab", "10")
    assert code == 1
    assert "an A/B test already runs on local server" in err
    send(server, project, 10)
    stray = tmp_path / "stray.csv"
    stray.write_text("request_id,label\nnobody-1,yes\nnobody-2,no\n", encoding="utf-8")
    code, _, err = mlgate(project, capsys, "ab", "decide", "--labels", str(stray))
    assert code == 2
    assert "none of its 2 label(s) matches a request answered in the A/B test" in err
    assert server.status()["ab"]["challenger"] == "2", "nothing changed"
    code, out, err = mlgate(project, capsys, "ab", "stop", "--format", "json")
    assert (code, json.loads(out)["action"]) == (0, "stopped"), err
    server.wait_for_status(lambda s: s["ab"] is None)
    assert registry_of(project).get("2").status == "approved"
    assert registry_of(project).history()[-1].event == "ab-stopped"
