"""Paired timings and when a timing difference counts (pure).

A :class:`PairedTiming` holds one statistic (a latency in ms, a fit time in s) for the baseline's model and
the PR's, measured in interleaved rounds on the same machine (``mlgate.training.paired_timing``), with a
confidence interval of their ratio.

**The interval.** Each round gives one paired log-ratio ``d = log(new_round / base_round)``. Its mean
is estimated with a Student t interval, ``mean(d) ± t(1 - (1 - confidence)/2, n - 1) · sd(d)/√n``, and
exponentiated back to a ratio. Logs make the interval symmetric for "twice as slow" and "half as slow"
and turn the machine's multiplicative drift (a loaded core slows every call by some factor) into an
additive one that pairing cancels. A t interval needs at least :data:`MIN_ROUNDS` rounds. For two
identical models, alternating the order within the rounds makes ``d`` symmetric around 0, and the t
interval is conservative for symmetric heavy-tailed data (one spike widens it more than it moves it),
so a busy machine gives wide intervals, not false alarms. The interval is then widened, if needed, to
contain the reported ratio ``new/base`` (a pooled statistic, e.g. a p95 over all calls), so the two never
contradict each other; widening only ever makes a judgement harder.

**The judgement.** :func:`judge_timing` gives ``worse`` only when the whole interval lies above
``1 + rel_tol`` and ``|new - base|`` exceeds the floor (``metrics.timing.latency_floor_ms`` /
``fit_floor_s``); ``better`` mirrors it below ``1 / (1 + rel_tol)``. Without an interval: ``unjudged``.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

TimingStatus = Literal["worse", "better", "same", "unjudged"]

MIN_ROUNDS = 3
CONFIDENCE = 0.95
_TINY = 1e-9  # stands in for a zero reading (a coarse clock), so logs and ratios stay finite


@dataclass(frozen=True)
class PairedTiming:
    """One statistic of the baseline's and the PR's model, their ratio and its interval (None: too few rounds)."""

    base: float
    new: float
    ratio: float
    low: float | None
    high: float | None
    rounds: int


def ratio_interval(
    base_rounds: Sequence[float], new_rounds: Sequence[float], *, confidence: float = CONFIDENCE
) -> tuple[float, float] | None:
    """The t interval of ``new/base`` from per-round paired log-ratios; None below :data:`MIN_ROUNDS` rounds."""
    if len(base_rounds) != len(new_rounds):
        raise ValueError(f"paired rounds differ in number: {len(base_rounds)} and {len(new_rounds)}")
    if len(base_rounds) < MIN_ROUNDS:
        return None
    logs = [math.log(max(n, _TINY) / max(b, _TINY)) for b, n in zip(base_rounds, new_rounds, strict=True)]
    centre = statistics.fmean(logs)
    spread = statistics.stdev(logs)
    if spread == 0.0:
        return math.exp(centre), math.exp(centre)
    from scipy import stats

    half = float(stats.t.ppf(0.5 + confidence / 2, len(logs) - 1)) * spread / math.sqrt(len(logs))
    return math.exp(centre - half), math.exp(centre + half)


def pair_timing(
    base: float,
    new: float,
    base_rounds: Sequence[float],
    new_rounds: Sequence[float],
    *,
    confidence: float = CONFIDENCE,
) -> PairedTiming:
    """A :class:`PairedTiming` of the pooled statistics ``base``/``new`` with the interval of their rounds."""
    ratio = max(new, _TINY) / max(base, _TINY)
    interval = ratio_interval(base_rounds, new_rounds, confidence=confidence)
    if interval is None:
        return PairedTiming(base=base, new=new, ratio=ratio, low=None, high=None, rounds=len(base_rounds))
    low, high = interval
    return PairedTiming(
        base=base, new=new, ratio=ratio, low=min(low, ratio), high=max(high, ratio), rounds=len(base_rounds)
    )


def judge_timing(t: PairedTiming, *, rel_tol: float, floor: float) -> TimingStatus:
    """``worse``/``better`` only when the whole interval is beyond the tolerance and the difference beyond the floor."""
    if t.low is None or t.high is None:
        return "unjudged"
    if abs(t.new - t.base) <= floor:
        return "same"
    if t.low > 1.0 + rel_tol:
        return "worse"
    if t.high < 1.0 / (1.0 + rel_tol):
        return "better"
    return "same"
