from __future__ import annotations

import json

from mlgate.data.results import FileResult, ValidationResult, Violation
from mlgate.report.validation import render_github, render_json, render_markdown, render_text


def result(field: str = "id", example: object = "ID-1") -> ValidationResult:
    violation = Violation(
        field=field,
        check="unique",
        severity="error",
        count=2,
        rows=(4, 9),
        message="repeats an earlier row",
        lines=(5, 10),
        examples=(example,),
        first_rows=(2, 3),
    )
    files = (FileResult(path="data/a,b.csv", format="csv", rows=10, fields=3, seconds=0.1, violations=(violation,)),)
    return ValidationResult(schema="schema.yaml", files=files)


def test_text_leads_with_the_verdict() -> None:
    text = render_text(result())
    assert text.splitlines()[0] == "✗ data/a,b.csv — 10 rows, 3 fields: 2 violations in 1 field (0.1 s)"
    assert '"ID-1" (first at row 2)' in text


def test_github_annotations_use_lines_and_escape_properties() -> None:
    out = render_github(result(), limit=1).splitlines()
    assert out[0] == "::error file=data/a%2Cb.csv,line=5,title=id%3A unique::row 4: repeats row 2"
    assert out[1] == "::notice::1 more violations were not annotated (limit 1); see --format json"


def test_markdown_escapes_data() -> None:
    md = render_markdown(result(field="a|b", example="<script>|`x`"))
    assert "<script>" not in md
    assert "a\\|b" in md
    assert md.startswith("### ❌ Data invalid")


def test_json_is_versioned() -> None:
    data = json.loads(render_json(result()))
    assert data["schema_version"] == 1
    assert data["files"][0]["violations"][0]["first_rows"] == [2, 3]


def test_annotation_values_are_only_attached_where_they_belong() -> None:
    violation = Violation(
        field="age",
        check="maximum",
        severity="error",
        count=3,
        rows=(2, 3, 4),
        message="above maximum 120",
        lines=(2, 3, 4),
        examples=("150", "200"),  # rows 2 and 3 both hold 150; row 4 holds 200
    )
    files = (FileResult(path="a.csv", format="csv", rows=3, fields=1, seconds=0.0, violations=(violation,)),)
    lines = render_github(ValidationResult(schema="s.yaml", files=files)).splitlines()
    assert lines[0].endswith('::row 2: above maximum 120 (value "150")')
    assert lines[1].endswith("::row 3: above maximum 120")
    assert lines[2].endswith("::row 4: above maximum 120")
