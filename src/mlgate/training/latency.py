"""Prediction latency: single-row p50/p95 and one batch, in milliseconds, with an injected clock.

Single rows: after ``WARMUP`` untimed calls, ``rows`` one-row ``predict`` calls over the evaluation rows
(cycled when there are fewer). Batch: one ``predict`` of ``batch_rows`` rows (the evaluation rows
repeated as needed). Rows are sliced before the clock starts, so only ``predict`` is timed.
Percentiles are nearest-rank: p95 of 200 calls is the 190th fastest.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

Clock = Callable[[], float]
WARMUP = 3


def percentile(values: Sequence[float], share: float) -> float:
    """Nearest-rank percentile (``share`` in 0..1) of a non-empty sequence."""
    ordered = sorted(values)
    rank = max(1, math.ceil(share * len(ordered)))
    return ordered[rank - 1]


def measure_latency(
    estimator: Any, X: pd.DataFrame, *, rows: int, batch_rows: int, clock: Clock = time.perf_counter
) -> dict[str, float]:
    """``predict_1row_p50_ms``, ``predict_1row_p95_ms`` and ``predict_batch_ms`` of a fitted estimator.

    ``rows: 0`` skips the single-row timings and ``batch_rows: 0`` the batch timing (``train.latency_rows`` /
    ``train.batch_rows``), for runs where only the quality metrics matter.
    """
    import pandas as pd

    if len(X) == 0:
        return {}
    found: dict[str, float] = {}
    if rows > 0:
        singles = [X.iloc[[i % len(X)]] for i in range(rows + WARMUP)]
        for row in singles[:WARMUP]:
            estimator.predict(row)
        times: list[float] = []
        for row in singles[WARMUP:]:
            start = clock()
            estimator.predict(row)
            times.append((clock() - start) * 1000.0)
        found["predict_1row_p50_ms"] = round(percentile(times, 0.50), 4)
        found["predict_1row_p95_ms"] = round(percentile(times, 0.95), 4)
    if batch_rows <= 0:
        return found
    repeats = max(1, math.ceil(max(batch_rows, 1) / len(X)))
    batch = (pd.concat([X] * repeats, ignore_index=True) if repeats > 1 else X).iloc[: max(batch_rows, 1)]
    start = clock()
    estimator.predict(batch)
    batch_ms = (clock() - start) * 1000.0
    return {**found, "predict_batch_ms": round(batch_ms, 4)}
