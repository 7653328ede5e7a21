"""A retrained candidate against the live version on one metric, paired on the same fresh evaluation rows.

The tests are the PR gate's (``mlgate.stats``): row by row on the holdout test rows (``test_paired``: McNemar
or Tango for accuracy, DeLong for ROC AUC, a paired t on per-row losses, the bootstrap), fold by fold under
cross-validation (``test_folds``, Nadeau and Bengio). Two questions are asked of the difference
candidate − live, in the metric's direction:

- ``better``: is the candidate better by more than ``margin``? The p-value tests H0: gain ≤ margin. It is the
  PR gate's non-inferiority test with the two sides swapped: ``p_worse`` of (base = candidate, new = live)
  tests H0: live − candidate gain ≥ −margin, which is the same hypothesis;
- ``not worse``: is the candidate worse by more than ``margin``? The p-value tests H0: gain ≥ −margin, the
  PR gate's own question (small: worse beyond the margin).

``low``/``high`` bound candidate − live in stored units, each end a one-sided bound at confidence 1 − alpha.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from mlgate.errors import InputError

if TYPE_CHECKING:
    from mlgate.stats import PairedTest, Predictions

Question = Literal["better", "not worse"]


@dataclass(frozen=True)
class Comparison:
    """candidate − live on one metric: the difference, its interval, the p-value of the question asked."""

    estimate: float
    low: float
    high: float
    p_value: float
    method: str
    n: int
    unit: Literal["rows", "folds"] = "rows"  # what n counts: evaluation rows, or folds under cross-validation


@dataclass(frozen=True)
class FreshRows:
    """What the paired tests read: the live version's and every candidate's outputs on the same evaluation.

    Holdout: ``y`` and per-row ``Predictions``; cross-validation: per-fold scores by metric, and
    ``train_rows`` (the rows the folds split) for the Nadeau–Bengio correction.
    """

    y: Any = None
    live: Predictions | None = None
    candidates: Mapping[str, Predictions] = field(default_factory=dict)
    live_folds: Mapping[str, tuple[float, ...]] = field(default_factory=dict)
    candidate_folds: Mapping[str, Mapping[str, tuple[float, ...]]] = field(default_factory=dict)
    train_rows: int = 0
    samples: int = 2000
    seed: int = 0
    spread: Mapping[str, Mapping[str, float]] = field(default_factory=dict)  # candidate -> metric -> resample sd
    fits: int = 10  # the fits each spread was estimated from (retrain.resample_fits + 1)


def compare_with_live(
    rows: FreshRows, candidate: str, metric: str, *, direction: str, margin: float, alpha: float, ask: Question
) -> Comparison | str:
    """The comparison of ``candidate`` with the live version on ``metric``, or why there is none."""
    test = _run(rows, candidate, metric, direction=direction, margin=margin, alpha=alpha, swap=ask == "better")
    if isinstance(test, str):
        return test
    unit: Literal["rows", "folds"] = "folds" if rows.live_folds.get(metric) else "rows"
    if ask == "better":  # the test ran as (base = candidate, new = live): turn it round
        return Comparison(
            -test.estimate + 0.0, -test.high + 0.0, -test.low + 0.0, test.p_worse, test.method, test.n, unit
        )
    return Comparison(test.estimate, test.low, test.high, test.p_worse, test.method, test.n, unit)


def _run(
    rows: FreshRows, candidate: str, metric: str, *, direction: str, margin: float, alpha: float, swap: bool
) -> PairedTest | str:
    from mlgate.stats import test_folds, test_paired, widen_by_seeds

    live_folds, new_folds = rows.live_folds.get(metric), rows.candidate_folds.get(candidate, {}).get(metric)
    try:
        if live_folds and new_folds:
            if len(live_folds) != len(new_folds):
                return f"fold counts differ ({len(live_folds)} vs {len(new_folds)})"
            test_rows = max(1, rows.train_rows // len(new_folds))
            base, new = (new_folds, live_folds) if swap else (live_folds, new_folds)
            return test_folds(
                base,
                new,
                train_rows=max(1, rows.train_rows - test_rows),
                test_rows=test_rows,
                direction=direction,
                margin=margin,
                alpha=alpha,
            )
        ours = rows.candidates.get(candidate)
        if rows.live is None or ours is None or rows.y is None:
            return "no per-row predictions or per-fold scores on both sides"
        pair = (ours, rows.live) if swap else (rows.live, ours)
        test = test_paired(
            metric, rows.y, *pair, direction=direction, margin=margin, alpha=alpha, samples=rows.samples, seed=rows.seed
        )
    except InputError as exc:
        return exc.message
    sd = rows.spread.get(candidate, {}).get(metric)  # the live version's training set is one more draw: both share it
    return widen_by_seeds(
        test,
        base_sd=None,
        new_sd=sd,
        fits=rows.fits,
        direction=direction,
        margin=margin,
        alpha=alpha,
        source="training-data spread",
    )
