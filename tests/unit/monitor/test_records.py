from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from mlgate.monitor.records import Columns, Record, RecordError, parse_record
from mlgate.serve.marks import new_smoke_id

UTC = dt.timezone.utc


def document(**changes: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "schema_version": 1,
        "request_id": "req-1",
        "row": 0,
        "ts": "2026-11-21T12:00:00Z",
        "version": 3,
        "inputs": {"age": 41, "plan": "basic"},
        "prediction": 1,
    }
    return {k: v for k, v in {**base, **changes}.items() if v is not ...}


def test_a_capture_record_is_parsed_with_its_timestamp_in_utc() -> None:
    record = parse_record(document())
    assert record == Record(
        "req-1", 0, dt.datetime(2026, 11, 21, 12, tzinfo=UTC), "3", {"age": 41, "plan": "basic"}, 1, smoke=False
    )
    assert record.ts.utcoffset() == dt.timedelta(0)


def test_a_smoke_row_is_marked_by_its_flag_or_its_request_id() -> None:
    assert parse_record(document(smoke=True)).smoke is True
    assert parse_record(document(request_id=new_smoke_id())).smoke is True
    assert parse_record(document(smoke=False)).smoke is False


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"schema_version": 2}, "schema_version 2 is not 1"),
        ({"schema_version": ...}, "schema_version None is not 1"),
        ({"row": ..., "prediction": ...}, "missing row, prediction"),
        ({"row": True}, "request_id must be a string, row an integer and ts a string"),
        ({"request_id": 7}, "request_id must be a string"),
        ({"ts": 1732190400}, "row an integer and ts a string"),
        ({"inputs": [41, "basic"]}, "inputs must be an object"),
        ({"smoke": "yes"}, "smoke must be true or false, not 'yes'"),
        ({"ts": "yesterday"}, "ts 'yesterday' is not an ISO 8601 timestamp"),
    ],
)
def test_an_unusable_record_says_what_is_wrong(changes: dict[str, Any], message: str) -> None:
    with pytest.raises(RecordError, match=message):
        parse_record(document(**changes))


def test_columns_pad_a_field_first_seen_late_with_none() -> None:
    columns = Columns()
    columns.add(parse_record(document()))
    columns.add(parse_record(document(request_id="req-2", row=1, inputs={"age": 50, "city": "x"}, prediction=0)))
    assert len(columns) == 2
    assert columns.inputs == {"age": [41, 50], "plan": ["basic", None], "city": [None, "x"]}
    assert (columns.request_id, columns.row, columns.version, columns.prediction) == (
        ["req-1", "req-2"],
        [0, 1],
        ["3", "3"],
        [1, 0],
    )


def test_whole_columns_extend_and_pad_both_ways() -> None:
    columns = Columns()
    columns.add(parse_record(document()))
    columns.extend(
        request_id=["a", "b"], row=[5, 6], version=["4", "4"], prediction=[0, 1], inputs={"age": [1, 2], "new": [7, 8]}
    )
    assert len(columns) == 3
    assert columns.inputs == {"age": [41, 1, 2], "plan": ["basic", None, None], "new": [None, 7, 8]}
    assert columns.version == ["3", "4", "4"]


def test_select_keeps_the_rows_asked_for_in_every_column() -> None:
    columns = Columns()
    columns.extend(
        request_id=["a", "b", "c"], row=[0, 1, 2], version=["1"] * 3, prediction=[9, 8, 7], inputs={"x": [1, 2, 3]}
    )
    kept = columns.select([True, False, True])
    assert (kept.request_id, kept.row, kept.prediction, kept.inputs) == (["a", "c"], [0, 2], [9, 7], {"x": [1, 3]})
    with pytest.raises(ValueError, match="zip"):
        columns.select([True])
