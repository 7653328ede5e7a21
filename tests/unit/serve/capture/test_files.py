"""Capture files: names and day folders, the JSONL and Parquet sinks, partial files, Parquet's types."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from mlgate.serve.capture.files import (
    JsonlSink,
    ParquetSink,
    SchemaMismatch,
    capture_path,
    infer_array,
    open_sink,
    partial_path,
    rows_table,
)
from mlgate.serve.capture.records import CaptureRow, format_timestamp

TS = datetime(2026, 3, 4, 23, 59, 0, 123456, tzinfo=timezone.utc)


def make_row(request_id: str = "r1", row: int = 0, *, prediction: Any = 1, **inputs: Any) -> CaptureRow:
    values = inputs or {"age": 41.0, "plan": "pro"}
    return CaptureRow(request_id, row, TS, format_timestamp(TS), "3", values, prediction)


def test_capture_path_is_the_utc_day_folder_and_a_sortable_name(tmp_path: Path) -> None:
    path = capture_path(tmp_path, TS, 42, 7, "jsonl")
    assert path == tmp_path / "2026-03-04" / "capture-20260304T235900123456Z-42-0007.jsonl"


def test_capture_path_converts_a_local_time_to_utc(tmp_path: Path) -> None:
    local = datetime(2026, 3, 5, 1, 0, 0, tzinfo=timezone(timedelta(hours=2)))  # 23:00 UTC the day before
    path = capture_path(tmp_path, local, 1, 12345, "parquet")
    assert path == tmp_path / "2026-03-04" / "capture-20260304T230000000000Z-1-12345.parquet"


def test_partial_path_adds_the_suffix_in_the_same_folder(tmp_path: Path) -> None:
    assert partial_path(tmp_path / "d" / "capture-1.jsonl") == tmp_path / "d" / "capture-1.jsonl.partial"


def test_a_jsonl_file_is_partial_until_closed_then_renamed(tmp_path: Path) -> None:
    path = tmp_path / "2026-03-04" / "capture.jsonl"
    sink = open_sink(path, "jsonl")
    assert isinstance(sink, JsonlSink)
    sink.add([make_row("r1", 0), make_row("r1", 1, prediction="é")])
    sink.flush()
    partial = partial_path(path)
    lines = partial.read_text(encoding="utf-8").splitlines()
    assert json.loads(lines[0]) == {
        "schema_version": 1,
        "request_id": "r1",
        "row": 0,
        "ts": "2026-03-04T23:59:00.123456Z",
        "version": "3",
        "inputs": {"age": 41.0, "plan": "pro"},
        "prediction": 1,
    }
    assert '"prediction":"é"' in lines[1]  # compact, and not ASCII-escaped
    assert sink.size() == partial.stat().st_size
    assert not path.exists()
    assert sink.close() == path
    assert path.read_text(encoding="utf-8").splitlines() == lines
    assert not partial.exists()


def test_a_jsonl_file_refuses_values_json_cannot_hold(tmp_path: Path) -> None:
    sink = open_sink(tmp_path / "capture.jsonl", "jsonl")
    with pytest.raises(ValueError, match=r"Out of range float values are not JSON compliant"):
        sink.add([make_row(prediction=float("nan"))])
    sink.abandon()


def test_an_abandoned_file_stays_partial(tmp_path: Path) -> None:
    path = tmp_path / "capture.jsonl"
    sink = open_sink(path, "jsonl")
    sink.add([make_row()])
    sink.abandon()
    assert not path.exists()
    assert partial_path(path).read_text(encoding="utf-8").count("\n") == 1


def test_a_sink_never_overwrites_a_partial_file(tmp_path: Path) -> None:
    path = tmp_path / "capture.jsonl"
    partial_path(path).write_text("left by a crash\n", encoding="utf-8")
    with pytest.raises(FileExistsError, match=r"capture\.jsonl\.partial"):
        open_sink(path, "jsonl")
    assert partial_path(path).read_text(encoding="utf-8") == "left by a crash\n"


def test_a_parquet_file_holds_the_rows_once_closed(tmp_path: Path) -> None:
    path = tmp_path / "day" / "capture.parquet"
    sink = open_sink(path, "parquet")
    assert isinstance(sink, ParquetSink)
    sink.add([make_row("r1", 0), make_row("r1", 1, prediction=0)])
    sink.add([make_row("r2", 0, age=30, plan=None)])  # an int and a null cast to the file's float and string
    assert sink.size() > 0  # buffered rows count before anything is written
    sink.flush()  # fewer than a row group's rows: still buffered
    assert partial_path(path).stat().st_size == 0
    assert sink.close() == path
    assert [(r["request_id"], r["row"], r["inputs"], r["prediction"]) for r in pq.read_table(path).to_pylist()] == [
        ("r1", 0, {"age": 41.0, "plan": "pro"}, 1),
        ("r1", 1, {"age": 41.0, "plan": "pro"}, 0),
        ("r2", 0, {"age": 30.0, "plan": None}, 1),
    ]
    assert not partial_path(path).exists()


def test_a_parquet_batch_of_other_types_is_a_schema_mismatch(tmp_path: Path) -> None:
    sink = open_sink(tmp_path / "capture.parquet", "parquet")
    sink.add([make_row(prediction=1)])
    with pytest.raises(SchemaMismatch, match=r"'yes' as a scalar of type int64"):
        sink.add([make_row(prediction="yes")])
    sink.close()
    assert pq.read_table(tmp_path / "capture.parquet").num_rows == 1  # the refused batch was not kept


def test_an_abandoned_parquet_file_stays_an_empty_partial_file(tmp_path: Path) -> None:
    sink = open_sink(tmp_path / "capture.parquet", "parquet")
    sink.abandon()
    assert partial_path(tmp_path / "capture.parquet").stat().st_size == 0


def test_rows_table_has_the_contract_types() -> None:
    table = rows_table([make_row("r1", 0), make_row("r1", 1)])
    assert table.schema == pa.schema(
        [
            ("request_id", pa.string()),
            ("row", pa.int32()),
            ("ts", pa.timestamp("us", tz="UTC")),
            ("version", pa.string()),
            ("inputs", pa.struct([("age", pa.float64()), ("plan", pa.string())])),
            ("prediction", pa.int64()),
            ("smoke", pa.bool_()),
        ]
    )
    assert table.column("ts").to_pylist() == [TS, TS]


def test_rows_without_inputs_make_an_empty_struct() -> None:
    row = CaptureRow("r1", 0, TS, format_timestamp(TS), "3", {}, 0.5, smoke=True)
    table = rows_table([row])
    assert table.schema.field("inputs").type == pa.struct([])
    assert table.to_pylist()[0]["smoke"] is True


def test_rows_with_different_input_fields_cannot_share_a_table() -> None:
    with pytest.raises(SchemaMismatch, match=r"rows with different input fields"):
        rows_table([make_row(age=1.0), make_row(plan="pro")])


@pytest.mark.parametrize(
    ("values", "kind", "expected"),
    [
        ([1, 2, None], pa.int64(), [1, 2, None]),
        ([1, 2.5], pa.float64(), [1.0, 2.5]),
        (["a", None], pa.string(), ["a", None]),
        ([1, "a", None, True], pa.string(), ["1", "a", None, "true"]),
        ([[1, 2], "x", {"k": 1}], pa.string(), ["[1, 2]", "x", '{"k": 1}']),
    ],
)
def test_infer_array_keeps_pyarrows_type_or_falls_back_to_json_text(
    values: list[Any], kind: pa.DataType, expected: list[Any]
) -> None:
    array = infer_array(values)
    assert array.type == kind
    assert array.to_pylist() == expected
