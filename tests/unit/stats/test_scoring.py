"""score_predictions equals scikit-learn's scorer on the fitted estimator, for every scorer and label set."""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np
import pytest
from sklearn.datasets import load_breast_cancer, load_diabetes, load_wine
from sklearn.ensemble import RandomForestClassifier, RandomForestRegressor
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.metrics import average_precision_score, get_scorer, get_scorer_names, roc_auc_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from mlgate.errors import InputError
from mlgate.stats import Predictions, collect_predictions, score_predictions
from mlgate.stats.scoring import find_scorer

SCORERS = sorted(get_scorer_names())


def _relabel(y: np.ndarray[Any, Any], labels: str) -> np.ndarray[Any, Any]:
    if labels == "01":
        return y
    if labels == "12":
        return y + 1
    named: np.ndarray[Any, Any] = np.array(["benign", "malignant", "unknown"])[y]  # strings
    return named


def _fit(dataset: str, labels: str) -> list[tuple[Any, Any, Any]]:
    loader = {"breast_cancer": load_breast_cancer, "wine": load_wine, "diabetes": load_diabetes}[dataset]
    X, y = loader(return_X_y=True)
    if dataset == "diabetes":
        models = [Ridge(), RandomForestRegressor(n_estimators=15, random_state=0)]
    else:
        y = _relabel(y, labels)
        models = [make_pipeline(StandardScaler(), LogisticRegression()), RandomForestClassifier(15, random_state=0)]
    train, test = slice(0, None, 2), slice(1, None, 2)
    return [(model.fit(X[train], y[train]), X[test], y[test]) for model in models]


CASES = [
    ("breast_cancer", "01"),
    ("breast_cancer", "12"),
    ("breast_cancer", "str"),
    ("wine", "01"),
    ("wine", "str"),
    ("diabetes", ""),
]
FITTED = {case: _fit(*case) for case in CASES}


def _sklearn(scorer: str, estimator: Any, X: Any, y: Any) -> float | type[Exception]:
    """The stored value scikit-learn gives (sign-adjusted), or the kind of error it raises."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            raw = float(get_scorer(scorer)(estimator, X, y))
    except (ValueError, TypeError, AttributeError):
        return InputError
    return -raw if scorer.startswith("neg_") else raw


def _ours(scorer: str, preds: Predictions, y: Any) -> float | type[Exception]:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return score_predictions(scorer, y, preds)
    except InputError:
        return InputError


@pytest.mark.parametrize("case", CASES, ids=["-".join(c).strip("-") for c in CASES])
def test_every_scorer_matches_sklearn(case: tuple[str, str]) -> None:
    compared = 0
    for estimator, X, y in FITTED[case]:
        preds = collect_predictions(estimator, X, SCORERS)
        for scorer in SCORERS:
            expected, got = _sklearn(scorer, estimator, X, y), _ours(scorer, preds, y)
            if expected is InputError or got is InputError:
                assert got is expected, f"{scorer} on {case}: sklearn {expected}, ours {got}"
                continue
            assert isinstance(expected, float)
            assert isinstance(got, float)
            if math.isnan(expected):
                assert math.isnan(got), scorer
            else:
                assert got == pytest.approx(expected, rel=1e-12, abs=1e-12), f"{scorer} on {case}"
                compared += 1
    assert compared > 40  # most scorers apply to every task


def test_positive_class_subtleties_on_labels_1_and_2() -> None:
    estimator, X, y = FITTED[("breast_cancer", "12")][0]
    preds = collect_predictions(estimator, X, ["roc_auc", "average_precision"])
    assert preds.decision is not None
    assert preds.proba is None
    assert collect_predictions(estimator, X, ["neg_log_loss"]).proba is not None
    # average_precision takes pos_label=1, the smaller class; roc_auc the greater one
    assert preds.decision is not None
    ap = score_predictions("average_precision", y, preds)
    assert ap == pytest.approx(average_precision_score(y == 1, -preds.decision), abs=1e-12)
    auc = score_predictions("roc_auc", y, preds)
    assert auc == pytest.approx(roc_auc_score(y == 2, preds.decision), abs=1e-12)


def test_stored_names_and_sign() -> None:
    estimator, X, y = FITTED[("diabetes", "")][0]
    preds = Predictions(pred=estimator.predict(X))
    mae = score_predictions("neg_mean_absolute_error", y, preds)
    assert mae > 0
    assert score_predictions("mean_absolute_error", y, preds) == mae
    assert find_scorer("root_mean_squared_error").name == "neg_root_mean_squared_error"


def test_unknown_scorer_is_named() -> None:
    with pytest.raises(InputError, match="unknown metric 'acuracy'") as caught:
        score_predictions("acuracy", np.array([0, 1]), Predictions(pred=np.array([0, 1])))
    assert caught.value.hint == "did you mean 'accuracy'?"


def test_missing_output_is_an_input_error() -> None:
    preds = Predictions(pred=np.array([0, 1, 1]), classes=(0, 1))
    with pytest.raises(InputError, match="metric 'roc_auc' needs decision_function or predict_proba"):
        score_predictions("roc_auc", np.array([0, 1, 1]), preds)


def test_unknown_positive_label_is_an_input_error() -> None:
    preds = Predictions(pred=np.array(["a", "b"]), proba=np.array([[0.2, 0.8], [0.6, 0.4]]), classes=("a", "b"))
    with pytest.raises(InputError, match=r"metric 'average_precision': pos_label=1 is not a valid label"):
        score_predictions("average_precision", np.array(["a", "b"]), preds)


def test_collect_predictions_only_calls_what_the_scorers_read() -> None:
    estimator, X, _ = FITTED[("wine", "01")][1]  # a forest: no decision_function
    assert collect_predictions(estimator, X, ["accuracy"]).proba is None
    with pytest.raises(InputError, match="unknown metric 'rocauc'"):
        collect_predictions(estimator, X, ["rocauc"])
    preds = collect_predictions(estimator, X, ["roc_auc_ovr"])
    assert preds.proba is not None
    assert preds.classes == (0, 1, 2)
