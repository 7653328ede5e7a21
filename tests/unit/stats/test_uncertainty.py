"""estimate_spread: one model's metric and its standard error, analytic where possible, else the bootstrap."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from scipy import stats
from sklearn.datasets import load_breast_cancer, load_diabetes, load_digits
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from mlgate.errors import InputError
from mlgate.stats import Predictions, collect_predictions, score_predictions
from mlgate.stats.uncertainty import BINOMIAL, estimate_se, estimate_spread


def _binary() -> tuple[Any, np.ndarray, np.ndarray]:
    X, y = load_breast_cancer(return_X_y=True)
    model = make_pipeline(StandardScaler(), LogisticRegression(C=0.05)).fit(X[::2], y[::2])
    return model, X[1::2], y[1::2]


def _regression() -> tuple[np.ndarray, np.ndarray]:
    X, y = load_diabetes(return_X_y=True)
    return y[1::2], Ridge(alpha=1.0).fit(X[::2], y[::2]).predict(X[1::2])


def _bootstrap_se(scorer: str, y: np.ndarray, preds: Predictions, draws: int = 400) -> float:
    """The spread of the metric over row resamples, computed the slow way (scikit-learn on each resample)."""
    rng = np.random.default_rng(7)
    values = []
    for _ in range(draws):
        rows = rng.integers(0, y.size, y.size)
        picked = Predictions(
            pred=preds.pred[rows],
            proba=None if preds.proba is None else preds.proba[rows],
            decision=None if preds.decision is None else preds.decision[rows],
            classes=preds.classes,
        )
        values.append(score_predictions(scorer, y[rows], picked))
    return float(np.std(values, ddof=1))


def test_accuracy_is_binomial_with_one_right_and_one_wrong_row_added() -> None:
    y = np.array([1] * 50)
    perfect = estimate_spread("accuracy", y, Predictions(pred=y.copy()))
    assert (perfect.value, perfect.n, perfect.method) == (1.0, 50, BINOMIAL)
    assert perfect.se == pytest.approx(np.sqrt((51 / 52) * (1 / 52) / 52))  # a perfect score still has a spread
    model, X, y = _binary()
    spread = estimate_spread("accuracy", y, collect_predictions(model, X, ["accuracy"]))
    right = round(spread.value * y.size)
    share = (right + 1) / (y.size + 2)
    assert spread.se == pytest.approx(np.sqrt(share * (1 - share) / (y.size + 2)))


@pytest.mark.parametrize("scorer", ["neg_mean_absolute_error", "neg_mean_squared_error", "mean_absolute_error"])
def test_means_of_per_row_losses_use_the_standard_error_of_the_mean(scorer: str) -> None:
    y, predicted = _regression()
    spread = estimate_spread(scorer, y, Predictions(pred=predicted))
    rows = np.abs(y - predicted) if "absolute" in scorer else (y - predicted) ** 2
    assert spread.value == pytest.approx(rows.mean())
    assert spread.se == pytest.approx(stats.sem(rows))
    assert (spread.quantiles, spread.n) == ("t", y.size)


def test_rmse_and_r2_use_the_delta_method_and_agree_with_the_bootstrap() -> None:
    y, predicted = _regression()
    preds = Predictions(pred=predicted)
    rmse = estimate_spread("root_mean_squared_error", y, preds)
    assert rmse.se == pytest.approx(stats.sem((y - predicted) ** 2) / (2 * rmse.value))
    for scorer in ("root_mean_squared_error", "r2"):
        spread = estimate_spread(scorer, y, preds)
        assert spread.se == pytest.approx(_bootstrap_se(scorer, y, preds), rel=0.15), scorer
        assert spread.method.startswith("delta method")


def test_auc_uses_delongs_variance_of_one_auc() -> None:
    model, X, y = _binary()
    preds = collect_predictions(model, X, ["roc_auc"])
    spread = estimate_spread("roc_auc", y, preds)
    assert spread.method == "DeLong"
    assert spread.se == pytest.approx(_bootstrap_se("roc_auc", y, preds), rel=0.2)
    few = estimate_spread("roc_auc", np.array([0, 0, 0, 1]), Predictions(pred=np.zeros(4), decision=np.arange(4.0)))
    assert (few.value, few.se) == (1.0, None)  # one positive row: no spread


def test_multiclass_auc_and_label_metrics_agree_with_a_row_bootstrap() -> None:
    X, y = load_digits(return_X_y=True)
    model = make_pipeline(StandardScaler(), LogisticRegression(C=0.05, max_iter=500)).fit(X[::2], y[::2])
    X, y = X[1::2][:400], y[1::2][:400]
    preds = collect_predictions(model, X, ["roc_auc_ovr", "f1_macro"])
    auc = estimate_spread("roc_auc_ovr", y, preds)
    assert auc.method == "DeLong (one-vs-rest average)"
    assert auc.se == pytest.approx(_bootstrap_se("roc_auc_ovr", y, preds, draws=200), rel=0.25)
    f1 = estimate_spread("f1_macro", y, preds, samples=1000, seed=3)
    assert f1.method == "bootstrap (1000)"
    assert f1.se == pytest.approx(_bootstrap_se("f1_macro", y, preds, draws=200), rel=0.2)
    assert estimate_se("f1_macro", y, preds, samples=1000, seed=3) == f1.se  # seeded: the same every time


@pytest.mark.parametrize("scorer", ["average_precision", "neg_median_absolute_error"])
def test_other_metrics_take_the_bootstrap(scorer: str) -> None:
    if scorer == "average_precision":
        model, X, y = _binary()
        preds = collect_predictions(model, X, [scorer])
    else:
        y, predicted = _regression()
        preds = Predictions(pred=predicted)
    spread = estimate_spread(scorer, y, preds, samples=300, seed=1)
    assert spread.method == "bootstrap (300)"
    assert spread.se is not None
    assert spread.se == pytest.approx(_bootstrap_se(scorer, y, preds, draws=300), rel=0.25)


def test_bad_inputs_are_input_errors() -> None:
    with pytest.raises(InputError, match="y has shape \\(3,\\) and the predictions 2 rows"):
        estimate_spread("accuracy", [1, 0, 1], Predictions(pred=np.array([1, 0])))
    with pytest.raises(InputError, match="needs decision_function or predict_proba"):
        estimate_spread("roc_auc", [1, 0], Predictions(pred=np.array([1, 0])))
    with pytest.raises(InputError, match="unknown metric 'acuracy'"):
        estimate_spread("acuracy", [1, 0], Predictions(pred=np.array([1, 0])))
    with pytest.raises(InputError, match="'r2' is undefined on these rows"):
        estimate_spread("r2", [1.0], Predictions(pred=np.array([1.0])))
    with pytest.raises(InputError, match="bootstrap samples 1 must be at least 2"):
        estimate_spread("f1", [1, 0], Predictions(pred=np.array([1, 0])), samples=1)
