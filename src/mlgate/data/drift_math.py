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
correction).
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt

PSI_EPSILON = 1e-4
KS_TOLERANCE = 0.025


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
