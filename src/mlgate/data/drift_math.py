"""The drift measures, on counts only: the population stability index and the Kolmogorov-Smirnov
p-value, kept apart from the collector that gathers the counts. PSI (population stability index) =
Σ (p - q) · ln(p / q) over the reference bins: for numeric fields the 10 equal-frequency reference
bins, for categorical fields the reference categories plus one "other" bin. Shares below
``PSI_EPSILON`` = 1e-4 are raised to it (no renormalisation), so an empty bin contributes a large but
finite term instead of infinity (Evidently does the same). KS (numeric only) = max over the reference
quantile cut points c of |F_ref(c) - F_cur(c)|; F_cur is exact, F_ref is the reference CDF stored at
each cut point. Compared with the exact two-sample KS statistic D: the estimate is at most D + ε and at
least D - (g + 3ε), where ε is the reference sketch's rank error (0 when the reference was exact, at
most 0.5 %) and g is the largest reference share strictly between adjacent cut points (1 % with 101
cut points on continuous data). So |KS - D| <= ``KS_TOLERANCE`` = 0.025; in practice the gap is a few
thousandths. ``ks_pvalue`` is the asymptotic Kolmogorov p-value (Numerical Recipes' effective-n
correction); with ties (discrete values) it is conservative.

``chi_square_pvalue`` is Pearson's chi-square test of homogeneity on the 2 × K table of reference and
current counts over the same bins (categories plus "other"): a bin whose expected count (in either row)
is below ``MIN_EXPECTED`` = 5 is pooled with the other such bins, and a pool still below it joins the
smallest bin left, so the chi-square approximation holds; fewer than two cells left is p = 1.
``quantile_at`` reads a median off cut points and their cumulative shares: the smallest cut point with a
share ≥ ½ at or below it (exact for discrete values, within one reference percentile otherwise).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from itertools import pairwise
from typing import Any

import numpy as np
import numpy.typing as npt

F64 = npt.NDArray[np.float64]

CHART_BINS = 10  # bins of a drift chart at most
PSI_EPSILON = 1e-4
KS_TOLERANCE = 0.025
MIN_EXPECTED = 5.0


def population_stability(reference: npt.ArrayLike, current: npt.ArrayLike, eps: float = PSI_EPSILON) -> float:
    """PSI between two count (or share) vectors over the same bins; shares are floored at ``eps``."""
    ref, cur = np.asarray(reference, np.float64), np.asarray(current, np.float64)
    q = np.maximum(ref / max(ref.sum(), 1.0), eps)
    p = np.maximum(cur / max(cur.sum(), 1.0), eps)
    return float(np.sum((p - q) * np.log(p / q)))


def ks_pvalue(statistic: float, n_reference: int, n_current: int) -> float:
    """Asymptotic two-sample Kolmogorov-Smirnov p-value."""
    if n_reference == 0 or n_current == 0:
        return 1.0
    en = math.sqrt(n_reference * n_current / (n_reference + n_current))
    lam = (en + 0.12 + 0.11 / en) * statistic
    if lam < 0.2:
        return 1.0
    k = np.arange(1, 101)
    return float(np.clip(2 * np.sum((-1.0) ** (k - 1) * np.exp(-2 * k * k * lam * lam)), 0.0, 1.0))


def chi_square_pvalue(reference: npt.ArrayLike, current: npt.ArrayLike) -> float:
    """Pearson's chi-square test that two count vectors over the same bins share one distribution."""
    from scipy import stats

    ref, cur = np.asarray(reference, np.float64), np.asarray(current, np.float64)
    n_ref, n_cur = float(ref.sum()), float(cur.sum())
    if n_ref <= 0 or n_cur <= 0:
        return 1.0
    ref, cur = _pool(ref, cur, min(n_ref, n_cur) / (n_ref + n_cur))
    if ref.size < 2:
        return 1.0
    table = np.vstack([ref, cur])
    expected = np.outer(table.sum(axis=1), table.sum(axis=0)) / table.sum()
    statistic = float(np.sum((table - expected) ** 2 / expected))
    return float(stats.chi2.sf(statistic, ref.size - 1))


def _pool(ref: F64, cur: F64, smaller_share: float) -> tuple[F64, F64]:
    """The bins with enough expected rows, plus one pool of the others (see the module docstring)."""
    total = ref + cur
    keep = total * smaller_share >= MIN_EXPECTED
    cells_ref, cells_cur = list(ref[keep]), list(cur[keep])
    pooled_ref, pooled_cur = float(ref[~keep].sum()), float(cur[~keep].sum())
    if pooled_ref + pooled_cur > 0:
        if (pooled_ref + pooled_cur) * smaller_share < MIN_EXPECTED and cells_ref:
            smallest = int(np.argmin(np.add(cells_ref, cells_cur)))
            cells_ref[smallest] += pooled_ref
            cells_cur[smallest] += pooled_cur
        else:
            cells_ref.append(pooled_ref)
            cells_cur.append(pooled_cur)
    return np.asarray(cells_ref, np.float64), np.asarray(cells_cur, np.float64)


def quantile_at(cuts: npt.ArrayLike, cdf: npt.ArrayLike, level: float) -> float | None:
    """The smallest cut point whose cumulative share reaches ``level``; None when none does."""
    shares = np.asarray(cdf, np.float64)
    reached = np.flatnonzero(shares >= level - 1e-12)
    return float(np.asarray(cuts, np.float64)[reached[0]]) if reached.size else None


Chart = tuple[tuple[str, ...], tuple[float, ...], tuple[float, ...]]


def _shares(counts: Any) -> tuple[float, ...]:
    total = max(float(np.sum(counts)), 1.0)
    return tuple(float(c) / total for c in counts)


def chart_numeric(edges: Sequence[float], reference: Sequence[int], current: Any) -> Chart:
    """Bin labels (``≤1.5``, ``1.5–3``, ``>9``) and the reference and current shares of the PSI bins."""
    cuts = [f"{e:.4g}" for e in edges]
    labels = [f"≤{cuts[0]}"] if cuts else ["all"]
    labels += [f"{a}–{b}" for a, b in pairwise(cuts)] + ([f">{cuts[-1]}"] if cuts else [])
    return tuple(labels), _shares(reference), _shares(current)


def chart_categorical(names: list[str], reference: Any, current: Any) -> Chart:
    """The first ``CHART_BINS`` − 1 categories and ``(other)``, with reference and current shares."""
    head = min(len(names), CHART_BINS - 1)
    rest = ("(other)",) if len(reference) > head else ()
    fold = [*reference[:head], reference[head:].sum()] if rest else list(reference)
    fold_cur = [*current[:head], current[head:].sum()] if rest else list(current)
    return (*names[:head], *rest), _shares(fold), _shares(fold_cur)
