"""From a statistic to a PairedTest: pivots, bootstrap draws, MDE, and the checks on direction/margin/alpha."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from mlgate.errors import InputError
from mlgate.stats.result import Question, ask, build_draws, build_pivot, build_unchanged, find_mde


@pytest.mark.parametrize(
    ("direction", "margin", "alpha", "message"),
    [
        ("up", 0.0, 0.05, "direction 'up' must be 'higher' or 'lower'"),
        ("higher", -0.1, 0.05, "margin -0.1 must be a finite number ≥ 0"),
        ("higher", math.nan, 0.05, "margin nan must be a finite number ≥ 0"),
        ("lower", 0.0, 0.5, "alpha 0.5 must be between 0 and 0.5"),
        ("lower", 0.0, 0.0, "alpha 0.0 must be between 0 and 0.5"),
    ],
)
def test_bad_questions(direction: str, margin: float, alpha: float, message: str) -> None:
    with pytest.raises(InputError, match=message):
        ask(direction, margin, alpha)


def test_gain_follows_the_direction() -> None:
    assert ask("higher", 0.0, 0.05).gain(0.2) == 0.2
    assert ask("lower", 0.0, 0.05).gain(0.2) == -0.2


def test_z_pivot_with_a_margin() -> None:
    question = Question("lower", 0.5, 0.05)
    result = build_pivot("z", 0.9, 0.25, 100, question)  # lower is better: gain −0.9, beyond the margin
    assert result.p_worse == pytest.approx(stats.norm.cdf((-0.9 + 0.5) / 0.25))
    assert result.p_better == pytest.approx(stats.norm.sf(-0.9 / 0.25))
    assert (result.low, result.high) == pytest.approx((0.9 - 1.644853627 * 0.25, 0.9 + 1.644853627 * 0.25))
    assert result.mde == pytest.approx(0.5 + (stats.norm.ppf(0.95) + stats.norm.ppf(0.8)) * 0.25)


def test_t_pivot_uses_t_quantiles() -> None:
    result = build_pivot("t", -0.1, 0.04, 6, Question("higher", 0.0, 0.05), df=5)
    assert result.p_worse == pytest.approx(stats.t.cdf(-0.1 / 0.04, 5))
    assert result.high == pytest.approx(-0.1 + stats.t.ppf(0.95, 5) * 0.04)
    assert find_mde(Question("higher", 0.0, 0.05), 0.04, 5) == pytest.approx(
        (stats.t.ppf(0.95, 5) + stats.t.ppf(0.8, 5)) * 0.04
    )


def test_zero_spread_is_certain() -> None:
    shifted = build_pivot("t", -0.2, 0.0, 10, Question("higher", 0.1, 0.05), df=9)
    assert (shifted.low, shifted.high, shifted.p_worse, shifted.p_better, shifted.mde) == (-0.2, -0.2, 0.0, 1.0, None)
    within = build_pivot("t", -0.05, 0.0, 10, Question("higher", 0.1, 0.05), df=9)
    assert (within.p_worse, within.p_better) == (1.0, 1.0)
    assert build_pivot("t", 0.3, None, 1, Question("higher", 0.0, 0.05), df=0).se is None


def test_unchanged() -> None:
    result = build_unchanged("DeLong", 40)
    assert (result.estimate, result.low, result.high, result.p_worse, result.p_better) == (0.0, 0.0, 0.0, 1.0, 1.0)


def test_draws_percentiles_and_p_values() -> None:
    draws = np.linspace(-0.04, 0.01, 101)  # 81 of 101 below zero
    result = build_draws("boot", -0.015, np.append(draws, np.nan), 500, Question("higher", 0.01, 0.05))
    assert result.skipped == 1
    assert (result.low, result.high) == pytest.approx(tuple(np.quantile(draws, [0.05, 0.95])))
    assert result.p_worse == pytest.approx((1 + np.count_nonzero(draws >= -0.01)) / 102)
    assert result.p_better == pytest.approx((1 + np.count_nonzero(draws <= 0)) / 102)
    assert result.se == pytest.approx(np.std(draws, ddof=1))
    lower = build_draws("boot", -0.015, draws, 500, Question("lower", 0.01, 0.05))
    assert lower.p_worse == pytest.approx((1 + np.count_nonzero(-draws >= -0.01)) / 102)


def test_draws_of_identical_models_reject_nothing() -> None:
    result = build_draws("boot", 0.0, np.zeros(2000), 50, Question("higher", 0.0, 0.05))
    assert (result.low, result.high, result.p_worse, result.p_better, result.mde) == (0.0, 0.0, 1.0, 1.0, None)
    too_few = build_draws("boot", 0.1, np.array([np.nan, 0.2]), 5, Question("higher", 0.0, 0.05))
    assert (too_few.se, too_few.p_worse, too_few.skipped) == (None, 1.0, 1)
