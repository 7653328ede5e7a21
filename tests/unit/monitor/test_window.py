"""The monitor's window: durations and which time folders can hold rows in it."""

from __future__ import annotations

import datetime as dt

import pytest

from mlgate.errors import InputError
from mlgate.monitor.window import (
    folder_end,
    is_duration,
    may_hold,
    parse_duration,
    parse_moment,
    parse_timestamp,
    resolve_window,
)

UTC = dt.timezone.utc


@pytest.mark.parametrize(
    ("text", "seconds"), [("30m", 1800), ("24h", 86400), ("7d", 604800), ("90s", 90), ("1w", 604800), ("1.5h", 5400)]
)
def test_durations(text: str, seconds: int) -> None:
    assert parse_duration(text) == dt.timedelta(seconds=seconds)


@pytest.mark.parametrize("text", ["", "24", "h", "0h", "-1d", "1y", "yesterday"])
def test_bad_durations_name_the_option(text: str) -> None:
    with pytest.raises(InputError, match=r"monitor.since: .* is not a duration"):
        parse_duration(text, where="monitor.since")


def test_timestamps_are_aware_utc() -> None:
    assert parse_timestamp("2026-11-22T10:00:00.000001Z") == dt.datetime(2026, 11, 22, 10, 0, 0, 1, tzinfo=UTC)
    assert parse_timestamp("2026-11-22T12:00:00+02:00") == dt.datetime(2026, 11, 22, 10, tzinfo=UTC)
    assert parse_timestamp("2026-11-22T10:00:00").tzinfo == UTC
    with pytest.raises(ValueError, match="Invalid isoformat"):
        parse_timestamp("22/11/2026")


def test_folder_ends_for_mlgate_days_and_sagemaker_hours() -> None:
    assert folder_end(("2026-11-21",)) == dt.datetime(2026, 11, 22, tzinfo=UTC)
    assert folder_end(("ep", "AllTraffic", "2026", "11", "21", "23")) == dt.datetime(2026, 11, 22, tzinfo=UTC)
    assert folder_end(("misc",)) is None
    assert folder_end(("2026-13-40",)) is None


def test_may_hold_keeps_folders_that_overlap_the_window_with_slack() -> None:
    start = dt.datetime(2026, 11, 22, 0, 30, tzinfo=UTC)
    hour = dt.timedelta(hours=1)
    assert may_hold(("2026-11-21",), start, hour)  # a file opened late on the 21st may run past midnight
    assert not may_hold(("2026-11-20",), start, hour)
    assert not may_hold(("2026-11-21",), start + hour, dt.timedelta(0))
    assert may_hold(("elsewhere",), start, dt.timedelta(0))  # unknown layout: always read


NOW = dt.datetime(2026, 11, 22, 12, 0, tzinfo=UTC)


def test_the_window_ends_now_or_at_until_and_starts_a_duration_before_its_end() -> None:
    assert resolve_window("24h", None, now=NOW) == (NOW - dt.timedelta(hours=24), NOW)
    assert resolve_window("1d", "2d", now=NOW) == (NOW - dt.timedelta(days=3), NOW - dt.timedelta(days=2))
    start, end = resolve_window("2026-11-20", "2026-11-21T06:30:00+02:00", now=NOW)
    assert (start, end) == (dt.datetime(2026, 11, 20, tzinfo=UTC), dt.datetime(2026, 11, 21, 4, 30, tzinfo=UTC))
    assert resolve_window("6h", "2026-11-21T00:00:00Z", now=NOW)[0] == dt.datetime(2026, 11, 20, 18, tzinfo=UTC)


@pytest.mark.parametrize(
    ("since", "until", "message"),
    [
        ("soon", None, r"--since: 'soon' is not a duration"),
        ("2026-02-30", None, r"--since: '2026-02-30' is neither a duration nor an ISO 8601 time"),
        ("1d", "next-monday", r"--until: 'next-monday' is neither a duration nor an ISO 8601 time"),
        ("2026-11-23", None, r"the window is empty: --since 2026-11-23 is not before --until now"),
    ],
)
def test_bad_windows_say_which_option(since: str, until: str | None, message: str) -> None:
    with pytest.raises(InputError, match=message):
        resolve_window(since, until, now=NOW)


def test_durations_and_times_are_told_apart() -> None:
    assert is_duration("24h")
    assert not is_duration("2026-11-20")
    assert parse_moment("2026-11-20T08:00:00z", where="--until") == dt.datetime(2026, 11, 20, 8, tzinfo=UTC)


def test_folders_that_begin_after_the_window_are_skipped() -> None:
    start, end = dt.datetime(2026, 11, 20, tzinfo=UTC), dt.datetime(2026, 11, 21, 6, tzinfo=UTC)
    hour = dt.timedelta(hours=1)
    assert may_hold(("2026-11-21",), start, hour, end)
    assert not may_hold(("2026-11-22",), start, hour, end)
    assert may_hold(("ep", "AllTraffic", "2026", "11", "21", "05"), start, hour, end)
    assert not may_hold(("ep", "AllTraffic", "2026", "11", "21", "07"), start, hour, end)
    assert may_hold(("2026-11-22",), start, hour)  # no end: only the start counts
