"""Nadeau & Bengio's corrected resampled t test over cross-validation folds, by hand."""

from __future__ import annotations

import math

import pytest
from scipy import stats

from mlgate import stats as mlstats
from mlgate.errors import InputError
from mlgate.stats.folds import METHOD

BASE = [0.80, 0.82, 0.79, 0.81, 0.80]
NEW = [0.82, 0.83, 0.80, 0.84, 0.81]


def test_hand_computation() -> None:
    # differences 0.02 0.01 0.01 0.03 0.01: mean 0.016, sample variance 80e-6; with 800 training and
    # 200 test rows the variance of the mean is (1/5 + 200/800) · 80e-6 = 36e-6, se 0.006, t = 2.667 on 4 df
    result = mlstats.test_folds(BASE, NEW, train_rows=800, test_rows=200, direction="higher", margin=0.0, alpha=0.05)
    assert result.method == METHOD
    assert (result.estimate, result.se) == pytest.approx((0.016, 0.006))
    assert result.n == 5
    assert result.p_better == pytest.approx(stats.t.sf(0.016 / 0.006, 4))
    assert result.p_worse == pytest.approx(stats.t.cdf(0.016 / 0.006, 4))
    assert result.low == pytest.approx(0.016 - stats.t.ppf(0.95, 4) * 0.006)
    assert result.mde == pytest.approx((stats.t.ppf(0.95, 4) + stats.t.ppf(0.8, 4)) * 0.006)


def test_margin_and_direction() -> None:
    # an error metric went up by 0.016 on average; with a margin of 0.05 that is not a failure
    result = mlstats.test_folds(BASE, NEW, train_rows=800, test_rows=200, direction="lower", margin=0.05, alpha=0.05)
    assert result.p_worse == pytest.approx(stats.t.cdf((-0.016 + 0.05) / 0.006, 4))
    assert result.p_worse > 0.05


def test_identical_and_single_folds() -> None:
    same = mlstats.test_folds(BASE, BASE, train_rows=8, test_rows=2, direction="higher", margin=0.0, alpha=0.05)
    assert (same.estimate, same.low, same.high, same.p_worse, same.p_better) == (0.0, 0.0, 0.0, 1.0, 1.0)
    one = mlstats.test_folds([0.7], [0.6], train_rows=8, test_rows=2, direction="higher", margin=0.0, alpha=0.05)
    assert one.estimate == pytest.approx(-0.1)
    assert (one.low, one.high, one.p_worse, one.se) == (-math.inf, math.inf, 1.0, None)


@pytest.mark.parametrize(
    ("base", "new", "rows", "message"),
    [
        ([0.1, 0.2], [0.1], (8, 2), "2 baseline and 1 new folds"),
        ([], [], (8, 2), "0 baseline and 0 new folds"),
        ([0.1], [0.2], (0, 2), "train_rows 0 and test_rows 2 must be positive"),
        ([0.1, math.nan], [0.2, 0.3], (8, 2), "fold scores must be finite"),
    ],
)
def test_bad_input(base: list[float], new: list[float], rows: tuple[int, int], message: str) -> None:
    with pytest.raises(InputError, match=message):
        mlstats.test_folds(base, new, train_rows=rows[0], test_rows=rows[1], direction="higher", margin=0.0, alpha=0.05)
