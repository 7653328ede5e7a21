"""What a paired comparison reports, and the three ways a statistic becomes one.

Conventions (docs/comparison.md#how-sure-a-verdict-is): ``estimate`` is new − base in stored metric units;
gain is new − base when higher is better, base − new when lower is. ``p_worse`` tests H0: gain ≥ −margin
(a gate fails when it is below alpha), ``p_better`` tests H0: gain ≤ 0. ``low``/``high`` bound new − base
with confidence 1 − 2·alpha, so each end is a one-sided 1 − alpha bound (the TOST convention). The minimum
detectable effect is margin + (q(1 − alpha) + q(0.8)) · se, q the normal or t quantile the test uses.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from mlgate.errors import InputError

POWER = 0.8


@dataclass(frozen=True)
class Question:
    """What a gate asks of one metric: which way is better, the margin (metric units), the error rate."""

    direction: str
    margin: float
    alpha: float

    def gain(self, diff: float) -> float:
        """How much better new is than base, for a difference new − base."""
        return diff if self.direction == "higher" else -diff


@dataclass(frozen=True)
class PairedTest:
    """A paired comparison of a new model with the baseline on one metric (see the module docstring)."""

    method: str
    estimate: float
    low: float
    high: float
    p_worse: float
    p_better: float
    se: float | None
    mde: float | None
    n: int
    skipped: int = 0  # bootstrap resamples on which the metric was undefined (left out)


def ask(direction: str, margin: float, alpha: float) -> Question:
    """The validated Question; a bad direction, margin or alpha is an InputError."""
    if direction not in ("higher", "lower"):
        raise InputError(f"direction '{direction}' must be 'higher' or 'lower'")
    if not math.isfinite(margin) or margin < 0:
        raise InputError(f"margin {margin} must be a finite number ≥ 0 (metric units)")
    if not 0 < alpha < 0.5:
        raise InputError(f"alpha {alpha} must be between 0 and 0.5")
    return Question(direction, float(margin), float(alpha))


def find_mde(question: Question, se: float | None, df: float | None = None) -> float | None:
    """The smallest true drop detected with 80 % power at level alpha; None without a positive se."""
    if se is None or not math.isfinite(se) or se <= 0:
        return None
    from scipy import stats

    dist = stats.norm if df is None else stats.t(df)
    return question.margin + float(dist.ppf(1 - question.alpha) + dist.ppf(POWER)) * se


def build_unchanged(method: str, n: int) -> PairedTest:
    """Identical predictions: no difference, nothing to reject."""
    return PairedTest(method, 0.0, 0.0, 0.0, 1.0, 1.0, 0.0, None, n)


def build_unbounded(method: str, estimate: float, n: int, *, bound: float = math.inf) -> PairedTest:
    """Too little data to estimate the spread: the interval is the widest possible, nothing is rejected."""
    return PairedTest(method, float(estimate), -bound, bound, 1.0, 1.0, None, None, n)


def build_pivot(
    method: str, estimate: float, se: float | None, n: int, question: Question, *, df: float | None = None
) -> PairedTest:
    """A z test (``df`` None) or a t test with ``df`` degrees of freedom on estimate / se.

    A zero se (every row or fold moved by the same amount) makes each p-value 0 or 1 and the interval a point.
    """
    estimate = float(estimate)
    if se is None or not math.isfinite(se) or (df is not None and df < 1):
        return build_unbounded(method, estimate, n)
    gain, margin = question.gain(estimate), question.margin
    if se == 0:
        p_worse, p_better = (0.0 if gain < -margin else 1.0), (0.0 if gain > 0 else 1.0)
        return PairedTest(method, estimate, estimate, estimate, p_worse, p_better, 0.0, None, n)
    from scipy import stats

    dist = stats.norm if df is None else stats.t(df)
    half = float(dist.ppf(1 - question.alpha)) * se
    p_worse, p_better = float(dist.cdf((gain + margin) / se)), float(dist.sf(gain / se))
    mde = find_mde(question, se, df)
    return PairedTest(method, estimate, estimate - half, estimate + half, p_worse, p_better, se, mde, n)


def build_draws(method: str, estimate: float, draws: npt.NDArray[np.float64], n: int, question: Question) -> PairedTest:
    """A bootstrap result from the resampled differences new − base (NaN: undefined on that resample).

    Percentile interval: the alpha and 1 − alpha quantiles of the differences. The p-values read the same
    distribution as a distribution of the gain: p_worse = (1 + #{gain* ≥ −margin}) / (1 + B) and
    p_better = (1 + #{gain* ≤ 0}) / (1 + B) over the B defined resamples, so p_worse < alpha exactly when the
    interval's worse end lies beyond the margin (up to the +1, which keeps a p-value from being 0).
    """
    estimate = float(estimate)
    defined = draws[np.isfinite(draws)]
    skipped = int(draws.size - defined.size)
    if defined.size < 2:
        return PairedTest(method, estimate, -math.inf, math.inf, 1.0, 1.0, None, None, n, skipped)
    gains = defined if question.direction == "higher" else -defined
    total = defined.size + 1
    p_worse = min(1.0, (1 + int(np.count_nonzero(gains >= -question.margin))) / total)
    p_better = min(1.0, (1 + int(np.count_nonzero(gains <= 0))) / total)
    low, high = (float(v) for v in np.quantile(defined, [question.alpha, 1 - question.alpha]))
    se = float(np.std(defined, ddof=1))
    return PairedTest(method, estimate, low, high, p_worse, p_better, se, find_mde(question, se), n, skipped)
