"""mlgate.serve.parse: JSON and CSV bodies become training-like frames; client mistakes become 4xx errors."""

from __future__ import annotations

import json
import math
import re
from typing import Any

import numpy as np
import pandas as pd
import pytest

from mlgate.serve.parse import media_type, parse_request
from mlgate.serve.request_error import RequestError

FEATURES = ("a", "b", "c")


def parse_json(document: Any) -> pd.DataFrame:
    return parse_request(json.dumps(document).encode(), "application/json; charset=utf-8", FEATURES)


def parse_csv(text: str) -> pd.DataFrame:
    return parse_request(text.encode(), "text/csv", FEATURES)


def test_objects_and_lists_give_the_same_typed_frame() -> None:
    objects = parse_json({"instances": [{"c": "x", "a": 1, "b": 0.5}, {"a": None, "b": True, "c": None}]})
    lists = parse_json({"instances": [[1, 0.5, "x"], [None, True, None]]})
    pd.testing.assert_frame_equal(objects, lists)
    assert list(objects.columns) == list(FEATURES)
    assert [str(t) for t in objects.dtypes] == ["float64", "float64", "object"]
    assert objects["a"].tolist()[0] == 1.0
    assert math.isnan(objects["a"].tolist()[1])
    assert objects["b"].tolist() == [0.5, 1.0]  # booleans are numbers, as in mlgate's training frames
    assert objects["c"].iloc[0] == "x"
    assert objects["c"].iloc[1] is np.nan  # never None: imputers only see NaN as missing


def test_a_column_with_no_values_is_object_nan() -> None:
    frame = parse_json({"instances": [[1, 2, None]]})
    assert frame["c"].dtype == object
    assert math.isnan(frame["c"].iloc[0])


def test_csv_cells_are_typed_like_json_values() -> None:
    frame = parse_csv("a,b,c\n1.5,true,x\n,FALSE,\n\n2,true,y\n")  # header skipped, blank line ignored
    assert len(frame) == 3
    assert [str(t) for t in frame.dtypes] == ["float64", "float64", "object"]
    assert frame["b"].tolist() == [1.0, 0.0, 1.0]
    assert frame["a"].iloc[0] == 1.5
    assert math.isnan(frame["a"].iloc[1])
    assert frame["c"].iloc[1] is np.nan


def test_a_header_naming_every_feature_picks_the_columns_by_name() -> None:
    frame = parse_csv("c,target,a,b\nx,1,1.5,true\ny,0,2,false\n")  # the data file's order, with its target
    assert frame.columns.tolist() == ["a", "b", "c"]
    assert frame["a"].tolist() == [1.5, 2.0]
    assert frame["c"].tolist() == ["x", "y"]
    with pytest.raises(RequestError, match=r"CSV line 2: 3 values, expected 4") as caught:
        parse_csv("c,target,a,b\nx,1,1.5\n")
    assert caught.value.hint == "the header's columns"


def test_a_first_line_that_names_only_some_features_is_data() -> None:
    with pytest.raises(RequestError, match=r"CSV line 1: 2 values, expected 3"):
        parse_csv("a,b\n1,2\n")


def test_quoted_csv_fields_may_hold_commas() -> None:
    frame = parse_csv('1,2,"north, east"\n')
    assert frame["c"].tolist() == ["north, east"]


@pytest.mark.parametrize(
    ("body", "content_type", "status", "match"),
    [
        (b'{"instances": [[1, 2, 3]]}', "text/plain", 415, r"unsupported media type: Content-Type 'text/plain'"),
        (b'{"instances": [[1, 2, 3]]}', None, 415, "unsupported media type: no Content-Type"),
        (b"", "application/json", 400, "empty request body"),
        (b"  \n", "text/csv", 400, "empty request body"),
        (b'{"instances": [', "application/json", 400, "invalid JSON at line 1 column 16: Expecting value"),
        (b"\xff\xfe", "application/json", 400, "not UTF-8"),
        (b"[[1, 2, 3]]", "application/json", 400, 'expected a JSON object with an "instances" list'),
        (b'{"instances": []}', "application/json", 400, '"instances" must be a non-empty list'),
        (b'{"instances": [{"a": 1, "b": 2}]}', "application/json", 400, r"instances\[0\]: missing c"),
        (
            b'{"instances": [[1,2,3], {"a": 1, "b": 2, "c": 3, "d": 4}]}',
            "application/json",
            400,
            r"instances\[1\]: unknown d",
        ),
        (
            b'{"instances": [{"a": 1, "b": 2, "x": 3}]}',
            "application/json",
            400,
            r"instances\[0\]: missing c; unknown x",
        ),
        (b'{"instances": [[1, 2]]}', "application/json", 400, r"instances\[0\] has 2 values, expected 3"),
        (b'{"instances": [5]}', "application/json", 400, r"instances\[0\] is a number"),
        (
            b'{"instances": [[1, 2, 3], [1, {"x": 1}, 3]]}',
            "application/json",
            400,
            r"instances\[1\], feature 'b': an object is not a feature value",
        ),
        (
            b'{"instances": [[1, 2, 3], [1%s, 2, 3]]}' % (b"0" * 400),
            "application/json",
            400,
            "feature 'a': a number is too large for a float",
        ),
        (b"1,2,3\n4,5\n", "text/csv", 400, "CSV line 2: 2 values, expected 3"),
        (b"a,b,c\n", "text/csv", 400, "the CSV body has no rows"),
        (b"\xff,1,2\n", "text/csv", 400, "not UTF-8"),
    ],
)
def test_client_mistakes_are_4xx_with_a_message(body: bytes, content_type: str | None, status: int, match: str) -> None:
    with pytest.raises(RequestError, match=match) as caught:
        parse_request(body, content_type, FEATURES)
    assert caught.value.status == status


def test_errors_hint_at_the_expected_shape() -> None:
    with pytest.raises(RequestError, match="instances") as caught:
        parse_request(b'{"rows": []}', "application/json", FEATURES)
    assert (
        caught.value.hint == 'send {"instances": [{"a": ..., "b": ..., "c": ...}]} or lists of values in feature order'
    )


def test_media_type_drops_parameters_and_case() -> None:
    assert media_type("Application/JSON; charset=UTF-8") == "application/json"
    assert media_type(None) == ""


def test_a_fitted_pipeline_predicts_the_same_on_parsed_rows_as_on_training_rows() -> None:
    from sklearn.compose import ColumnTransformer
    from sklearn.impute import SimpleImputer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import Pipeline, make_pipeline
    from sklearn.preprocessing import OneHotEncoder

    # the training frame as mlgate.training.dataset builds it: float64 numbers, object strings with NaN
    train = pd.DataFrame(
        {
            "a": np.array([1.0, 2.0, np.nan, 4.0, 5.0, 6.0]),
            "b": np.array([0.0, 1.0, 1.0, 0.0, 1.0, 0.0]),
            "c": pd.Series(np.array(["x", "y", np.nan, "x", "y", "x"], dtype=object), dtype=object),
        }
    )
    columns = ColumnTransformer(
        [
            ("num", SimpleImputer(strategy="median"), ["a", "b"]),
            (
                "cat",
                make_pipeline(SimpleImputer(strategy="most_frequent"), OneHotEncoder(handle_unknown="ignore")),
                ["c"],
            ),
        ]
    )
    model = Pipeline([("prep", columns), ("model", LogisticRegression())]).fit(train, [0, 1, 1, 0, 1, 0])
    parsed = parse_json({"instances": [[1, False, "x"], [2, True, "y"], [None, True, None], [4, 0, "x"]]})
    expected = model.predict_proba(train.iloc[:4])
    assert model.predict_proba(parsed) == pytest.approx(expected)


def parse_bytes(body: bytes, content_type: str = "application/json") -> pd.DataFrame:
    return parse_request(body, content_type, FEATURES)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"[" * 100_000 + b"]" * 100_000, "the JSON body is nested too deeply"),
        (b'{"instances": [[' + b"9" * 5000 + b', 1, "x"]]}', "an integer of 5000 digits is too large for a float"),
        (b'{"instances": [[1e400, 1, "x"]]}', "the number 1e400 is too large for a float"),
        (b'{"instances": [[NaN, 1, "x"]]}', "NaN is not a JSON number"),
        (b'{"instances": [[-Infinity, 1, "x"]]}', "-Infinity is not a JSON number"),
        (b'{"instances": [{"a": 1, "a": 2, "b": 3, "c": "x"}]}', "the key 'a' appears twice in one object"),
        (b'{"instances": [[1, 2, "x"]], "instances": [[3, 4, "y"]]}', "the key 'instances' appears twice"),
    ],
)
def test_hostile_json_is_a_400_naming_the_problem(body: bytes, message: str) -> None:
    with pytest.raises(RequestError, match=re.escape(message)) as caught:
        parse_bytes(body)
    assert caught.value.status == 400


def test_an_integer_a_float_can_hold_is_still_read() -> None:
    frame = parse_bytes(b'{"instances": [[' + b"9" * 300 + b', 1, "x"]]}')
    assert frame["a"].iloc[0] == pytest.approx(1e300)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('1,"2\n3,4,x\n', "CSV line 1: a quoted value is never closed (unterminated quote)"),
        ('a,b,c\n1,2,x\n3,"4\n5,6,y\n', "CSV line 3: a quoted value is never closed"),
        ('1,"2"z,x\n', "CSV line 1: text after the closing quote of a quoted value"),
        ("1,1e999,x\n", "CSV row 1, feature 'b': '1e999' is not a finite number"),
    ],
)
def test_malformed_csv_is_a_400_naming_the_line(text: str, message: str) -> None:
    with pytest.raises(RequestError, match=re.escape(message)) as caught:
        parse_csv(text)
    assert caught.value.status == 400


def test_a_quoted_value_may_still_hold_a_line_break() -> None:
    frame = parse_csv('1,2,"x\ny"\n3,4,z\n')
    assert frame["c"].tolist() == ["x\ny", "z"]


@pytest.mark.parametrize("content_type", ["text/csv; charset=latin-1", 'application/json; charset="utf-16"'])
def test_a_charset_other_than_utf8_is_a_415(content_type: str) -> None:
    with pytest.raises(RequestError, match=r"unsupported charset .* the server reads UTF-8") as caught:
        parse_bytes(b"1,2,x\n", content_type)
    assert caught.value.status == 415
