"""The wall clock mlgate stamps events with: one function, injected wherever a test needs another time."""

from __future__ import annotations

import datetime as dt


def utc_now() -> dt.datetime:
    """The current time in UTC (the default clock of registry records, pointers and history events)."""
    return dt.datetime.now(dt.timezone.utc)
