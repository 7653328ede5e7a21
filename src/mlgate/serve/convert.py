"""Request values read with the registered schema, as training read the data files.

A version registered by this mlgate records its ``feature_schema`` (``mlgate.data.schema.reading_schema``),
and the live pointer carries it. With it, a value is accepted as it appears in the data files: text is cast
with the field (``mlgate.training.dataset.cast_feature``, the training path's own reader) and becomes what
the model was fitted on (a date becomes its day number, ``true`` becomes 1.0, a missing-value text NaN).
A JSON number or boolean for a number, boolean, date, datetime or time field is taken as that feature value
already (how golden rows and earlier clients send it); for a text field it becomes its JSON text. A value
that does not read as its field's type is a 422 naming the row, the feature and the value.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from mlgate.data.schema import Field, Schema, parse_schema
from mlgate.errors import InputError, SchemaError
from mlgate.serve.request_error import RequestError

_TEXT_TYPES = ("string", "any")


def read_feature_schema(
    descriptor: Mapping[str, Any] | None, features: Sequence[str], *, where: str = "live.json"
) -> Schema | None:
    """A pointer's ``feature_schema`` as a Schema whose fields are ``features``, in order; None without one."""
    if descriptor is None:
        return None
    try:
        schema = parse_schema(dict(descriptor))
    except SchemaError as exc:
        raise InputError(f"{where} feature_schema: {exc.message}", hint="re-register the version") from exc
    if schema.names != tuple(features):
        raise InputError(
            f"{where} feature_schema lists {', '.join(schema.names)}, but the features are {', '.join(features)}",
            hint="re-register the version so its feature schema matches its features",
        )
    return schema


def convert_columns(schema: Schema, columns: Sequence[Sequence[Any]], *, rows: str) -> dict[str, Any]:
    """One column per field, typed as the training frame's (float64, or object for text fields).

    ``columns`` hold JSON values (None, numbers, booleans, strings) or CSV cells (strings); ``rows`` names
    a row in messages: ``instances`` for JSON, ``CSV row`` for CSV.
    """
    return {
        item.name: _convert(item, schema, values, rows) for item, values in zip(schema.fields, columns, strict=True)
    }


def _convert(item: Field, schema: Schema, values: Sequence[Any], rows: str) -> Any:
    import pyarrow as pa

    from mlgate.training.dataset import cast_feature, to_numpy

    texts: list[str | None] = [None] * len(values)
    given: dict[int, float] = {}  # values sent as the feature value itself (numbers, booleans)
    for index, value in enumerate(values):
        if value is None or isinstance(value, str):
            texts[index] = value
        elif item.type in _TEXT_TYPES:
            texts[index] = json.dumps(value)
        elif isinstance(value, bool):
            given[index] = 1.0 if value else 0.0
        else:
            given[index] = _float(value, f"instances[{index}], feature '{item.name}'")
    if all(text is None for text in texts):
        cast_values = None
    else:
        column = pa.array([text if text is not None else "" for text in texts], pa.string())
        missing_values = schema.missing_values_for(item)
        cast = cast_feature(column, item, missing_values)
        if item.type not in _TEXT_TYPES:
            _refuse_invalid(item, texts, cast.invalid.to_pylist(), rows)
        cast_values = cast.values
    if item.type in _TEXT_TYPES:
        cells = np.empty(len(values), dtype=object)
        typed = to_numpy(cast_values, item) if cast_values is not None else [np.nan] * len(values)
        cells[:] = [np.nan if texts[i] is None else typed[i] for i in range(len(values))]
        return pd.Series(cells, dtype=object, copy=False)  # not pandas' own string dtype: as in training
    out = np.full(len(values), np.nan, dtype=np.float64)
    if cast_values is not None:
        typed = to_numpy(cast_values, item)
        present = [i for i, text in enumerate(texts) if text is not None]
        out[present] = typed[present]
    for index, number in given.items():
        out[index] = number
    return out


def _float(value: Any, where: str) -> float:
    try:
        return float(value)
    except OverflowError as exc:
        raise RequestError(400, f"{where}: a number is too large for a float") from exc


def _refuse_invalid(item: Field, texts: Sequence[str | None], invalid: Sequence[bool], rows: str) -> None:
    for index, (text, bad) in enumerate(zip(texts, invalid, strict=True)):
        if bad and text is not None:
            where = f"instances[{index}]" if rows == "instances" else f"{rows} {index + 1}"
            raise RequestError(
                422,
                f"{where}, feature '{item.name}': {text!r} is not a {_kind(item)}",
                hint=f"send '{item.name}' as the training data has it, or null when it is missing",
            )


def _kind(item: Field) -> str:
    if item.format not in ("default", "any") and item.type in ("date", "datetime", "time"):
        return f"{item.type} in the format {item.format!r}"
    return item.type
