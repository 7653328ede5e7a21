"""The window ``mlgate monitor`` judges: ``--since 30m|24h|7d`` and which capture folders can hold rows in it.

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
        raise InputError(f"{where}: {text!r} is not a duration", hint="write a number and a unit: 30m, 24h, 7d")
    return dt.timedelta(seconds=float(match.group(1)) * _SECONDS[match.group(2)])


def parse_timestamp(text: str) -> dt.datetime:
    """An ISO 8601 timestamp as an aware UTC datetime (a naive one is taken as UTC); ValueError if malformed."""
    value = dt.datetime.fromisoformat(text)
    if value.tzinfo is None:
        return value.replace(tzinfo=dt.timezone.utc)
    return value.astimezone(dt.timezone.utc)


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


def may_hold(parts: Sequence[str], start: dt.datetime, slack: dt.timedelta) -> bool:
    """Whether a file under these path components may hold rows captured at or after ``start``."""
    end = folder_end(parts)
    return end is None or end + slack >= start
