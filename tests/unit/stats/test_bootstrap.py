"""The paired bootstrap: seeded and reproducible, covering a known difference, skipping undefined resamples."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.metrics import explained_variance_score, f1_score

from mlgate import stats
from mlgate.stats import Predictions
from mlgate.stats.bootstrap import bootstrap_rows
from mlgate.stats.result import PairedTest, Question
from mlgate.stats.scoring import find_scorer

HIGHER = Question("higher", 0.0, 0.05)


def _population(rows: int, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Three classes; the new model is right more often on class 2 and less often on class 0."""
    rng = np.random.default_rng(seed)
    y = rng.choice(3, rows, p=[0.5, 0.3, 0.2])
    right_base = rng.random(rows) < np.array([0.85, 0.7, 0.6])[y]
    right_new = rng.random(rows) < np.array([0.8, 0.7, 0.75])[y]
    wrong = (y + rng.integers(1, 3, rows)) % 3
    return y, np.where(right_base, y, wrong), np.where(right_new, y, wrong)


def test_same_seed_same_result() -> None:
    y, base, new = _population(800, seed=1)

    def run(seed: int) -> PairedTest:
        return stats.test_paired(
            "f1_macro",
            y,
            Predictions(base),
            Predictions(new),
            direction="higher",
            margin=0.0,
            alpha=0.05,
            samples=500,
            seed=seed,
        )

    assert run(3) == run(3)
    assert run(3).low != run(4).low
    assert run(3).method == "paired bootstrap (500)"
    assert run(3).estimate == pytest.approx(f1_score(y, new, average="macro") - f1_score(y, base, average="macro"))


def test_interval_covers_the_population_difference() -> None:
    y, base, new = _population(400_000, seed=0)
    truth = f1_score(y, new, average="macro") - f1_score(y, base, average="macro")
    rng = np.random.default_rng(5)
    covered = 0
    for draw in range(20):
        rows = rng.integers(0, y.size, 1500)
        result = stats.test_paired(
            "f1_macro",
            y[rows],
            Predictions(base[rows]),
            Predictions(new[rows]),
            direction="higher",
            margin=0.0,
            alpha=0.05,
            seed=draw,
        )
        covered += result.low <= truth <= result.high
    assert covered >= 15  # a 90 % interval: 18 expected; 14 or fewer has probability 0.01


def test_row_resampling_for_other_metrics() -> None:
    rng = np.random.default_rng(2)
    y = rng.normal(size=300)
    base, new = y + rng.normal(0, 1.0, 300), y + rng.normal(0, 0.8, 300)
    result = bootstrap_rows(find_scorer("explained_variance"), y, base, new, HIGHER, samples=300, seed=0)
    assert result.estimate == pytest.approx(explained_variance_score(y, new) - explained_variance_score(y, base))
    assert result.low < result.estimate < result.high
    assert result == bootstrap_rows(find_scorer("explained_variance"), y, base, new, HIGHER, samples=300, seed=0)


def test_resamples_where_the_metric_is_undefined_are_skipped_and_counted() -> None:
    y = np.array([0, 0, 0, 0, 0, 1])  # a resample often lacks the one positive row: AUC undefined
    base, new = np.array([0.1, 0.2, 0.3, 0.4, 0.5, 0.6]), np.array([0.6, 0.2, 0.3, 0.4, 0.5, 0.55])
    result = bootstrap_rows(find_scorer("roc_auc"), y, base, new, HIGHER, samples=200, seed=0)
    assert 0 < result.skipped < 200
    assert result.estimate == pytest.approx(0.8 - 1.0)
