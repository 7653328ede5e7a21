"""Widened bounds: room around the observed range, rounded outward, never inside what was seen."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

import pytest

from mlgate.data.ranges import widen_bounds, widen_length


@pytest.mark.parametrize(
    ("kind", "low", "high", "expected"),
    [
        ("integer", 18, 90, (0, 130)),  # margin 36, rounded to tens; ages never go below zero
        ("integer", -17, 40, (-50, 70)),
        ("integer", -9, 0, (-14, 0)),  # never above zero either
        ("integer", 5, 5, (3, 7)),  # a constant: half its size
        ("integer", 0, 0, (-1, 1)),  # all zeros: one unit
        ("integer", 2**62, 2**63 - 1, (2 * 10**18, 2**63 - 1)),  # exact, capped at 64 bits
        ("year", 1990, 2020, (1970, 2040)),
        ("number", 0.1, 0.9, (0.0, 1.3)),
        ("number", -0.9, -0.1, (-1.3, 0.0)),
        ("number", -2.25, 1.5, (-5.0, 4.0)),
        ("number", 0.5, 0.5, (0.2, 0.8)),
        ("number", 0.0, 0.0, (-1.0, 1.0)),
        ("number", 123.456, 123.457, (123.4555, 123.4575)),
        ("date", dt.date(2024, 1, 1), dt.date(2024, 1, 1), (dt.date(2023, 12, 31), dt.date(2024, 1, 2))),
        ("date", dt.date(2023, 1, 1), dt.date(2023, 3, 31), (dt.date(2022, 11, 17), dt.date(2023, 5, 15))),
        (
            "datetime",
            dt.datetime(2024, 1, 5, 4, 30),
            dt.datetime(2024, 1, 5, 12),
            (dt.datetime(2024, 1, 4), dt.datetime(2024, 1, 7)),
        ),  # a day at least, to midnights
        (
            "datetime",
            dt.datetime(2024, 1, 5),
            dt.datetime(2024, 1, 6),
            (dt.datetime(2024, 1, 4), dt.datetime(2024, 1, 7)),
        ),
    ],
)
def test_widen_bounds(kind: str, low: Any, high: Any, expected: tuple[Any, Any]) -> None:
    found = widen_bounds(kind, low, high)
    assert found == expected
    assert found is not None
    assert all(type(bound) is type(low) for bound in found)


@pytest.mark.parametrize(
    ("kind", "low", "high"),
    [
        ("number", -1e308, 1e308),
        ("number", float("-inf"), 3.0),
        ("date", dt.date.min, dt.date.max),
        ("datetime", dt.datetime.max - dt.timedelta(hours=1), dt.datetime.max),
        ("string", "a", "b"),
    ],
)
def test_no_bounds_when_they_cannot_be_written(kind: str, low: Any, high: Any) -> None:
    assert widen_bounds(kind, low, high) is None


def test_widened_bounds_always_hold_the_observed_range() -> None:
    rng = random.Random(7)
    for _ in range(2000):
        scale = 10.0 ** rng.randint(-12, 12)
        low, high = sorted((rng.uniform(-1, 1) * scale, rng.uniform(-1, 1) * scale))
        found = widen_bounds("number", low, high)
        assert found is not None
        assert found[0] <= low <= high <= found[1], (low, high, found)
        ints = sorted((rng.randint(-(10**15), 10**15), rng.randint(-(10**15), 10**15)))
        wide = widen_bounds("integer", *ints)
        assert wide is not None
        assert wide[0] <= ints[0] <= ints[1] <= wide[1]
        half = (ints[1] - ints[0]) // 2  # half the span again on each side, unless that would cross zero
        assert wide[0] <= ints[0] - half or wide[0] == 0 <= ints[0]
        assert wide[1] >= ints[1] + half or wide[1] == 0 >= ints[1]


def test_widen_length() -> None:
    assert widen_length(8) == 16
