"""``mlgate monitor`` end to end through the CLI: drift, schema violations, labels, partial and malformed files,
empty windows, Parquet, S3 (moto) and SageMaker data capture, the live version, --out and the GitHub issue."""

from __future__ import annotations

import base64
import dataclasses
import datetime as dt
import json
import random
from pathlib import Path
from typing import Any

import pytest

from fakes.github_api import FakeGitHub
from mlgate.cli import main
from mlgate.serve.state import LivePointer, write_pointer
from schemas import schema_validator
from unit.monitor.helpers import make_project, predict, records, sample_inputs, write_jsonl, write_parquet


def now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def monitor(capsys: pytest.CaptureFixture[str], config: Path, *args: str) -> tuple[int, dict[str, Any], str]:
    """Run ``mlgate monitor --format json``: exit code, the validated document, stderr."""
    code = main(["monitor", "--config", str(config), "--format", "json", *args])
    captured = capsys.readouterr()
    document = json.loads(captured.out) if captured.out.strip() else {}
    if document:
        schema_validator("monitor.schema.json").validate(document)
    return code, document, captured.err


def drifted_fields(document: dict[str, Any]) -> set[str]:
    return {f["field"] for f in document["feature_drift"]["fields"] if f["drifted"]}


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return make_project(tmp_path / "project")


def test_a_drifted_stream_flags_exactly_the_drifted_columns(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    start = now() - dt.timedelta(hours=2)
    clean, drifted = project.parent / "clean", project.parent / "drifted"
    write_jsonl(clean, records(sample_inputs(400, seed=11), start=start))
    write_jsonl(drifted, records(sample_inputs(400, seed=12, drift=["x2", "color"]), start=start))

    code, doc, err = monitor(capsys, project, "--capture", str(clean), "--version", "1")
    assert (code, doc["verdict"], drifted_fields(doc), doc["breaches"]) == (0, "healthy", set(), []), err
    assert doc["prediction_drift"]["drifted"] == 0
    assert doc["schema"]["invalid_rows"] == 0

    code, doc, _ = monitor(capsys, project, "--capture", str(drifted), "--version", "1")
    assert (code, doc["verdict"]) == (1, "breach")
    assert drifted_fields(doc) == {"x2", "color"}
    assert doc["breaches"] == ["drifted features: x2, color"]  # x1 is untouched, so are the predictions


def test_labels_give_live_metrics_and_a_gate_breach(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rows = records(sample_inputs(300, seed=3), start=now() - dt.timedelta(hours=1))
    capture = project.parent / "capture"
    write_jsonl(capture, rows)
    rng = random.Random(0)
    truth = [r["prediction"] if rng.random() < 0.7 else not r["prediction"] for r in rows]  # ~70 % accurate
    labels = project.parent / "labels.csv"
    lines = ["request_id,label", *(f"{r['request_id']},{str(t).lower()}" for r, t in zip(rows, truth, strict=True))]
    labels.write_text("\n".join(lines) + "\n", encoding="utf-8")

    code, doc, err = monitor(capsys, project, "--capture", str(capture), "--version", "1", "--labels", str(labels))
    assert code == 1, err
    metrics = {m["metric"]: m for m in doc["labels"]["metrics"]}
    expected = sum(t == r["prediction"] for r, t in zip(rows, truth, strict=True)) / len(rows)
    assert metrics["accuracy"]["live"] == pytest.approx(expected)
    assert (metrics["accuracy"]["registered"], metrics["accuracy"]["status"]) == (0.95, "fail")
    assert doc["labels"]["matched"] == 300
    assert "live metrics worse than registered: accuracy, f1_macro" in doc["breaches"]
    assert metrics["accuracy"]["test"]["p_adjusted"] < doc["alpha"]
    assert doc["findings"][0]["check"] == "live metrics"

    perfect = project.parent / "perfect.jsonl"  # JSON Lines, with the row column
    perfect.write_text(
        "".join(json.dumps({"request_id": r["request_id"], "row": 0, "label": r["prediction"]}) + "\n" for r in rows),
        encoding="utf-8",
    )
    code, doc, _ = monitor(capsys, project, "--capture", str(capture), "--version", "1", "--labels", str(perfect))
    assert code == 0
    assert [(m["metric"], m["live"], m["status"]) for m in doc["labels"]["metrics"]] == [
        ("accuracy", 1.0, "better"),
        ("f1_macro", 1.0, "better"),
    ]


def test_schema_violations_beyond_the_tolerated_share_are_a_breach(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    inputs = sample_inputs(200, seed=5)
    for row in inputs[:6]:  # 3 % of rows: an unknown colour
        row["color"] = "purple"
    inputs[10]["x2"] = "many"  # and one that is not an integer
    capture = project.parent / "capture"
    write_jsonl(capture, records(inputs, start=now() - dt.timedelta(minutes=30)))
    code, doc, _ = monitor(capsys, project, "--capture", str(capture), "--version", "1")
    assert (code, doc["schema"]["invalid_rows"], doc["schema"]["breach"]) == (1, 7, True)
    checks = {(v["field"], v["check"]): v["count"] for v in doc["schema"]["violations"]}
    assert checks == {("x2", "type"): 1, ("color", "enum"): 6}
    assert doc["schema"]["invalid_requests"] == ["req-0", "req-1", "req-2", "req-3", "req-4"]
    assert doc["breaches"][0].startswith("3.5% of captured rows violate the schema")


def test_partial_and_malformed_files_are_reported_not_fatal(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    capture = project.parent / "capture"
    start = now() - dt.timedelta(hours=3)
    rows = records(sample_inputs(160, seed=8), start=start)
    write_jsonl(capture, rows[:80], seq=1, tail='{"schema_version": 1, "request_id": "x"}\nnot json at all\n')
    truncated = json.dumps(rows[-1])[:25]  # the writer was killed mid-line
    write_jsonl(capture, rows[80:159], seq=2, partial=True, tail=truncated)
    code, doc, err = monitor(capsys, project, "--capture", str(capture), "--version", "1")
    assert code == 0, err
    read = doc["capture"]
    assert (read["files"], read["rows"], read["malformed"], read["truncated_lines"]) == (2, 159, 2, 1)
    assert [p["line"] for p in read["problems"]] == [81, 82]
    assert read["problems"][0]["reason"] == "missing row, ts, version, inputs, prediction"
    assert len(read["partial_files"]) == 1
    assert read["partial_files"][0].endswith(".jsonl.partial")
    assert doc["warnings"] == ["2 malformed capture line(s) skipped"]

    code = main(["monitor", "--config", str(project), "--capture", str(capture), "--version", "1"])
    text = capsys.readouterr().out
    assert code == 0
    assert "capture-" in text
    assert ":82: not valid JSON" in text


def test_an_empty_window_is_insufficient_data_not_healthy(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    capture = project.parent / "capture"
    old = now() - dt.timedelta(days=3)
    write_jsonl(capture, records(sample_inputs(100, seed=1), start=old))
    code, doc, _ = monitor(capsys, project, "--capture", str(capture), "--version", "1", "--since", "1h")
    assert (code, doc["verdict"], doc["capture"]["rows"], doc["capture"]["skipped_files"]) == (0, "insufficient", 0, 1)
    assert doc["notes"][0].startswith("no captured rows since ")
    code = main(
        [
            "monitor",
            "--config",
            str(project),
            "--capture",
            str(capture),
            "--version",
            "1",
            "--since",
            "1h",
            "--format",
            "github",
        ]
    )
    out = capsys.readouterr().out
    assert code == 0
    assert out.startswith("::warning title=mlgate monitor::not enough data: version 1, last 1h (0 ")

    few = project.parent / "few"
    write_jsonl(few, records(sample_inputs(20, seed=1, drift=["x1"]), start=now() - dt.timedelta(minutes=5)))
    code, doc, _ = monitor(capsys, project, "--capture", str(few), "--version", "1")
    assert (code, doc["verdict"]) == (0, "insufficient")  # drifted, but 20 < monitor.min_rows (50): not judged


def test_parquet_capture_and_the_live_version_from_the_deploy_state(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    capture = project.parent / "capture"
    write_parquet(capture, records(sample_inputs(120, seed=4, drift=["x1"]), start=now() - dt.timedelta(hours=1)))
    state = project.parent / ".mlgate" / "serve"
    state.mkdir(parents=True)
    write_pointer(state, LivePointer("1", "rule", "/nowhere", "0" * 64, (), ("x1", "x2", "color"), "2026-11-22"))
    code, doc, _ = monitor(capsys, project, "--capture", str(capture))
    assert (code, doc["version"], doc["version_source"]) == (1, "1", "deploy state")
    assert drifted_fields(doc) == {"x1"}
    assert doc["prediction_drift"]["drifted"] == 1


def test_no_live_version_and_bad_durations_are_unusable_input(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = monitor(capsys, project, "--capture", str(project.parent))
    assert code == 2
    assert "no live version is known" in err
    assert "--version V" in err
    code, _, err = monitor(capsys, project, "--version", "1", "--since", "yesterday")
    assert code == 2
    assert "--since: 'yesterday' is not a duration" in err
    code, _, err = monitor(capsys, project, "--version", "1", "--capture", str(project.parent / "nope"))
    assert code == 2
    assert "capture folder not found" in err


def test_out_folder_and_job_summary(
    project: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    capture = project.parent / "capture"
    write_jsonl(capture, records(sample_inputs(100, seed=9, drift=["color"]), start=now() - dt.timedelta(hours=1)))
    summary = project.parent / "summary.md"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    out = project.parent / "out"
    code = main(
        [
            "monitor",
            "--config",
            str(project),
            "--capture",
            str(capture),
            "--version",
            "1",
            "--format",
            "github",
            "--out",
            str(out),
        ]
    )
    printed = capsys.readouterr().out
    assert code == 1
    assert printed.startswith("::error title=mlgate monitor::drifted features: color\n")
    markdown = (out / "monitor.md").read_text(encoding="utf-8")
    assert markdown.startswith("### ❌ mlgate monitor — breach: version 1")
    assert "```text\ncolor: % of rows per bin · ░ reference · █ live\n" in markdown
    assert summary.read_text(encoding="utf-8").strip() == markdown.strip()
    schema_validator("monitor.schema.json").validate(json.loads((out / "monitor.json").read_text(encoding="utf-8")))


def test_the_issue_opens_on_a_breach_and_closes_when_healthy(
    project: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, github_api: FakeGitHub
) -> None:
    for name, value in github_api.env().items():
        monkeypatch.setenv(name, value)
    start = now() - dt.timedelta(hours=1)
    drifted, clean = project.parent / "drifted", project.parent / "clean"
    write_jsonl(drifted, records(sample_inputs(300, seed=2, drift=["x2"]), start=start))
    write_jsonl(clean, records(sample_inputs(300, seed=2), start=start))
    args = ["monitor", "--config", str(project), "--version", "1", "--issue", "--issue-key", "prod"]

    assert main([*args, "--capture", str(drifted)]) == 1
    assert "mlgate: monitor issue created #1" in capsys.readouterr().out
    (issue,) = github_api.issues()
    assert issue.state == "open"
    assert issue.title == "mlgate monitor: breach on version 1"
    assert issue.body is not None
    assert issue.body.startswith("<!-- mlgate:monitor v=1 key=prod -->\n### ❌")

    assert main([*args, "--capture", str(drifted)]) == 1
    assert "monitor issue updated #1" in capsys.readouterr().out
    assert main([*args, "--capture", str(clean)]) == 0
    assert "monitor issue closed #1" in capsys.readouterr().out
    assert [i.state for i in github_api.issues()] == ["closed"]


def test_a_token_without_issues_write_warns_and_too_little_data_leaves_the_issue_alone(
    project: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, github_api: FakeGitHub
) -> None:
    for name, value in github_api.env().items():
        monkeypatch.setenv(name, value)
    summary = project.parent / "summary.md"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    capture = project.parent / "capture"
    write_jsonl(capture, records(sample_inputs(300, seed=2, drift=["x2"]), start=now() - dt.timedelta(hours=1)))
    args = ["monitor", "--config", str(project), "--version", "1", "--capture", str(capture), "--issue"]
    assert main([*args, "--since", "1m"]) == 0  # no rows in the last minute
    assert "monitor issue left as it is: not enough captured rows" in capsys.readouterr().out
    assert github_api.requests == []
    github_api.forbid_writes()
    assert main(args) == 1
    out = capsys.readouterr().out
    assert "::warning title=mlgate monitor::" in out
    assert "Resource not accessible by integration. give the job `permissions: issues: write`" in out
    assert github_api.issues() == []
    assert "### ❌ mlgate monitor — breach" in summary.read_text(encoding="utf-8")


def test_s3_capture_in_mlgate_and_sagemaker_formats(
    project: Path, capsys: pytest.CaptureFixture[str], s3_env: Any, s3_bucket: str
) -> None:
    start = now() - dt.timedelta(hours=1)
    rows = records(sample_inputs(400, seed=6, drift=["x2"]), start=start)
    local = write_jsonl(project.parent / "staging", rows)
    key = f"capture/{local.parent.name}/{local.name}"
    s3_env.put_object(Bucket=s3_bucket, Key=key, Body=local.read_bytes())
    code, doc, err = monitor(capsys, project, "--capture", f"s3://{s3_bucket}/capture", "--version", "1")
    assert code == 1, err
    assert (doc["capture"]["files"], doc["capture"]["rows"], drifted_fields(doc)) == (1, 400, {"x2"})

    lines = [sagemaker_line(i, rows[i * 4 : i * 4 + 4], start + dt.timedelta(seconds=i)) for i in range(100)]
    folder = start.strftime("%Y/%m/%d/%H")
    s3_env.put_object(
        Bucket=s3_bucket, Key=f"dc/endpoint/AllTraffic/{folder}/capture.jsonl", Body=("\n".join(lines) + "\n").encode()
    )
    code, doc, err = monitor(capsys, project, "--capture", f"s3://{s3_bucket}/dc/endpoint", "--version", "1")
    assert code == 1, err
    assert (doc["capture"]["rows"], doc["capture"]["malformed"], drifted_fields(doc)) == (400, 0, {"x2"})


def sagemaker_line(index: int, rows: list[dict[str, Any]], when: dt.datetime) -> str:
    """One SageMaker capture line: a 4-row request (odd ones as BASE64 lists in feature order)."""
    inputs = [r["inputs"] for r in rows]
    body = {"instances": [[i["x1"], i["x2"], i["color"]] for i in inputs] if index % 2 else inputs}
    text = json.dumps(body)
    data, encoding = (base64.b64encode(text.encode()).decode(), "BASE64") if index % 2 else (text, "JSON")
    output = json.dumps({"predictions": [predict(i) for i in inputs], "version": "1"})
    return json.dumps(
        {
            "captureData": {
                "endpointInput": {
                    "observedContentType": "application/json",
                    "mode": "INPUT",
                    "data": data,
                    "encoding": encoding,
                },
                "endpointOutput": {
                    "observedContentType": "application/json",
                    "mode": "OUTPUT",
                    "data": output,
                    "encoding": "JSON",
                },
            },
            "eventMetadata": {"eventId": f"event-{index}", "inferenceTime": when.strftime("%Y-%m-%dT%H:%M:%SZ")},
            "eventVersion": "0",
        }
    )


@pytest.mark.slow
def test_end_to_end_serve_with_capture_then_monitor(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The real server captures a clean stream (as version 2) and a drifted one (as version 3, hot-swapped in);
    the monitor flags exactly the drifted columns of each version's traffic."""
    import os

    import httpx
    import pandas as pd
    from sklearn.compose import ColumnTransformer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import OneHotEncoder

    from fakes.serve import running_server
    from mlgate.artifacts import save_model
    from mlgate.registry import LocalRegistry

    folder = project.parent
    train = pd.read_csv(folder / "train.csv")
    model = Pipeline(
        [
            (
                "prep",
                ColumnTransformer(
                    [("cat", OneHotEncoder(handle_unknown="ignore"), ["color"])], remainder="passthrough"
                ),
            ),
            ("model", LogisticRegression()),
        ]
    ).fit(train[["x1", "x2", "color"]], train["label"])
    saved = save_model(model, folder / "served.skops")
    registry = LocalRegistry(folder / "registry")
    like = dataclasses.replace(registry.get("1"), version="", artifact=str(saved.path), sha256=saved.sha256)
    versions = [registry.register(like, saved.path) for _ in range(2)]  # 2 and 3: the same model
    state = folder / ".mlgate" / "serve"
    state.mkdir(parents=True)
    env = dict(os.environ, MLGATE_CAPTURE__PATH=str(folder / "capture"))
    with running_server(state, args=["--capture", "--config", str(project)], env=env, cwd=folder) as server:
        for version, drift, seed in ((versions[0], [], 21), (versions[1], ["x2", "color"], 22)):
            write_pointer(
                state,
                LivePointer(
                    version.version,
                    "rule",
                    version.artifact,
                    version.sha256,
                    (),
                    ("x1", "x2", "color"),
                    "2026-11-22T00:00:00Z",
                ),
            )
            server.wait_for_version(version.version)
            inputs = sample_inputs(400, seed=seed, drift=drift)
            for i in range(0, len(inputs), 50):
                answer = httpx.post(f"{server.url}/invocations", json={"instances": inputs[i : i + 50]}, timeout=10)
                assert answer.status_code == 200, server.log()
        assert server.stop() == 0, server.log()

    code, doc, err = monitor(capsys, project, "--capture", str(folder / "capture"), "--version", "2")
    assert (code, doc["capture"]["rows"], drifted_fields(doc)) == (0, 400, set()), err
    assert doc["notes"] == ["400 captured row(s) were served by other versions and are not judged"]
    code, doc, err = monitor(capsys, project, "--capture", str(folder / "capture"))  # 3 is live
    assert (code, doc["version"], doc["capture"]["rows"], drifted_fields(doc)) == (1, "3", 400, {"x2", "color"}), err
