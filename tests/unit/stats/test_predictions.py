"""Predictions: shapes are checked when built; outputs are read by response-method name."""

from __future__ import annotations

import numpy as np
import pytest

from mlgate.errors import InputError
from mlgate.stats import Predictions
from mlgate.stats.predictions import list_methods


def test_rows_must_agree() -> None:
    with pytest.raises(InputError, match="proba has 2 rows but pred has 3"):
        Predictions(pred=np.zeros(3), proba=np.full((2, 2), 0.5))
    with pytest.raises(InputError, match="decision has 1 rows but pred has 3"):
        Predictions(pred=np.zeros(3), decision=np.zeros(1))


def test_columns_must_match_classes() -> None:
    with pytest.raises(InputError, match="proba has 2 columns for 3 classes"):
        Predictions(pred=np.zeros(2), proba=np.full((2, 2), 0.5), classes=(0, 1, 2))


def test_outputs_by_method() -> None:
    preds = Predictions(pred=np.array([1, 0]), decision=np.array([0.3, -0.2]), classes=(0, 1))
    assert preds.output("predict") is preds.pred
    assert preds.output("predict_proba") is None
    assert preds.output("decision_function") is preds.decision
    assert list_methods("predict") == ("predict",)
    assert list_methods(["decision_function", "predict_proba"]) == ("decision_function", "predict_proba")
