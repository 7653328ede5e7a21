"""The A/B log: the request path only queues; records land as JSONL per UTC day and read back (ab_records)."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

from mlgate.serve.ab_log import AbEntry, AbLog
from mlgate.serve.ab_records import read_ab_log

FIXED = datetime(2026, 12, 7, 23, 59, 59, tzinfo=timezone.utc)


def entry(at: datetime, rid: str, variant: str = "champion", **extra: object) -> AbEntry:
    fields: dict[str, object] = {
        "version": "1",
        "seconds": 0.002,
        "status": 200,
        "fallback": False,
        "predictions": [1],
    }
    fields |= extra
    return AbEntry(at, rid, variant, **fields)  # type: ignore[arg-type]


def test_records_are_written_per_day_and_read_back_in_order(tmp_path: Path) -> None:
    log = AbLog(tmp_path, clock=lambda: FIXED)
    log.add(entry(FIXED, "r1"))
    log.add(entry(FIXED + timedelta(seconds=2), "r2", "challenger", version="2", predictions=None, status=400))
    assert log.written == 0, "nothing is written on the request path"
    assert log.flush() == 2
    days = sorted(p.name for p in tmp_path.iterdir())
    assert days == ["2026-12-07", "2026-12-08"]
    first = json.loads(next((tmp_path / "2026-12-07").glob("*.jsonl")).read_text(encoding="utf-8"))
    assert first | {"ts": None} == {
        "schema_version": 1,
        "ts": None,
        "request_id": "r1",
        "variant": "champion",
        "version": "1",
        "ms": 2.0,
        "status": 200,
        "fallback": False,
        "predictions": [1],
    }
    read = read_ab_log(tmp_path, FIXED - timedelta(hours=1))
    assert [(r.request_id, r.variant, r.version, r.predictions) for r in read.records] == [
        ("r1", "champion", "1", (1,)),
        ("r2", "challenger", "2", None),
    ]
    assert read_ab_log(tmp_path, FIXED + timedelta(seconds=1)).records[0].request_id == "r2"


def test_a_full_queue_drops_and_counts(tmp_path: Path) -> None:
    log = AbLog(tmp_path, clock=lambda: FIXED, limit=2)
    for i in range(5):
        log.add(entry(FIXED, f"r{i}"))
    assert (log.flush(), log.dropped) == (2, 3)


def test_a_torn_line_is_counted_not_fatal(tmp_path: Path) -> None:
    log = AbLog(tmp_path, clock=lambda: FIXED)
    log.add(entry(FIXED, "r1"))
    log.flush()
    path = next((tmp_path / "2026-12-07").glob("*.jsonl"))
    with path.open("a", encoding="utf-8") as handle:
        handle.write('{"schema_version": 1, "ts": "2026-12-07T23:')
    read = read_ab_log(tmp_path, FIXED - timedelta(hours=1))
    assert (len(read.records), read.malformed) == (1, 1)


def test_a_write_error_is_counted_and_serving_goes_on(tmp_path: Path) -> None:
    blocked = tmp_path / "file"
    blocked.write_text("not a folder", encoding="utf-8")
    log = AbLog(blocked, clock=lambda: FIXED)
    log.add(entry(FIXED, "r1"))
    assert log.flush() == 1
    assert (log.written, log.write_errors) == (0, 1)


def test_the_thread_writes_what_is_queued_on_close(tmp_path: Path) -> None:
    log = AbLog(tmp_path, clock=lambda: FIXED, linger=0.0)
    log.start()
    log.add(entry(FIXED, "r1"))
    log.close()
    assert log.written == 1
