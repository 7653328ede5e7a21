"""Multiclass AUC: scikit-learn's averages, DeLong's variance for two classes, the O(n²) components."""

from __future__ import annotations

import math
from itertools import combinations

import numpy as np
import pytest
from sklearn.metrics import roc_auc_score

from mlgate.stats.delong import compare_auc
from mlgate.stats.multiclass import SCORERS, compare_multiclass_auc
from mlgate.stats.result import Question

HIGHER = Question("higher", 0.0, 0.05)


def _data(classes: int, rows: int, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    y = rng.integers(0, classes, rows)

    def model(noise: float) -> np.ndarray:
        logits = np.round(np.eye(classes)[y] + rng.normal(0, noise, (rows, classes)), 1)  # ties
        proba: np.ndarray = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
        return proba

    return y, model(1.0), model(1.3)


@pytest.mark.parametrize("scorer", sorted(SCORERS))
def test_estimate_is_sklearns_difference(scorer: str) -> None:
    y, base, new = _data(4, 400, seed=1)
    multi_class, weighted = SCORERS[scorer]
    average = "weighted" if weighted else "macro"
    expected = roc_auc_score(y, new, multi_class=multi_class, average=average) - roc_auc_score(
        y, base, multi_class=multi_class, average=average
    )
    result = compare_multiclass_auc(scorer, y, base, new, HIGHER)
    assert result.estimate == pytest.approx(expected, abs=1e-12)
    assert result.se is not None
    assert result.se > 0


def test_two_classes_give_delongs_variance() -> None:
    rng = np.random.default_rng(2)
    y = rng.integers(0, 2, 200)
    p_base, p_new = (1 / (1 + np.exp(-(y + rng.normal(0, s, 200)))) for s in (1.0, 1.4))
    two = compare_multiclass_auc(
        "roc_auc_ovr", y, np.column_stack([1 - p_base, p_base]), np.column_stack([1 - p_new, p_new]), HIGHER
    )
    binary = compare_auc(y == 1, p_base, p_new, HIGHER)
    assert two.estimate == pytest.approx(binary.estimate)
    assert two.se == pytest.approx(binary.se)


def _components(scores: np.ndarray, positive: np.ndarray, negative: np.ndarray) -> tuple[float, np.ndarray]:
    """The AUC of positive over negative rows and each row's first-order term, from the kernel ψ (O(n²))."""
    pos, neg = scores[positive], scores[negative]
    psi = (pos[:, None] > neg[None, :]) + 0.5 * (pos[:, None] == neg[None, :])
    auc = float(psi.mean())
    terms = np.zeros(scores.size)
    terms[positive] = (psi.mean(axis=1) - auc) / positive.sum()
    terms[negative] = (psi.mean(axis=0) - auc) / negative.sum()
    return auc, terms


def test_one_vs_one_weighted_variance_from_the_kernel() -> None:
    y, base, new = _data(3, 240, seed=4)
    counts = np.bincount(y)
    pairs = list(combinations(range(3), 2))
    prevalence = np.array([counts[a] + counts[b] for a, b in pairs]) / (
        2 * sum(counts[a] + counts[b] for a, b in pairs)
    )
    total = np.zeros(y.size)
    for weight, (a, b) in zip(prevalence, pairs, strict=True):
        for pos, neg in ((a, b), (b, a)):
            _, t_base = _components(base[:, pos], y == pos, y == neg)
            _, t_new = _components(new[:, pos], y == pos, y == neg)
            total += weight * (t_new - t_base)
    variance = sum(counts[c] * np.var(total[y == c], ddof=1) for c in range(3))
    result = compare_multiclass_auc("roc_auc_ovo_weighted", y, base, new, HIGHER)
    assert result.se == pytest.approx(math.sqrt(variance), rel=1e-10)


def test_a_class_with_one_row_is_unbounded() -> None:
    y = np.array([0, 0, 1, 1, 2])
    proba = np.full((5, 3), 1 / 3)
    result = compare_multiclass_auc("roc_auc_ovr", y, proba, proba[:, [1, 0, 2]], HIGHER)
    assert (result.low, result.high, result.p_worse, result.se) == (-1.0, 1.0, 1.0, None)
