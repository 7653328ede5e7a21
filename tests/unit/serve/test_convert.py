"""mlgate.serve.convert: request values read with the version's feature schema, as training read the files."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import pandas as pd
import pytest

from mlgate.config import load_config
from mlgate.data.schema import parse_schema, reading_schema
from mlgate.errors import InputError
from mlgate.serve.convert import read_feature_schema
from mlgate.serve.parse import parse_request
from mlgate.serve.request_error import RequestError
from mlgate.training.dataset import load_training_data
from unit.training.project import write_project

SCHEMA = parse_schema(
    {
        "fields": [
            {"name": "day", "type": "date"},
            {"name": "at", "type": "datetime"},
            {"name": "flag", "type": "boolean", "trueValues": ["yes"], "falseValues": ["no"]},
            {"name": "count", "type": "integer"},
            {"name": "price", "type": "number", "decimalChar": ",", "groupChar": "."},
            {"name": "city", "type": "string"},
            {"name": "code", "type": "string", "missingValues": ["NA"]},
        ],
        "missingValues": ["", "-"],
    }
)
FEATURES = SCHEMA.names


def as_json(*rows: list[Any]) -> pd.DataFrame:
    return parse_request(json.dumps({"instances": list(rows)}).encode(), "application/json", FEATURES, SCHEMA)


def as_csv(text: str) -> pd.DataFrame:
    return parse_request(text.encode(), "text/csv", FEATURES, SCHEMA)


def test_text_values_are_read_as_their_fields_say() -> None:
    frame = as_json(["2024-01-02", "2024-01-02T12:00:00Z", "yes", " 007 ", "1.234,5", "Oslo", "A1"])
    assert frame.iloc[0].tolist() == [19724.0, 19724.5, 1.0, 7.0, 1234.5, "Oslo", "A1"]
    assert [str(t) for t in frame.dtypes] == ["float64"] * 5 + ["object"] * 2


def test_missing_values_follow_the_schema_and_the_field() -> None:
    frame = as_json(["-", None, "", "-", None, "-", "NA"], ["", "", "no", "", "", "", "-"])
    assert frame.iloc[0, :5].isna().all()
    assert frame.isna().iat[0, 5]
    assert frame.isna().iat[0, 6]  # the field's own missing value
    assert frame["code"].tolist()[1] == "-"  # "-" is a value where the field says only "NA" is missing
    assert frame["flag"].tolist()[1] == 0.0


def test_numbers_and_booleans_are_taken_as_the_feature_value() -> None:
    frame = as_json([19724, 19724.5, True, 7, 1234.5, 42, 4.5])  # as golden rows and older clients send them
    assert frame.iloc[0].tolist() == [19724.0, 19724.5, 1.0, 7.0, 1234.5, "42", "4.5"]


def test_csv_rows_are_read_the_same_way() -> None:
    header = ",".join(FEATURES)
    frame = as_csv(f'{header}\n2024-01-02,2024-01-02T12:00:00Z,yes,7,"1.234,5",Oslo,NA\n')
    assert frame.iloc[0, :6].tolist() == [19724.0, 19724.5, 1.0, 7.0, 1234.5, "Oslo"]
    assert frame.isna().iat[0, 6]


@pytest.mark.parametrize(
    ("send", "message"),
    [
        (
            lambda: as_json([None] * 6 + [None], ["2024-13-01", *[None] * 6]),
            r"^instances\[1\], feature 'day': '2024-13-01' is not a date",
        ),
        (
            lambda: as_json(["2024-01-02", None, "true", None, None, None, None]),
            r"^instances\[0\], feature 'flag': 'true' is not a boolean",
        ),  # this field spells booleans yes/no
        (lambda: as_csv("2024-01-02,,yes,7.5,,,\n"), r"^CSV row 1, feature 'count': '7\.5' is not a integer"),
    ],
)
def test_a_value_that_does_not_read_is_422_naming_row_feature_and_value(send: Any, message: str) -> None:
    with pytest.raises(RequestError, match=message) as caught:
        send()
    assert caught.value.status == 422


def test_objects_and_lists_are_still_refused() -> None:
    with pytest.raises(RequestError, match=r"instances\[0\], feature 'city': an object is not a feature value"):
        as_json([None, None, None, None, None, {"x": 1}, None])


def test_read_feature_schema() -> None:
    assert read_feature_schema(None, ["a"]) is None
    descriptor = reading_schema(SCHEMA, FEATURES)
    read = read_feature_schema(descriptor, FEATURES)
    assert read is not None
    assert (read.fields, read.missing_values) == (SCHEMA.fields, SCHEMA.missing_values)  # reading_schema keeps it all
    with pytest.raises(InputError, match=r"live\.json feature_schema lists day, .* but the features are a, b"):
        read_feature_schema(descriptor, ["a", "b"])
    with pytest.raises(InputError, match=r"m\.json feature_schema: .*unknown type 'dat'"):
        read_feature_schema({"fields": [{"name": "a", "type": "dat"}]}, ["a"], where="m.json")


def test_a_row_copied_from_the_training_csv_becomes_the_training_frames_row(tmp_path: Any) -> None:
    """The property the endpoint promises: the CSV lines of data.train, minus the target, read as training did."""
    config = load_config(write_project(tmp_path, models="m: {estimator: sklearn.linear_model.LogisticRegression}"))
    data = load_training_data(config)
    lines = list(csv.reader(io.StringIO((tmp_path / "data" / "train.csv").read_text(encoding="utf-8"))))
    keep = [lines[0].index(name) for name in data.features]
    body = "\n".join(",".join(row[i] for i in keep) for row in lines[1:]).encode()
    schema = read_feature_schema(reading_schema(data.schema, data.features), data.features)
    served = parse_request(body, "text/csv", data.features, schema)
    pd.testing.assert_frame_equal(served, data.train.X)
    records = [dict(zip(data.features, (row[i] for i in keep), strict=True)) for row in lines[1:]]
    as_json_rows = parse_request(json.dumps({"instances": records}).encode(), "application/json", data.features, schema)
    pd.testing.assert_frame_equal(as_json_rows, data.train.X)
