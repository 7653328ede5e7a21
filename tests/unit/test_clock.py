"""Unit tests for mlgate.clock: the default clock stamps aware UTC times."""

from __future__ import annotations

import datetime as dt

from mlgate.clock import utc_now


def test_utc_now_is_an_aware_utc_time_between_two_readings_of_the_system_clock() -> None:
    before = dt.datetime.now(dt.timezone.utc)
    now = utc_now()
    after = dt.datetime.now(dt.timezone.utc)
    assert now.utcoffset() == dt.timedelta(0)
    assert before <= now <= after
