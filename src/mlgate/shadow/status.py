"""Read the shadow records of a state folder and compare the shadow's answers with the live version's."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mlgate.config import ReplayConfig
from mlgate.deploy.experiment import RunningShadow
from mlgate.monitor.model import MonitorResult
from mlgate.monitor.window import parse_timestamp
from mlgate.replay.compare import differs, find_flips, find_segments, interval
from mlgate.replay.model import Flip, Quality, Rate, Segment
from mlgate.serve.shadow_state import SHADOW_DIR, read_shadow

MAX_ERRORS = 5


@dataclass(frozen=True)
class Latency:
    """Request latencies (parse and predict) of one version, in milliseconds."""

    n: int
    p50_ms: float | None
    p95_ms: float | None


@dataclass(frozen=True)
class ShadowStatus:
    """What the shadow did since ``window_start``; ``running`` says whether shadow.json names it now."""

    state: str
    version: str | None
    running: bool
    fraction: float | None
    live_versions: tuple[str, ...]
    window_start: str | None
    rows: int  # rows the shadow was given
    answered: int
    failures: Rate  # rows the shadow could not answer, of all rows
    errors: tuple[str, ...]
    disagreement: Rate
    segments: tuple[Segment, ...]
    flips: tuple[Flip, ...]
    live_latency: Latency
    shadow_latency: Latency
    malformed: int  # record lines that could not be read
    notes: tuple[str, ...] = ()
    quality: Quality | None = None  # with labels (``mlgate monitor --labels``): shadow − live on the labelled rows


@dataclass(frozen=True)
class Watched:
    """A monitor run and the shadow beside it in the same window (None: nothing was shadowed)."""

    monitor: MonitorResult
    shadow: ShadowStatus | None


Reader = Callable[[dt.datetime | None], tuple[list[dict[str, Any]], int]]


def read_status(
    state: Path,
    *,
    version: str | None,
    since: dt.datetime | None,
    regression: bool,
    settings: ReplayConfig,
    judge_quality: Callable[[list[dict[str, Any]]], Quality] | None = None,
) -> ShadowStatus:
    """The shadow's records in ``state`` (of ``version``, default the running one or the last recorded), since
    ``since`` (default: when the running shadow started); ``judge_quality`` compares the answered records with their
    labels (``mlgate monitor --labels``), on the records this one read of the files gave."""
    found = read_shadow(state)
    running = RunningShadow(found.pointer.version, found.fraction, found.started_at) if found else None
    return judge_shadow(
        lambda start: _read(state / SHADOW_DIR, start),
        running,
        where=str(state),
        version=version,
        since=since,
        regression=regression,
        settings=settings,
        judge_quality=judge_quality,
    )


def judge_shadow(
    read: Reader,
    running: RunningShadow | None,
    *,
    where: str,
    version: str | None,
    since: dt.datetime | None,
    regression: bool,
    settings: ReplayConfig,
    judge_quality: Callable[[list[dict[str, Any]]], Quality] | None = None,
    notes: tuple[str, ...] = (),
) -> ShadowStatus:
    """``read_status`` over any source of shadow records: ``read(start)`` gives them (oldest first) and the number
    of lines that could not be read; ``running`` is the shadow the endpoint runs now (None: none). ``settings`` are the
    replay's (``replay.alpha``, ``tolerance``, ``flips``): a shadow is judged as a replay is."""
    alpha, tolerance = settings.alpha, settings.tolerance
    chosen = version or (running.version if running else None)
    start = since
    if start is None and running is not None and chosen == running.version:
        start = parse_timestamp(running.started_at)
    records, malformed = read(start)
    if chosen is None:
        chosen = records[-1]["shadow_version"] if records else None
    mine = [r for r in records if r.get("shadow_version") == chosen]
    answered = [r for r in mine if r.get("error") is None]
    disagree = [differs(r["live"], r["shadow"], regression=regression, tolerance=tolerance) for r in answered]
    inputs: dict[str, list[Any]] = {}
    for index, record in enumerate(answered):
        for name, value in (record.get("inputs") or {}).items():
            inputs.setdefault(str(name), [None] * len(answered))[index] = value
    errors = list(dict.fromkeys(str(r["error"]) for r in mine if r.get("error") is not None))
    return ShadowStatus(
        state=where,
        version=chosen,
        running=running is not None and running.version == chosen,
        fraction=running.fraction if running is not None and running.version == chosen else None,
        live_versions=tuple(sorted({str(r.get("live_version")) for r in mine})),
        window_start=start.isoformat().replace("+00:00", "Z") if start else None,
        rows=len(mine),
        answered=len(answered),
        failures=interval(len(mine) - len(answered), len(mine), alpha),
        errors=tuple(errors[:MAX_ERRORS]),
        disagreement=interval(sum(disagree), len(disagree), alpha),
        segments=find_segments(inputs, disagree, alpha=alpha, min_rows=max(1, len(answered) // 100)),
        flips=find_flips(
            [str(r["request_id"]) for r in answered],
            [r["live"] for r in answered],
            [r["shadow"] for r in answered],
            disagree,
            regression=regression,
            limit=settings.flips,
        ),
        live_latency=_latency(mine, "live_ms"),
        shadow_latency=_latency(answered, "shadow_ms"),
        malformed=malformed,
        quality=judge_quality(answered) if judge_quality is not None and answered else None,
        notes=notes,
    )


def _read(folder: Path, start: dt.datetime | None) -> tuple[list[dict[str, Any]], int]:
    records, malformed = [], 0
    for line in _lines(folder):
        try:
            record = json.loads(line)
            stamp = parse_timestamp(str(record["ts"]))
            if not {"request_id", "live", "shadow", "shadow_version"} <= record.keys():
                raise KeyError("a required key")
        except (ValueError, KeyError, TypeError):
            malformed += 1
            continue
        if start is None or stamp >= start:
            records.append(record)
    records.sort(key=lambda r: str(r["ts"]))
    return records, malformed


def _lines(folder: Path) -> Iterator[str]:
    if not folder.is_dir():
        return
    for path in sorted(folder.rglob("*.jsonl")):
        try:
            text = path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
        yield from (line for line in text.splitlines() if line.strip())


def _latency(records: list[dict[str, Any]], key: str) -> Latency:
    """Per request (its first row carries the request's time): the median and the 95th percentile."""
    import numpy as np

    values = [float(r[key]) for r in records if r.get("row") == 0 and isinstance(r.get(key), int | float)]
    if not values:
        return Latency(0, None, None)
    return Latency(len(values), float(np.percentile(values, 50)), float(np.percentile(values, 95)))
