"""``test_folds``: cross-validation scores of two models on the same folds (Nadeau & Bengio 2003).

The folds share training rows, so their differences are correlated and a plain paired t test is too
liberal. The corrected resampled t test inflates the variance of the mean difference from s²/k to
(1/k + n_test/n_train)·s², with s² the sample variance of the k per-fold differences new − base, and uses
a t distribution with k − 1 degrees of freedom.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from mlgate.errors import InputError
from mlgate.stats.result import PairedTest, ask, build_pivot, build_unbounded

METHOD = "corrected resampled t (Nadeau–Bengio)"


def test_folds(
    base: Sequence[float],
    new: Sequence[float],
    *,
    train_rows: int,
    test_rows: int,
    direction: str,
    margin: float,
    alpha: float,
) -> PairedTest:
    """Compare per-fold scores (stored units, same fold order); ``n`` of the result is the number of folds."""
    question = ask(direction, margin, alpha)
    if len(base) != len(new) or not base:
        raise InputError(
            f"fold scores: {len(base)} baseline and {len(new)} new folds; a paired test needs the "
            "same folds, at least one",
            hint="compare results from the same data.split.folds",
        )
    if train_rows < 1 or test_rows < 1:
        raise InputError(f"fold sizes: train_rows {train_rows} and test_rows {test_rows} must be positive")
    diffs = np.asarray(new, dtype=np.float64) - np.asarray(base, dtype=np.float64)
    if not np.all(np.isfinite(diffs)):
        raise InputError("fold scores must be finite numbers")
    k, estimate = diffs.size, float(np.mean(diffs))
    if k < 2:
        return build_unbounded(METHOD, estimate, k)
    se = math.sqrt((1 / k + test_rows / train_rows) * float(np.var(diffs, ddof=1)))
    return build_pivot(METHOD, estimate, se, k, question, df=k - 1)


test_folds.__test__ = False  # type: ignore[attr-defined]  # a library function, not a pytest test
