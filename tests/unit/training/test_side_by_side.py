"""time_side_by_side: PR models timed with their baseline models (or alone), fit times paired only when both ran here."""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.linear_model import LogisticRegression

from mlgate.config import TimingConfig, TrainConfig
from mlgate.results import ModelResult, ResultSet
from mlgate.training.side_by_side import CHEAP_FIT_S, pair_identical, time_side_by_side, with_timings
from mlgate.training.timing_rule import judge_timing

SETTINGS = TrainConfig(latency_rows=30, batch_rows=50)


def fitted() -> tuple[LogisticRegression, pd.DataFrame, np.ndarray]:
    rng = np.random.default_rng(0)
    X = pd.DataFrame(rng.normal(size=(80, 3)), columns=["a", "b", "c"])
    y = (X["a"] > 0).to_numpy()
    return LogisticRegression().fit(X, y), X, y


def test_models_on_both_sides_are_paired_and_new_ones_timed_alone() -> None:
    model, X, y = fitted()
    found = time_side_by_side(
        {"m": model}, {"m": model, "fresh": model}, X, SETTINGS, TimingConfig(), fits={}, train=(X, y)
    )
    assert set(found.paired) == {"m"}
    assert set(found.paired["m"]) == {"predict_1row_p50_ms", "predict_1row_p95_ms", "predict_batch_ms"}
    assert all(t.rounds == TimingConfig().rounds and t.low is not None for t in found.paired["m"].values())
    assert set(found.new) == {"m", "fresh"}
    assert set(found.new["fresh"]) == {"predict_1row_p50_ms", "predict_1row_p95_ms", "predict_batch_ms"}


def test_cheap_fits_are_repeated_for_an_interval_and_slow_ones_keep_one_fit_each() -> None:
    model, X, y = fitted()
    cheap = time_side_by_side(
        {"m": model}, {"m": model}, X, SETTINGS, TimingConfig(), fits={"m": (0.01, 0.01)}, train=(X, y)
    )
    assert cheap.paired["m"]["fit_s"].rounds >= 3
    assert cheap.paired["m"]["fit_s"].low is not None
    slow = time_side_by_side(
        {"m": model}, {"m": model}, X, SETTINGS, TimingConfig(), fits={"m": (CHEAP_FIT_S, 2.0)}, train=(X, y)
    )
    one_each = slow.paired["m"]["fit_s"]
    assert (one_each.base, one_each.new, one_each.low) == (CHEAP_FIT_S, 2.0, None)
    assert judge_timing(one_each, rel_tol=0.25, floor=0.05) == "unjudged"
    quiet = TrainConfig(latency_rows=0, batch_rows=0)
    off = time_side_by_side(
        {"m": model}, {"m": model}, X, quiet, TimingConfig(), fits={"m": (0.01, 0.01)}, train=(X, y)
    )
    assert off.paired["m"]["fit_s"].low is None  # latencies off: no repeated fits either


def test_identical_models_share_one_measurement_and_timings_update_results() -> None:
    paired = pair_identical({"fit_s": 0.2, "predict_batch_ms": 3.0, "model_kb": 10.0})
    assert set(paired) == {"fit_s", "predict_batch_ms"}
    assert judge_timing(paired["predict_batch_ms"], rel_tol=0.25, floor=1.0) == "same"
    results = ResultSet(models={"m": ModelResult("m", "est", timings={"fit_s": 0.2, "model_kb": 10.0})})
    updated = with_timings(results, {"m": {"predict_batch_ms": 3.0}})
    assert updated.models["m"].timings == {"fit_s": 0.2, "model_kb": 10.0, "predict_batch_ms": 3.0}
