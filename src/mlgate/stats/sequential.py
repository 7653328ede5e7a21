"""``test_sequential``: an always-valid test of B − A for two independent means (the mSPRT and its confidence sequence).

The mixture sequential probability ratio test with a normal mixture (Robbins 1970; Johari, Koomen, Pekelis and
Walsh, "Always valid inference", 2017/2022). With theta_hat = mean_B − mean_A ~ N(theta, V), V = s_A²/n_A +
s_B²/n_B (plug-in variances), the likelihood ratio of "theta ~ N(0, tau²)" against "theta = 0" is a ratio of two
normal densities of theta_hat, N(0, V + tau²) over N(0, V):

    Lambda = sqrt(V / (V + tau²)) · exp(theta_hat² · tau² / (2 V (V + tau²)))

a nonnegative martingale under theta = 0 (Ville: it ever reaches 1/alpha with chance ≤ alpha), so rejecting when
Lambda ≥ 1/alpha stays valid however often one looks. Centring at theta instead of 0 and solving
Lambda(theta_hat − theta) < 1/alpha for theta gives the confidence sequence, an interval that holds at every look
at once with chance ≥ 1 − alpha:

    theta_hat ± sqrt(V (V + tau²) / tau² · (log((V + tau²) / V) + 2 log(1 / alpha)))

``p_value`` is min(1, 1/Lambda) at this look. tau is the scale of effects the test is most sensitive to (the
half-width for a given V is smallest when tau² ≈ 8 V at alpha 0.05, i.e. tau ≈ the effect it resolves then). Default
(``tau=None``): ``MIXTURE_SCALE`` (0.1) × the pooled standard deviation (all rows of both arms around their common
mean): most sensitive to effects of about a tenth of a standard deviation, a "small" standardised effect, which
for accuracy near 90 % is about 3 points; larger effects are still found, a little later (3× mis-tuned costs ~30 %
more rows). Degenerate inputs never give NaN: with fewer than 2 rows in an arm, or every row of both arms equal
(V = 0 and nothing to floor it with), the test says "no evidence" (interval (−inf, +inf), p = 1). When only each
arm's variance is 0 (A all 0, B all 1), V is floored at the pooled variance over n_A and n_B: an arm that showed
no spread yet is not taken as exact.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from mlgate.errors import InputError

MIXTURE_SCALE = 0.1  # default tau = this × the pooled standard deviation
REACH = 10**7  # estimate_remaining gives up beyond this many more rows per arm


@dataclass(frozen=True)
class Moments:
    """What the test needs of one arm: rows, mean, sum of squared deviations from the mean."""

    n: int
    mean: float
    squares: float

    @classmethod
    def of(cls, values: Sequence[float] | np.ndarray) -> Moments:
        array = np.asarray(values, dtype=float)
        if array.size == 0:
            return cls(0, 0.0, 0.0)
        if not np.all(np.isfinite(array)):
            raise InputError("sequential test: every per-row value must be a finite number")
        mean = float(array.mean())
        return cls(int(array.size), mean, float(np.sum((array - mean) ** 2)))

    @classmethod
    def of_counts(cls, hits: int, n: int) -> Moments:
        """``hits`` ones among ``n`` 0/1 values (error indicators), without building them."""
        if not 0 <= hits <= n:
            raise InputError(f"sequential test: {hits} hits among {n} rows")
        if n == 0:
            return cls(0, 0.0, 0.0)
        mean = hits / n
        return cls(n, mean, hits * (1 - mean) ** 2 + (n - hits) * mean**2)

    @property
    def variance(self) -> float:
        return self.squares / (self.n - 1) if self.n > 1 else 0.0


@dataclass(frozen=True)
class SequentialTest:
    """One look of the always-valid test of B − A: the confidence sequence [lower, upper] at 1 − alpha."""

    n_a: int
    n_b: int
    estimate: float
    lower: float
    upper: float
    p_value: float
    alpha: float
    tau: float
    var_a: float  # the plug-in per-row variances (estimate_remaining projects with them)
    var_b: float

    @property
    def informative(self) -> bool:
        return math.isfinite(self.lower) and math.isfinite(self.upper)


def test_sequential(
    a: Sequence[float] | np.ndarray, b: Sequence[float] | np.ndarray, *, alpha: float, tau: float | None
) -> SequentialTest:
    """The mSPRT of B − A on per-row values (see the module docstring); ``tau=None``: the default rule."""
    return test_moments(Moments.of(a), Moments.of(b), alpha=alpha, tau=tau, scale=MIXTURE_SCALE)


test_sequential.__test__ = False  # type: ignore[attr-defined]  # a library function, not a pytest test


def test_moments(a: Moments, b: Moments, *, alpha: float, tau: float | None, scale: float) -> SequentialTest:
    """``test_sequential`` from each arm's moments; the default tau is ``scale`` × the pooled standard deviation."""
    if not 0 < alpha < 1:
        raise InputError(f"sequential test: alpha {alpha!r} must be between 0 and 1")
    if tau is not None and not (math.isfinite(tau) and tau > 0):
        raise InputError(f"sequential test: the mixture scale tau {tau!r} must be a number > 0")
    estimate = b.mean - a.mean if a.n and b.n else 0.0
    pooled = _pool(a, b)
    mixing = tau if tau is not None else scale * math.sqrt(pooled)
    var_a, var_b = a.variance, b.variance
    if a.n < 2 or b.n < 2 or pooled == 0:
        return SequentialTest(a.n, b.n, estimate, -math.inf, math.inf, 1.0, alpha, mixing, var_a, var_b)
    if var_a == 0 and var_b == 0:
        var_a = var_b = pooled
    v = var_a / a.n + var_b / b.n
    log_lambda = 0.5 * math.log(v / (v + mixing**2)) + estimate**2 * mixing**2 / (2 * v * (v + mixing**2))
    p_value = min(1.0, math.exp(-log_lambda)) if log_lambda > -700 else 1.0
    half = measure_half_width(v, mixing, alpha)
    return SequentialTest(a.n, b.n, estimate, estimate - half, estimate + half, p_value, alpha, mixing, var_a, var_b)


test_moments.__test__ = False  # type: ignore[attr-defined]


def measure_half_width(v: float, tau: float, alpha: float) -> float:
    """The confidence sequence's half-width at variance ``v`` of the estimate (increasing in ``v``)."""
    return math.sqrt(v * (v + tau**2) / tau**2 * (math.log1p(tau**2 / v) + 2 * math.log(1 / alpha)))


def estimate_remaining(test: SequentialTest, effect: float) -> int | None:
    """Rows per arm still needed (both arms growing alike, today's variances) until the half-width is below
    ``|effect|``; 0 when it already is, None when ``effect`` is 0, the test has no spread, or it takes > 10**7."""
    target = abs(effect)
    if target == 0 or not math.isfinite(target) or test.n_a < 2 or test.n_b < 2:
        return None
    if test.var_a == 0 and test.var_b == 0:
        return None

    def half(more: int) -> float:
        v = test.var_a / (test.n_a + more) + test.var_b / (test.n_b + more)
        return measure_half_width(v, test.tau, test.alpha) if v > 0 else 0.0

    if half(0) < target:
        return 0
    if half(REACH) >= target:
        return None
    low, high = 0, REACH  # half(low) ≥ target > half(high)
    while high - low > 1:
        middle = (low + high) // 2
        low, high = (middle, high) if half(middle) >= target else (low, middle)
    return high


def _pool(a: Moments, b: Moments) -> float:
    """The variance of all rows of both arms around their common mean (0 with fewer than 2 rows)."""
    n = a.n + b.n
    if n < 2:
        return 0.0
    mean = (a.n * a.mean + b.n * b.mean) / n
    squares = a.squares + b.squares + a.n * (a.mean - mean) ** 2 + b.n * (b.mean - mean) ** 2
    return max(0.0, squares / (n - 1))
