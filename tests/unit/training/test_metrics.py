"""Metric names: scikit-learn scorers, neg_* stored positive without the prefix, task defaults, primary."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from mlgate.config import MetricsConfig
from mlgate.errors import ConfigError, InputError
from mlgate.training.metrics import Metric, configured_metrics, metrics_for, primary_metric, score, to_metric


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("accuracy", Metric("accuracy", "accuracy", 1.0)),
        ("neg_mean_absolute_error", Metric("mean_absolute_error", "neg_mean_absolute_error", -1.0)),
        ("mean_absolute_error", Metric("mean_absolute_error", "neg_mean_absolute_error", -1.0)),
        ("root_mean_squared_error", Metric("root_mean_squared_error", "neg_root_mean_squared_error", -1.0)),
    ],
)
def test_names(name: str, expected: Metric) -> None:
    assert to_metric(name) == expected


def test_unknown_name_suggests_the_closest_scorer() -> None:
    with pytest.raises(ConfigError, match="'acuracy' is not a scikit-learn scorer name") as caught:
        to_metric("acuracy")
    assert caught.value.hint == "did you mean 'accuracy'?"


def test_defaults_per_task_and_model() -> None:
    names = lambda metrics: [m.name for m in metrics]  # noqa: E731
    assert names(metrics_for(None, "classification", classes=2, proba=True)) == ["accuracy", "f1_macro", "roc_auc"]
    assert names(metrics_for(None, "classification", classes=2, proba=False)) == ["accuracy", "f1_macro"]
    assert names(metrics_for(None, "classification", classes=3, proba=True)) == ["accuracy", "f1_macro", "roc_auc_ovr"]
    assert names(metrics_for(None, "regression", classes=0, proba=False)) == [
        "r2",
        "root_mean_squared_error",
        "mean_absolute_error",
    ]
    configured = configured_metrics(MetricsConfig(names=("precision", "neg_log_loss")))
    assert names(metrics_for(configured, "classification", classes=2, proba=False)) == ["precision", "log_loss"]
    assert configured_metrics(MetricsConfig()) is None


def test_primary_metric() -> None:
    assert primary_metric(MetricsConfig(), "classification") == "accuracy"
    assert primary_metric(MetricsConfig(), "regression") == "r2"
    assert primary_metric(MetricsConfig(primary="roc_auc"), "classification") == "roc_auc"
    config = MetricsConfig(names=("r2", "neg_mean_squared_error"), primary="neg_mean_squared_error")
    assert primary_metric(config, "regression") == "mean_squared_error"
    with pytest.raises(ConfigError, match=r"metrics\.primary 'accuracy' is not among metrics\.names"):
        primary_metric(MetricsConfig(names=("f1",), primary="accuracy"), "classification")
    with pytest.raises(ConfigError, match="is not among the regression defaults"):
        primary_metric(MetricsConfig(primary="accuracy"), "regression")


def test_scores_are_stored_with_natural_signs() -> None:
    from sklearn.linear_model import LinearRegression

    X = pd.DataFrame({"a": np.arange(10.0)})
    y = 2.0 * np.arange(10.0) + np.array([0.5, -0.5] * 5)
    model = LinearRegression().fit(X, y)
    values = score("lin", model, [to_metric("neg_mean_absolute_error"), to_metric("r2")], X, y)
    assert values["mean_absolute_error"] == pytest.approx(0.5, abs=0.05)
    assert values["r2"] > 0.9


def test_metric_that_does_not_fit_the_task_names_model_and_metric() -> None:
    from sklearn.linear_model import LogisticRegression

    X = pd.DataFrame({"a": np.arange(9.0)})
    y = np.array([0, 1, 2] * 3)
    model = LogisticRegression().fit(X, y)
    with pytest.raises(InputError, match="model 'lr': metric 'roc_auc' cannot be computed") as caught:
        score("lr", model, [to_metric("roc_auc")], X, y)
    assert caught.value.hint is not None
    assert "roc_auc_ovr" in caught.value.hint


class CountingClassifier:
    """A fitted LogisticRegression behind a wrapper that counts its response calls."""

    def __init__(self, X: pd.DataFrame, y: np.ndarray) -> None:
        from sklearn.linear_model import LogisticRegression

        self.model = LogisticRegression().fit(X, y)
        self.classes_ = self.model.classes_
        self._estimator_type = "classifier"
        self.calls: list[str] = []

    def __sklearn_tags__(self) -> object:  # scikit-learn's tags protocol
        return self.model.__sklearn_tags__()

    def fit(self, X: pd.DataFrame, y: np.ndarray) -> CountingClassifier:
        return self

    def predict(self, X: pd.DataFrame) -> np.ndarray:
        self.calls.append("predict")
        pred: np.ndarray = self.model.predict(X)
        return pred

    def predict_proba(self, X: pd.DataFrame) -> np.ndarray:
        self.calls.append("predict_proba")
        proba: np.ndarray = self.model.predict_proba(X)
        return proba


def test_metrics_share_one_prediction_per_response_and_equal_one_by_one_scores() -> None:
    from sklearn.metrics import get_scorer

    rng = np.random.default_rng(0)
    X = pd.DataFrame({"a": rng.normal(size=200), "b": rng.normal(size=200)})
    y = (X["a"] + 0.5 * rng.normal(size=200) > 0).astype(int).to_numpy()
    model = CountingClassifier(X, y)
    metrics = [to_metric("accuracy"), to_metric("f1_macro"), to_metric("roc_auc"), to_metric("neg_log_loss")]
    values = score("lr", model, metrics, X, y)
    assert sorted(model.calls) == ["predict", "predict_proba"]
    for metric in metrics:
        one = get_scorer(metric.scorer)(model.model, X, y)
        assert values[metric.name] == metric.sign * one + 0.0


def test_a_failing_metric_among_several_is_still_named() -> None:
    from sklearn.linear_model import LogisticRegression

    X = pd.DataFrame({"a": np.arange(9.0)})
    y = np.array([0, 1, 2] * 3)
    model = LogisticRegression().fit(X, y)
    with pytest.raises(InputError, match="model 'lr': metric 'roc_auc' cannot be computed"):
        score("lr", model, [to_metric("accuracy"), to_metric("roc_auc"), to_metric("f1_macro")], X, y)


@pytest.mark.parametrize(
    "names",
    [("roc_auc", "average_precision"), ("average_precision", "neg_log_loss"), ("neg_brier_score", "average_precision")],
)
def test_scorers_that_disagree_on_the_positive_class_are_not_given_shared_predictions(names: tuple[str, ...]) -> None:
    """With labels {1, 2}, average_precision's positive class is 1, the others' is 2: each gets its own column."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import get_scorer

    rng = np.random.default_rng(1)
    X = pd.DataFrame({"a": rng.normal(size=300)})
    y = np.where(X["a"] + rng.normal(size=300) > 0, 2, 1)
    model = LogisticRegression().fit(X, y)
    metrics = [to_metric(n) for n in names]
    values = score("lr", model, metrics, X, y)
    for metric in metrics:
        assert values[metric.name] == metric.sign * get_scorer(metric.scorer)(model, X, y) + 0.0
