"""scripts/bench_gate.py's pure helpers: the degradations hit their target drop, the summary's rates and checks."""

from __future__ import annotations

import math

import numpy as np
import pytest

from mlgate.stats import Predictions
from unit.scripts.scripts import load_script

bench = load_script("bench_gate")


def classifier(rows: int, classes: int, seed: int = 0) -> tuple[np.ndarray, Predictions]:
    """Labels and a classifier right on about 90 % of them, with probabilities whose argmax is its label."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, classes, rows)
    pred = np.where(rng.random(rows) < 0.9, y, (y + 1) % classes)
    proba = rng.random((rows, classes)) * 0.4
    proba[np.arange(rows), pred] = 0.9
    proba /= proba.sum(axis=1, keepdims=True)
    return y, Predictions(pred=pred, proba=proba, classes=tuple(range(classes)))


@pytest.mark.parametrize("classes", [2, 3])
def test_degrade_classes_drops_accuracy_by_the_rows_it_flips(classes: int) -> None:
    y, preds = classifier(1000, classes)
    worse = bench.degrade_classes(y, preds, 0.0176, np.random.default_rng(1))
    before, after = (np.mean(p.pred == y) for p in (preds, worse))
    assert before - after == pytest.approx(18 / 1000)  # round(0.0176 · 1000) rows, within half a row of the target
    changed = np.flatnonzero(worse.pred != preds.pred)
    assert changed.size == 18
    assert np.all(preds.pred[changed] == y[changed])
    assert np.all(worse.pred[changed] != y[changed])
    assert np.array_equal(worse.proba.argmax(axis=1), worse.pred)  # probabilities follow the new labels
    assert preds.proba is not None
    assert np.allclose(np.sort(worse.proba, axis=1), np.sort(preds.proba, axis=1))  # columns swapped, not changed


def test_degrade_classes_refuses_a_drop_beyond_the_rows_it_gets_right() -> None:
    y, preds = classifier(100, 2)
    with pytest.raises(ValueError, match=r"needs 95 correct rows; the model gets \d+ right"):
        bench.degrade_classes(y, preds, 0.95, np.random.default_rng(0))


def score(metric: str, y: np.ndarray, pred: np.ndarray) -> float:
    """r2 or RMSE by their definitions (numpy only: the test stays clear of scikit-learn's import time)."""
    sse = float(np.sum((y - pred) ** 2))
    return 1 - sse / float(np.sum((y - y.mean()) ** 2)) if metric == "r2" else math.sqrt(sse / len(y))


@pytest.mark.parametrize(("metric", "drop"), [("r2", 0.0123), ("root_mean_squared_error", 0.05)])
def test_degrade_values_moves_the_metric_by_exactly_the_drop(metric: str, drop: float) -> None:
    rng = np.random.default_rng(3)
    y = rng.normal(10, 3, 500)
    preds = Predictions(pred=y + rng.normal(0, 1.5, 500))
    extra = bench.extra_squared_error(metric, y, preds.pred, drop)
    worse = bench.degrade_values(y, preds, extra, np.random.default_rng(4))
    change = score(metric, y, worse.pred) - score(metric, y, preds.pred)
    assert change == pytest.approx(-drop if metric == "r2" else drop, rel=1e-9)
    assert not np.allclose(worse.pred - preds.pred, worse.pred[0] - preds.pred[0])  # noise, not a shift


def test_extra_squared_error_names_the_metrics_it_knows() -> None:
    with pytest.raises(ValueError, match=r"no regression degradation for metric 'mean_absolute_error'"):
        bench.extra_squared_error("mean_absolute_error", [1.0, 2.0], [1.5, 2.5], 0.1)


def make_draw(index: int, *, fail: bool, fresh_worse: tuple[str, ...] | None, power: bool = True) -> object:
    return bench.Draw(
        dataset="classification_100k",
        draw=index,
        test_rows=25_000,
        primary="accuracy",
        base=0.88,
        new=0.88,
        margin=0.0088,
        drop=0.0176,
        null_fail=fail,
        null_failed=("accuracy",) if fail else (),
        null_mde=0.014,
        power_fail=power,
        power_mde=0.014,
        fresh_worse=fresh_worse,
        seconds=1.0,
    )


def test_summarise_checks_the_rate_against_alpha_plus_two_standard_errors() -> None:
    draws = [
        make_draw(i, fail=i < 35, fresh_worse=("accuracy",) if i < 30 else (), power=i % 10 < 9) for i in range(500)
    ]
    summary = bench.summarise("classification_100k", draws, wall_s=10.0)
    assert summary.false_fail == pytest.approx(0.07)
    assert summary.false_fail_se == pytest.approx(math.sqrt(0.07 * 0.93 / 500))
    assert not summary.within  # 0.07 > 0.05 + 2·√(0.05·0.95/500) = 0.0695
    assert summary.failed_metrics == "accuracy 35"
    assert summary.power == pytest.approx(0.9)
    assert summary.mde_allows  # MDE 0.014 ≤ the injected 0.0176
    assert summary.truly_worse == pytest.approx(30 / 500)
    assert (summary.not_worse, summary.fail_when_not) == (470, pytest.approx(5 / 470))


def test_summarise_passes_a_rate_within_the_band() -> None:
    draws = [make_draw(i, fail=i < 34, fresh_worse=None) for i in range(500)]
    summary = bench.summarise("digits", draws, wall_s=1.0)
    assert summary.within
    assert (summary.truly_worse, summary.fail_when_not) == (None, None)
