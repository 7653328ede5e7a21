"""``mlgate schema diff OLD NEW`` end to end through the CLI entry point: output and exit codes."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from mlgate.cli import main

OLD = """\
fields:
  - {name: id, type: integer, constraints: {required: true, unique: true}}
  - {name: age, type: integer, constraints: {minimum: 0, maximum: 120}}
  - {name: color, type: string, constraints: {enum: [red, blue]}}
primaryKey: id
fieldsMatch: superset
"""


@pytest.fixture(autouse=True)
def outside_actions(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)


def write(folder: Path, name: str, text: str) -> str:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_unchanged_schema_exits_0(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    old = write(tmp_path, "old.yaml", OLD)
    new = write(
        tmp_path,
        "new.json",
        json.dumps(
            {
                "fields": [
                    {"name": "id", "type": "integer", "constraints": {"unique": True, "required": True}},
                    {"name": "age", "type": "integer", "constraints": {"maximum": 120, "minimum": 0}},
                    {"name": "color", "constraints": {"enum": ["blue", "red"]}},
                ],
                "primaryKey": ["id"],
                "fieldsMatch": "superset",
            }
        ),
    )

    assert main(["schema", "diff", old, new]) == 0

    out = capsys.readouterr().out
    assert out == f"✓ schema unchanged: {old} -> {new}\n"


def test_loosening_exits_0_but_reports_model_risk(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    old = write(tmp_path, "old.yaml", OLD)
    loosened = OLD.replace("maximum: 120", "maximum: 150").replace("blue]", "blue, green]")
    new = write(tmp_path, "new.yaml", loosened)

    assert main(["schema", "diff", old, new, "--format", "markdown"]) == 0

    out = capsys.readouterr().out
    assert out.startswith("⚠️ 2 schema changes affect the fitted model\n")
    row = r"^\| age +\| maximum-raised +\| 120 +\| 150 +\| ✅ compatible +\| ⚠️ risk +\|$"
    assert re.search(row, out, re.MULTILINE)


def test_breaking_change_exits_1_with_valid_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    old = write(tmp_path, "old.yaml", OLD)
    new = write(tmp_path, "new.yaml", OLD.replace("minimum: 0", "minimum: 18"))

    assert main(["schema", "diff", old, new, "--format", "json"]) == 1

    document = json.loads(capsys.readouterr().out)
    assert document["schema_version"] == 1
    assert document["breaking"] is True
    assert [(c["field"], c["kind"], c["old"], c["new"]) for c in document["changes"]] == [
        ("age", "minimum-raised", 0, 18)
    ]


def test_github_format_is_the_default_inside_actions(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    old = write(tmp_path, "old.yaml", OLD)
    new = write(
        tmp_path,
        "new.yaml",
        OLD.replace("  - {name: color, type: string, constraints: {enum: [red, blue]}}\n", ""),
    )

    assert main(["schema", "diff", old, new]) == 1

    lines = capsys.readouterr().out.splitlines()
    assert lines[1].startswith("::error title=schema%3A field-removed::field 'color': field removed")


def test_invalid_schema_exits_2_naming_the_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    old = write(tmp_path, "old.yaml", OLD)
    bad = write(
        tmp_path,
        "bad.yaml",
        OLD.replace("type: integer, constraints: {minimum", "type: integr, constraints: {minimum"),
    )

    assert main(["schema", "diff", old, bad]) == 2

    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith(f"mlgate: error: {bad}:3: field 'age': unknown type 'integr'")
    assert "did you mean 'integer'?" in captured.err
    assert "Traceback" not in captured.err


def test_missing_schema_exits_2_naming_the_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    old = write(tmp_path, "old.yaml", OLD)
    missing = str(tmp_path / "nope.yaml")

    assert main(["schema", "diff", missing, old]) == 2

    assert f"schema not found: {missing}" in capsys.readouterr().err


def test_unknown_format_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    old = write(tmp_path, "old.yaml", OLD)

    assert main(["schema", "diff", old, old, "--format", "xml"]) == 2

    assert "'xml' is not one of" in capsys.readouterr().err
