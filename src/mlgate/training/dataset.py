"""Training data: the train/test files read with mlgate's own readers, typed by the schema.

The feature frame has one column per feature, typed by its schema field: ``integer``, ``number``,
``year`` and ``boolean`` (1.0/0.0) as float64; ``date`` and ``datetime`` as days since 1970-01-01 and
``time`` as seconds since midnight (float64); ``string`` and ``any`` as Python strings (object).
Missing cells (the schema's ``missingValues``) and cells that do not parse are NaN: run
``mlgate validate`` for the latter. The target is checked here: present, no missing values, and
fitting the task.
"""

from __future__ import annotations

import difflib
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from mlgate.config import Config, CsvConfig
from mlgate.data import ARROW_TYPES, Cast, cast_column, load_schema, open_table
from mlgate.data.schema import Field, Schema
from mlgate.data.sources import Location, locate, open_binary
from mlgate.errors import ConfigError, DataError
from mlgate.files import display_path

if TYPE_CHECKING:
    import pandas as pd

Task = Literal["classification", "regression"]
MAX_CLASSES = 50
_NUMERIC = ("integer", "number", "year")


@dataclass(frozen=True)
class DataFile:
    """A file read for training: where, what it holds (SHA-256 of its bytes) and how many rows."""

    uri: str
    sha256: str
    rows: int


@dataclass(frozen=True)
class Dataset:
    """Features and target of one file."""

    X: pd.DataFrame
    y: Any  # numpy array of labels or values
    file: DataFile
    keys: Any = None  # the schema's primary key per row (strings, parts joined by "|"), when it has one


@dataclass(frozen=True)
class TrainingData:
    """What every candidate is fitted and scored on."""

    task: Task
    target: str
    features: tuple[str, ...]
    schema: Schema
    train: Dataset
    test: Dataset | None


def load_training_data(config: Config) -> TrainingData:
    """Read ``data.train`` (and ``data.test``) as the config and schema describe them."""
    task, target = _require(config)
    assert config.data.schema is not None  # checked by _require
    assert config.data.train is not None
    schema = load_schema(Path(display_path(config.data.schema)))
    features = select_features(config, schema)
    train = read_dataset(display_path(config.data.train), schema, features, target, task, csv=config.data.csv)
    if task == "classification" and len(np.unique(train.y)) < 2:
        raise DataError(f"{train.file.uri}: target '{target}' has a single class", hint="training needs two or more")
    test = None
    if config.data.test:
        test = read_dataset(display_path(config.data.test), schema, features, target, task, csv=config.data.csv)
    return TrainingData(task=task, target=target, features=features, schema=schema, train=train, test=test)


def _require(config: Config) -> tuple[Task, str]:
    if config.task is None:
        raise ConfigError("mlgate.yaml sets no task", hint="add `task: classification` or `task: regression`")
    if not config.target:
        raise ConfigError("mlgate.yaml sets no target", hint="add `target: <the column to predict>`")
    if not config.data.schema:
        raise ConfigError("mlgate.yaml sets no data.schema", hint="training reads the data typed by its schema")
    if not config.data.train:
        raise ConfigError("mlgate.yaml sets no data.train", hint="add data.train (and data.test, or data.split)")
    return config.task, config.target


def select_features(config: Config, schema: Schema) -> tuple[str, ...]:
    """``features`` from the config, else every schema field but the target."""
    target = config.target or ""
    if schema.get(target) is None:
        raise ConfigError(
            f"target '{target}' is not a field of the schema {schema.path}", hint=_closest(target, schema)
        )
    if not config.features:
        return tuple(n for n in schema.names if n != target)
    for name in config.features:
        if schema.get(name) is None:
            raise ConfigError(
                f"feature '{name}' is not a field of the schema {schema.path}", hint=_closest(name, schema)
            )
        if name == target:
            raise ConfigError(f"the target '{target}' is also listed in features", hint="remove it from features")
    return config.features


def _closest(name: str, schema: Schema) -> str:
    guess = difflib.get_close_matches(name, schema.names, n=1)
    return f"did you mean '{guess[0]}'?" if guess else f"fields: {', '.join(schema.names)}"


def read_dataset(
    uri: str, schema: Schema, features: Sequence[str], target: str, task: Task, *, csv: CsvConfig
) -> Dataset:
    """Read one file into a feature frame and a checked target."""
    import pandas as pd

    location = locate(uri)
    key_names = [k for k in schema.primary_key if k not in (*features, target)]
    columns = read_columns(location, schema, [*features, target, *key_names], csv=csv, target=target)
    rows = len(columns[target])
    frame = pd.DataFrame(
        {
            name: pd.Series(to_numpy(columns[name], schema.get(name)), dtype=_dtype(schema.get(name)))
            for name in features
        },
        index=range(rows),
    )
    field = schema.get(target)
    assert field is not None
    y = check_target(columns[target], field, task, where=uri)
    keys = row_keys([columns[k] for k in schema.primary_key]) if schema.primary_key else None
    return Dataset(X=frame, y=y, file=DataFile(uri=uri, sha256=file_sha256(location), rows=rows), keys=keys)


def row_keys(parts: Sequence[pa.Array]) -> Any:
    """One string per row from the primary key's columns (joined by ``|``; a missing part is empty)."""
    texts = [
        np.asarray(pc.fill_null(pc.cast(p, pa.string()), "").to_numpy(zero_copy_only=False), dtype=object)
        for p in parts
    ]
    if len(texts) == 1:
        return texts[0]
    return np.asarray(["|".join(str(t) for t in row) for row in zip(*texts, strict=True)], dtype=object)


def read_columns(
    location: Location, schema: Schema, names: Sequence[str], *, csv: CsvConfig, target: str
) -> dict[str, pa.Array]:
    """The typed values of ``names`` (null where missing or invalid) for the whole file."""
    table = open_table(location, csv, tally=False)
    index = table.match(schema)
    for name in names:
        if name not in index:
            role = "the target" if name == target else "a feature"
            raise DataError(
                f"{location.uri} has no column '{name}' ({role})",
                hint="fix the file, or the features/target in mlgate.yaml",
            )
    parts: dict[str, list[pa.Array]] = {name: [] for name in names}
    for batch in table.batches:
        for name in names:
            field = schema.get(name)
            assert field is not None
            parts[name].append(cast_feature(batch.column(index[name]), field, schema.missing_values_for(field)).values)
    out = {}
    for name in names:
        field = schema.get(name)
        assert field is not None
        chunks = parts[name] or [pa.array([], type=_empty_type(field))]
        out[name] = pa.concat_arrays(chunks)
    return out


def cast_feature(column: pa.Array, field: Field, missing_values: tuple[str, ...]) -> Cast:
    """One batch of a column typed as training reads it: ``cast_column``, and missing text cells null too.

    The endpoint converts request values with it, so a row sent as it is in the data files reaches the
    model as the training rows did.
    """
    cast = cast_column(column, field, missing_values)
    if cast.has_missing and field.type in ("string", "any"):  # cast_column keeps missing cells as their text
        return replace(cast, values=pc.if_else(cast.missing, pa.scalar(None, cast.values.type), cast.values))
    return cast


def _empty_type(field: Field) -> pa.DataType:
    return ARROW_TYPES[field.type]


def to_numpy(values: pa.Array, field: Field | None) -> Any:
    """A typed column as the feature frame holds it (see the module docstring)."""
    kind = field.type if field is not None else "string"
    if kind in (*_NUMERIC, "boolean"):
        return pc.cast(values, pa.float64()).to_numpy(zero_copy_only=False)
    if kind == "date":
        return pc.cast(pc.cast(values, pa.int32()), pa.float64()).to_numpy(zero_copy_only=False)
    if kind == "datetime":
        micros = pc.cast(pc.cast(values, pa.timestamp("us")), pa.int64())
        return pc.divide(pc.cast(micros, pa.float64()), 86_400e6).to_numpy(zero_copy_only=False)
    if kind == "time":
        micros = pc.cast(pc.cast(values, pa.time64("us")), pa.int64())
        return pc.divide(pc.cast(micros, pa.float64()), 1e6).to_numpy(zero_copy_only=False)
    cells = [np.nan if v is None else str(v) for v in values.to_pylist()]
    out = np.empty(len(cells), dtype=object)
    out[:] = cells
    return out


def _dtype(field: Field | None) -> str:
    return "object" if field is None or field.type in ("string", "any") else "float64"


def check_target(values: pa.Array, field: Field, task: Task, *, where: str) -> Any:
    """The target as labels (classification) or float64 (regression); unusable targets are errors."""
    name = field.name
    if values.null_count:
        raise DataError(
            f"{where}: target '{name}' is missing or invalid in {values.null_count} rows",
            hint=f"fix those rows (mlgate validate lists them) or mark '{name}' required",
        )
    if task == "regression":
        if field.type not in _NUMERIC:
            raise DataError(
                f"{where}: task is regression but target '{name}' is {field.type}, not a number",
                hint="set `task: classification`, or choose a numeric target",
            )
        return pc.cast(values, pa.float64()).to_numpy(zero_copy_only=False)
    if field.type in ("date", "datetime", "time"):
        raise DataError(f"{where}: target '{name}' is a {field.type}; classification needs class labels")
    if field.type == "number":
        floats = pc.cast(values, pa.float64()).to_numpy(zero_copy_only=False)
        if not np.all(np.isfinite(floats)) or not np.all(floats == np.floor(floats)):
            raise DataError(
                f"{where}: task is classification but target '{name}' holds continuous numbers",
                hint="set `task: regression`, or make the target whole-number class labels",
            )
        labels: Any = floats.astype(np.int64)
    elif field.type in ("integer", "year"):
        labels = values.to_numpy(zero_copy_only=False).astype(np.int64)
    elif field.type == "boolean":
        labels = values.to_numpy(zero_copy_only=False).astype(bool)
    else:
        labels = np.asarray([str(v) for v in values.to_pylist()], dtype=object)
    distinct = len(set(labels.tolist()))
    if distinct > MAX_CLASSES:
        raise DataError(
            f"{where}: target '{name}' has {distinct} distinct values, too many classes (at most {MAX_CLASSES})",
            hint="set `task: regression`, or group the classes",
        )
    return labels


def file_sha256(location: Location) -> str:
    """SHA-256 of a file's bytes as stored (not decompressed)."""
    digest = hashlib.sha256()
    raw = Location(uri=location.uri, format=location.format, gzip=False, size=location.size)
    stream = open_binary(raw)
    try:
        while chunk := stream.read(1 << 20):
            digest.update(bytes(chunk))
    finally:
        stream.close()
    return digest.hexdigest()
