"""Disagreement, its interval, segments and flips."""

from __future__ import annotations

import pytest

from mlgate.replay.compare import differs, find_flips, find_segments, interval


def test_the_exact_interval_is_known_and_never_leaves_zero_to_one() -> None:
    rate = interval(10, 100, 0.025)  # a 95 % two-sided interval
    assert (round(rate.low, 4), round(rate.high, 4)) == (0.049, 0.1762)  # Clopper-Pearson (1934) for 10/100
    assert interval(0, 50, 0.05).low == 0.0
    assert interval(50, 50, 0.05).high == 1.0
    assert interval(0, 0, 0.05).high == 1.0  # nothing observed: anything is possible


@pytest.mark.parametrize(
    ("live", "new", "regression", "expected"),
    [
        (True, "true", False, False),
        (1, "1", False, False),
        ("a", "b", False, True),
        (1.0, 1.05, True, True),
        (1.0, 1.0, True, False),
        (None, 1.0, True, True),
    ],
)
def test_what_counts_as_a_different_answer(live: object, new: object, regression: bool, expected: bool) -> None:
    assert differs(live, new, regression=regression, tolerance=0.0) is expected
    assert differs(1.0, 1.05, regression=True, tolerance=0.1) is False


def test_segments_cover_categories_and_numeric_quartiles() -> None:
    plans = ["basic", "basic", "pro", "pro"] * 25
    inputs: dict[str, list[object]] = {
        "plan": list(plans),
        "tenure": list(range(100)),
        "id": [f"c{i}" for i in range(100)],  # an identifier: no segments
    }
    disagree = [plan == "pro" for plan in plans]
    segments = find_segments(inputs, disagree, alpha=0.05)
    plan = {s.value: s.rate for s in segments if s.feature == "plan"}
    assert (plan["pro"].count, plan["pro"].n, plan["basic"].count) == (50, 50, 0)
    tenure = [s for s in segments if s.feature == "tenure"]
    assert sorted(s.rate.n for s in tenure) == [25, 25, 25, 25]
    assert {s.value.split(":")[0] for s in tenure} == {"Q1", "Q2", "Q3", "Q4"}
    assert not [s for s in segments if s.feature == "id"]


def test_rare_values_are_pooled_and_small_segments_left_out() -> None:
    values = [f"v{i % 12}" for i in range(120)]
    segments = find_segments({"kind": values}, [False] * 120, alpha=0.05, min_rows=5)
    assert "(other)" in {s.value for s in segments}
    assert len(segments) == 9  # the 8 most frequent values and the pool
    assert find_segments({"kind": values}, [False] * 120, alpha=0.05, min_rows=50) == ()


def test_flips_are_largest_first_for_regression_and_in_order_otherwise() -> None:
    ids, live, new = ["a", "b", "c"], [1.0, 2.0, 3.0], [1.5, 2.0, 5.0]
    disagree = [True, False, True]
    flips = find_flips(ids, live, new, disagree, regression=True, limit=5)
    assert [(f.request_id, f.difference) for f in flips] == [("c", 2.0), ("a", 0.5)]
    flips = find_flips(ids, ["x", "y", "z"], ["y", "y", "x"], disagree, regression=False, limit=1)
    assert [(f.request_id, f.live, f.replayed, f.difference) for f in flips] == [("a", "x", "y", None)]
