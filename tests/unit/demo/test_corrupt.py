"""A corrupted copy of a dataset: chosen from the schema, written to a copy, found by the real validation."""

from __future__ import annotations

from pathlib import Path

import pytest

from mlgate.config import CsvConfig
from mlgate.data.schema import parse_schema
from mlgate.data.validate import validate_files
from mlgate.demo.corrupt import count_records, plan_corruptions, write_corrupted_copy
from mlgate.errors import InputError

SCHEMA = {
    "fields": [
        {"name": "id", "type": "string", "constraints": {"required": True, "unique": True}},
        {"name": "age", "type": "integer", "constraints": {"minimum": 0, "maximum": 120}},
        {"name": "plan", "type": "string", "constraints": {"enum": ["basic", "premium"]}},
        {"name": "score", "type": "number", "constraints": {"maximum": 1}},
        {"name": "label", "type": "boolean"},
    ]
}


def write_data(path: Path, rows: int = 40) -> Path:
    lines = ["id,age,plan,score,label"]
    lines += [
        f"c{i},{20 + i % 50},{'basic' if i % 2 else 'premium'},{(i % 10) / 10},{'true' if i % 3 else 'false'}"
        for i in range(rows)
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_plan_picks_one_field_per_kind_of_violation_and_spares_the_target() -> None:
    schema = parse_schema(SCHEMA)
    plan = plan_corruptions(schema, records=40, target="label")
    assert [(c.field, c.why, c.value) for c in plan] == [
        ("age", "not a number", "twelve"),
        ("id", "empty required cell", ""),
        ("score", "far above the maximum", "17"),
        ("plan", "outside the allowed values", "not-a-category"),
    ]
    rows = [r for c in plan for r in c.records]
    assert len(rows) == len(set(rows))
    assert all(1 <= r <= 40 for r in rows)


def test_the_copy_keeps_the_original_and_every_corruption_is_found(tmp_path: Path) -> None:
    source = write_data(tmp_path / "train.csv")
    original = source.read_text(encoding="utf-8")
    schema = parse_schema(SCHEMA)
    plan = plan_corruptions(schema, records=count_records(source), target="label")
    copy = tmp_path / "bad" / "train.csv"
    write_corrupted_copy(source, copy, plan, csv_config=CsvConfig())
    assert source.read_text(encoding="utf-8") == original
    result = validate_files([str(copy)], schema, csv=CsvConfig(), max_examples=5)
    assert not result.valid
    found = {(v.field, r - 1) for f in result.files for v in f.violations for r in v.rows}
    for corruption in plan:
        assert {(corruption.field, r) for r in corruption.records} <= found


def test_too_few_rows_to_corrupt_is_an_input_error() -> None:
    with pytest.raises(InputError, match="too few to corrupt"):
        plan_corruptions(parse_schema(SCHEMA), records=5)


def test_a_schema_without_types_or_constraints_has_nothing_to_corrupt() -> None:
    with pytest.raises(InputError, match="nothing to corrupt"):
        plan_corruptions(parse_schema({"fields": [{"name": "a"}, {"name": "b"}]}), records=40)
