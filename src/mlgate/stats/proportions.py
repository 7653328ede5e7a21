"""Accuracy: two models right or wrong on the same rows, compared on the discordant pairs.

With ``better`` rows only the new model gets right and ``worse`` rows only the base model gets right, the
accuracy difference new − base is (better − worse) / n. With margin 0 the test is McNemar's (1947) exact
form: given d = better + worse discordant rows, ``worse`` ~ Binomial(d, ½) at the boundary; the interval is
the Clopper-Pearson interval for worse / d mapped to d / n · (1 − 2π), so it excludes 0 exactly when the
test rejects. With a margin the null is not on the line π = ½, and the test is Tango's (1998) score test for
a difference of paired proportions (``p_better`` from the same statistic at 0, the asymptotic McNemar z),
and the interval inverts it (so again it excludes −margin exactly when the test rejects). se is the Wald standard error √(d − (better − worse)² / n) / n, used for the MDE.
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt

from mlgate.stats.result import PairedTest, Question, build_unbounded, find_mde

EXACT = "McNemar (exact)"
SCORE = "Tango score test"
_EDGE = 1e-12


def compare_correct(
    right_base: npt.NDArray[np.bool_], right_new: npt.NDArray[np.bool_], question: Question
) -> PairedTest:
    """Compare two models' per-row correctness (see the module docstring)."""
    n = int(right_base.size)
    better = int(np.count_nonzero(right_new & ~right_base))
    worse = int(np.count_nonzero(right_base & ~right_new))
    method = EXACT if question.margin == 0 else SCORE
    if n == 0:
        return build_unbounded(method, 0.0, n, bound=1.0)
    estimate = (better - worse) / n
    se = math.sqrt(max(better + worse - (better - worse) ** 2 / n, 0.0)) / n
    if question.margin == 0:
        return _exact(better, worse, n, estimate, se, question)
    return _score(better, worse, n, estimate, se, question)


def _exact(better: int, worse: int, n: int, estimate: float, se: float, question: Question) -> PairedTest:
    from scipy import stats

    d = better + worse
    alpha = question.alpha
    p_down = float(stats.binom.sf(worse - 1, d, 0.5)) if d else 1.0  # evidence that new − base < 0
    p_up = float(stats.binom.sf(better - 1, d, 0.5)) if d else 1.0  # evidence that new − base > 0
    pi_low = float(stats.beta.ppf(alpha, worse, d - worse + 1)) if worse > 0 else 0.0
    pi_high = float(stats.beta.ppf(1 - alpha, worse + 1, d - worse)) if worse < d else 1.0
    low, high = d / n * (1 - 2 * pi_high) + 0.0, d / n * (1 - 2 * pi_low) + 0.0
    p_worse, p_better = (p_down, p_up) if question.direction == "higher" else (p_up, p_down)
    return PairedTest(EXACT, estimate, low, high, p_worse, p_better, se, find_mde(question, se), n)


def score_statistic(better: int, worse: int, n: int, delta: float) -> float:
    """Tango's score statistic for H0: new − base = delta (Tango 1998), with the restricted maximum-likelihood variance."""
    a = 2.0 * n
    b = -better - worse + (2.0 * n - better + worse) * delta
    c = -worse * delta * (1.0 - delta)
    root = math.sqrt(max(b * b - 4 * a * c, 0.0))
    q = (root - b) / (2 * a) if b <= 0 else -2 * c / (b + root)  # the stable form of the same root
    variance = n * (2 * q + delta * (1 - delta))
    numerator = better - worse - n * delta
    if variance <= 0:
        return 0.0 if numerator == 0 else math.copysign(math.inf, numerator)
    return numerator / math.sqrt(variance)


def _score(better: int, worse: int, n: int, estimate: float, se: float, question: Question) -> PairedTest:
    from scipy import optimize, stats

    z = float(stats.norm.ppf(1 - question.alpha))
    boundary = -question.margin if question.direction == "higher" else question.margin
    if abs(boundary) >= 1:
        p_worse = 1.0  # a margin of 1 or more cannot be crossed
    else:
        statistic = score_statistic(better, worse, n, boundary)
        p_worse = float(stats.norm.cdf(statistic) if question.direction == "higher" else stats.norm.sf(statistic))
    at_zero = score_statistic(better, worse, n, 0.0)
    p_better = float(stats.norm.sf(at_zero) if question.direction == "higher" else stats.norm.cdf(at_zero))

    def solve(target: float) -> float:
        # the statistic falls as delta rises; the limit is where it crosses target, clipped to [-1, 1]
        lo, hi = -1 + _EDGE, 1 - _EDGE
        if score_statistic(better, worse, n, lo) <= target:
            return -1.0
        if score_statistic(better, worse, n, hi) >= target:
            return 1.0
        return float(optimize.brentq(lambda d: score_statistic(better, worse, n, d) - target, lo, hi, xtol=1e-12))

    low, high = solve(z), solve(-z)
    return PairedTest(SCORE, estimate, low, high, p_worse, p_better, se, find_mde(question, se), n)
