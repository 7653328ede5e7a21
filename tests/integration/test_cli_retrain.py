"""``mlgate retrain`` end to end on a copy of examples/churn with a local registry and a deployed live version.

The module builds the project once: the live version 1 was trained on labels shuffled at random (so it
is barely better than chance), approved and deployed (a ``deployed`` event in the registry history, as
``mlgate deploy`` records it). The real churn data is the "fresh" data a fetch brings in.
"""

from __future__ import annotations

import csv
import json
import random
import re
import shutil
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from mlgate.cli import main
from mlgate.config import load_config
from mlgate.registry import open_registry
from mlgate.registry.local import LocalRegistry
from mlgate.registry.model import HistoryEvent
from schemas import schema_validator

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

    from fakes.github_api import FakeGitHub

ROOT = Path(__file__).resolve().parents[2]
CHURN = ROOT / "examples" / "churn"
FETCH_SCRIPT = """\
import shutil, sys
print("exporting", sys.argv[1])
shutil.copy(sys.argv[1], "data/train.csv")
"""


def shuffle_labels(source: Path, target: Path) -> None:
    """``source`` with the ``churned`` column shuffled: a model trained on it has learnt nothing."""
    with source.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    labels = [row[-1] for row in rows[1:]]
    random.Random(0).shuffle(labels)
    with target.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerows(
            [rows[0], *[[*r[:-1], lab] for r, lab in zip(rows[1:], labels, strict=True)]]
        )


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The churn project with live version 1 (trained on shuffled labels), approved and deployed."""
    folder = tmp_path_factory.mktemp("churn") / "project"
    shutil.copytree(CHURN, folder)
    config = (folder / "mlgate.yaml").read_text(encoding="utf-8")
    config = re.sub(r"  forest:\n.*\n.*\n  boosting:\n.*\n.*\n", "", config)  # one model: fast
    (folder / "mlgate.yaml").write_text(config + "registry: {path: .mlgate/registry}\n", encoding="utf-8")
    (folder / "fresh").mkdir()
    shutil.copy(folder / "data" / "train.csv", folder / "fresh" / "train.csv")
    shuffle_labels(folder / "fresh" / "train.csv", folder / "fresh" / "shuffled.csv")
    shutil.copy(folder / "fresh" / "shuffled.csv", folder / "data" / "train.csv")
    (folder / "fetch.py").write_text(FETCH_SCRIPT, encoding="utf-8")
    yaml = str(folder / "mlgate.yaml")
    assert main(["train", "--config", yaml, "--out", str(folder / "v1"), "--format", "json"]) == 0
    assert main(["registry", "register", "--best", str(folder / "v1"), "--config", yaml, "--by", "alice"]) == 0
    assert main(["registry", "approve", "1", "--reason", "first model", "--by", "bob", "--config", yaml]) == 0
    detail = {"outcome": "deployed", "target": "local", "previous": None, "live": "1"}
    registry = open_registry(load_config(folder / "mlgate.yaml"))
    registry.record(
        HistoryEvent(
            at="2026-11-22T08:00:00+00:00", event="deployed", version="1", by="ci", reason="deploy", detail=detail
        )
    )
    return folder


@pytest.fixture
def project(built: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    capsys.readouterr()
    shutil.copytree(built, tmp_path / "p")
    return tmp_path / "p"


def set_fetch(project: Path, fetch: str) -> None:
    with (project / "mlgate.yaml").open("a", encoding="utf-8") as handle:
        handle.write(f"retrain: {{fetch: {json.dumps(fetch)}, timeout_s: 60}}\n")


def retrain(project: Path, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, dict[str, Any] | None, str]:
    code = main(
        [
            "retrain",
            "--config",
            str(project / "mlgate.yaml"),
            "--out",
            str(project / "out"),
            "--format",
            "json",
            "--by",
            "scheduler",
            *args,
        ]
    )
    captured = capsys.readouterr()
    document = json.loads(captured.out) if captured.out.strip() else None
    if document is not None:
        schema_validator("retrain.schema.json").validate(document)
    return code, document, captured.err


def registry_of(project: Path) -> LocalRegistry:
    return LocalRegistry(project / ".mlgate" / "registry")


def test_fresh_data_that_yields_a_better_model_registers_a_pending_version(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    set_fetch(project, f"{sys.executable} fetch.py fresh/train.csv")
    code, doc, err = retrain(project, capsys)
    assert code == 0, err
    assert doc is not None
    assert "fetch | exporting fresh/train.csv" in err  # the command's output is streamed to the log
    assert (doc["outcome"], doc["live"]["source"], doc["fetch"]["kind"]) == (
        "registered",
        "registry history",
        "command",
    )
    assert doc["fetch"]["warnings"] == [  # the fetch wrote data/train.csv only: the test rows are the old ones
        "the fetch rewrote data.train (data/train.csv) but left data.test (data/test.csv) as it was (same SHA-256): "
        "the models are judged on the old test rows, which the fresh training data may contain; make the fetch "
        "write both files"
    ]
    decision = doc["decision"]
    assert (decision["wins"], decision["live_version"]) == (True, "1")
    assert decision["gain"] > 0.1
    assert decision["live_value"] == doc["live_scores"]["metrics"]["roc_auc"]
    new = registry_of(project).get("2")
    assert new.status == "pending"  # never approved
    assert [c.status for c in new.history] == ["pending"]
    assert new.history[0].by == "scheduler"
    assert "beats live version 1 on roc_auc" in new.history[0].reason
    assert "Δ +" in new.history[0].reason
    assert new.extra["retrain"]["live_version"] == "1"
    recorded = new.decision  # the interval travels with the pending version
    assert recorded is not None
    assert (recorded["metric"], recorded["live_version"], recorded["method"], recorded["n"]) == (
        "roc_auc",
        "1",
        "DeLong + training-data spread (10 fits)",  # the candidates were refitted on resampled rows
        200,
    )
    trained = json.loads((project / "out" / "candidates" / "metrics.json").read_text())
    assert all(m["resample_sd"]["roc_auc"] > 0 and "seed_sd" not in m for m in trained["models"].values())
    assert recorded["margin"] > 0  # retrain's own default margin
    assert recorded["low"] - recorded["margin"] > 0  # the whole interval lies beyond the margin
    assert recorded["evaluation"] == new.data_sha256 == decision["evaluation"]
    assert (recorded["low"], recorded["high"]) == (decision["low"], decision["high"])
    assert registry_of(project).get("1").status == "approved"
    assert json.loads((project / "out" / "report.json").read_text(encoding="utf-8"))["outcome"] == "registered"
    assert (project / "out" / "summary.md").read_text(encoding="utf-8").startswith("### 🆕")


def test_fresh_data_that_yields_no_better_model_registers_nothing(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, doc, err = retrain(project, capsys, "--no-fetch")  # the live version's own data: the same model
    assert code == 0, err
    assert doc is not None
    assert (doc["outcome"], doc["fetch"]["kind"], doc["registered"]) == ("not-better", "none", None)
    assert doc["decision"]["wins"] is False
    assert doc["decision"]["gain"] == pytest.approx(0.0, abs=1e-9)
    assert [v.version for v in registry_of(project).list()] == ["1"]


def test_a_failing_fetch_command_exits_2_naming_it(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    set_fetch(project, f"{sys.executable} fetch.py fresh/missing.csv")
    code, doc, err = retrain(project, capsys)
    assert (code, doc) == (2, None)
    assert "mlgate: error: the fetch command " in err
    assert "fetch.py fresh/missing.csv` failed (exit 1): " in err
    assert "FileNotFoundError" in err  # the last stderr lines
    assert [v.version for v in registry_of(project).list()] == ["1"]


def test_fetched_data_violating_the_schema_exits_1_and_registers_nothing(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = (project / "fresh" / "train.csv").read_text(encoding="utf-8").replace(",premium,", ",platinum,")
    (project / "fresh" / "broken.csv").write_text(text, encoding="utf-8")
    set_fetch(project, f"{sys.executable} fetch.py fresh/broken.csv")
    code, doc, err = retrain(project, capsys)
    assert code == 1, err
    assert doc is not None
    assert (doc["outcome"], doc["candidates"], doc["decision"], doc["registered"]) == ("data-invalid", None, None, None)
    assert doc["data_gate"]["valid"] is False
    assert any(v["field"] == "plan" for f in doc["data_gate"]["files"] for v in f["violations"])
    assert [v.version for v in registry_of(project).list()] == ["1"]
    assert not (project / "out" / "candidates").exists()


def test_an_s3_prefix_is_fetched_over_the_data_files(
    project: Path, capsys: pytest.CaptureFixture[str], s3_env: S3Client, s3_bucket: str
) -> None:
    for name in ("train.csv", "test.csv"):
        source = project / ("fresh" if name == "train.csv" else "data") / name
        s3_env.put_object(Bucket=s3_bucket, Key=f"exports/2026-11-22/{name}", Body=source.read_bytes())
    set_fetch(project, f"s3://{s3_bucket}/exports/2026-11-22/")
    code, doc, err = retrain(project, capsys, "--version", "1")
    assert code == 0, err
    assert doc is not None
    assert (doc["fetch"]["kind"], doc["live"]["source"], doc["outcome"]) == ("s3", "option", "registered")
    assert (project / "data" / "train.csv").read_bytes() == (project / "fresh" / "train.csv").read_bytes()
    assert registry_of(project).get("2").status == "pending"


def test_nothing_deployed_exits_2_before_any_work(
    tmp_path: Path, built: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    shutil.copytree(built, tmp_path / "p", ignore=shutil.ignore_patterns("history.jsonl"))
    code, doc, err = retrain(tmp_path / "p", capsys, "--no-fetch")
    assert (code, doc) == (2, None)
    assert "no live version: nothing was deployed" in err
    assert not (tmp_path / "p" / "out").exists()


def test_issue_gets_the_report_and_text_output_reads_well(
    project: Path, capsys: pytest.CaptureFixture[str], github_api: FakeGitHub, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in github_api.env().items():
        monkeypatch.setenv(name, value)
    set_fetch(project, f"{sys.executable} fetch.py fresh/train.csv")
    code = main(
        [
            "retrain",
            "--config",
            str(project / "mlgate.yaml"),
            "--out",
            str(project / "out"),
            "--format",
            "text",
            "--issue",
            "--by",
            "scheduler",
        ]
    )
    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert "▸ result      registered version 2 as pending" in captured.out
    assert "  ⚠ the fetch rewrote data.train (data/train.csv) but left data.test" in captured.out
    assert "▸ decision    roc_auc, candidate − live v1 on the same rows; needed: better by more than" in captured.out
    assert "mlgate monitor judges accuracy, f1_macro on live labels, not roc_auc" in captured.out
    assert "monitor issue #1: created" in captured.err
    (issue,) = github_api.issues()
    assert issue.title == "mlgate retrain: version 2 is pending approval"
    assert issue.body is not None
    assert issue.body.startswith("<!-- mlgate:monitor v=1 key=mlgate-monitor -->")
    assert "a retrained model was registered as pending" in issue.body


@pytest.mark.parametrize("fmt", ["markdown", "github"])
def test_a_token_that_may_not_write_issues_is_a_warning_and_the_summary_gets_the_report_once(
    project: Path,
    capsys: pytest.CaptureFixture[str],
    github_api: FakeGitHub,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    fmt: str,
) -> None:
    """Written by the fallback (markdown), or by --format github itself, which the fallback then leaves alone."""
    for name, value in github_api.env().items():
        monkeypatch.setenv(name, value)
    summary = tmp_path / "summary.md"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    github_api.add_issue("mlgate monitor: drift", "<!-- mlgate:monitor v=1 key=churn -->\ndrift in plan")
    github_api.forbid_writes()
    code = main(
        [
            "retrain",
            "--config",
            str(project / "mlgate.yaml"),
            "--out",
            str(project / "out"),
            "--no-fetch",
            "--format",
            fmt,
            "--issue",
            "--issue-key",
            "churn",
            "--by",
            "scheduler",
        ]
    )
    captured = capsys.readouterr()
    assert code == 0, captured.err
    warning = next(line for line in captured.out.splitlines() if line.startswith("::warning title=mlgate retrain::"))
    assert "403 Resource not accessible by integration" in warning
    assert "permissions: issues: write" in warning
    written = summary.read_text(encoding="utf-8")
    report = (project / "out" / "summary.md").read_text(encoding="utf-8")
    assert written.count(report.strip().splitlines()[0]) == 1
    assert "no retrained model beats the live version" in written
    assert github_api.writes()  # the comment was attempted on the open issue, and refused


def test_a_job_summary_that_cannot_be_written_is_a_warning_after_the_outputs(
    project: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    outputs = tmp_path / "github_output"
    monkeypatch.setenv("GITHUB_OUTPUT", str(outputs))
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(tmp_path))  # a folder: appending to it fails
    code = main(
        [
            "retrain",
            "--config",
            str(project / "mlgate.yaml"),
            "--out",
            str(project / "out"),
            "--no-fetch",
            "--format",
            "github",
            "--github-output",
            "--by",
            "scheduler",
        ]
    )
    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert "mlgate: warning: the job summary could not be written" in captured.err
    assert "Traceback" not in captured.err
    assert "outcome" in outputs.read_text(encoding="utf-8")
