"""Reading a state folder's shadow records: window, malformed lines, failures, latencies, disagreement."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from mlgate.config import ReplayConfig
from mlgate.serve.shadow_state import ShadowPointer, write_shadow
from mlgate.serve.state import LivePointer
from mlgate.shadow.status import read_status

POINTER = LivePointer("2", "tree", "/m/2.skops", "a" * 64, (), ("plan",), "2026-12-07T09:00:00")


def record(
    i: int, *, ts: str = "2026-12-07T10:00:00.000000Z", shadow: Any = True, error: str | None = None
) -> dict[str, Any]:
    return {
        "schema_version": 1,
        "request_id": f"r{i}",
        "row": 0,
        "ts": ts,
        "live_version": "1",
        "live": True,
        "live_ms": float(i),
        "shadow_version": "2",
        "shadow": None if error else shadow,
        "shadow_ms": None if error else 2.0 * i,
        "error": error,
        "inputs": {"plan": "pro" if i % 2 else "basic"},
    }


def write(state: Path, rows: list[dict[str, Any]], tail: str = "") -> None:
    folder = state / "shadow" / "2026-12-07"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "shadow-x.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows) + tail, encoding="utf-8")


def test_the_running_shadow_since_it_started(tmp_path: Path) -> None:
    write_shadow(tmp_path, ShadowPointer(POINTER, 0.5, "2026-12-07T09:30:00Z"))
    old = record(0, ts="2026-12-07T09:00:00.000000Z", shadow=False)  # before this shadow started
    rows = [old] + [record(i, shadow=i % 2 == 0) for i in range(1, 21)] + [record(21, error="ValueError: broke")]
    write(tmp_path, rows, tail='{"not a record"\n')
    status = read_status(tmp_path, version=None, since=None, regression=False, settings=ReplayConfig(alpha=0.05))
    assert (status.version, status.running, status.fraction, status.rows, status.answered) == ("2", True, 0.5, 21, 20)
    assert (status.disagreement.count, status.disagreement.n) == (10, 20)  # the odd ones: the pro plan
    assert {s.value: s.rate.share for s in status.segments if s.feature == "plan"} == {"pro": 1.0, "basic": 0.0}
    assert (status.failures.count, status.errors) == (1, ("ValueError: broke",))
    assert status.malformed == 1
    assert (status.live_latency.n, status.shadow_latency.n) == (21, 20)
    assert status.shadow_latency.p50_ms == 21.0


def test_after_it_stopped_the_last_shadow_is_reported_and_nothing_is_an_empty_report(tmp_path: Path) -> None:
    empty = read_status(tmp_path, version=None, since=None, regression=False, settings=ReplayConfig(alpha=0.05))
    assert (empty.version, empty.rows, empty.disagreement.n) == (None, 0, 0)
    write(tmp_path, [record(i) for i in range(3)])
    status = read_status(tmp_path, version=None, since=None, regression=False, settings=ReplayConfig(alpha=0.05))
    assert (status.version, status.running, status.rows) == ("2", False, 3)
    later = dt.datetime(2026, 12, 7, 11, tzinfo=dt.timezone.utc)
    assert (
        read_status(tmp_path, version="2", since=later, regression=False, settings=ReplayConfig(alpha=0.05)).rows == 0
    )
