"""Golden rows and prediction statistics."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd
import pytest

from mlgate.errors import InputError
from mlgate.registry.samples import frame_from_records, json_value, predict, prediction_stats, sample_golden


class Echo:
    """A 'model' predicting x + 1 where x is present, -1 where it is missing (NaN), and the colour's length."""

    def predict(self, X: pd.DataFrame) -> Any:
        assert list(X.columns) == ["x", "colour"]
        assert list(X.dtypes) == [np.float64, object]
        return np.where(X["x"].isna(), -1.0, X["x"] + 1) + X["colour"].map(lambda c: 0 if c is np.nan else len(c))


def rows() -> pd.DataFrame:
    colour = np.empty(6, dtype=object)
    colour[:] = ["red", np.nan, "blue", "red", "green", "blue"]
    return pd.DataFrame({"x": [0.5, 1.0, np.nan, 3.0, 4.0, 5.0], "colour": pd.Series(colour, dtype=object)})


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (np.float64(1.5), 1.5),
        (np.int64(3), 3),
        (np.bool_(True), True),
        (float("nan"), None),
        (math.inf, None),
        (None, None),
        ("a", "a"),
        (np.str_("b"), "b"),
        (pd.Timestamp("2026-01-01"), "2026-01-01 00:00:00"),
    ],
)
def test_json_value(value: Any, expected: Any) -> None:
    assert json_value(value) == expected


def test_golden_rows_are_a_seeded_sample_with_the_prediction_for_their_json() -> None:
    golden = sample_golden(Echo(), rows(), count=3, seed=7, what="m")
    assert golden == sample_golden(Echo(), rows(), count=3, seed=7, what="m")
    assert len(golden) == 3
    for row in golden:
        x, colour = row.features["x"], row.features["colour"]
        assert row.prediction == (-1.0 if x is None else x + 1) + (0 if colour is None else len(colour))
    assert len(sample_golden(Echo(), rows(), count=50, seed=7, what="m")) == 6  # never more rows than there are
    assert sample_golden(Echo(), rows(), count=0, seed=7, what="m") == ()


def test_records_rebuild_a_frame_like_the_training_frame() -> None:
    frame = frame_from_records([{"x": None, "colour": None}, {"x": 2, "colour": "red"}], rows())
    assert list(frame.dtypes) == [np.float64, object]
    assert math.isnan(frame["x"][0])
    assert frame["x"][1] == 2.0
    assert frame["colour"][0] is np.nan
    assert frame["colour"][1] == "red"


def test_a_model_that_cannot_predict_is_an_input_error() -> None:
    class Broken:
        def predict(self, X: Any) -> Any:
            raise ValueError("X has 3 features, but the model expects 4\nmore")

    with pytest.raises(InputError, match=r"model 'm' cannot predict the data: ValueError: X has 3 features"):
        predict(Broken(), rows(), what="model 'm'")


def test_prediction_statistics_by_kind() -> None:
    numbers = prediction_stats([0.5, 1.5, 2.5], regression=True, source="s", created="t")
    field = numbers["fields"]["prediction"]
    assert (field["kind"], field["type"], field["count"], field["min"], field["max"]) == (
        "numeric",
        "number",
        3,
        0.5,
        2.5,
    )
    flags = prediction_stats(np.array([True, False, True]), regression=False, source="s", created="t")
    assert flags["fields"]["prediction"]["categories"] == {"true": 2, "false": 1}
    labels = prediction_stats(np.array([2, 1, 2]), regression=False, source="s", created="t")
    assert labels["fields"]["prediction"]["categories"] == {"2": 2, "1": 1}
    assert (labels["source"], labels["created"], labels["rows"]) == ("s", "t", 3)
