"""Unit tests for mlgate.serve.capture.records: one record per predicted row, and the drop/hash field policy."""

from __future__ import annotations

import hashlib
from datetime import datetime, timezone

from mlgate.serve.capture.records import CapturedRequest, FieldPolicy, build_rows

FEATURES = ("age", "plan", "email")
START = datetime(2026, 3, 4, 23, 59, 0, 123456, tzinfo=timezone.utc)
BODY = b'{"instances": [{"age": 41, "plan": "pro", "email": "a@x.org"}, [7.5, null, "b@x.org"]]}'


def sha(text: str) -> str:
    return "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()


def test_rows_hold_the_inputs_as_sent_one_record_per_row() -> None:
    request = CapturedRequest("r1", START, "3", FEATURES, BODY, "application/json", [1, float("nan")])
    records = [row.to_record() for row in build_rows(request, FieldPolicy())]
    assert records == [
        {
            "schema_version": 1,
            "request_id": "r1",
            "row": 0,
            "ts": "2026-03-04T23:59:00.123456Z",
            "version": "3",
            "inputs": {"age": 41, "plan": "pro", "email": "a@x.org"},
            "prediction": 1,
        },
        {
            "schema_version": 1,
            "request_id": "r1",
            "row": 1,
            "ts": "2026-03-04T23:59:00.123456Z",
            "version": "3",
            "inputs": {"age": 7.5, "plan": None, "email": "b@x.org"},
            "prediction": None,
        },
    ]


def test_a_smoke_test_request_marks_each_of_its_records_and_others_carry_no_mark() -> None:
    smoke = CapturedRequest("s1", START, "3", FEATURES, BODY, "application/json", [1, 0], smoke=True)
    assert [row.to_record().get("smoke") for row in build_rows(smoke, FieldPolicy())] == [True, True]
    plain = CapturedRequest("r1", START, "3", FEATURES, BODY, "application/json", [1, 0])
    assert ["smoke" in row.to_record() for row in build_rows(plain, FieldPolicy())] == [False, False]


def test_csv_rows_are_captured_as_the_server_parsed_them() -> None:
    request = CapturedRequest("r1", START, "3", FEATURES, b"41,true,a@x.org\n,false,\n", "text/csv", ["y", "n"])
    rows = build_rows(request, FieldPolicy())
    assert [row.inputs for row in rows] == [
        {"age": 41.0, "plan": 1.0, "email": "a@x.org"},
        {"age": None, "plan": 0.0, "email": None},
    ]


def test_drop_removes_fields_and_hash_digests_their_json_text_without_salt() -> None:
    policy = FieldPolicy(drop=frozenset({"plan"}), hash=frozenset({"email", "age"}))
    rows = build_rows(CapturedRequest("r1", START, "3", FEATURES, BODY, "application/json", [1, 0]), policy)
    assert rows[0].inputs == {"age": sha("41"), "email": sha('"a@x.org"')}
    assert rows[1].inputs == {"age": sha("7.5"), "email": sha('"b@x.org"')}


def test_hash_with_salt_digests_salt_nul_json_text_and_keeps_null() -> None:
    policy = FieldPolicy(hash=frozenset({"plan"}), salt="s3cret")
    assert policy.apply({"plan": "pro", "age": 1}) == {"plan": sha('s3cret\0"pro"'), "age": 1}
    assert policy.apply({"plan": None}) == {"plan": None}
    assert policy.digest("é") == sha('s3cret\0"é"')
