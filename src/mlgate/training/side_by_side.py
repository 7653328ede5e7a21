"""Time the baseline's and the PR's models side by side in this job, so their timings can be judged.

``mlgate check`` has both models of each name in memory: the PR's as fitted by ``train_models`` and the
baseline's as loaded by ``rescore``. Their latencies are measured together in interleaved rounds
(``mlgate.training.paired_timing``); a PR model without a baseline counterpart is timed alone. Fit times
are paired only when both fits happened in this job: cheap fits (under ``CHEAP_FIT_S`` each) are repeated in
alternating rounds for an interval, others keep their one fit each and get no status.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from mlgate.config import TimingConfig, TrainConfig
from mlgate.results import ResultSet
from mlgate.training.latency import measure_latency
from mlgate.training.paired_timing import measure_fit_pair, measure_pair
from mlgate.training.timing_rule import PairedTiming, pair_timing

CHEAP_FIT_S = 0.5  # fits faster than this are repeated for an interval of the fit-time ratio
FIT_BUDGET_S = 3.0  # at most this long per model for the repeated fits
FIT_ROUNDS = 5


@dataclass(frozen=True)
class SideBySide:
    """Paired timings per model and key, and the PR models' own timings (paired or alone) per key."""

    paired: dict[str, dict[str, PairedTiming]] = field(default_factory=dict)
    new: dict[str, dict[str, float]] = field(default_factory=dict)


def time_side_by_side(
    base_models: Mapping[str, Any],
    new_models: Mapping[str, Any],
    sample: Any,
    settings: TrainConfig,
    timing: TimingConfig,
    *,
    fits: Mapping[str, tuple[float, float]],
    train: tuple[Any, Any] | None = None,
) -> SideBySide:
    """Time every PR model, side by side with its baseline model where there is one.

    ``settings``: the latency sample sizes (``train``); ``timing``: the rounds (``metrics.timing``).
    ``fits``: per model, (baseline, PR) fit seconds when both were measured in this job; ``train``: the
    training rows (X, y) for repeating cheap fits.
    """
    paired: dict[str, dict[str, PairedTiming]] = {}
    new: dict[str, dict[str, float]] = {}
    rows, batch_rows = settings.latency_rows, settings.batch_rows
    for name, model in new_models.items():
        base = base_models.get(name)
        if base is None:
            new[name] = measure_latency(model, sample, rows=rows, batch_rows=batch_rows)
            continue
        found = measure_pair(base, model, sample, rounds=timing.rounds, rows=rows, batch_rows=batch_rows)
        if name in fits:  # no repeated fits when latencies are off: a run where only quality matters
            found["fit_s"] = _pair_fits(base, model, fits[name], train if rows > 0 or batch_rows > 0 else None)
        paired[name] = found
        new[name] = {key: round(timing.new, 4) for key, timing in found.items() if key != "fit_s"}
    return SideBySide(paired=paired, new=new)


def _pair_fits(base: Any, model: Any, fits: tuple[float, float], train: tuple[Any, Any] | None) -> PairedTiming:
    base_s, new_s = fits
    if train is None or max(base_s, new_s) >= CHEAP_FIT_S:
        return pair_timing(base_s, new_s, [base_s], [new_s])  # one fit each: no interval, no status
    from sklearn.base import clone

    X, y = train
    return measure_fit_pair(clone(base), clone(model), X, y, budget_s=FIT_BUDGET_S, max_rounds=FIT_ROUNDS)


def with_timings(results: ResultSet, timings: Mapping[str, Mapping[str, float]]) -> ResultSet:
    """``results`` with each model's timings updated from ``timings`` (model -> key -> value)."""
    models = {
        name: dataclasses.replace(model, timings={**model.timings, **timings.get(name, {})})
        for name, model in results.models.items()
    }
    return dataclasses.replace(results, models=models)


def pair_identical(timings: Mapping[str, float]) -> dict[str, PairedTiming]:
    """Timings of a baseline model proven the very same fitted model as the PR's: one measurement, both sides."""
    return {
        key: PairedTiming(base=value, new=value, ratio=1.0, low=1.0, high=1.0, rounds=0)
        for key, value in timings.items()
        if key != "model_kb"
    }
