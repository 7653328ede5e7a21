"""Renderers of a schema diff: verdict first, escaped values, valid JSON, safe workflow commands."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from mlgate.data.schema import parse_schema
from mlgate.data.schema_diff import SchemaChange, SchemaDiff, diff_schemas
from mlgate.report.schema_diff import (
    describe_verdict,
    render_github,
    render_json,
    render_markdown,
    render_text,
)

JSON_SCHEMA = Path(__file__).resolve().parents[3] / "docs" / "schemas" / "schema-diff.schema.json"

REMOVED = SchemaChange("age", "field-removed", "integer", None, "breaking", "retrain", "field 'age': removed")
RAISED = SchemaChange("income", "minimum-raised", 0, 10.5, "breaking", "none", "field 'income': min raised")
ADDED = SchemaChange("color", "enum-value-added", None, ("green",), "compatible", "retrain", "color: new")
TITLE = SchemaChange("color", "title-changed", None, "Colour", "none", "none", "field 'color': title changed")
NASTY = SchemaChange(
    "a|b\n<script>`x`",
    "pattern-changed",
    "^a|b$",
    "x\r\ny\\",
    "breaking",
    "risk",
    "50% done\r\n::error::pwned",
)


def validate_json(text: str) -> dict[str, Any]:
    schema = json.loads(JSON_SCHEMA.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    document: dict[str, Any] = json.loads(text)
    jsonschema.Draft202012Validator(schema).validate(document)
    return document


@pytest.mark.parametrize(
    ("changes", "verdict"),
    [
        ((), "schema unchanged"),
        ((RAISED,), "1 breaking schema change"),
        ((REMOVED, RAISED, ADDED), "2 breaking schema changes"),
        ((ADDED,), "1 schema change affects the fitted model"),
        ((ADDED, ADDED), "2 schema changes affect the fitted model"),
        ((TITLE, TITLE), "2 schema changes, none breaking"),
    ],
)
def test_verdict_counts_what_matters_most(changes: tuple[SchemaChange, ...], verdict: str) -> None:
    assert describe_verdict(SchemaDiff(changes)) == verdict


def test_markdown_puts_the_verdict_first_then_the_table() -> None:
    text = render_markdown(SchemaDiff((REMOVED, RAISED, ADDED, TITLE)), "old.yaml", "new.yaml")

    lines = text.splitlines()
    assert lines[0] == "❌ 2 breaking schema changes"
    assert lines[2] == "old.yaml → new.yaml"
    assert re.fullmatch(r"\| Field +\| Change +\| Old +\| New +\| Contract +\| Model +\|", lines[4])
    assert re.fullmatch(r"\|(-+\|){6}", lines[5])
    cells = [[cell.strip() for cell in line.strip("|").split("|")] for line in lines[6:10]]
    assert cells == [
        ["age", "field-removed", "integer", "—", "❌ breaking", "🔁 retrain"],
        ["income", "minimum-raised", "0", "10.5", "❌ breaking", "—"],
        ["color", "enum-value-added", "—", "green", "✅ compatible", "🔁 retrain"],
        ["color", "title-changed", "—", "Colour", "—", "—"],
    ]
    assert "- field 'income': min raised" in lines
    assert text.endswith("</details>\n")


def test_markdown_for_no_changes_is_one_verdict() -> None:
    text = render_markdown(SchemaDiff(), "a.yaml", "b.yaml")

    assert text == "✅ schema unchanged\n\na.yaml → b.yaml\n"


def test_markdown_escapes_values_so_they_cannot_break_the_table_or_inject_html() -> None:
    text = render_markdown(SchemaDiff((NASTY,)), "x|`y`.yaml", "<b>_c_.yaml")

    row = next(line for line in text.splitlines() if "pattern-changed" in line)
    assert row.startswith("| a\\|b &lt;script&gt;\\`x\\`")
    assert len(re.findall(r"(?<!\\)\|", row)) == 7  # only the column separators
    assert "^a\\|b$" in row
    assert "x  y\\" in row
    assert "<script" not in text
    assert not re.search(r"(?<!\\)`", text)  # every backtick escaped: none opens a code span
    assert "<b>" not in text
    assert "x\\|\\`y\\`.yaml → &lt;b&gt;\\_c\\_.yaml" in text
    assert "- 50% done  ::error::pwned" in text  # the explanation stays on its bullet line


def test_markdown_truncates_long_values() -> None:
    many = SchemaChange(
        "c", "enum-value-added", None, tuple(f"v{i:03}" for i in range(100)), "compatible", "retrain", "m"
    )
    row = next(line for line in render_markdown(SchemaDiff((many,)), "a", "b").splitlines() if "| c " in line)

    assert "v000, v001" in row
    assert "v099" not in row
    assert "…" in row


def test_json_is_versioned_and_validates_against_its_schema() -> None:
    document = validate_json(render_json(SchemaDiff((REMOVED, ADDED, NASTY)), "old.yaml", "new.yaml"))

    assert document["schema_version"] == 1
    assert document["breaking"] is True
    assert document["needs_retrain"] is True
    assert document["summary"] == {"changes": 3, "breaking": 2, "retrain": 2, "risk": 1}
    assert document["changes"][1] == {
        "field": "color",
        "kind": "enum-value-added",
        "old": None,
        "new": ["green"],
        "contract": "compatible",
        "model": "retrain",
        "message": "color: new",
    }
    assert document["changes"][2]["field"] == "a|b\n<script>`x`"


def test_json_of_a_real_diff_with_many_kinds_validates() -> None:
    old = parse_schema(
        {
            "fields": [
                {"name": "d", "type": "date", "constraints": {"minimum": "2020-01-01"}},
                {"name": "n", "type": "number"},
                {"name": "s", "x-mlgate": {"drift": {"psi": 0.1}}},
            ],
            "uniqueKeys": [["d", "n"]],
            "x-mlgate": {"rowCount": {"max": 10}},
        }
    )
    new = parse_schema(
        {
            "fields": [
                {"name": "n", "type": "integer", "constraints": {"maximum": 1e308}},
                {"name": "d", "type": "date", "constraints": {"minimum": "2021-01-01"}},
                {"name": "s", "x-mlgate": {"drift": {"psi": 0.3}}},
            ],
            "missingValues": ["", "NA"],
            "fieldsMatch": "partial",
        }
    )
    diff = diff_schemas(old, new)

    document = validate_json(render_json(diff, "old", "new"))

    assert len(document["changes"]) == len(diff.changes) >= 8
    kinds = {c["kind"] for c in document["changes"]}
    assert {"unique-key-removed", "drift-changed", "fields-reordered"} <= kinds


def test_json_of_no_changes_validates() -> None:
    document = validate_json(render_json(SchemaDiff(), "a", "b"))

    assert (document["breaking"], document["changes"]) == (False, [])


def test_github_annotates_breaking_changes_as_errors_and_model_risks_as_warnings() -> None:
    text = render_github(SchemaDiff((REMOVED, ADDED, TITLE)), "old.yaml", "new.yaml")

    assert text.splitlines() == [
        "✗ 1 breaking schema change: old.yaml -> new.yaml",
        "::error title=schema%3A field-removed::field 'age': removed",
        "::warning title=schema%3A enum-value-added::color: new",
        "  · field 'color': title changed",
    ]


def test_github_escapes_command_data_and_properties() -> None:
    change = SchemaChange("f", "odd:kind,x", None, None, "compatible", "risk", "50% done\r\n::error::pwned")

    text = render_github(SchemaDiff((change, NASTY)), "a", "b")

    lines = text.splitlines()
    assert lines[1] == "::warning title=schema%3A odd%3Akind%2Cx::50%25 done%0D%0A::error::pwned"
    assert lines[2] == "::error title=schema%3A pattern-changed::50%25 done%0D%0A::error::pwned"
    assert len(lines) == 3


def test_github_plain_lines_cannot_become_workflow_commands() -> None:
    harmless = SchemaChange(None, "title-changed", None, "t", "none", "none", "::error::pwned\n::warning::x")

    lines = render_github(SchemaDiff((harmless,)), "::error::a", "b").splitlines()

    assert not any(line.lstrip().startswith("::") for line in lines)
    assert lines[1] == "  · :\u200b:error::pwned\\x0a::warning::x"


def test_text_lists_each_change_with_a_mark_on_one_line() -> None:
    text = render_text(SchemaDiff((RAISED, ADDED, TITLE, NASTY)), "old.yaml", "new\x1b[31m.yaml")

    assert text.splitlines() == [
        "✗ 2 breaking schema changes: old.yaml -> new\\x1b[31m.yaml",
        "  ✗ field 'income': min raised  [minimum-raised]",
        "  ! color: new  [enum-value-added]",
        "  · field 'color': title changed  [title-changed]",
        "  ✗ 50% done\\x0d\\x0a::error::pwned  [pattern-changed]",
    ]
    assert render_text(SchemaDiff(), "a", "b") == "✓ schema unchanged: a -> b\n"
