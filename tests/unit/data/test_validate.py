from __future__ import annotations

import gzip
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from mlgate.config import CsvConfig
from mlgate.data.results import FileResult
from mlgate.data.schema import parse_schema
from mlgate.data.validate import validate_file

SCHEMA: dict[str, Any] = {
    "fields": [
        {"name": "id", "type": "string", "constraints": {"required": True, "unique": True}},
        {"name": "n", "type": "integer", "constraints": {"minimum": 0}},
        {"name": "note", "type": "string"},
    ]
}


def run(path: Path, schema: dict[str, Any] = SCHEMA, **csv: Any) -> FileResult:
    return validate_file(str(path), parse_schema(schema), csv=CsvConfig(**csv))


def found(result: FileResult) -> dict[tuple[str | None, str], tuple[tuple[int, ...], tuple[int, ...] | None]]:
    return {(v.field, v.check): (v.rows, v.lines) for v in result.violations}


def test_rows_and_lines_differ_after_quoted_newlines_and_blank_lines(tmp_path: Path) -> None:
    path = tmp_path / "d.csv"
    path.write_text('id,n,note\na,1,"two\nlines"\n\nb,-1,x\nb,2,y\n', encoding="utf-8")
    result = run(path)
    assert found(result) == {
        (None, "blank-row"): ((3,), (4,)),
        ("n", "minimum"): ((4,), (5,)),
        ("id", "unique"): ((5,), (6,)),
    }
    assert result.rows == 4


def test_regular_file_lines_equal_rows_and_ragged_rows_shift_nothing(tmp_path: Path) -> None:
    path = tmp_path / "d.csv"
    path.write_text("id,n,note\na,1,x\nb,2\nc,-5,z\n", encoding="utf-8")
    result = run(path)
    assert found(result) == {(None, "missing-cell"): ((3,), (3,)), ("n", "minimum"): ((4,), (4,))}


def test_crlf_and_bom(tmp_path: Path) -> None:
    path = tmp_path / "d.csv"
    path.write_bytes(b"\xef\xbb\xbfid,n,note\r\na,1,x\r\na,-2,y\r\n")
    assert found(run(path)) == {("n", "minimum"): ((3,), (3,)), ("id", "unique"): ((3,), (3,))}


def test_gzip_has_rows_but_no_lines(tmp_path: Path) -> None:
    path = tmp_path / "d.csv.gz"
    path.write_bytes(gzip.compress(b"id,n,note\na,-1,x\n"))
    result = run(path)
    assert result.format == "csv.gz"
    assert found(result) == {("n", "minimum"): ((2,), None)}


def test_parquet_typed_columns(tmp_path: Path) -> None:
    path = tmp_path / "d.parquet"
    table = pa.table(
        {"id": ["a", "b", "a", None], "n": pa.array([1, -1, 3, None], pa.int64()), "note": ["", "", "", "x"]}
    )
    pq.write_table(table, path)
    result = run(path)
    assert found(result) == {
        ("id", "required"): ((5,), None),
        ("id", "unique"): ((4,), None),
        ("n", "minimum"): ((3,), None),
    }
    unique = next(v for v in result.violations if v.check == "unique")
    assert unique.first_rows == (2,)
    assert unique.examples == ("a",)


def test_delimiter_and_header_only_file(tmp_path: Path) -> None:
    path = tmp_path / "d.csv"
    path.write_text("id;n;note\n", encoding="utf-8")
    result = run(path, delimiter=";")
    assert result.valid
    assert result.rows == 0


def test_row_count_null_fraction_and_warning_severity(tmp_path: Path) -> None:
    schema = {
        "fields": [
            {"name": "id", "type": "string"},
            {"name": "n", "type": "integer", "x-mlgate": {"maxNullFraction": 0.25, "severity": "warning"}},
        ],
        "x-mlgate": {"rowCount": {"min": 5}},
    }
    path = tmp_path / "d.csv"
    path.write_text("id,n\na,\nb,\nc,1\n", encoding="utf-8")
    result = run(path, schema)
    checks = {(v.field, v.check): v for v in result.violations}
    assert checks[(None, "row-count")].severity == "error"
    assert checks[("n", "null-fraction")].severity == "warning"
    assert "66.7%" in checks[("n", "null-fraction")].message
    assert not result.valid


def test_every_violation_is_counted_exactly(tmp_path: Path) -> None:
    path = tmp_path / "d.csv"
    rows = "".join(f"r{i},{-1 if i % 7 == 0 else i},x\n" for i in range(30_000))
    path.write_text("id,n,note\n" + rows, encoding="utf-8")
    result = validate_file(str(path), parse_schema(SCHEMA), csv=CsvConfig(block_size_mb=0.05), max_examples=2)
    minimum = next(v for v in result.violations if v.check == "minimum")
    expected = [i + 2 for i in range(30_000) if i % 7 == 0]
    assert minimum.count == len(expected) == len(minimum.rows)
    assert list(minimum.rows) == expected
    assert minimum.examples == ("-1",)


def test_composite_primary_key(tmp_path: Path) -> None:
    schema = {"fields": [{"name": "a"}, {"name": "b", "type": "integer"}], "primaryKey": ["a", "b"]}
    path = tmp_path / "d.csv"
    path.write_text("a,b\nx,1\nx,2\nx,1\n,3\n", encoding="utf-8")
    result = run(path, schema)
    assert found(result) == {("a, b", "primary-key"): ((4,), (4,)), ("a", "required"): ((5,), (5,))}


def test_records_with_every_cell_missing_are_blank_rows(tmp_path: Path) -> None:
    path = tmp_path / "d.csv"
    path.write_text("id,n,note\na,1,x\n,,\nb,2,y\n", encoding="utf-8")
    result = run(path)
    assert found(result) == {(None, "blank-row"): ((3,), (3,))}


def test_an_empty_batch_keeps_duplicate_examples_readable_from_their_keys() -> None:
    """A zero-row batch (an empty Parquet row group) must not turn reading values back from keys off."""
    from mlgate.data.collect import Collector
    from mlgate.data.scan import arrow_table, scan
    from mlgate.data.validate import ConstraintChecker

    schema = parse_schema({"fields": [{"name": "id", "type": "string", "constraints": {"unique": True}}]})
    checker = ConstraintChecker(schema, {"id": 0}, Collector(5))
    batches = [
        pa.record_batch([pa.array([], pa.string())], names=["id"]),
        pa.record_batch([pa.array(["a", "b", "a"])], names=["id"]),
    ]
    scan(arrow_table("ids", pa.Table.from_batches(batches)), schema, {"id": 0}, [checker])
    [(_names, tracker)] = checker.trackers.values()
    assert tracker.packed
    assert tracker.duplicates()[0].tolist() == [2]


def test_duplicates_without_examples_need_no_second_read(tmp_path: Path) -> None:
    """``--max-examples 0``: a repeated integer key used to crash the example read (an empty list of rows)."""
    path = tmp_path / "d.csv"
    path.write_text("id,n,note\na,1,x\nb,1,y\n", encoding="utf-8")
    schema = {
        "fields": [{"name": "id"}, {"name": "n", "type": "integer", "constraints": {"unique": True}}, {"name": "note"}]
    }
    result = validate_file(str(path), parse_schema(schema), csv=CsvConfig(), max_examples=0)
    assert [(v.field, v.check, v.rows, v.examples) for v in result.violations] == [("n", "unique", (3,), ())]


def test_captured_data_in_memory_is_validated_as_a_file_would_be() -> None:
    from mlgate.data.scan import arrow_table
    from mlgate.data.validate import validate_table

    table = arrow_table("captured", pa.table({"id": ["a", "a", None], "n": ["1", "-2", "3"], "note": ["", "", ""]}))
    result = validate_table(table, parse_schema(SCHEMA), csv=CsvConfig())
    assert (result.path, result.format, result.rows) == ("captured", "arrow", 3)
    assert found(result) == {
        ("n", "minimum"): ((3,), None),
        ("id", "unique"): ((3,), None),
        ("id", "required"): ((4,), None),
    }
    assert [v.examples for v in result.violations if v.check == "unique"] == [("a",)]
