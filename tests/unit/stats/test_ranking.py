"""Average precision resampled on sorted scores equals scikit-learn on the same resampled rows."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.metrics import average_precision_score

from mlgate.stats.bootstrap import bootstrap_rows
from mlgate.stats.ranking import bootstrap_precision
from mlgate.stats.result import Question
from mlgate.stats.scoring import find_scorer

HIGHER = Question("higher", 0.0, 0.05)


def _scores(classes: int, rows: int, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    y = rng.integers(0, classes, rows)
    noisy = lambda s: np.round(np.eye(classes)[y] + rng.normal(0, s, (rows, classes)), 1)  # noqa: E731 (ties)
    base, new = noisy(1.0), noisy(0.8)
    return (y, base[:, 1], new[:, 1]) if classes == 2 else (y, base, new)


@pytest.mark.parametrize("classes", [2, 3])
def test_same_resamples_as_row_resampling(classes: int) -> None:
    y, base, new = _scores(classes, 150, seed=classes)
    fast = bootstrap_precision(y, base, new, 1, HIGHER, samples=300, seed=9)
    slow = bootstrap_rows(find_scorer("average_precision"), y, base, new, HIGHER, samples=300, seed=9)
    assert fast.estimate == pytest.approx(average_precision_score(y, new) - average_precision_score(y, base))
    assert (fast.low, fast.high, fast.se) == pytest.approx((slow.low, slow.high, slow.se), abs=1e-12)
    assert (fast.p_worse, fast.p_better, fast.skipped) == (slow.p_worse, slow.p_better, slow.skipped)


def test_resamples_without_a_positive_are_skipped() -> None:
    y = np.array([0, 0, 0, 0, 1])
    result = bootstrap_precision(y, np.linspace(0, 1, 5), np.linspace(1, 0, 5), 1, HIGHER, samples=100, seed=0)
    assert 0 < result.skipped < 100
