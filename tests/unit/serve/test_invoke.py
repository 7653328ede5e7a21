"""mlgate.serve.invoke: content negotiation, prediction, and JSON/CSV answers."""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pandas as pd
import pytest

from mlgate.data.schema import parse_schema
from mlgate.serve.holder import ServedModel
from mlgate.serve.invoke import choose_format, dump_json, find_culprit, invoke, render_csv, to_json_values
from mlgate.serve.request_error import RequestError
from mlgate.serve.state import LivePointer

POINTER = LivePointer(
    version="4",
    model="m",
    artifact="/m.skops",
    sha256="0" * 64,
    trusted_types=(),
    features=("a", "b"),
    switched_at="2026-01-01T00:00:00+00:00",
)


class Sum:
    """Predicts a + b; refuses strings like a fitted sklearn model would."""

    def predict(self, frame: pd.DataFrame) -> Any:
        if frame["a"].dtype == object:
            raise ValueError("could not convert string to float: 'seven'\nmore detail")
        return frame["a"].to_numpy() + frame["b"].to_numpy()


class _Predicting:
    """A transformer answering predict() with its transform (what a pipeline's first step raises on)."""

    def __init__(self, step: Any) -> None:
        self.step = step

    def predict(self, frame: pd.DataFrame) -> Any:
        return self.step.transform(frame)[:, 0]


def served(model: Any, schema: Any = None) -> ServedModel:
    return ServedModel(pointer=POINTER, estimator=model, features=("a", "b"), loaded_at="t", schema=schema)


def test_with_the_feature_schema_values_are_read_as_the_data_files_hold_them() -> None:
    schema = parse_schema({"fields": [{"name": "a", "type": "date"}, {"name": "b", "type": "boolean"}]})
    body = json.dumps({"instances": [{"a": "2024-01-02", "b": "true"}, {"a": 19724, "b": False}]}).encode()
    answer = invoke(served(Sum(), schema), body, "application/json", "application/json")
    assert answer.predictions == [19725.0, 19724.0]  # 2024-01-02 is day 19724; true is 1.0


@pytest.mark.parametrize(
    ("accept", "answer"),
    [
        (None, "application/json"),
        ("", "application/json"),
        ("*/*", "application/json"),
        ("text/csv", "text/csv"),
        ("text/csv; charset=utf-8", "text/csv"),
        ("application/json;q=0.5, text/csv", "text/csv"),
        ("text/csv;q=0.2, application/json;q=0.9", "application/json"),
        ("text/html, text/csv", "text/csv"),
        ("text/*", "text/csv"),
    ],
)
def test_the_answer_format_follows_accept(accept: str | None, answer: str) -> None:
    assert choose_format(accept) == answer


@pytest.mark.parametrize("accept", ["text/html", "application/xml, image/png", "text/csv;q=0"])
def test_an_unsupported_accept_is_406(accept: str) -> None:
    with pytest.raises(RequestError, match="cannot answer in") as caught:
        choose_format(accept)
    assert caught.value.status == 406


def test_json_answer_carries_predictions_and_version() -> None:
    body = json.dumps({"instances": [[1, 2], {"a": 0.5, "b": 0.25}]}).encode()
    answer = invoke(served(Sum()), body, "application/json", "application/json").content
    assert json.loads(answer) == {"predictions": [3.0, 0.75], "version": "4"}


def test_csv_answer_has_one_line_per_prediction() -> None:
    answer = invoke(served(Sum()), b"1,2\n3,4\n", "text/csv", "text/csv").content
    assert answer == b"3.0\n7.0\n"


def test_values_the_model_cannot_use_are_422_naming_the_feature_and_the_value() -> None:
    body = json.dumps({"instances": [["seven", 2]]}).encode()
    with pytest.raises(
        RequestError,
        match=r"^version 4 cannot predict on this input: feature 'a' = 'seven': could not "
        r"convert string to float: 'seven' more detail\n",
    ) as caught:
        invoke(served(Sum()), body, "application/json", "application/json")
    assert caught.value.status == 422
    assert caught.value.hint is not None
    assert "registered without its feature schema" in caught.value.hint  # this pointer has none


def test_a_multi_line_scikit_learn_error_is_kept_whole() -> None:
    from sklearn.impute import SimpleImputer

    imputer = SimpleImputer(strategy="median").fit(pd.DataFrame({"a": [1.0, 2.0], "b": [3.0, 4.0]}))
    body = json.dumps({"instances": [{"a": 1.5, "b": "2024-01-05"}]}).encode()
    with pytest.raises(RequestError, match="feature 'b'") as caught:
        invoke(served(_Predicting(imputer)), body, "application/json", "application/json")
    assert caught.value.status == 422
    assert caught.value.message == (
        "version 4 cannot predict on this input: feature 'b' = '2024-01-05': Cannot use median strategy with "
        "non-numeric data: could not convert string to float: '2024-01-05'"
    )


def test_no_culprit_is_named_when_the_message_quotes_no_cell() -> None:
    frame = pd.DataFrame({"a": [1.0], "c": pd.Series(["x"], dtype=object)})
    assert find_culprit(frame, "something else went wrong: 'y'") is None
    assert find_culprit(frame, "bad value 'x'") == ("c", "x")


def test_predictions_become_plain_json_values() -> None:
    assert to_json_values(np.array([1.5, np.nan, np.inf])) == [1.5, None, None]
    assert to_json_values(np.array([1, 2], dtype=np.int64)) == [1, 2]
    assert to_json_values(np.array(["yes", "no"], dtype=object)) == ["yes", "no"]
    assert to_json_values(np.array([[1, 2], [3, 4]])) == [[1, 2], [3, 4]]
    assert dump_json({"x": np.int64(3), "y": np.float32(0.5), "z": np.bool_(True)}) == b'{"x":3,"y":0.5,"z":true}'


def test_csv_rendering_quotes_and_spreads_multi_output() -> None:
    assert render_csv(["a,b", None, 2]) == b'"a,b"\n""\n2\n'  # a lone empty field is quoted
    assert render_csv([[1, 2], [3, 4]]) == b"1,2\n3,4\n"
