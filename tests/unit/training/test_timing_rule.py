"""Timing rule: the t interval of paired log-ratios, the widening to the point ratio, and the judgement."""

from __future__ import annotations

import math
from dataclasses import replace

import pytest

from mlgate.training.timing_rule import MIN_ROUNDS, PairedTiming, judge_timing, pair_timing, ratio_interval

T_975_DF2 = 4.302652729911275  # Student t, 97.5 % quantile, 2 degrees of freedom (any t table: 4.303)


def test_interval_is_the_t_interval_of_the_log_ratios() -> None:
    base = [1.0, 1.0, 1.0]
    new = [math.exp(0.1), math.exp(0.2), math.exp(0.3)]  # log-ratios 0.1, 0.2, 0.3: mean 0.2, sd 0.1
    interval = ratio_interval(base, new)
    assert interval is not None
    half = T_975_DF2 * 0.1 / math.sqrt(3)
    assert interval == pytest.approx((math.exp(0.2 - half), math.exp(0.2 + half)), rel=1e-9)


def test_interval_depends_on_the_ratio_of_each_round_not_on_the_scale() -> None:
    slow_machine = ratio_interval([10.0, 20.0, 40.0], [11.0, 22.0, 48.0])
    fast_machine = ratio_interval([1.0, 1.0, 1.0], [1.1, 1.1, 1.2])
    assert slow_machine == pytest.approx(fast_machine)


def test_a_wider_confidence_gives_a_wider_interval() -> None:
    base, new = [1.0, 1.0, 1.0, 1.0], [1.1, 1.3, 1.2, 1.4]
    narrow, wide = ratio_interval(base, new, confidence=0.80), ratio_interval(base, new, confidence=0.99)
    assert narrow is not None
    assert wide is not None
    assert wide[0] < narrow[0] < narrow[1] < wide[1]


def test_constant_ratios_give_a_point_interval() -> None:
    assert ratio_interval([2.0, 4.0, 8.0], [3.0, 6.0, 12.0]) == pytest.approx((1.5, 1.5))


def test_too_few_rounds_give_no_interval() -> None:
    assert MIN_ROUNDS == 3
    assert ratio_interval([1.0, 1.0], [2.0, 2.0]) is None


def test_rounds_must_pair_up() -> None:
    with pytest.raises(ValueError, match="paired rounds differ in number: 3 and 2"):
        ratio_interval([1.0, 1.0, 1.0], [1.0, 1.0])


def test_zero_readings_stay_finite() -> None:
    interval = ratio_interval([0.0, 0.0, 0.0], [0.0, 0.0, 0.0])
    assert interval == (1.0, 1.0)
    timing = pair_timing(0.0, 0.0, [0.0, 0.0, 0.0], [0.0, 0.0, 0.0])
    assert timing.ratio == 1.0


def test_pair_timing_widens_the_interval_to_hold_the_pooled_ratio() -> None:
    # every round says 1.1, but the pooled statistic (a p95 over all calls, say) says 1.5
    timing = pair_timing(2.0, 3.0, [1.0, 1.0, 1.0], [1.1, 1.1, 1.1])
    assert timing.low == pytest.approx(1.1)
    assert replace(timing, low=1.1) == PairedTiming(base=2.0, new=3.0, ratio=1.5, low=1.1, high=1.5, rounds=3)
    below = pair_timing(2.0, 1.0, [1.0, 1.0, 1.0], [1.1, 1.1, 1.1])
    assert below.low == 0.5
    assert below.high == pytest.approx(1.1)


def test_pair_timing_without_interval_keeps_the_values() -> None:
    assert pair_timing(2.0, 3.0, [2.0], [3.0]) == PairedTiming(2.0, 3.0, 1.5, None, None, 1)


def timing(base: float, new: float, low: float | None, high: float | None) -> PairedTiming:
    return PairedTiming(base=base, new=new, ratio=new / base, low=low, high=high, rounds=15)


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        (timing(10.0, 20.0, 1.6, 2.4), "worse"),
        (timing(20.0, 10.0, 0.4, 0.6), "better"),
        (timing(10.0, 20.0, 1.2, 2.4), "same"),  # the interval reaches into the tolerance
        (timing(10.0, 20.0, 1.25, 2.4), "same"),  # exactly at 1 + rel_tol is not beyond it
        (timing(20.0, 10.0, 0.4, 0.81), "same"),  # above 1 / 1.25 = 0.8
        (timing(1.0, 1.9, 1.6, 2.4), "same"),  # beyond the tolerance but 0.9 below the floor
        (timing(1.0, 2.0, 1.6, 2.4), "same"),  # exactly the floor is not above it
        (timing(1.0, 2.1, 1.6, 2.4), "worse"),
        (timing(10.0, 20.0, None, None), "unjudged"),  # one fit each
        (timing(10.0, 10.0, 0.9, 1.1), "same"),
    ],
)
def test_judge_timing(case: PairedTiming, expected: str) -> None:
    assert judge_timing(case, rel_tol=0.25, floor=1.0) == expected


def test_judge_timing_with_no_tolerance_needs_only_the_interval_above_one() -> None:
    assert judge_timing(timing(10.0, 12.0, 1.01, 1.3), rel_tol=0.0, floor=1.0) == "worse"
    assert judge_timing(timing(10.0, 12.0, 0.99, 1.3), rel_tol=0.0, floor=1.0) == "same"
