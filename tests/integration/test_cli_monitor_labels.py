"""``mlgate monitor --labels`` end to end: label problems are named warnings or an input error, never a silent
drop and never a false breach (another encoding of the labels, ids that match nothing, retried requests,
missing and unusable values)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

from mlgate.cli import main
from schemas import schema_validator
from unit.monitor.helpers import make_project, records, sample_inputs, write_jsonl


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return make_project(tmp_path / "project")


@pytest.fixture
def captured(project: Path) -> tuple[Path, list[dict[str, Any]]]:
    """300 one-row requests of the last hour, predictions by the project's rule (booleans)."""
    rows = records(sample_inputs(300, seed=3), start=dt.datetime.now(dt.timezone.utc) - dt.timedelta(hours=1))
    folder = project.parent / "capture"
    write_jsonl(folder, rows)
    return folder, rows


def monitor(
    capsys: pytest.CaptureFixture[str], config: Path, capture: Path, labels: Path
) -> tuple[int, dict[str, Any], str]:
    args = ["monitor", "--config", str(config), "--format", "json", "--version", "1", "--capture", str(capture)]
    code = main([*args, "--labels", str(labels)])
    out, err = capsys.readouterr()
    document = json.loads(out) if out.strip() else {}
    if document:
        schema_validator("monitor.schema.json").validate(document)
    return code, document, err


def write_labels(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(["request_id,label", *lines]) + "\n", encoding="utf-8")
    return path


def issue_codes(document: dict[str, Any]) -> list[str]:
    return [i["code"] for i in document["labels"]["issues"]]


def test_labels_encoded_one_zero_against_true_false_predictions_are_an_input_error(
    project: Path, captured: tuple[Path, list[dict[str, Any]]], capsys: pytest.CaptureFixture[str]
) -> None:
    folder, rows = captured
    labels = write_labels(project.parent / "labels.csv", [f"{r['request_id']},{int(r['prediction'])}" for r in rows])
    code, document, err = monitor(capsys, project, folder, labels)
    assert (code, document) == (2, {})
    assert "no label value is one the model predicts: the labels hold 0, 1, the predictions false, true" in err
    assert "hint: encode the labels as the target is encoded in the training data" in err
    assert "Traceback" not in err


def test_ids_that_match_nothing_warn_and_compute_nothing(
    project: Path, captured: tuple[Path, list[dict[str, Any]]], capsys: pytest.CaptureFixture[str]
) -> None:
    folder, _ = captured
    labels = write_labels(project.parent / "labels.csv", [f"order-{i},true" for i in range(50)])
    code, document, _ = monitor(capsys, project, folder, labels)
    assert (code, document["verdict"], document["labels"]["matched"], document["labels"]["metrics"]) == (
        0,
        "healthy",
        0,
        [],
    )
    assert issue_codes(document) == ["labels-unmatched"]
    assert any(
        w.startswith("labels-unmatched: none of the 50 labels matches a captured row in the window")
        for w in document["warnings"]
    )


def test_a_retried_request_is_joined_once(
    project: Path, captured: tuple[Path, list[dict[str, Any]]], capsys: pytest.CaptureFixture[str]
) -> None:
    folder, rows = captured
    retry = dict(rows[7], ts=rows[-1]["ts"])  # the client retried req-7 with the same X-Request-Id
    write_jsonl(folder, [retry], seq=2)
    labelled = rows[:222]
    labels = write_labels(
        project.parent / "labels.csv", [f"{r['request_id']},{str(r['prediction']).lower()}" for r in labelled]
    )
    code, document, _ = monitor(capsys, project, folder, labels)
    assert (document["labels"]["labels"], document["labels"]["matched"]) == (222, 222)  # not "223 matched"
    assert issue_codes(document) == ["labels-retried"]
    assert {m["metric"]: m["live"] for m in document["labels"]["metrics"]}["accuracy"] == 1.0
    assert code == 0


def test_missing_and_repeated_labels_are_named_and_the_rest_scored(
    project: Path, captured: tuple[Path, list[dict[str, Any]]], capsys: pytest.CaptureFixture[str]
) -> None:
    folder, rows = captured
    lines = [f"{r['request_id']},{str(r['prediction']).lower()}" for r in rows[:100]]
    lines += [f"{rows[100]['request_id']},n/a", f"{rows[101]['request_id']},", lines[0]]
    labels = write_labels(project.parent / "labels.csv", lines)
    code, document, _ = monitor(capsys, project, folder, labels)
    assert (code, document["labels"]["matched"]) == (0, 100)
    assert issue_codes(document) == ["labels-missing", "labels-duplicate", "labels-missing"]
    messages = [i["message"] for i in document["labels"]["issues"]]
    assert (
        messages[0] == f"1 label of 103 in {labels} has no request id or no 'label' value (line 103: empty): left out"
    )
    assert messages[2] == "1 matched label(s) are a missing value (n/a), not one of the model's classes: left out"
    text = main(
        ["monitor", "--config", str(project), "--version", "1", "--capture", str(folder), "--labels", str(labels)]
    )
    out = capsys.readouterr().out
    assert text == 0
    assert "  ⚠ labels-missing: 1 matched label(s) are a missing value (n/a)" in out
    assert "live metrics: 100 rows matched a label (of 101)" in out
