"""``mlgate replay`` through the CLI: a real model (version 2) replayed over traffic the live rule (version 1)
answered, with and without labels, its gates, and the inputs it must refuse."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from mlgate.cli import main
from schemas import schema_validator
from unit.monitor.helpers import sample_inputs
from unit.replay.helpers import make_replay_project, register_tree


def replay(capsys: pytest.CaptureFixture[str], config: Path, *args: str) -> tuple[int, dict[str, Any], str]:
    code = main(["replay", "--config", str(config), "--format", "json", *args])
    captured = capsys.readouterr()
    document = json.loads(captured.out) if captured.out.strip() else {}
    if document:
        schema_validator("replay.schema.json").validate(document)
    return code, document, captured.err


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """Version 1 (the rule) live; 600 captured requests it answered in the last hours."""
    return make_replay_project(tmp_path / "p", extra="replay: {min_rows: 50, max_disagreement: 0.05}\n")


def test_a_version_that_answers_alike_passes_with_its_interval(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    version = register_tree(project.parent, 0.0)
    code, document, err = replay(capsys, project, version)
    assert code == 0, err
    assert (document["verdict"], document["live_version"], document["rows"], document["replayed"]) == (
        "pass",
        "1",
        600,
        600,
    )
    rate = document["disagreement"]
    assert rate["low"] <= rate["share"] <= rate["high"] <= 0.05
    assert document["gates"][0]["name"] == "disagreement"


def test_a_version_that_disagrees_fails_and_shows_where_and_which_requests(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    version = register_tree(project.parent, 0.5)
    code, document, _ = replay(capsys, project, version)
    assert code == 1
    assert document["verdict"] == "fail"
    inputs = sample_inputs(600, seed=9)
    expected = sum(1 for row in inputs if 0.0 < row["x1"] <= 0.5)
    assert abs(document["disagreement"]["count"] - expected) <= 6  # the tree's split is near 0.5, not exactly on it
    by_bin = {s["value"]: s["rate"]["share"] for s in document["segments"] if s["feature"] == "x1"}
    assert max(by_bin.values()) > 0.3
    assert min(by_bin.values()) == 0.0  # the lowest quartile: both say False
    flip_ids = {f["request_id"] for f in document["flips"]}
    assert flip_ids <= {f"req-{i}" for i, row in enumerate(inputs) if 0.0 < row["x1"] <= 0.6}
    assert "disagreement:" in document["reason"]
    code = main(["replay", "--config", str(project), version, "--format", "text"])
    text = capsys.readouterr().out
    assert text.startswith(f"✗ replay fail: version {version} vs live version 1")
    assert "Disagreement by segment" in text
    assert "Disagreements (first in the window):" in text


def test_labels_give_the_paired_quality_difference(
    project: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    version = register_tree(project.parent, 0.2)
    inputs = sample_inputs(600, seed=9)
    labels = tmp_path / "labels.csv"
    labels.write_text(
        "request_id,label\n" + "".join(f"req-{i},{str(row['x1'] > 0.2).lower()}\n" for i, row in enumerate(inputs)),
        encoding="utf-8",
    )
    code, document, _ = replay(capsys, project, version, "--labels", str(labels))
    quality = document["quality"]
    assert quality["metric"] == "accuracy"
    assert quality["estimate"] > 0
    assert quality["low"] > 0  # the version that matches the labels is better, and sure of it
    assert quality["method"] == "McNemar (exact)"
    assert quality["n"] == 600
    assert code == 1  # it disagrees with the live rule more than 5 %: the disagreement gate still fails


def test_too_little_traffic_is_inconclusive_and_fails_closed(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    version = register_tree(project.parent, 0.0)
    code, document, _ = replay(capsys, project, version, "--since", "1m")
    assert code == 1
    assert document["verdict"] == "inconclusive"
    assert "replayable row(s) in the window" in document["reason"]


def test_unusable_requests_are_refused_with_exit_2(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = replay(capsys, project, "1")
    assert code == 2
    assert "version 1 is the live version" in err
    code, _, err = replay(capsys, project, "9")
    assert code == 2
    assert "9" in err
    assert "Traceback" not in err


def test_without_a_version_the_newest_approved_one_is_replayed(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = replay(capsys, project)
    assert code == 2
    assert "no approved version other than the live version 1 to replay" in err
    version = register_tree(project.parent, 0.0)
    assert main(["registry", "approve", version, "--reason", "r", "--by", "a", "--config", str(project)]) == 0
    capsys.readouterr()
    code, document, err = replay(capsys, project)
    assert (code, document["version"]) == (0, version), err


def test_capture_on_s3(project: Path, capsys: pytest.CaptureFixture[str], s3_env: Any, s3_bucket: str) -> None:
    version = register_tree(project.parent, 0.0)
    local = next((project.parent / ".mlgate" / "capture").rglob("*.jsonl"))
    s3_env.put_object(Bucket=s3_bucket, Key=f"capture/{local.parent.name}/{local.name}", Body=local.read_bytes())
    code, document, err = replay(capsys, project, version, "--capture", f"s3://{s3_bucket}/capture")
    assert code == 0, err
    assert (document["location"], document["replayed"]) == (f"s3://{s3_bucket}/capture", 600)
