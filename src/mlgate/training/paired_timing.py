"""Timing the baseline's model and the PR's side by side, in interleaved rounds, with an injected clock.

Timing one model during ``mlgate train`` and the other minutes later while re-scoring compares two
machines: load drifts in between, and the first model fitted in a process pays a warm-up (lazy imports,
the BLAS thread pool). Here both are timed in the same process, after the same warm-up, in rounds whose
order alternates (base, new; new, base; ...), so drift and order effects hit both alike and show up as
spread, which the interval of ``mlgate.training.timing_rule`` turns into "unjudged" rather than a change.

**Latency** (:func:`measure_pair`): the keys and meaning of ``mlgate.training.latency.measure_latency``.
After ``WARMUP`` untimed single-row calls and one untimed batch per model (the new model first, so the
first timed model follows itself, as in every later round), each of ``rounds`` rounds times, for each
model in turn, its slice of the ``rows`` single-row calls (the same rows for both models) and one batch
of ``batch_rows`` rows. p50/p95 are nearest-rank percentiles over all of a model's ``rows`` calls, the
batch time is the median of its rounds; the interval comes from the same statistic per round (a round's
p50, p95 or batch time). Cost: the same single-row calls as ``measure_latency`` per model, and ``rounds``
timed batches (plus one warm-up) per model instead of one.

**Fit time** (:func:`measure_fit_pair`): :func:`warm_up`, then rounds of one fit of a fresh clone of each
model, alternating the order, while another round fits in ``budget_s`` (the first round always runs) and
at most ``max_rounds``. The statistic is the median fit time; a single or a second round gives no
interval ("one fit each"), three or more do. Warnings raised by these repeat fits and predicts are the
caller's to collect, as for the first ones.
"""

from __future__ import annotations

import itertools
import math
import statistics
import time
import warnings
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from mlgate.training.latency import WARMUP, percentile
from mlgate.training.timing_rule import CONFIDENCE, PairedTiming, pair_timing

if TYPE_CHECKING:
    import pandas as pd

Clock = Callable[[], float]
WARMUP_ROWS = 20  # rows of the throw-away fit that pays a process's first-fit costs


def measure_pair(
    base_model: Any,
    new_model: Any,
    sample: pd.DataFrame,
    *,
    rounds: int,
    rows: int,
    batch_rows: int,
    clock: Clock = time.perf_counter,
    confidence: float = CONFIDENCE,
) -> dict[str, PairedTiming]:
    """``predict_1row_p50_ms``, ``predict_1row_p95_ms`` and ``predict_batch_ms`` of two fitted models, paired.

    ``rows: 0`` skips the single-row timings and ``batch_rows: 0`` the batch, as for ``measure_latency``.
    """
    if len(sample) == 0 or rounds < 1:
        return {}
    models = (base_model, new_model)
    singles = [sample.iloc[[i % len(sample)]] for i in range(max(rows, 0))]
    batch = _tile(sample, batch_rows) if batch_rows > 0 else None
    for model in reversed(models):
        for row in singles[:WARMUP]:
            model.predict(row)
        if batch is not None:
            model.predict(batch)
    slices = _split(len(singles), rounds)
    calls: tuple[list[list[float]], list[list[float]]] = ([], [])
    batches: tuple[list[float], list[float]] = ([], [])
    for turn, (start, stop) in enumerate(slices):
        for side in (0, 1) if turn % 2 == 0 else (1, 0):
            if stop > start:
                calls[side].append([_time_ms(models[side].predict, row, clock) for row in singles[start:stop]])
            if batch is not None:
                batches[side].append(_time_ms(models[side].predict, batch, clock))
    found: dict[str, PairedTiming] = {}
    if singles:
        for key, share in (("predict_1row_p50_ms", 0.50), ("predict_1row_p95_ms", 0.95)):
            base, new = (percentile([t for part in calls[side] for t in part], share) for side in (0, 1))
            base_rounds, new_rounds = ([percentile(part, share) for part in calls[side]] for side in (0, 1))
            found[key] = pair_timing(base, new, base_rounds, new_rounds, confidence=confidence)
    if batch is not None:
        found["predict_batch_ms"] = pair_timing(
            statistics.median(batches[0]), statistics.median(batches[1]), batches[0], batches[1], confidence=confidence
        )
    return found


def measure_fit_pair(
    base_estimator: Any,
    new_estimator: Any,
    X: Any,
    y: Any,
    *,
    budget_s: float,
    max_rounds: int,
    clock: Clock = time.perf_counter,
    confidence: float = CONFIDENCE,
) -> PairedTiming:
    """Median fit seconds of fresh clones of two estimators, fitted in alternating order within ``budget_s``."""
    from sklearn.base import clone

    started = clock()
    warm_up((new_estimator, base_estimator), X, y)
    estimators = (base_estimator, new_estimator)
    times: tuple[list[float], list[float]] = ([], [])
    first_round = clock()
    while True:
        for side in (0, 1) if len(times[0]) % 2 == 0 else (1, 0):
            fresh = clone(estimators[side])
            start = clock()
            fresh.fit(X, y)
            times[side].append(clock() - start)
        done = len(times[0])
        now = clock()
        if done >= max_rounds or (now - started) + (now - first_round) / done > budget_s:
            break
    return pair_timing(
        statistics.median(times[0]), statistics.median(times[1]), times[0], times[1], confidence=confidence
    )


def warm_up(estimators: Sequence[Any], X: Any, y: Any, *, rows: int = WARMUP_ROWS) -> None:
    """Fit and predict a clone of each estimator on ``rows`` rows spread over ``X``, and throw it away.

    This pays what only the first fit in a process pays, so an identical model fitted first and second
    takes the same time. A warm-up that fails or warns is ignored: the timed fits that follow report it.
    """
    from sklearn.base import clone

    count = min(rows, len(X))
    picked = sorted({round(i * (len(X) - 1) / max(count - 1, 1)) for i in range(count)})
    X_few = X.iloc[picked] if hasattr(X, "iloc") else X[picked]
    y_few = y.iloc[picked] if hasattr(y, "iloc") else y[picked]
    for estimator in estimators:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                clone(estimator).fit(X_few, y_few).predict(X_few)
            except Exception:  # noqa: BLE001  # a few rows may not suit every model; the real fits will say
                continue


def _time_ms(predict: Callable[[Any], Any], rows: Any, clock: Clock) -> float:
    start = clock()
    predict(rows)
    return (clock() - start) * 1000.0


def _split(total: int, rounds: int) -> list[tuple[int, int]]:
    """``rounds`` contiguous (start, stop) slices of ``range(total)`` whose sizes differ by at most one."""
    bounds = [total * r // rounds for r in range(rounds + 1)]
    return list(itertools.pairwise(bounds))


def _tile(sample: pd.DataFrame, batch_rows: int) -> pd.DataFrame:
    import pandas as pd

    repeats = max(1, math.ceil(batch_rows / len(sample)))
    tiled: pd.DataFrame = pd.concat([sample] * repeats, ignore_index=True) if repeats > 1 else sample
    head: pd.DataFrame = tiled.iloc[:batch_rows]  # typed: the stubs' Self reads as Any when checked as 3.10
    return head
