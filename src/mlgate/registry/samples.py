"""What a version keeps about its model's behaviour: golden predictions and statistics of its predictions.

Golden rows are ``registry.golden_rows`` rows of the evaluation data (``data.test``, else the holdout rows,
else under cross-validation the training rows), picked with a generator seeded by ``train.seed`` so the
same data always gives the same rows. Their features are stored as the model receives them (mlgate's
feature frame, see ``mlgate.training.dataset``): numbers, booleans (1.0/0.0), dates (days since 1970-01-01)
and times as numbers, strings as strings, a missing value as ``null``. The stored prediction is the one
the model gives for exactly those JSON values rebuilt into a frame, so an endpoint fed the same JSON must
reproduce it (within the smoke tolerance for numbers).

Prediction statistics are ``mlgate schema stats`` documents of a one-column table, ``prediction``: a
number for regression; for classification the labels as categories (``boolean`` labels as true/false,
any other label as its text).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from mlgate.errors import InputError
from mlgate.registry.model import GoldenRow

if TYPE_CHECKING:
    import pandas as pd

PREDICTION = "prediction"


def predict(model: Any, X: pd.DataFrame, *, what: str) -> Any:
    """``model.predict(X)`` as a numpy array; a model that cannot predict these rows is an InputError."""
    try:
        return np.asarray(model.predict(X))
    except (ValueError, TypeError, KeyError, AttributeError, IndexError) as exc:
        raise InputError(
            f"{what} cannot predict the data: {type(exc).__name__}: {str(exc).splitlines()[0]}",
            hint="was it trained with other features? re-run `mlgate train` with this config",
        ) from exc


def sample_golden(model: Any, rows: pd.DataFrame, *, count: int, seed: int, what: str) -> tuple[GoldenRow, ...]:
    """``count`` rows picked deterministically, each with the prediction for its JSON-safe features."""
    if count <= 0 or len(rows) == 0:
        return ()
    picked = np.sort(np.random.default_rng(seed).choice(len(rows), size=min(count, len(rows)), replace=False))
    records = [{str(name): json_value(value) for name, value in rows.iloc[int(i)].items()} for i in picked]
    frame = frame_from_records(records, rows)
    predictions = predict(model, frame, what=what)
    return tuple(
        GoldenRow(features=record, prediction=json_value(p)) for record, p in zip(records, predictions, strict=True)
    )


def frame_from_records(records: Sequence[dict[str, Any]], like: pd.DataFrame) -> pd.DataFrame:
    """A frame with ``like``'s columns and dtypes from JSON records (``null`` is NaN, as in training)."""
    import pandas as pd

    columns = {}
    for name, dtype in like.dtypes.items():
        values = [record.get(str(name)) for record in records]
        if pd.api.types.is_object_dtype(dtype):
            cells = np.empty(len(values), dtype=object)
            cells[:] = [np.nan if v is None else v for v in values]
            columns[name] = pd.Series(cells, dtype=object)
        else:
            columns[name] = pd.Series([np.nan if v is None else v for v in values], dtype=dtype)
    frame: pd.DataFrame = pd.DataFrame(columns, index=range(len(records)))  # typed: the stubs' Self is Any on 3.10
    return frame


def json_value(value: Any) -> Any:
    """A cell or prediction as a JSON value: numpy scalars unwrapped, NaN and missing as ``None``."""
    if isinstance(value, np.generic):
        value = value.item()
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        return None if math.isnan(value) else value if math.isfinite(value) else None
    return str(value)


def prediction_stats(predictions: Any, *, regression: bool, source: str, created: str) -> dict[str, Any]:
    """The reference-statistics document of the predictions (see the module docstring)."""
    import pyarrow as pa

    from mlgate.data.schema import Field, Schema
    from mlgate.data.stats import StatsCollector, to_data

    values = np.asarray(predictions)
    if regression:
        kind, array = "number", pa.array(values.astype(np.float64))
    elif values.dtype == bool:
        kind, array = "boolean", pa.array(values)
    else:
        kind, array = "string", pa.array([str(json_value(v)) for v in values], pa.string())
    collector = StatsCollector(Schema(fields=(Field(name=PREDICTION, type=kind),)))
    collector.observe(PREDICTION, array)
    collector.set_rows(len(values))
    return to_data(collector.finish(source=source, created=created))
