"""Drift configured in the schema shows up in every output format of `mlgate validate`."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from mlgate.cli import main

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "churn"


@pytest.fixture
def drifted(tmp_path: Path) -> Path:
    with (EXAMPLE / "data" / "train.csv").open(encoding="utf-8") as source:
        rows = list(csv.DictReader(source))
    for row in rows:
        row["monthly_charges"] = str(round(float(row["monthly_charges"]) * 1.6, 2))
    with (tmp_path / "shifted.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    schema = (EXAMPLE / "schema.yaml").read_text(encoding="utf-8")
    schema = schema.replace("x-mlgate:\n  rowCount", "x-mlgate:\n  drift: {reference: train.stats.json}\n  rowCount")
    (tmp_path / "schema.yaml").write_text(schema, encoding="utf-8")
    stats = ["schema", "stats", str(EXAMPLE / "data" / "train.csv"), "-o", str(tmp_path / "train.stats.json")]
    assert main([*stats, "--schema", str(tmp_path / "schema.yaml")]) == 0
    return tmp_path


def test_drift_is_a_warning_by_default(drifted: Path, capsys: pytest.CaptureFixture[str]) -> None:
    capsys.readouterr()
    code = main(
        ["validate", str(drifted / "shifted.csv"), "--schema", str(drifted / "schema.yaml"), "--format", "json"]
    )
    data = json.loads(capsys.readouterr().out)
    assert code == 0
    drift = [v for v in data["files"][0]["violations"] if v["check"] == "drift"]
    assert [v["field"] for v in drift] == ["monthly_charges"]
    assert drift[0]["severity"] == "warning"
    fields = {f["field"]: f for f in data["files"][0]["drift"]["fields"]}
    assert fields["monthly_charges"]["drifted"] is True
    assert fields["tenure_months"]["drifted"] is False


def test_unchanged_data_does_not_drift(drifted: Path, capsys: pytest.CaptureFixture[str]) -> None:
    lines = (EXAMPLE / "data" / "train.csv").read_text(encoding="utf-8").splitlines()
    (drifted / "reordered.csv").write_text("\n".join([lines[0], *reversed(lines[1:])]) + "\n", encoding="utf-8")
    capsys.readouterr()
    code = main(["validate", str(drifted / "reordered.csv"), "--schema", str(drifted / "schema.yaml")])
    out = capsys.readouterr().out
    assert code == 0
    assert "no drift: 0 of 9 fields drifted" in out


def test_the_reference_data_is_never_compared_with_itself(drifted: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """By digest: the very bytes the statistics were made from, wherever they lie, are not checked for drift."""
    copy = drifted / "copy-of-train.csv"
    copy.write_bytes((EXAMPLE / "data" / "train.csv").read_bytes())
    args = [str(EXAMPLE / "data" / "train.csv"), str(copy), str(drifted / "shifted.csv")]
    capsys.readouterr()
    code = main(["validate", *args, "--schema", str(drifted / "schema.yaml"), "--format", "json"])
    files = json.loads(capsys.readouterr().out)["files"]
    assert code == 0
    reason = "the reference statistics were made from it (same SHA-256)"
    assert [f.get("drift_skipped") for f in files] == [reason, reason, None]
    assert ["drift" in f for f in files] == [False, False, True]
    main(["validate", *args[:1], "--schema", str(drifted / "schema.yaml")])
    assert f"  note: drift not checked: {reason}\n" in capsys.readouterr().out


def test_statistics_without_a_digest_recognise_their_source_by_path(
    drifted: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    stats = json.loads((drifted / "train.stats.json").read_text(encoding="utf-8"))
    assert stats["source_bytes"] == (EXAMPLE / "data" / "train.csv").stat().st_size
    del stats["source_bytes"], stats["source_sha256"]  # as written by mlgate 0.1.0
    stats["source"] = "data/train.csv"  # relative to the project folder it was made in
    (drifted / "train.stats.json").write_text(json.dumps(stats), encoding="utf-8")
    monkeypatch.chdir(EXAMPLE)
    capsys.readouterr()
    args = ["data/train.csv", str(drifted / "shifted.csv"), "--schema", str(drifted / "schema.yaml")]
    assert main(["validate", *args, "--format", "json"]) == 0
    files = json.loads(capsys.readouterr().out)["files"]
    assert [f.get("drift_skipped") for f in files] == ["the reference statistics were made from it (same file)", None]


def test_markdown_and_github_carry_drift(drifted: Path, capsys: pytest.CaptureFixture[str]) -> None:
    args = ["validate", str(drifted / "shifted.csv"), "--schema", str(drifted / "schema.yaml")]
    capsys.readouterr()
    main([*args, "--format", "markdown"])
    markdown = capsys.readouterr().out
    assert "Drift against the reference" in markdown
    main([*args, "--format", "github"])
    github = capsys.readouterr().out
    assert "::warning file=" in github
    assert "title=monthly_charges%3A drift::" in github


def test_missing_reference_is_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    schema = (
        (EXAMPLE / "schema.yaml")
        .read_text(encoding="utf-8")
        .replace("x-mlgate:\n", "x-mlgate:\n  drift: {reference: nope.json}\n")
    )
    (tmp_path / "schema.yaml").write_text(schema, encoding="utf-8")
    code = main(["validate", str(EXAMPLE / "data" / "test.csv"), "--schema", str(tmp_path / "schema.yaml")])
    assert code == 2
    assert "nope.json" in capsys.readouterr().err
