"""Training data: files read with mlgate's readers, typed by the schema, target checks, digests."""

from __future__ import annotations

import hashlib
import math
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from mlgate.config import load_config
from mlgate.errors import ConfigError, DataError
from mlgate.training.dataset import MAX_CLASSES, load_training_data

SCHEMA = """\
fields:
  - {name: name, type: string}
  - {name: size, type: integer}
  - {name: weight, type: number}
  - {name: ok, type: boolean}
  - {name: born, type: date}
  - {name: seen, type: datetime}
  - {name: at, type: time}
  - {name: kind, type: string, constraints: {enum: [a, b]}}
  - {name: price, type: number}
missingValues: ["", "NA"]
"""
CSV = """\
name,size,weight,ok,born,seen,at,kind,price
ann,1,1.5,true,1970-01-02,1970-01-01T12:00:00,00:01:00,a,10.5
bob,NA,2.5,false,2024-03-01,2024-03-01T00:00:00Z,12:00:00,b,20.25
,3,x,,NA,,,a,30
dan,4,4.5,true,1970-01-01,1970-01-03T06:00:00,23:59:59,b,40
"""


def _config(tmp_path: Path, *, task: str = "classification", target: str = "kind", extra: str = "") -> Path:
    (tmp_path / "schema.yaml").write_text(SCHEMA, encoding="utf-8")
    if not (tmp_path / "train.csv").exists():
        (tmp_path / "train.csv").write_text(CSV, encoding="utf-8")
    path = tmp_path / "mlgate.yaml"
    path.write_text(
        f"data: {{schema: schema.yaml, train: train.csv}}\ntask: {task}\ntarget: {target}\n{extra}", encoding="utf-8"
    )
    return path


def test_feature_frame_is_typed_by_the_schema(tmp_path: Path) -> None:
    data = load_training_data(load_config(_config(tmp_path)))
    X = data.train.X
    assert data.features == ("name", "size", "weight", "ok", "born", "seen", "at", "price")
    assert list(X.columns) == list(data.features)
    assert X["name"].dtype == object
    assert X["name"].tolist()[:2] == ["ann", "bob"]
    assert math.isnan(X["name"].tolist()[2])  # missing strings are NaN, what SimpleImputer looks for
    assert all(X[c].dtype == np.float64 for c in ("size", "weight", "ok", "born", "seen", "at", "price"))
    assert X["size"][0] == 1.0
    assert math.isnan(X["size"][1])  # "NA" is a missing value
    assert math.isnan(X["weight"][2])  # "x" does not parse: NaN (mlgate validate reports it)
    assert X["ok"].tolist()[:2] == [1.0, 0.0]
    assert X["born"][0] == 1.0  # days since 1970-01-01
    assert X["seen"][0] == 0.5
    assert X["seen"][3] == 2.25
    assert X["at"][0] == 60.0  # seconds since midnight
    assert X["at"][3] == 86399.0
    assert data.train.y.tolist() == ["a", "b", "a", "b"]
    assert data.train.file.rows == 4
    assert data.train.file.sha256 == hashlib.sha256((tmp_path / "train.csv").read_bytes()).hexdigest()
    assert data.test is None


def test_parquet_reads_the_same_frame(tmp_path: Path) -> None:
    csv_data = load_training_data(load_config(_config(tmp_path)))
    table = pa.table({"kind": ["a", "b", "a"], "price": [1.0, 2.0, None], "size": pa.array([1, None, 3], pa.int64())})
    pq.write_table(table, tmp_path / "train.parquet")
    path = tmp_path / "mlgate.yaml"
    path.write_text(
        "data: {schema: schema.yaml, train: train.parquet}\ntask: classification\ntarget: kind\n"
        "features: [price, size]\n",
        encoding="utf-8",
    )
    data = load_training_data(load_config(path))
    assert data.train.X["size"].tolist()[0] == 1.0
    assert math.isnan(data.train.X["price"][2])
    assert data.train.y.tolist() == ["a", "b", "a"]
    assert data.train.file.sha256 != csv_data.train.file.sha256


def test_regression_target_is_float(tmp_path: Path) -> None:
    data = load_training_data(load_config(_config(tmp_path, task="regression", target="price")))
    assert data.train.y.dtype == np.float64
    assert data.train.y.tolist() == [10.5, 20.25, 30.0, 40.0]


def test_boolean_and_integer_class_labels(tmp_path: Path) -> None:
    csv = "name,size,ok\na,1,true\nb,2,false\nc,1,true\n"
    (tmp_path / "train.csv").write_text(csv, encoding="utf-8")
    (tmp_path / "schema.yaml").write_text(SCHEMA, encoding="utf-8")
    path = _config(tmp_path, target="ok", extra="features: [size]\n")
    (tmp_path / "schema.yaml").write_text(
        "fields: [{name: name}, {name: size, type: integer}, {name: ok, type: boolean}]\n", encoding="utf-8"
    )
    assert load_training_data(load_config(path)).train.y.tolist() == [True, False, True]
    path.write_text(
        path.read_text(encoding="utf-8").replace("target: ok", "target: size").replace("[size]", "[ok]"),
        encoding="utf-8",
    )
    labels = load_training_data(load_config(path)).train.y
    assert labels.dtype == np.int64
    assert labels.tolist() == [1, 2, 1]


@pytest.mark.parametrize(
    ("task", "target", "message"),
    [
        ("regression", "kind", r"task is regression but target 'kind' is string"),
        ("regression", "ok", r"target 'ok' is missing or invalid in 1 rows"),
        ("classification", "price", r"task is classification but target 'price' holds continuous numbers"),
        ("classification", "born", r"target 'born' is missing or invalid in 1 rows"),
    ],
)
def test_unusable_targets(tmp_path: Path, task: str, target: str, message: str) -> None:
    with pytest.raises(DataError, match=message):
        load_training_data(load_config(_config(tmp_path, task=task, target=target)))


def test_date_target_cannot_be_classes(tmp_path: Path) -> None:
    (tmp_path / "train.csv").write_text("name,born\na,2020-01-01\nb,2020-01-02\n", encoding="utf-8")
    path = _config(tmp_path, target="born", extra="features: [name]\n")
    with pytest.raises(DataError, match="target 'born' is a date"):
        load_training_data(load_config(path))


def test_too_many_classes(tmp_path: Path) -> None:
    lines = ["name,size"] + [f"n{i},{i}" for i in range(MAX_CLASSES + 1)]
    (tmp_path / "train.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    path = _config(tmp_path, target="size", extra="features: [name]\n")
    with pytest.raises(DataError, match=f"target 'size' has {MAX_CLASSES + 1} distinct values"):
        load_training_data(load_config(path))


def test_single_class(tmp_path: Path) -> None:
    (tmp_path / "train.csv").write_text("name,kind\na,a\nb,a\n", encoding="utf-8")
    path = _config(tmp_path, extra="features: [name]\n")
    with pytest.raises(DataError, match="target 'kind' has a single class"):
        load_training_data(load_config(path))


def test_target_missing_from_the_file(tmp_path: Path) -> None:
    (tmp_path / "train.csv").write_text("name,size\na,1\nb,2\n", encoding="utf-8")
    path = _config(tmp_path, extra="features: [name, size]\n")
    with pytest.raises(DataError, match=r"train\.csv has no column 'kind' \(the target\)"):
        load_training_data(load_config(path))


def test_feature_missing_from_the_file(tmp_path: Path) -> None:
    (tmp_path / "train.csv").write_text("name,kind\na,a\nb,b\n", encoding="utf-8")
    path = _config(tmp_path, extra="features: [name, size]\n")
    with pytest.raises(DataError, match=r"train\.csv has no column 'size' \(a feature\)"):
        load_training_data(load_config(path))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("data: {schema: schema.yaml, train: train.csv}\ntarget: kind\n", "sets no task"),
        ("data: {schema: schema.yaml, train: train.csv}\ntask: regression\n", "sets no target"),
        ("data: {train: train.csv}\ntask: regression\ntarget: kind\n", "sets no data.schema"),
        ("data: {schema: schema.yaml}\ntask: regression\ntarget: kind\n", "sets no data.train"),
        (
            "data: {schema: schema.yaml, train: train.csv}\ntask: regression\ntarget: knid\n",
            "target 'knid' is not a field of the schema",
        ),
        (
            "data: {schema: schema.yaml, train: train.csv}\ntask: regression\ntarget: kind\nfeatures: [prise]\n",
            "feature 'prise' is not a field",
        ),
        (
            "data: {schema: schema.yaml, train: train.csv}\ntask: regression\ntarget: kind\nfeatures: [kind]\n",
            "target 'kind' is also listed in features",
        ),
    ],
)
def test_config_problems(tmp_path: Path, text: str, message: str) -> None:
    _config(tmp_path)
    (tmp_path / "mlgate.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match=message):
        load_training_data(load_config(tmp_path / "mlgate.yaml"))
