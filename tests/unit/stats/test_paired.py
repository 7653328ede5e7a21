"""test_paired: the method per metric, degenerate inputs, errors, and the false-fail rate under the null."""

from __future__ import annotations

import math
from collections.abc import Callable
from functools import partial
from typing import Any

import numpy as np
import pytest
from sklearn.datasets import load_breast_cancer, load_diabetes, load_wine
from sklearn.ensemble import RandomForestClassifier, RandomForestRegressor
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.metrics import get_scorer_names
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from mlgate import stats
from mlgate.errors import InputError
from mlgate.stats import Predictions, collect_predictions, score_predictions

Array = np.ndarray[Any, Any]


def _pair(dataset: str) -> tuple[Array, Predictions, Predictions]:
    loader = {"breast_cancer": load_breast_cancer, "wine": load_wine, "diabetes": load_diabetes}[dataset]
    X, y = loader(return_X_y=True)
    if dataset == "diabetes":
        models: list[Any] = [Ridge(), RandomForestRegressor(n_estimators=10, random_state=0)]
    else:
        models = [make_pipeline(StandardScaler(), LogisticRegression()), RandomForestClassifier(10, random_state=0)]
    fitted = [model.fit(X[::2], y[::2]) for model in models]
    names = get_scorer_names()
    return y[1::2], collect_predictions(fitted[0], X[1::2], names), collect_predictions(fitted[1], X[1::2], names)


PAIRS = {name: _pair(name) for name in ("breast_cancer", "wine", "diabetes")}
METHODS = {
    ("breast_cancer", "accuracy"): "McNemar (exact)",
    ("breast_cancer", "roc_auc"): "DeLong",
    ("breast_cancer", "roc_auc_ovr"): "DeLong",
    ("wine", "roc_auc_ovr"): "DeLong (one-vs-rest average)",
    ("wine", "roc_auc_ovo_weighted"): "DeLong (one-vs-one average)",
    ("breast_cancer", "neg_log_loss"): "paired t on per-row log loss",
    ("wine", "neg_brier_score"): "paired t on per-row Brier score",
    ("diabetes", "neg_mean_squared_error"): "paired t on per-row squared error",
    ("diabetes", "neg_root_mean_squared_error"): "delta method on per-row squared error (t)",
    ("diabetes", "r2"): "paired t on per-row squared error, scaled by n/SST",
    ("wine", "f1_macro"): "paired bootstrap (50)",
    ("breast_cancer", "average_precision"): "paired bootstrap (50)",
    ("diabetes", "explained_variance"): "paired bootstrap (50)",
}


def _direction(scorer: str) -> str:
    return "lower" if scorer.startswith("neg_") else "higher"


@pytest.mark.parametrize("dataset", sorted(PAIRS))
def test_every_scorer_on_real_models(dataset: str) -> None:
    y, base, new = PAIRS[dataset]
    tested = 0
    for scorer in get_scorer_names():
        try:
            expected = score_predictions(scorer, y, new) - score_predictions(scorer, y, base)
        except InputError:
            continue  # not a metric for this task; test_paired raises the same error
        except Warning:
            continue  # scikit-learn warns on this data (top_k_accuracy with k ≥ classes)
        if not math.isfinite(expected):
            continue
        result = stats.test_paired(
            scorer, y, base, new, direction=_direction(scorer), margin=0.0, alpha=0.05, samples=50
        )
        assert result.estimate == pytest.approx(expected, rel=1e-9, abs=1e-9), scorer
        assert result.low <= result.high, scorer
        assert 0 <= result.p_worse <= 1, scorer
        assert 0 <= result.p_better <= 1, scorer
        assert result.n == y.size
        assert all(
            type(v) is float for v in (result.estimate, result.low, result.high, result.p_worse, result.p_better)
        )
        if (dataset, scorer) in METHODS:
            assert result.method == METHODS[(dataset, scorer)]
        tested += 1
    assert tested >= {"breast_cancer": 40, "wine": 25, "diabetes": 10}[dataset]


@pytest.mark.parametrize(
    "scorer",
    ["accuracy", "f1_macro", "roc_auc", "neg_log_loss", "matthews_corrcoef", "average_precision", "d2_log_loss_score"],
)
def test_identical_predictions(scorer: str) -> None:
    y, base, _ = PAIRS["breast_cancer"]
    for margin in (0.0, 0.05):
        result = stats.test_paired(scorer, y, base, base, direction=_direction(scorer), margin=margin, alpha=0.05)
        assert (result.estimate, result.low, result.high, result.p_worse, result.p_better) == (0.0, 0.0, 0.0, 1.0, 1.0)


@pytest.mark.parametrize("rows", [1, 2, 3])
@pytest.mark.parametrize(
    "scorer",
    [
        "accuracy",
        "f1_macro",
        "balanced_accuracy",
        "neg_mean_absolute_error",
        "r2",
        "neg_root_mean_squared_error",
        "explained_variance",
    ],
)
def test_tiny_samples_do_not_crash_or_warn(scorer: str, rows: int) -> None:
    y = np.array([1, 0, 1])[:rows]
    base, new = Predictions(np.array([1, 1, 0])[:rows]), Predictions(np.array([0, 0, 1])[:rows])
    if scorer == "r2" and rows < 2:
        with pytest.raises(InputError, match="metric 'r2' is undefined on these rows"):
            stats.test_paired(scorer, y, base, new, direction="higher", margin=0.0, alpha=0.05)
        return
    result = stats.test_paired(scorer, y, base, new, direction=_direction(scorer), margin=0.0, alpha=0.05, samples=100)
    assert result.n == rows
    assert result.low <= result.estimate <= result.high


def test_tiny_auc_samples() -> None:
    y = np.array([0, 1, 0])
    base = Predictions(np.array([0, 1, 0]), proba=np.array([[0.9, 0.1], [0.2, 0.8], [0.6, 0.4]]), classes=(0, 1))
    new = Predictions(np.array([0, 1, 1]), proba=np.array([[0.7, 0.3], [0.4, 0.6], [0.3, 0.7]]), classes=(0, 1))
    result = stats.test_paired("roc_auc", y, base, new, direction="higher", margin=0.0, alpha=0.05)
    assert (result.estimate, result.low, result.high, result.p_worse) == (-0.5, -1.0, 1.0, 1.0)


def test_input_errors() -> None:
    y, base, new = PAIRS["breast_cancer"]
    paired = partial(stats.test_paired, direction="higher", margin=0.0, alpha=0.05)
    with pytest.raises(InputError, match="unknown metric 'acc'"):
        paired("acc", y, base, new)
    with pytest.raises(InputError, match="y has shape"):
        paired("accuracy", y[:-1], base, new)
    with pytest.raises(InputError, match="bootstrap samples 0 must be at least 1"):
        paired("f1", y, base, new, samples=0)
    with pytest.raises(InputError, match="metric 'roc_auc' is undefined on these rows"):
        paired("roc_auc", np.zeros_like(y), base, new)
    with pytest.raises(InputError, match="direction 'better' must be"):
        stats.test_paired("accuracy", y, base, new, direction="better", margin=0.0, alpha=0.05)


def test_library_functions_are_not_collected_as_tests() -> None:
    assert stats.test_paired.__test__ is False  # type: ignore[attr-defined]
    assert stats.test_folds.__test__ is False  # type: ignore[attr-defined]


# Under the null (true gain exactly at the boundary) a gate must fail at most alpha of the time.
def _null_classes(
    rng: np.random.Generator, rows: int, right: tuple[float, float]
) -> tuple[Array, Predictions, Predictions]:
    y = rng.integers(0, 3, rows)
    wrong = (y + rng.integers(1, 3, rows)) % 3
    preds = [Predictions(np.where(rng.random(rows) < p, y, wrong)) for p in right]
    return y, preds[0], preds[1]


def _null_scores(rng: np.random.Generator, rows: int) -> tuple[Array, Predictions, Predictions]:
    y = (rng.random(rows) < 0.4).astype(int)
    proba = [1 / (1 + np.exp(-(2 * y - 1 + rng.normal(0, 1.2, rows)))) for _ in range(2)]
    preds = [Predictions((p > 0.5).astype(int), proba=np.column_stack([1 - p, p]), classes=(0, 1)) for p in proba]
    return y, preds[0], preds[1]


def _null_values(rng: np.random.Generator, rows: int) -> tuple[Array, Predictions, Predictions]:
    y = rng.normal(0, 1, rows)
    return y, Predictions(y + rng.normal(0, 1, rows)), Predictions(y + rng.normal(0, 1, rows))


NULLS: dict[str, tuple[str, float, Callable[[np.random.Generator, int], tuple[Array, Predictions, Predictions]]]] = {
    "accuracy": ("accuracy", 0.0, lambda rng, n: _null_classes(rng, n, (0.8, 0.8))),
    "accuracy with a margin": ("accuracy", 0.03, lambda rng, n: _null_classes(rng, n, (0.8, 0.77))),
    "roc_auc": ("roc_auc", 0.0, _null_scores),
    "mean squared error": ("neg_mean_squared_error", 0.0, _null_values),
    "f1_macro": ("f1_macro", 0.0, lambda rng, n: _null_classes(rng, n, (0.7, 0.7))),
}


@pytest.mark.parametrize("case", sorted(NULLS))
def test_false_fail_rate_under_the_null(case: str) -> None:
    scorer, margin, simulate = NULLS[case]
    rng = np.random.default_rng(2024)
    draws, alpha = 200, 0.05
    failed = 0
    for seed in range(draws):
        y, base, new = simulate(rng, 300)
        result = stats.test_paired(
            scorer, y, base, new, direction=_direction(scorer), margin=margin, alpha=alpha, samples=1000, seed=seed
        )
        failed += result.p_worse < alpha
    print(f"{case}: {failed} of {draws} false fails")
    assert failed / draws <= alpha + 3 * math.sqrt(alpha * (1 - alpha) / draws)
