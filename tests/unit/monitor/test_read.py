"""Reading capture files: JSONL and Parquet, partial and malformed files, the window, time folders."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from mlgate.errors import InputError
from mlgate.monitor.model import ReadSummary
from mlgate.monitor.read import read_capture
from mlgate.monitor.records import Columns
from mlgate.monitor.stores import LocalStore
from unit.monitor.helpers import NOW, records, sample_inputs, write_jsonl, write_parquet

HOUR = dt.timedelta(hours=1)


def read(folder: Path, *, since: dt.timedelta = dt.timedelta(days=1)) -> tuple[Columns, ReadSummary]:
    return read_capture(
        LocalStore(folder), str(folder), start=NOW - since, end=NOW, features=("x1", "x2", "color"), slack=HOUR
    )


def test_jsonl_rows_in_the_window_become_columns(tmp_path: Path) -> None:
    rows = records(sample_inputs(10, seed=1), start=NOW - 2 * HOUR, step=dt.timedelta(minutes=30))
    write_jsonl(tmp_path, rows)
    columns, summary = read(tmp_path, since=3 * HOUR)
    assert (summary.files, summary.rows_read, summary.rows, len(columns)) == (
        1,
        10,
        5,
        5,
    )  # 5 are after the window's end
    assert columns.request_id == [f"req-{i}" for i in range(5)]
    assert columns.inputs["x2"] == [r["inputs"]["x2"] for r in rows[:5]]
    assert columns.version == ["1"] * 5


def test_partial_files_stop_at_their_last_complete_line(tmp_path: Path) -> None:
    rows = records(sample_inputs(4, seed=2), start=NOW - HOUR)
    path = write_jsonl(tmp_path, rows[:3], partial=True, tail=json.dumps(rows[3])[:30])
    columns, summary = read(tmp_path)
    assert (len(columns), summary.truncated_lines, summary.malformed, summary.partial_files) == (3, 1, 0, (str(path),))


def test_malformed_lines_are_counted_with_file_and_line(tmp_path: Path) -> None:
    rows = records(sample_inputs(3, seed=2), start=NOW - HOUR)
    bad = dict(rows[0], ts="yesterday")
    tail = "\n".join(["[1, 2]", json.dumps(bad), json.dumps(dict(rows[0], schema_version=2)), "{"]) + "\n"
    path = write_jsonl(tmp_path, rows, tail=tail)
    columns, summary = read(tmp_path)
    assert (len(columns), summary.malformed) == (3, 4)
    assert [(p.path, p.line, p.reason) for p in summary.problems] == [
        (str(path), 4, "not a JSON object"),
        (str(path), 5, "ts 'yesterday' is not an ISO 8601 timestamp"),
        (str(path), 6, "schema_version 2 is not 1"),
        (str(path), 7, "not valid JSON: Expecting property name enclosed in double quotes"),
    ]


def test_parquet_files_and_fields_first_seen_later(tmp_path: Path) -> None:
    rows = records(sample_inputs(5, seed=3), start=NOW - HOUR)
    write_parquet(tmp_path, rows[:3], seq=1)
    later = [dict(r, inputs={**r["inputs"], "extra": 1}) for r in rows[3:]]
    write_jsonl(tmp_path, later, seq=2)
    columns, summary = read(tmp_path)
    assert (summary.files, len(columns)) == (2, 5)
    assert columns.inputs["extra"] == [None, None, None, 1, 1]
    assert columns.row == [0] * 5
    assert columns.prediction == [r["prediction"] for r in rows]


def test_a_partial_parquet_file_is_unreadable_not_malformed(tmp_path: Path) -> None:
    rows = records(sample_inputs(3, seed=3), start=NOW - HOUR)
    path = write_parquet(tmp_path, rows)
    partial = path.with_name(path.name + ".partial")
    partial.write_bytes(path.read_bytes()[:40])
    path.unlink()
    columns, summary = read(tmp_path)
    assert (len(columns), summary.unreadable, summary.malformed) == (0, (str(partial),), 0)


def test_old_day_folders_are_skipped_unread(tmp_path: Path) -> None:
    write_jsonl(tmp_path, records(sample_inputs(3, seed=1), start=NOW - dt.timedelta(days=3)), seq=1)
    write_jsonl(tmp_path, records(sample_inputs(3, seed=1), start=NOW - HOUR), seq=2)
    (tmp_path / "notes.txt").write_text("not a capture file", encoding="utf-8")
    columns, summary = read(tmp_path)
    assert (summary.files, summary.skipped_files, len(columns)) == (1, 1, 3)


def test_a_file_where_the_capture_folder_belongs_is_named(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path, records(sample_inputs(1, seed=1), start=NOW - HOUR))
    with pytest.raises(InputError, match=r"is a file, not a folder") as caught:
        LocalStore(path).list_files()
    assert caught.value.hint == (
        f"pass the folder that holds the capture files (their YYYY-MM-DD/ folders), e.g. --capture {tmp_path}"
    )


def test_a_parquet_file_with_null_keys_is_a_problem(tmp_path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = write_parquet(tmp_path, records(sample_inputs(2, seed=3), start=NOW - HOUR))
    table = pq.read_table(path)
    pq.write_table(table.set_column(1, "row", pa.array([0, None], pa.int32())), path)
    columns, summary = read(tmp_path)
    assert (len(columns), summary.malformed) == (0, 1)
    assert summary.problems[0].reason == "null values in row: the file's rows cannot be used"


def smoke_rows(rows: list[dict[str, object]]) -> list[dict[str, object]]:
    return [dict(r, smoke=True, request_id=f"smoke-{i}") for i, r in enumerate(rows)]


def test_smoke_test_rows_are_counted_and_left_out_in_jsonl_read_whole_or_line_by_line(tmp_path: Path) -> None:
    rows = records(sample_inputs(8, seed=4), start=NOW - HOUR)
    whole, lines = tmp_path / "whole", tmp_path / "lines"
    write_jsonl(whole, [*rows[:5], *smoke_rows(rows[5:])])  # every line well formed: Arrow reads the file whole
    write_jsonl(lines, [*rows[:5], *smoke_rows(rows[5:])], tail="not json\n")  # one bad line: read line by line
    for folder in (whole, lines):
        columns, summary = read(folder)
        assert (len(columns), summary.rows_read, summary.smoke_rows) == (5, 8, 3)
        assert columns.request_id == [f"req-{i}" for i in range(5)]


def test_a_smoke_request_id_marks_a_row_without_the_field_and_parquet_has_a_smoke_column(tmp_path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    from mlgate.serve.marks import new_smoke_id

    rows = records(sample_inputs(6, seed=5), start=NOW - HOUR)
    rows[0]["request_id"] = new_smoke_id()  # how SageMaker's capture keeps the mark (its inferenceId)
    path = write_parquet(tmp_path, rows)
    table = pq.read_table(path)
    pq.write_table(table.append_column("smoke", pa.array([False, True, None, False, False, False])), path)
    columns, summary = read(tmp_path)
    assert (len(columns), summary.smoke_rows) == (4, 2)
    assert columns.request_id == [f"req-{i}" for i in range(2, 6)]


def test_smoke_rows_outside_the_window_are_not_counted(tmp_path: Path) -> None:
    rows = records(sample_inputs(4, seed=6), start=NOW - 5 * HOUR, step=HOUR)  # 5, 4, 3 and 2 hours ago
    write_jsonl(tmp_path, smoke_rows(rows))
    columns, summary = read(tmp_path, since=3 * HOUR + dt.timedelta(minutes=1))
    assert (len(columns), summary.smoke_rows) == (0, 2)


def test_a_smoke_mark_that_is_not_a_boolean_is_a_malformed_line(tmp_path: Path) -> None:
    rows = records(sample_inputs(2, seed=7), start=NOW - HOUR)
    path = write_jsonl(tmp_path, [rows[0], dict(rows[1], smoke="yes")])
    columns, summary = read(tmp_path)
    assert (len(columns), summary.smoke_rows) == (1, 0)
    assert [(p.path, p.line, p.reason) for p in summary.problems] == [
        (str(path), 2, "smoke must be true or false, not 'yes'")
    ]
