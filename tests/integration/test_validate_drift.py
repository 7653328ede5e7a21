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
    capsys.readouterr()
    code = main(["validate", str(EXAMPLE / "data" / "train.csv"), "--schema", str(drifted / "schema.yaml")])
    out = capsys.readouterr().out
    assert code == 0
    assert "no drift: 0 of 9 fields drifted" in out


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
