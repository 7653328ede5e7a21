"""The monitor's window: durations and which time folders can hold rows in it."""

from __future__ import annotations

import datetime as dt

import pytest

from mlgate.errors import InputError
from mlgate.monitor.window import folder_end, may_hold, parse_duration, parse_timestamp

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
