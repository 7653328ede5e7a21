"""fit, score and cross-validate one model: hand-counted scores, warnings as notes, errors naming the model."""

from __future__ import annotations

import warnings
from collections.abc import Iterator

import numpy as np
import pandas as pd
import pytest
from sklearn.dummy import DummyClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.tree import DecisionTreeClassifier

from mlgate.errors import ConfigError, InputError
from mlgate.training.evaluate import Notes, Scores, class_count, cross_validate, fit, predict_scored, scored
from mlgate.training.metrics import Metric
from mlgate.training.split import Fold, Plan

ACCURACY = Metric("accuracy", "accuracy")
PRECISION = Metric("precision", "precision")


def ticks(*values: float) -> Iterator[float]:
    yield from values


def test_notes_keep_each_distinct_warning_once_by_its_first_line() -> None:
    notes = Notes()
    with notes.collect():
        warnings.warn("the solver did not converge\nincrease max_iter", UserWarning, stacklevel=1)
        warnings.warn("the solver did not converge\nanother detail", UserWarning, stacklevel=1)
        warnings.warn("", RuntimeWarning, stacklevel=1)
    with notes.collect():
        warnings.warn("the solver did not converge", UserWarning, stacklevel=1)  # a later fit says it again
    assert notes.items == ["UserWarning: the solver did not converge", "RuntimeWarning: "]


def test_fit_returns_the_seconds_on_the_injected_clock_and_fits_in_place() -> None:
    model = DummyClassifier(strategy="most_frequent")
    readings = ticks(10.0, 12.5)
    seconds = fit(
        "dummy", model, pd.DataFrame({"x": [1, 2, 3]}), np.array([0, 1, 1]), notes=Notes(), clock=lambda: next(readings)
    )
    assert seconds == 2.5
    assert model.classes_.tolist() == [0, 1]


def test_a_parameter_scikit_learn_refuses_is_a_config_error_naming_the_model() -> None:
    with pytest.raises(ConfigError, match=r"^model 'lr': The 'C' parameter of LogisticRegression must be") as caught:
        fit("lr", LogisticRegression(C=-1.0), pd.DataFrame({"x": [1.0, 2.0]}), np.array([0, 1]), notes=Notes())
    assert caught.value.hint == "fix models.lr.params"


def test_data_the_model_cannot_fit_is_an_input_error_naming_the_model() -> None:
    X = pd.DataFrame({"x": ["a", "b"]})
    with pytest.raises(InputError, match=r"^model 'lr': fit failed: ValueError: could not convert string to float"):
        fit("lr", LogisticRegression(), X, np.array([0, 1]), notes=Notes())


def test_scored_computes_the_metrics_and_collects_their_warnings() -> None:
    model = DummyClassifier(strategy="most_frequent").fit(pd.DataFrame({"x": [0, 0, 0]}), np.array([0, 0, 1]))
    notes = Notes()
    X = pd.DataFrame({"x": [0, 0, 0, 0]})
    values = scored("dummy", model, [ACCURACY, PRECISION], X, np.array([0, 0, 0, 1]), notes=notes)
    assert values == {"accuracy": 0.75, "precision": 0.0}  # always 0: 3 of 4 right, no positive predicted
    assert [note.split(":")[0] for note in notes.items] == ["UndefinedMetricWarning"]


def test_predict_scored_returns_the_scores_and_the_predictions_they_came_from() -> None:
    X = pd.DataFrame({"x": [0.0, 1.0, 2.0, 3.0]})
    model = DecisionTreeClassifier(max_depth=1, random_state=0).fit(X, np.array([0, 0, 1, 1]))
    X_test = pd.DataFrame({"x": [0.5, 2.5, 2.9, 0.1]})
    values, predictions = predict_scored("tree", model, [ACCURACY], X_test, np.array([0, 1, 0, 0]), notes=Notes())
    assert predictions.pred.tolist() == [0, 1, 1, 0]
    assert values == {"accuracy": 0.75}


class NoProbabilities(DummyClassifier):  # type: ignore[misc]
    """Predicts, but its probabilities fail (as a model whose calibration step breaks on new data)."""

    def predict_proba(self, X: object) -> object:
        raise ValueError("probabilities need a calibrated model\nmore detail")


def test_a_failing_prediction_the_metrics_do_not_need_names_the_model() -> None:
    model = NoProbabilities(strategy="most_frequent").fit(pd.DataFrame({"x": [0, 0]}), np.array([0, 1]))
    with pytest.raises(
        InputError, match=r"^model 'dummy': predict failed: ValueError: probabilities need a calibrated model\n"
    ) as caught:
        predict_scored("dummy", model, [ACCURACY], pd.DataFrame({"x": [1]}), np.array([0]), notes=Notes())
    assert caught.value.hint == "check the model against the data (features, types)"


def test_rows_a_metric_cannot_score_name_the_metric_at_fault() -> None:
    model = DecisionTreeClassifier().fit(pd.DataFrame({"x": [0.0, 1.0]}), np.array([0, 1]))
    with pytest.raises(InputError, match=r"^model 'tree': metric 'accuracy' cannot be computed: The feature names"):
        predict_scored("tree", model, [ACCURACY], pd.DataFrame({"z": [0.5]}), np.array([0]), notes=Notes())


def test_cross_validation_fits_a_clone_per_fold_and_averages() -> None:
    X = pd.DataFrame({"x": range(6)})
    y = np.array([0, 0, 0, 1, 1, 1])
    folds = (Fold(train=[0, 1, 2, 3], test=[4, 5]), Fold(train=[0, 1, 4, 5], test=[2, 3]))
    plan = Plan(kind="cv", X=X, y=y, folds=folds)
    model = DummyClassifier(strategy="most_frequent")
    readings = ticks(0.0, 2.0, 10.0, 14.0)
    scores = cross_validate("dummy", model, plan, [ACCURACY], notes=Notes(), clock=lambda: next(readings))
    # fold 1 learns 0 (three 0s, one 1) and meets two 1s; fold 2 ties 2-2, takes 0, and meets a 0 and a 1
    assert scores == Scores(metrics={"accuracy": 0.25}, folds={"accuracy": (0.0, 0.5)}, fit_s=3.0)
    assert not hasattr(model, "classes_")  # the given estimator stays unfitted


def test_class_count_takes_the_test_rows_labels_too() -> None:
    X = pd.DataFrame({"x": [1, 2, 3]})
    assert class_count(Plan(kind="cv", X=X, y=np.array(["a", "b", "a"]), folds=())) == 2
    holdout = Plan(
        kind="holdout", X=X, y=np.array(["a", "b", "a"]), folds=(), X_test=X, y_test=np.array(["c", "a", "c"])
    )
    assert class_count(holdout) == 3
