"""DeLong's paired AUC test: a hand-checked example and the O(n²) definition of its covariance."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats
from sklearn.metrics import roc_auc_score

from mlgate.stats.delong import METHOD, compare_auc, compute_delong, rank_sorted
from mlgate.stats.result import Question

HIGHER = Question("higher", 0.0, 0.05)


def test_hand_checked_example() -> None:
    # positives score (0.9, 0.8, 0.4) and (0.6, 0.9, 0.3), negatives (0.7, 0.4) and (0.5, 0.2):
    # AUC 4.5/6 = 3/4 and 5/6; V10 = (1, 1, ¼) and (1, 1, ½); V01 = (⅔, ⅚) and (⅔, 1); so
    # Var(Δ) = (3/16 + 1/12 − 2·⅛)/3 + (1/72 + 1/18 − 2/36)/2 = 1/144 + 1/144 = 1/72.
    positive = np.array([True, True, True, False, False])
    base = np.array([0.9, 0.8, 0.4, 0.7, 0.4])
    new = np.array([0.6, 0.9, 0.3, 0.5, 0.2])
    result = compare_auc(positive, base, new, HIGHER)
    assert result.method == METHOD
    assert result.estimate == pytest.approx(5 / 6 - 3 / 4)
    assert result.se == pytest.approx(math.sqrt(1 / 72))
    assert result.p_better == pytest.approx(stats.norm.sf(1 / math.sqrt(2)))
    assert result.p_worse == pytest.approx(stats.norm.cdf(1 / math.sqrt(2)))
    assert result.high == pytest.approx(1 / 12 + stats.norm.ppf(0.95) * math.sqrt(1 / 72))


def _brute_force(positive: np.ndarray, scores: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """AUCs and their DeLong covariance from the pairwise kernel ψ (1 above, ½ tied, 0 below), O(n²)."""
    v10, v01 = [], []
    for row in scores:
        pos, neg = row[positive], row[~positive]
        psi = (pos[:, None] > neg[None, :]) + 0.5 * (pos[:, None] == neg[None, :])
        v10.append(psi.mean(axis=1))
        v01.append(psi.mean(axis=0))
    m, k = int(positive.sum()), int((~positive).sum())
    return np.mean(v10, axis=1), np.cov(v10) / m + np.cov(v01) / k


def test_covariance_matches_the_quadratic_definition() -> None:
    rng = np.random.default_rng(3)
    positive = rng.random(300) < 0.35
    signal = positive * 1.0
    scores = np.vstack([np.round(signal + rng.normal(0, s, 300), 1) for s in (0.8, 1.0, 1.5)])  # with ties
    aucs, cov = compute_delong(positive, scores)
    expected_aucs, expected_cov = _brute_force(positive, scores)
    np.testing.assert_allclose(aucs, expected_aucs, rtol=1e-12)
    np.testing.assert_allclose(cov, expected_cov, rtol=1e-10)
    np.testing.assert_allclose(aucs, [roc_auc_score(positive, row) for row in scores], rtol=1e-12)


def test_midranks_of_sorted_values() -> None:
    values = np.array([0.1, 0.2, 0.2, 0.2, 0.5, 0.7, 0.7])
    np.testing.assert_array_equal(rank_sorted(values), stats.rankdata(values))
    assert rank_sorted(np.zeros(0)).size == 0


def test_identical_scores_have_no_spread() -> None:
    positive = np.array([True, False, True, False, True])
    scores = np.array([0.9, 0.1, 0.6, 0.7, 0.3])
    result = compare_auc(positive, scores, scores, HIGHER)
    assert (result.estimate, result.low, result.high, result.p_worse, result.p_better) == (0.0, 0.0, 0.0, 1.0, 1.0)


def test_a_single_row_of_a_class_is_unbounded() -> None:
    positive = np.array([True, False, False, False])
    result = compare_auc(positive, np.array([0.9, 0.1, 0.2, 0.3]), np.array([0.15, 0.1, 0.2, 0.3]), HIGHER)
    assert result.estimate == pytest.approx(1 / 3 - 1)
    assert (result.low, result.high, result.p_worse, result.se, result.mde) == (-1.0, 1.0, 1.0, None, None)
    empty = compare_auc(np.zeros(3, bool), np.zeros(3), np.ones(3), HIGHER)
    assert (empty.estimate, empty.p_worse) == (0.0, 1.0)
