"""Per-row losses reproduce scikit-learn's metrics; the paired t agrees with scipy's ttest_rel."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest
from scipy import stats
from sklearn.datasets import load_diabetes, load_wine
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from mlgate.stats import collect_predictions
from mlgate.stats.losses import LOSSES, ROOTS, compare_losses, describe, row_losses
from mlgate.stats.result import Question
from mlgate.stats.scoring import find_scorer

LOWER = Question("lower", 0.0, 0.05)


def _regression() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    X, y = load_diabetes(return_X_y=True)
    base = Ridge(alpha=10.0).fit(X[::2], y[::2]).predict(X[1::2])
    new = Ridge(alpha=0.1).fit(X[::2], y[::2]).predict(X[1::2])
    return y[1::2], base, new


def _classifier(binary: bool) -> tuple[Any, np.ndarray, np.ndarray]:
    X, y = load_wine(return_X_y=True)
    if binary:
        X, y = X[y < 2], y[y < 2] + 1  # labels 1 and 2: the greater one is positive
    model = make_pipeline(StandardScaler(), LogisticRegression(C=0.05)).fit(X[::2], y[::2])
    return model, X[1::2], y[1::2]


@pytest.mark.parametrize("scorer", [s for s in [*LOSSES, *ROOTS, "r2"] if s not in ("neg_log_loss", "neg_brier_score")])
def test_regression_rows_reproduce_the_metric(scorer: str) -> None:
    y, base, _ = _regression()
    found = find_scorer(scorer)
    stored = found.value(y, base)
    rows = row_losses(scorer, y, base, stored)
    assert rows is not None
    assert rows.shape == y.shape
    assert row_losses(scorer, y, base, stored * 1.01 + 1) is None  # a mean that does not reproduce it


@pytest.mark.parametrize("binary", [True, False])
@pytest.mark.parametrize("scorer", ["neg_log_loss", "neg_brier_score"])
def test_probability_rows_reproduce_the_metric(scorer: str, binary: bool) -> None:
    model, X, y = _classifier(binary)
    found = find_scorer(scorer)
    response = found.respond(collect_predictions(model, X, [scorer]))
    rows = row_losses(scorer, y, response, found.value(y, response))
    assert rows is not None
    assert rows.shape == y.shape


def test_paired_t_matches_ttest_rel() -> None:
    y, base, new = _regression()
    base_rows, new_rows = (y - base) ** 2, (y - new) ** 2
    stored = (float(np.mean(base_rows)), float(np.mean(new_rows)))
    result = compare_losses("neg_mean_squared_error", y, (base_rows, new_rows), stored, LOWER)
    assert result.method == describe("neg_mean_squared_error") == "paired t on per-row squared error"
    assert result.estimate == pytest.approx(stored[1] - stored[0])
    # lower is better: "new is better" is base − new > 0
    assert result.p_better == pytest.approx(stats.ttest_rel(base_rows, new_rows, alternative="greater").pvalue)
    assert result.p_worse == pytest.approx(stats.ttest_rel(base_rows, new_rows, alternative="less").pvalue)
    interval = stats.ttest_rel(new_rows, base_rows).confidence_interval(confidence_level=0.9)
    assert (result.low, result.high) == pytest.approx((interval.low, interval.high))
    margin = Question("lower", 50.0, 0.05)
    shifted = compare_losses("neg_mean_squared_error", y, (base_rows, new_rows), stored, margin)
    assert shifted.p_worse == pytest.approx(stats.ttest_rel(base_rows + 50.0, new_rows, alternative="less").pvalue)


def test_r2_is_a_scaled_paired_t() -> None:
    y, base, new = _regression()
    sst = float(np.sum((y - y.mean()) ** 2))
    base_rows, new_rows = (y - base) ** 2, (y - new) ** 2
    stored = (1 - base_rows.sum() / sst, 1 - new_rows.sum() / sst)
    result = compare_losses("r2", y, (base_rows, new_rows), stored, Question("higher", 0.0, 0.05))
    assert result.estimate == pytest.approx(stored[1] - stored[0])
    assert result.se == pytest.approx(y.size / sst * np.std(base_rows - new_rows, ddof=1) / math.sqrt(y.size))
    assert result.p_better == pytest.approx(stats.ttest_rel(base_rows, new_rows, alternative="greater").pvalue)


def test_rmse_by_the_delta_method() -> None:
    y, base, new = _regression()
    base_rows, new_rows = (y - base) ** 2, (y - new) ** 2
    rmse = (math.sqrt(base_rows.mean()), math.sqrt(new_rows.mean()))
    result = compare_losses("neg_root_mean_squared_error", y, (base_rows, new_rows), rmse, LOWER)
    # d RMSE = d MSE / (2 RMSE): the per-row contributions of the linearised difference
    linear = new_rows / (2 * rmse[1]) - base_rows / (2 * rmse[0])
    assert result.estimate == pytest.approx(rmse[1] - rmse[0])
    assert result.se == pytest.approx(np.std(linear, ddof=1) / math.sqrt(y.size))
    perfect = compare_losses("neg_root_mean_squared_error", y, (base_rows * 0, new_rows), (0.0, rmse[1]), LOWER)
    assert (perfect.se, perfect.p_worse) == (None, 1.0)


def test_one_row_is_unbounded() -> None:
    result = compare_losses(
        "neg_mean_absolute_error", np.array([1.0]), (np.array([0.5]), np.array([2.0])), (0.5, 2.0), LOWER
    )
    assert result.estimate == 1.5
    assert (result.low, result.high, result.p_worse, result.se) == (-math.inf, math.inf, 1.0, None)
