"""Binary ROC AUC: DeLong, DeLong & Clarke-Pearson's (1988) paired test, with Sun & Xu's (2014) midranks.

Both models score the same m positive and k negative rows. A model's AUC is the Mann-Whitney statistic;
its structural components are, per positive row, the share of negatives it outranks (ties count ½) and,
per negative row, the share of positives that outrank it. Their covariances over positives (S10) and
negatives (S01) give Cov(AUC) = S10 / m + S01 / k, and the difference new − base has variance
S[0,0] + S[1,1] − 2·S[0,1]; the test is a z test on it. Sun & Xu read every component from three midrank
vectors (within positives, within negatives, over all rows): O(n log n). Here all three come from one
sort per model: the midranks within a class are those of its rows, already in sorted order.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from mlgate.stats.result import PairedTest, Question, build_pivot, build_unbounded

Array = np.ndarray[Any, Any]
METHOD = "DeLong"


def rank_sorted(values: Array) -> Array:
    """Midranks (1-based, ties averaged) of an already sorted vector, in O(n)."""
    if values.size == 0:
        return np.zeros(0)
    starts = np.concatenate([[0], np.flatnonzero(np.diff(values)) + 1])
    ends = np.append(starts[1:], values.size)
    return np.repeat((starts + ends + 1) / 2, ends - starts)


def rank_three(scores: Array, positive: Array) -> tuple[Array, Array]:
    """Per row, its midrank over all rows minus its midrank within its own class (one sort)."""
    order = np.argsort(scores, kind="stable")
    ranked, hits = scores[order], positive[order]
    overall = rank_sorted(ranked)
    within = np.empty(scores.size)
    within[hits] = rank_sorted(ranked[hits])
    within[~hits] = rank_sorted(ranked[~hits])
    gaps = np.empty(scores.size)
    gaps[order] = overall - within  # positives: negatives below (ties ½); negatives: positives below
    return gaps[positive], gaps[~positive]


def compute_delong(positive: Array, scores: Array) -> tuple[Array, Array]:
    """The AUCs (r,) and their covariance (r, r) for r score rows (r, n) on rows marked ``positive``.

    Needs at least two positive and two negative rows.
    """
    positive = np.asarray(positive, dtype=bool)
    scores = np.atleast_2d(np.asarray(scores, dtype=np.float64))
    m, k = int(np.count_nonzero(positive)), int(np.count_nonzero(~positive))
    v10, v01 = np.empty((scores.shape[0], m)), np.empty((scores.shape[0], k))
    for row, values in enumerate(scores):
        below_pos, below_neg = rank_three(values, positive)
        v10[row] = below_pos / k  # per positive: share of negatives it outranks
        v01[row] = 1 - below_neg / m  # per negative: share of positives that outrank it
    aucs = v10.mean(axis=1)
    covariance = np.atleast_2d(np.cov(v10)) / m + np.atleast_2d(np.cov(v01)) / k
    return aucs, covariance


def compare_auc(positive: Array, base: Array, new: Array, question: Question) -> PairedTest:
    """DeLong's paired test of AUC(new) − AUC(base); too few rows of a class give an unbounded result."""
    positive = np.asarray(positive, dtype=bool)
    n, m = positive.size, int(np.count_nonzero(positive))
    if min(m, n - m) == 0:
        return build_unbounded(METHOD, 0.0, n, bound=1.0)
    if min(m, n - m) < 2:
        rows = np.vstack([base, new]).astype(np.float64)
        few = [float(np.mean(rank_three(values, positive)[0])) / (n - m) for values in rows]
        return build_unbounded(METHOD, few[1] - few[0], n, bound=1.0)
    aucs, cov = compute_delong(positive, np.vstack([base, new]))
    variance = float(cov[0, 0] + cov[1, 1] - 2 * cov[0, 1])
    return build_pivot(METHOD, float(aucs[1] - aucs[0]), math.sqrt(max(variance, 0.0)), n, question)
