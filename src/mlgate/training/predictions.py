"""Per-row predictions on the evaluation rows: made once per model, kept with the results for paired tests.

A model's metrics and the paired tests of ``mlgate.stats`` are computed from the same predictions, so a
baseline and a PR model scored on the same rows are compared row by row. A results folder keeps them in
``predictions.parquet``: one row per evaluation row (the holdout test rows), a column ``y`` (the true value),
``key`` (the schema's primary key, when it has one: it matches rows across two versions of the data), and per
model ``<name>.pred`` and, for a classifier, ``<name>.proba.<i>`` (``predict_proba`` columns in the order of
the model's ``classes_``, which the file's metadata records) or ``<name>.decision`` (``decision_function``).
Under cross-validation there is no such file: the paired test uses the per-fold scores.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from mlgate.errors import InputError
from mlgate.files import write_atomic
from mlgate.results import METRICS_FILE, ResultSet
from mlgate.stats import Predictions

PREDICTIONS_FILE = "predictions.parquet"
_META_KEY = b"mlgate.predictions"


@dataclass(frozen=True)
class PredictionSet:
    """The true values of the evaluation rows, their keys (or None), and each model's predictions."""

    y: Any
    keys: Any = None
    models: dict[str, Predictions] = field(default_factory=dict)

    @property
    def rows(self) -> int:
        return len(self.y)


def predict_rows(model: Any, X: Any) -> Predictions:
    """``predict`` plus, for a classifier, ``predict_proba`` (else ``decision_function``): once each."""
    pred = np.asarray(model.predict(X))
    classes = getattr(model, "classes_", None)
    if classes is None:
        return Predictions(pred=pred)
    proba = decision = None
    if hasattr(model, "predict_proba"):
        try:
            proba = np.asarray(model.predict_proba(X), dtype=float)
        except (AttributeError, NotImplementedError):  # e.g. SVC(probability=False) exposes the method
            proba = None
    if proba is None and hasattr(model, "decision_function"):
        decision = np.asarray(model.decision_function(X), dtype=float)
    return Predictions(pred=pred, proba=proba, decision=decision, classes=tuple(_plain(c) for c in classes))


def write_predictions(folder: Path, predictions: PredictionSet) -> Path:
    """Write ``folder/predictions.parquet`` atomically; returns its path."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    columns: dict[str, Any] = {"y": _column(predictions.y)}
    if predictions.keys is not None:
        columns["key"] = pa.array([str(k) for k in predictions.keys], type=pa.string())
    meta: dict[str, Any] = {}
    for name, model in predictions.models.items():
        columns[f"{name}.pred"] = _column(model.pred)
        matrix, kind = (model.proba, "proba") if model.proba is not None else (model.decision, "decision")
        if matrix is not None:
            matrix = np.asarray(matrix, dtype=float)
            if matrix.ndim == 1:
                columns[f"{name}.{kind}"] = pa.array(matrix)
            else:
                for index in range(matrix.shape[1]):
                    columns[f"{name}.{kind}.{index}"] = pa.array(matrix[:, index])
        meta[name] = {"classes": None if model.classes is None else list(model.classes), "kind": kind}
    table = pa.table(columns).replace_schema_metadata({_META_KEY: json.dumps(meta).encode("utf-8")})
    sink = pa.BufferOutputStream()
    pq.write_table(table, sink, compression="zstd")
    path = folder / PREDICTIONS_FILE
    write_atomic(path, sink.getvalue().to_pybytes())
    return path


def read_predictions(folder: Path) -> PredictionSet | None:
    """The predictions of a results folder, or None when it has none (CV, DVC files, older mlgate)."""
    path = folder / PREDICTIONS_FILE if folder.is_dir() else folder.parent / PREDICTIONS_FILE
    if not path.is_file():
        return None
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        table = pq.read_table(path)
        meta = json.loads((table.schema.metadata or {}).get(_META_KEY, b"{}"))
    except (pa.ArrowException, OSError, ValueError) as exc:
        raise InputError(f"{path}: unreadable predictions file: {exc}", hint="re-run `mlgate train`") from exc
    names = set(table.column_names)
    models = {str(name): _model_from(table, str(name), info, names) for name, info in meta.items()}
    keys = table.column("key").to_numpy(zero_copy_only=False) if "key" in names else None
    return PredictionSet(y=_numpy(table.column("y")), keys=keys, models=models)


def attach_predictions(results: ResultSet, location: Path) -> ResultSet:
    """``results`` read from ``location`` (an mlgate results folder or its metrics.json) with its predictions."""
    folder = location if location.is_dir() else location.parent
    if not (folder / METRICS_FILE).is_file():
        return results  # a DVC-style metrics file: no per-row predictions
    return dataclasses.replace(results, predictions=read_predictions(folder))


def pick_models(predictions: PredictionSet | None, names: Mapping[str, Any]) -> PredictionSet | None:
    """The same rows with only the models in ``names`` (None stays None)."""
    if predictions is None:
        return None
    kept = {n: p for n, p in predictions.models.items() if n in names}
    return PredictionSet(y=predictions.y, keys=predictions.keys, models=kept)


def _model_from(table: Any, name: str, info: Mapping[str, Any], names: set[str]) -> Predictions:
    if f"{name}.pred" not in names:
        raise InputError(f"predictions file: model '{name}' has no column '{name}.pred'", hint="re-run `mlgate train`")
    kind = str(info.get("kind"))
    wide = sorted((c for c in names if c.startswith(f"{name}.{kind}.")), key=lambda c: int(c.rsplit(".", 1)[1]))
    matrix = None
    if wide:
        matrix = np.column_stack([table.column(c).to_numpy() for c in wide])
    elif f"{name}.{kind}" in names:
        matrix = table.column(f"{name}.{kind}").to_numpy()
    classes = info.get("classes")
    return Predictions(
        pred=_numpy(table.column(f"{name}.pred")),
        proba=matrix if kind == "proba" else None,
        decision=matrix if kind == "decision" else None,
        classes=None if classes is None else tuple(classes),
    )


def _column(values: Any) -> Any:
    import pyarrow as pa

    array = np.asarray(values)
    if array.dtype == object:
        return pa.array([_plain(v) for v in array])
    return pa.array(array)


def _numpy(column: Any) -> Any:
    values = column.to_numpy(zero_copy_only=False)
    return np.asarray(values, dtype=object) if values.dtype.kind in "OUS" else values


def _plain(value: Any) -> Any:
    return value.item() if isinstance(value, np.generic) else value
