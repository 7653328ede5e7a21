"""Multiclass ROC AUC (``roc_auc_ovr``, ``roc_auc_ovo`` and their ``_weighted`` forms) by DeLong's method.

scikit-learn averages binary AUCs: one per class against the rest (ovr), or per pair of classes in both
directions on the rows of those two classes (ovo, Hand & Till 2001); macro weights are equal, weighted ones
follow class support (ovr) or pair prevalence (ovo). Each binary AUC is a two-sample U statistic, whose
first-order (Hájek) expansion puts on every row i a component: (V10_i − AUC) / m for its m positive rows
and (V01_i − AUC) / k for its k negative rows, V the structural components of DeLong et al. (1988) read from
midranks as in ``delong``. The difference of the two models' averages is then a sum of per-row terms g_i,
independent across rows of the same class, so Var = Σ over classes of (rows in the class) × (sample variance
of g within the class); for two classes this is exactly DeLong's variance. The test is a z test on it.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from itertools import combinations
from typing import Any

import numpy as np

from mlgate.stats.delong import rank_three
from mlgate.stats.result import PairedTest, Question, build_pivot, build_unbounded

Array = np.ndarray[Any, Any]
SCORERS = {
    "roc_auc_ovr": ("ovr", False),
    "roc_auc_ovr_weighted": ("ovr", True),
    "roc_auc_ovo": ("ovo", False),
    "roc_auc_ovo_weighted": ("ovo", True),
}


def describe(scorer: str) -> str:
    """The method name."""
    return f"DeLong ({'one-vs-rest' if SCORERS[scorer][0] == 'ovr' else 'one-vs-one'} average)"


def list_terms(codes: Array, classes: int, scorer: str) -> Iterator[tuple[float, Array, Array, int]]:
    """The averaged binary AUCs as (weight, positive rows, negative rows, score column)."""
    scheme, weighted = SCORERS[scorer]
    counts = np.bincount(codes, minlength=classes)
    if scheme == "ovr":
        for c in range(classes):
            yield (counts[c] / codes.size if weighted else 1 / classes), codes == c, codes != c, c
        return
    pairs = list(combinations(range(classes), 2))
    prevalence = np.array([counts[a] + counts[b] for a, b in pairs], dtype=np.float64)
    weights = prevalence / prevalence.sum() if weighted else np.full(len(pairs), 1 / len(pairs))
    for weight, (a, b) in zip(weights, pairs, strict=True):
        yield weight / 2, codes == a, codes == b, a
        yield weight / 2, codes == b, codes == a, b


def expand_auc(scores: Array, positive: Array, negative: Array) -> tuple[float, Array]:
    """One binary AUC and its per-row first-order components (0 on rows outside ``positive | negative``)."""
    rows = positive | negative
    pos = positive[rows]
    m, k = int(np.count_nonzero(pos)), int(np.count_nonzero(~pos))
    below_pos, below_neg = rank_three(np.asarray(scores, dtype=np.float64)[rows], pos)
    structural = np.empty(pos.size)
    structural[pos], structural[~pos] = below_pos / k, 1 - below_neg / m
    auc = float(np.mean(structural[pos]))
    components = np.zeros(scores.shape[0])
    components[rows] = np.where(pos, (structural - auc) / m, (structural - auc) / k)
    return auc, components


def compare_multiclass_auc(scorer: str, y: Array, base: Array, new: Array, question: Question) -> PairedTest:
    """The paired test of the averaged AUC; a class with fewer than two rows gives an unbounded result."""
    labels, codes = np.unique(y, return_inverse=True)
    counts = np.bincount(codes, minlength=len(labels))
    estimate, terms = 0.0, np.zeros(codes.size)
    for weight, positive, negative, column in list_terms(codes, len(labels), scorer):
        auc_base, parts_base = expand_auc(base[:, column], positive, negative)
        auc_new, parts_new = expand_auc(new[:, column], positive, negative)
        estimate += float(weight) * (auc_new - auc_base)
        terms += float(weight) * (parts_new - parts_base)
    if counts.min() < 2:
        return build_unbounded(describe(scorer), estimate, codes.size, bound=1.0)
    variance = sum(counts[c] * float(np.var(terms[codes == c], ddof=1)) for c in range(len(labels)))
    return build_pivot(describe(scorer), estimate, math.sqrt(variance), codes.size, question)
