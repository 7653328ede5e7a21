"""Latency: warm-up, single-row p50/p95 with nearest-rank percentiles, one batch, all with a fake clock."""

from __future__ import annotations

from typing import Any

import pandas as pd
import pytest

from mlgate.training.latency import WARMUP, measure_latency, percentile


class FakeClock:
    """Advances by the cost the fake model charged since the last reading."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


class FakeModel:
    def __init__(self, clock: FakeClock) -> None:
        self.clock = clock
        self.calls: list[int] = []

    def predict(self, X: Any) -> list[int]:
        self.calls.append(len(X))
        self.clock.now += 0.001 * len(self.calls) if len(X) == 1 else 0.5  # the n-th single call costs n ms
        return [0] * len(X)


def test_percentile_is_nearest_rank() -> None:
    values = [float(v) for v in range(1, 101)]
    assert percentile(values, 0.5) == 50.0
    assert percentile(values, 0.95) == 95.0
    assert percentile([3.0], 0.95) == 3.0
    assert percentile([2.0, 1.0], 0.5) == 1.0


def test_single_rows_after_warmup_and_one_tiled_batch() -> None:
    clock = FakeClock()
    model = FakeModel(clock)
    X = pd.DataFrame({"a": range(7)})
    timings = measure_latency(model, X, rows=20, batch_rows=50, clock=clock)
    assert model.calls == [1] * (WARMUP + 20) + [50]  # the batch repeats the 7 rows to reach 50
    # timed single calls cost WARMUP+1 .. WARMUP+20 ms
    assert timings["predict_1row_p50_ms"] == pytest.approx(WARMUP + 10)
    assert timings["predict_1row_p95_ms"] == pytest.approx(WARMUP + 19)
    assert timings["predict_batch_ms"] == pytest.approx(500.0)


def test_batch_smaller_than_the_rows() -> None:
    clock = FakeClock()
    model = FakeModel(clock)
    measure_latency(model, pd.DataFrame({"a": range(30)}), rows=2, batch_rows=10, clock=clock)
    assert model.calls[-1] == 10


def test_no_rows_no_timings() -> None:
    assert measure_latency(FakeModel(FakeClock()), pd.DataFrame({"a": []}), rows=5, batch_rows=5) == {}
