"""predictions.parquet: per-row predictions written once per run and read back exactly, labels of any type."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from sklearn.datasets import load_iris
from sklearn.linear_model import LogisticRegression
from sklearn.svm import LinearSVC

from mlgate.errors import InputError
from mlgate.results import ResultSet, write_results
from mlgate.stats import Predictions
from mlgate.training.predictions import (
    PREDICTIONS_FILE,
    PredictionSet,
    attach_predictions,
    predict_rows,
    read_predictions,
    write_predictions,
)


def test_a_classifier_gives_labels_probabilities_and_its_classes() -> None:
    X, y = load_iris(return_X_y=True)
    names = np.asarray(["setosa", "versicolor", "virginica"], dtype=object)[y]
    model = LogisticRegression(max_iter=500).fit(X, names)
    rows = predict_rows(model, X[:10])
    assert rows.classes == ("setosa", "versicolor", "virginica")
    assert rows.proba is not None
    assert rows.proba.shape == (10, 3)
    assert rows.decision is None
    assert list(rows.pred) == list(model.predict(X[:10]))


def test_a_classifier_without_probabilities_keeps_its_decision_function() -> None:
    X, y = load_iris(return_X_y=True)
    rows = predict_rows(LinearSVC().fit(X, y == 1), X[:5])
    assert rows.proba is None
    assert rows.decision is not None
    assert rows.decision.shape == (5,)
    assert rows.classes == (False, True)


@pytest.mark.parametrize(
    "labels",
    [np.asarray(["yes", "no", "yes"], dtype=object), np.asarray([1, 2, 1]), np.asarray([0.5, 1.5, 2.5])],
)
def test_the_file_reads_back_what_was_written(tmp_path: Path, labels: np.ndarray) -> None:
    proba = np.asarray([[0.2, 0.8], [0.9, 0.1], [0.4, 0.6]])
    written = PredictionSet(
        y=labels,
        keys=np.asarray(["a", "b", "c"], dtype=object),
        models={
            "m1": Predictions(pred=labels[::-1].copy(), proba=proba, classes=("no", "yes")),
            "m2": Predictions(pred=labels.copy(), decision=np.asarray([0.1, -2.0, 3.5]), classes=(1, 2)),
            "reg": Predictions(pred=np.asarray([1.0, 2.0, 3.0])),
        },
    )
    write_predictions(tmp_path, written)
    read = read_predictions(tmp_path)
    assert read is not None
    assert list(read.y) == list(labels)
    assert list(read.keys) == ["a", "b", "c"]
    assert read.models["m1"].classes == ("no", "yes")
    np.testing.assert_array_equal(read.models["m1"].proba, proba)
    np.testing.assert_array_equal(read.models["m2"].decision, [0.1, -2.0, 3.5])
    assert read.models["m2"].classes == (1, 2)
    assert read.models["m2"].proba is None
    assert read.models["reg"].classes is None
    assert list(read.models["reg"].pred) == [1.0, 2.0, 3.0]
    assert list(read.models["m1"].pred) == list(labels[::-1])


def test_a_folder_without_predictions_reads_as_none_and_a_broken_file_is_an_input_error(tmp_path: Path) -> None:
    assert read_predictions(tmp_path) is None
    (tmp_path / PREDICTIONS_FILE).write_bytes(b"not parquet")
    with pytest.raises(InputError, match="unreadable predictions file"):
        read_predictions(tmp_path)


def test_attach_reads_predictions_only_for_mlgate_results_folders(tmp_path: Path) -> None:
    results = ResultSet(models={})
    write_results(tmp_path, results)
    write_predictions(tmp_path, PredictionSet(y=np.asarray([1.0]), models={"m": Predictions(pred=np.asarray([1.0]))}))
    assert attach_predictions(results, tmp_path).predictions is not None
    assert attach_predictions(results, tmp_path / "metrics.json").predictions is not None
    dvc = tmp_path / "dvc" / "metrics.yaml"
    dvc.parent.mkdir()
    dvc.write_text("acc: 1\n")
    assert attach_predictions(results, dvc).predictions is None
