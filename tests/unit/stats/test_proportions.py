"""Accuracy: McNemar's exact test against scipy, Tango's score test against its own likelihood."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import optimize, stats

from mlgate.stats.proportions import EXACT, SCORE, compare_correct, score_statistic
from mlgate.stats.result import Question

HIGHER = Question("higher", 0.0, 0.05)


def _table(both: int, better: int, worse: int, neither: int) -> tuple[np.ndarray, np.ndarray]:
    """Per-row correctness (base, new) with the given counts of each pair."""
    base = np.array([True] * both + [False] * better + [True] * worse + [False] * neither)
    new = np.array([True] * both + [True] * better + [False] * worse + [False] * neither)
    return base, new


def test_exact_mcnemar_matches_binomtest() -> None:
    result = compare_correct(*_table(70, 3, 12, 15), HIGHER)
    assert result.method == EXACT
    assert result.estimate == pytest.approx((3 - 12) / 100)
    assert result.p_worse == pytest.approx(stats.binomtest(12, 15, 0.5, alternative="greater").pvalue)
    assert result.p_better == pytest.approx(stats.binomtest(3, 15, 0.5, alternative="greater").pvalue)
    assert result.se == pytest.approx(math.sqrt(15 - 9**2 / 100) / 100)
    lower = compare_correct(*_table(70, 3, 12, 15), Question("lower", 0.0, 0.05))
    assert (lower.p_worse, lower.p_better) == (result.p_better, result.p_worse)


def test_exact_interval_is_clopper_pearson_on_the_discordant_pairs() -> None:
    result = compare_correct(*_table(70, 3, 12, 15), HIGHER)
    ci = stats.binomtest(12, 15, 0.5).proportion_ci(confidence_level=0.9, method="exact")
    assert result.low == pytest.approx(15 / 100 * (1 - 2 * ci.high))
    assert result.high == pytest.approx(15 / 100 * (1 - 2 * ci.low))


@pytest.mark.parametrize("direction", ["higher", "lower"])
@pytest.mark.parametrize("margin", [0.0, 0.02])
def test_interval_and_p_worse_agree(margin: float, direction: str) -> None:
    question = Question(direction, margin, 0.05)
    for better in range(12):
        for worse in range(0, 25, 3):
            result = compare_correct(*_table(60, better, worse, 10), question)
            assert result.method == (EXACT if margin == 0 else SCORE)
            assert result.low <= result.estimate <= result.high
            # the worse end of new − base: the upper end when higher is better, the lower one otherwise
            end, beyond = (result.high, -margin) if direction == "higher" else (-result.low, -margin)
            if not math.isclose(end, beyond, abs_tol=1e-9):
                assert (result.p_worse < 0.05) == (end < beyond), (better, worse)


def _restricted_mle(better: int, worse: int, n: int, delta: float) -> float:
    """P(worse cell) maximising the multinomial likelihood with P(better) − P(worse) = delta, numerically."""

    def negative_log_likelihood(q: float) -> float:
        rest = n - better - worse
        return -(better * math.log(q + delta) + worse * math.log(q) + rest * math.log(1 - 2 * q - delta))

    lo, hi = max(0.0, -delta) + 1e-12, (1 - delta) / 2 - 1e-12
    return float(
        optimize.minimize_scalar(negative_log_likelihood, bounds=(lo, hi), method="bounded", options={"xatol": 1e-13}).x
    )


@pytest.mark.parametrize(("better", "worse", "n", "delta"), [(5, 3, 100, -0.05), (12, 20, 300, 0.02), (1, 9, 40, -0.1)])
def test_score_statistic_uses_the_restricted_mle(better: int, worse: int, n: int, delta: float) -> None:
    q = _restricted_mle(better, worse, n, delta)
    expected = (better - worse - n * delta) / math.sqrt(n * (2 * q + delta * (1 - delta)))
    assert score_statistic(better, worse, n, delta) == pytest.approx(expected, rel=1e-6)


def test_score_statistic_at_zero_is_mcnemars_z() -> None:
    assert score_statistic(14, 6, 200, 0.0) == pytest.approx((14 - 6) / math.sqrt(20))
    assert score_statistic(0, 0, 50, 0.0) == 0.0


def test_tango_p_worse_at_the_margin() -> None:
    question = Question("higher", 0.03, 0.05)
    result = compare_correct(*_table(150, 10, 30, 10), question)
    assert result.p_worse == pytest.approx(stats.norm.cdf(score_statistic(10, 30, 200, -0.03)))
    assert result.p_better == pytest.approx(stats.norm.sf((10 - 30) / math.sqrt(40)))


def test_a_margin_of_one_cannot_be_crossed() -> None:
    result = compare_correct(*_table(0, 0, 10, 0), Question("higher", 1.0, 0.05))
    assert result.p_worse == 1.0
    assert result.low == pytest.approx(-1.0)


def test_no_rows_is_unbounded() -> None:
    result = compare_correct(np.zeros(0, bool), np.zeros(0, bool), HIGHER)
    assert (result.low, result.high, result.p_worse, result.se) == (-1.0, 1.0, 1.0, None)
