"""``mlgate demo``: the whole lifecycle once, checked step by step from its JSON and the files it left."""

from __future__ import annotations

import json
import os
import re
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from fakes.github_api import FakeGitHub
from mlgate.cli import main
from mlgate.demo.endpoint import is_listening
from mlgate.demo.render import render_step
from mlgate.demo.steps import Step
from mlgate.registry import LocalRegistry
from mlgate.serve.state import read_pointer
from schemas import schema_validator

STEPS = [
    "generate",
    "validate",
    "validate-corrupted",
    "main",
    "pull-request",
    "comment",
    "register",
    "endpoint",
    "deploy",
    "predict",
    "deploy-failing",
    "monitor",
    "ab-start",
    "ab-decide",
    "history",
    "stop",
]


def test_a_non_empty_dir_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "something").write_text("x", encoding="utf-8")
    assert main(["demo", "--dir", str(tmp_path)]) == 2
    assert f"--dir {tmp_path} is not empty" in capsys.readouterr().err


def check_every_step_behaves_as_designed(run: tuple[int, dict[str, Any], Path]) -> None:
    code, document, folder = run
    failed = [s for s in document["steps"] if not s["ok"]]
    assert failed == []
    assert code == 0
    assert document["ok"] is True
    assert [s["name"] for s in document["steps"]] == STEPS
    assert document["folder"] == str(folder.resolve())
    schema_validator("demo.schema.json").validate(document)


def check_each_mark_matches_its_outcome(run: tuple[int, dict[str, Any], Path]) -> None:
    """Failures the demo exists to show are marked as failures (✗ … as designed), everything else ✓."""
    steps = {s["name"]: s for s in run[1]["steps"]}
    shown = {name for name, step in steps.items() if step["failed"]}
    verdict = steps["pull-request"]["facts"]["verdict"]
    assert shown == {"validate-corrupted", "deploy-failing", "monitor"} | (
        {"pull-request"} if verdict == "fail" else set()
    )
    for name, step in steps.items():
        rendered = render_step(
            Step(name, step["title"], step["ok"], step["seconds"], step["summary"], failed=step["failed"])
        )
        assert rendered.lstrip().startswith("✗" if step["failed"] else "✓"), rendered
    assert "INVALID" in steps["validate-corrupted"]["summary"]


def check_the_data_gate_passes_the_data_and_catches_each_corruption(run: tuple[int, dict[str, Any], Path]) -> None:
    steps = {s["name"]: s["facts"] for s in run[1]["steps"]}
    assert steps["validate"]["valid"] is True
    assert steps["validate"]["violations"] == []
    corrupted = steps["validate-corrupted"]
    assert corrupted["valid"] is False
    assert corrupted["caught_all"] is True
    fields = {v["field"] for v in corrupted["violations"]}
    assert {c["field"] for c in corrupted["corrupted"]} <= fields
    copy = Path(run[1]["locations"]["corrupted data"])
    original = Path(run[1]["locations"]["train data"])
    assert copy.read_text(encoding="utf-8") != original.read_text(encoding="utf-8")


def check_the_pr_is_checked_against_the_cached_main_results(run: tuple[int, dict[str, Any], Path]) -> None:
    steps = {s["name"]: s["facts"] for s in run[1]["steps"]}
    main_commit = steps["main"]["commit"]
    assert steps["main"]["cached_as"] == main_commit
    assert steps["pull-request"]["baseline"] == {"commit": main_commit, "source": "cache"}
    assert steps["pull-request"]["verdict"] in ("pass", "warn", "fail")
    comment = steps["comment"]
    assert comment["body"].startswith(
        f"<!-- mlgate:report v=1 key={comment['key']} head={steps['pull-request']['head']} hash="
    )
    posted = Path(run[1]["locations"]["PR comment (as posted)"]).read_text(encoding="utf-8")
    assert posted == comment["body"]
    assert str(run[2].resolve()) not in posted  # no temporary folder: the data files by their project paths
    assert "`data/train.csv`" in posted


def check_deploy_call_failed_deploy_and_rollback(run: tuple[int, dict[str, Any], Path]) -> None:
    steps = {s["name"]: s["facts"] for s in run[1]["steps"]}
    good = steps["register"]["version"]
    assert steps["register"]["status"] == "approved"
    assert steps["deploy"]["outcome"] == "deployed"
    assert steps["deploy"]["live"] == good
    assert steps["predict"]["status"] == 200
    header, row = steps["predict"]["request"].splitlines()  # the test file's first lines, as they are
    assert re.fullmatch(r"C-\d+,\d{4}-\d\d-\d\d,.*", row)  # its date as text, not as a day number
    assert header.endswith(",churned")  # the target too: the endpoint picks the features by name
    assert steps["predict"]["response"]["version"] == good
    assert len(steps["predict"]["response"]["predictions"]) == 1
    failing = steps["deploy-failing"]
    assert failing["outcome"] == "rolled-back"
    assert failing["live"] == good
    assert failing["failed_checks"] == ["golden"]
    registry = LocalRegistry(Path(run[1]["locations"]["registry"]))
    assert registry.get(good).status == "approved"
    assert registry.get(failing["failed_version"]).status == "rejected"
    assert steps["history"]["deploys"] == ["deployed", "deploy-failed", "deployed"]  # the last: the A/B promotion


def check_the_monitor_finds_the_clean_stream_healthy_and_the_drift_exactly(
    run: tuple[int, dict[str, Any], Path],
) -> None:
    document = run[1]
    facts = next(s for s in document["steps"] if s["name"] == "monitor")["facts"]
    clean, drifted = facts["windows"]
    assert (clean["stream"], clean["verdict"], clean["drifted"], clean["breaches"]) == ("clean", "healthy", [], [])
    assert clean["rows"] == clean["sent"] >= 100
    assert (drifted["stream"], drifted["verdict"]) == ("drifted", "breach")
    assert drifted["rows"] == drifted["sent"] == clean["sent"]
    assert facts["shifted"] == ["monthly_charges", "plan", "tenure_months"]
    assert sorted(d["field"] for d in drifted["drifted"]) == facts["shifted"]
    assert all(d["psi"] > 0.2 for d in drifted["drifted"])
    assert drifted["window_start"] >= clean["window_end"]
    assert not any("violate the schema" in b for b in drifted["breaches"])
    captured = list(Path(facts["capture"]).rglob("*.jsonl"))
    assert captured
    assert not list(Path(facts["capture"]).rglob("*.partial"))  # the stopped endpoint closed its capture file
    assert document["locations"]["capture"] == facts["capture"]


def check_the_retrained_challenger_is_promoted_by_the_ab_test(run: tuple[int, dict[str, Any], Path]) -> None:
    steps = {s["name"]: s["facts"] for s in run[1]["steps"]}
    good = steps["register"]["version"]
    started, decided = steps["ab-start"], steps["ab-decide"]
    challenger = started["challenger"]
    assert (started["action"], started["champion"], started["percent"]) == ("started", good, 50.0)
    assert challenger not in (good, steps["deploy-failing"]["failed_version"])
    assert (decided["outcome"], decided["acted"], decided["live"]) == ("promote", "promoted", challenger)
    assert (decided["champion"], decided["challenger"]) == (good, challenger)
    assert decided["interval"]["lower"] > 0, "promoted only when the interval clears 0"
    assert sum(decided["requests"].values()) == decided["labels"] >= 60
    assert min(decided["requests"].values()) >= 30, "each variant had the demo's ab.min_labels"
    registry = LocalRegistry(Path(run[1]["locations"]["registry"]))
    history = registry.history()
    decision = next(e for e in history if e.event == "ab-decision")
    assert (decision.version, decision.detail["outcome"], decision.detail["acted"]) == (challenger, "promote", True)
    assert decision.detail["lower"] == decided["interval"]["lower"]
    assert [e.event for e in history if e.version == challenger][-1] == "deployed"
    assert registry.get(challenger).status == "approved"
    assert registry.get(good).status == "approved"
    pointer = read_pointer(Path(run[1]["locations"]["live pointer"]).parent)
    assert pointer is not None
    assert pointer.version == challenger
    assert steps["history"]["experiments"] == ["ab-started", "ab-decision"]
    labels = Path(run[1]["locations"]["A/B labels"]).read_text(encoding="utf-8").splitlines()
    assert labels[0] == "request_id,churned"
    assert len(labels) == decided["labels"] + 1


def check_the_endpoint_is_stopped_and_every_artifact_exists(run: tuple[int, dict[str, Any], Path]) -> None:
    document = run[1]
    port = next(s for s in document["steps"] if s["name"] == "endpoint")["facts"]["port"]
    assert not is_listening(port)
    for label, where in document["locations"].items():
        if "://" not in where:
            assert Path(where).exists(), label
    assert (Path(document["folder"]) / "logs" / "endpoint.log").is_file()


def check_the_comment_shown_is_exactly_what_mlgate_comment_posts(
    run: tuple[int, dict[str, Any], Path], github_api: FakeGitHub, monkeypatch: pytest.MonkeyPatch
) -> None:
    document = run[1]
    steps = {s["name"]: s["facts"] for s in document["steps"]}
    github_api.add_pull(7, head_sha=steps["pull-request"]["head"])
    for name, value in github_api.env().items():
        monkeypatch.setenv(name, value)
    written = document["locations"]["PR comment"]  # as `mlgate check` writes it
    assert main(["comment", "--body-file", written, "--key", steps["comment"]["key"], "--pr", "7"]) == 0
    assert [c.body for c in github_api.comments(7)] == [steps["comment"]["body"]]


@pytest.mark.slow
def test_the_whole_demo_once(
    tmp_path: Path, github_api: FakeGitHub, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "run"
    code = main(["demo", "--dir", str(folder), "--format", "json"])
    run = (code, json.loads(capsys.readouterr().out), folder)
    check_every_step_behaves_as_designed(run)
    check_each_mark_matches_its_outcome(run)
    check_the_data_gate_passes_the_data_and_catches_each_corruption(run)
    check_the_pr_is_checked_against_the_cached_main_results(run)
    check_deploy_call_failed_deploy_and_rollback(run)
    check_the_monitor_finds_the_clean_stream_healthy_and_the_drift_exactly(run)
    check_the_retrained_challenger_is_promoted_by_the_ab_test(run)
    check_the_endpoint_is_stopped_and_every_artifact_exists(run)
    check_the_comment_shown_is_exactly_what_mlgate_comment_posts(run, github_api, monkeypatch)


def test_the_demo_on_an_mlflow_registry(
    tmp_path: Path, github_api: FakeGitHub, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """``--registry mlflow``: the same lifecycle on a local ``mlflow server`` the demo starts and stops."""
    tool = Path(__file__).resolve().parents[2] / ".venv-tools" / "bin" / "mlflow"
    if not tool.is_file():
        pytest.fail(f"{tool} is missing: run `bash scripts/test.sh` once, it installs the MLflow server there")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "mlflow").symlink_to(tool)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv("MLFLOW_TRACKING_URI", "http://127.0.0.1:9")  # the user's own server is never used
    folder = tmp_path / "run"
    code = main(["demo", "--dir", str(folder), "--registry", "mlflow", "--format", "json"])
    document = json.loads(capsys.readouterr().out)
    check_every_step_behaves_as_designed((code, document, folder))
    assert os.environ["MLFLOW_TRACKING_URI"] == "http://127.0.0.1:9"
    assert document["locations"]["registry"] == str(folder / "mlflow")
    steps = {s["name"]: s["facts"] for s in document["steps"]}
    good, bad = steps["register"]["version"], steps["deploy-failing"]["failed_version"]
    promoted = steps["ab-decide"]["live"]
    with sqlite3.connect(folder / "mlflow" / "mlflow.db") as db:  # MLflow's own store, read after the server stopped
        aliases = dict(db.execute("select alias, version from registered_model_aliases where name = 'demo-churn'"))
        statuses = dict(
            db.execute(
                "select version, value from model_version_tags where name = 'demo-churn' and key = 'mlgate.status'"
            )
        )
    assert aliases == {"champion": int(promoted), "challenger": int(promoted)}  # the A/B test's winner is live
    assert statuses == {int(good): "approved", int(bad): "rejected", int(promoted): "approved"}
