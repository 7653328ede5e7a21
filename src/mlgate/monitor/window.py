"""The window ``mlgate monitor`` judges (``--since``, ``--until``) and which capture folders can hold rows in it.

``--since`` is a duration back from the window's end (a number and a unit: ``90s``, ``30m``, ``24h``, ``7d``,
``2w``) or an ISO 8601 time (``2026-11-20T08:00:00Z``, ``2026-11-20``); ``--until`` (default: now) is an ISO
8601 time or a duration back from now, so that a past window can be checked again. A time without an offset
is UTC.

Capture folders are named by time: mlgate's ``<YYYY-MM-DD>/`` (the UTC day of a file's first row) and
SageMaker's ``yyyy/mm/dd/hh/``. A file's rows are at most ``slack`` seconds younger than its folder's end (a file
is rotated after ``capture.rotate_s``), so a folder that ended more than ``slack`` before the window began
cannot hold a row in it and is skipped without being read.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence

from mlgate.errors import InputError

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhdw])\s*$")
_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}
_DAY = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_NUMBER = re.compile(r"^\d+$")


def parse_duration(text: str, *, where: str = "--since") -> dt.timedelta:
    """``30m``, ``24h``, ``7d`` (also ``s`` and ``w``) as a timedelta; anything else is an InputError."""
    match = _DURATION.match(text)
    if match is None or float(match.group(1)) <= 0:
        raise InputError(
            f"{where}: {text!r} is not a duration",
            hint="write a number and a unit (s, m, h, d, w: 30m, 24h, 7d) or an ISO 8601 time (2026-11-20T08:00:00Z)",
        )
    return dt.timedelta(seconds=float(match.group(1)) * _SECONDS[match.group(2)])


def parse_timestamp(text: str) -> dt.datetime:
    """An ISO 8601 timestamp as an aware UTC datetime (a naive one is taken as UTC); ValueError if malformed."""
    if text.endswith(("Z", "z")):  # Python 3.10's fromisoformat does not read the "Z" suffix
        text = text[:-1] + "+00:00"
    value = dt.datetime.fromisoformat(text)
    if value.tzinfo is None:
        return value.replace(tzinfo=dt.timezone.utc)
    return value.astimezone(dt.timezone.utc)


def parse_moment(text: str, *, where: str) -> dt.datetime:
    """An ISO 8601 time (date, or date and time) given as an option; anything else is an InputError."""
    try:
        return parse_timestamp(text.strip())
    except (ValueError, TypeError) as exc:
        raise InputError(
            f"{where}: {text!r} is neither a duration nor an ISO 8601 time",
            hint="write a number and a unit (30m, 24h, 7d) or a time like 2026-11-20T08:00:00Z",
        ) from exc


def resolve_window(
    since: str, until: str | None, *, now: dt.datetime, since_where: str = "--since", until_where: str = "--until"
) -> tuple[dt.datetime, dt.datetime]:
    """The window's [start, end]: ``until`` (a time, or a duration back from ``now``; default ``now``), and
    ``since`` (a time, or a duration back from the end). A start that is not before the end is an InputError."""
    end = now if until is None else _point(until, now, where=until_where)
    start = _point(since, end, where=since_where)
    if start >= end:
        raise InputError(
            f"the window is empty: {since_where} {since} is not before {until_where} "
            f"{until if until is not None else 'now'} ({_iso(start)} ≥ {_iso(end)})",
            hint="--since is the window's start (or its length back from --until), --until its end",
        )
    return start, end


def is_duration(text: str) -> bool:
    """Whether an option value is a duration (``24h``), not a time."""
    return _DURATION.match(text) is not None


def _point(text: str, reference: dt.datetime, *, where: str) -> dt.datetime:
    if is_duration(text) or not any(ch in text for ch in "-:T"):
        return reference - parse_duration(text, where=where)
    return parse_moment(text, where=where)


def _iso(moment: dt.datetime) -> str:
    return moment.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def folder_end(parts: Sequence[str]) -> dt.datetime | None:
    """When the time folder among ``parts`` (path components) ends, or None when there is none."""
    for index, part in enumerate(parts):
        day = _DAY.match(part)
        if day:
            return _safe(int(day.group(1)), int(day.group(2)), int(day.group(3)), None)
        tail = parts[index : index + 4]
        if len(tail) == 4 and all(_NUMBER.match(p) for p in tail) and len(tail[0]) == 4:
            return _safe(int(tail[0]), int(tail[1]), int(tail[2]), int(tail[3]))
    return None


def _safe(year: int, month: int, day: int, hour: int | None) -> dt.datetime | None:
    try:
        start = dt.datetime(year, month, day, hour or 0, tzinfo=dt.timezone.utc)
    except ValueError:
        return None
    return start + (dt.timedelta(days=1) if hour is None else dt.timedelta(hours=1))


def may_hold(parts: Sequence[str], start: dt.datetime, slack: dt.timedelta, end: dt.datetime | None = None) -> bool:
    """Whether a file under these path components may hold rows captured in [start, end]: its folder did not end
    more than ``slack`` before ``start``, nor begin after ``end`` (a file's rows are at or after its folder's
    start: the folder is its first row's)."""
    closes = folder_end(parts)
    if closes is None:
        return True
    opens = closes - (dt.timedelta(days=1) if _is_day(parts) else dt.timedelta(hours=1))
    return closes + slack >= start and (end is None or opens <= end)


def _is_day(parts: Sequence[str]) -> bool:
    """Whether the time folder among ``parts`` is mlgate's day folder (else SageMaker's hour folders)."""
    for index, part in enumerate(parts):
        if _DAY.match(part):
            return True
        tail = parts[index : index + 4]
        if len(tail) == 4 and all(_NUMBER.match(p) for p in tail) and len(tail[0]) == 4:
            return False
    return False
