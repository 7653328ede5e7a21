"""measure_uncertainty: n and se of each registered metric, from the results' per-row predictions."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from mlgate.registry.uncertainty import measure_uncertainty
from mlgate.stats import Predictions
from mlgate.training.predictions import PredictionSet, write_predictions

Y = np.array([0, 1, 1, 0, 1, 0, 1, 1, 0, 1] * 20)
PRED = np.where(np.arange(Y.size) % 7 == 0, 1 - Y, Y)  # 29 of 200 wrong
PROBA = np.column_stack([1 - (0.2 + 0.6 * PRED), 0.2 + 0.6 * PRED])


def _results(folder: Path) -> Path:
    model = Predictions(pred=PRED, proba=PROBA, classes=(0, 1))
    write_predictions(folder, PredictionSet(y=Y, models={"forest": model}))
    return folder


def test_each_metric_the_predictions_reproduce_gets_its_rows_and_se(tmp_path: Path) -> None:
    folder = _results(tmp_path)
    accuracy = float(np.mean(PRED == Y))
    found = measure_uncertainty(folder, "forest", {"accuracy": accuracy, "roc_auc": 0.5, "fit_seconds": 0.2})
    assert found is not None
    share = (accuracy * 200 + 1) / 202
    assert found == {"accuracy": {"n": 200, "se": pytest.approx(np.sqrt(share * (1 - share) / 202))}}


def test_nothing_is_recorded_without_predictions_or_for_another_model(tmp_path: Path) -> None:
    assert measure_uncertainty(tmp_path, "forest", {"accuracy": 0.9}) is None  # cross-validation: no file
    folder = _results(tmp_path)
    assert measure_uncertainty(folder, "tree", {"accuracy": 0.855}) is None
    assert measure_uncertainty(folder, "forest", {"accuracy": 0.5}) is None  # other rows than the registered value's
