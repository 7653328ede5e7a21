"""Read the A/B log (``mlgate.serve.ab_log``) back: the invocations of a split since a moment, and each variant's
health (requests, server errors, p99 latency) from them."""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

MIN_P99_REQUESTS = 100  # fewer requests say nothing about a p99


@dataclass(frozen=True, slots=True)
class AbRecord:
    """One invocation answered during a split."""

    ts: dt.datetime
    request_id: str
    variant: str  # where the client was routed: champion | challenger
    version: str  # who answered
    ms: float
    status: int
    fallback: bool  # the challenger failed and the champion answered
    predictions: tuple[Any, ...] | None


@dataclass(frozen=True)
class AbLogRead:
    """The records of a window, and how many lines could not be read (a torn last line after a crash)."""

    records: tuple[AbRecord, ...]
    malformed: int


def read_ab_log(folder: Path, since: dt.datetime) -> AbLogRead:
    """Every record under ``folder`` (``<UTC day>/*.jsonl``) at or after ``since``, oldest first."""
    first_day = since.astimezone(dt.timezone.utc).date().isoformat()
    records: list[AbRecord] = []
    malformed = 0
    days = sorted(p for p in folder.glob("*") if p.is_dir() and p.name >= first_day) if folder.is_dir() else []
    for day in days:
        for path in sorted(day.glob("*.jsonl")):
            with path.open(encoding="utf-8", errors="replace") as handle:
                for line in handle:
                    record = _parse(line)
                    if record is None:
                        malformed += 1
                    elif record.ts >= since:
                        records.append(record)
    records.sort(key=lambda r: r.ts)
    return AbLogRead(tuple(records), malformed)


def _parse(line: str) -> AbRecord | None:
    try:
        document = json.loads(line)
        predictions = document.get("predictions")
        return AbRecord(
            ts=_utc(dt.datetime.fromisoformat(str(document["ts"]))),
            request_id=str(document["request_id"]),
            variant=str(document["variant"]),
            version=str(document["version"]),
            ms=float(document["ms"]),
            status=int(document["status"]),
            fallback=bool(document.get("fallback", False)),
            predictions=tuple(predictions) if isinstance(predictions, list) else None,
        )
    except (ValueError, KeyError, TypeError, AttributeError):
        return None


def _utc(moment: dt.datetime) -> dt.datetime:
    return moment.replace(tzinfo=dt.timezone.utc) if moment.tzinfo is None else moment


@dataclass(frozen=True)
class Health:
    """A variant's requests, server errors and p99 latency in a split."""

    requests: int
    errors: int
    p99_ms: float | None


def measure_health(records: Iterable[AbRecord], variant: str) -> Health:
    """The health of the clients routed to ``variant``: a challenger's fallback counts as its error."""
    mine = [r for r in records if r.variant == variant]
    errors = sum(1 for r in mine if r.status >= 500 or (variant == "challenger" and r.fallback))
    times = sorted(r.ms for r in mine if r.status < 400 and not r.fallback)
    return Health(len(mine), errors, quantile(times, 0.99) if len(times) >= MIN_P99_REQUESTS else None)


def quantile(sorted_values: Sequence[float], q: float) -> float:
    """The ``q`` quantile of sorted values (the nearest rank above: a p99 is never understated)."""
    rank = max(math.ceil(q * len(sorted_values)) - 1, 0)
    return float(sorted_values[rank])
