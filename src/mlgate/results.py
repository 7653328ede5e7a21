"""Result sets: what ``mlgate train`` writes and ``mlgate compare`` reads (``metrics.json``).

A results folder holds ``metrics.json`` (this module's format, versioned, JSON Schema in
``docs/schemas/metrics.schema.json``), ``manifest.json`` (provenance) and ``models/<name>/model.skops``.
This module is the one reader and writer of ``metrics.json``; it needs no ML library.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from mlgate.errors import InputError
from mlgate.files import read_text, write_atomic
from mlgate.metric_names import TIMING_LABELS as TIMING_LABELS  # the timing keys, for the readers of results

SCHEMA_VERSION = 1
METRICS_FILE = "metrics.json"
MANIFEST_FILE = "manifest.json"

EvaluationKind = Literal["holdout", "cv", "external"]


@dataclass(frozen=True)
class Artifact:
    """A saved model: path relative to the results folder, its SHA-256 and size."""

    path: str
    sha256: str
    bytes: int


@dataclass(frozen=True)
class ModelResult:
    """One model's scores. Under cross-validation ``metrics`` holds the fold means and ``folds`` each fold."""

    name: str
    estimator: str
    params: dict[str, Any] = field(default_factory=dict)
    metrics: dict[str, float] = field(default_factory=dict)
    folds: dict[str, tuple[float, ...]] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)
    artifact: Artifact | None = None
    seed_sd: dict[str, float] = field(default_factory=dict)  # metric -> std over reseeded fits (mlgate.training.seeds)
    resample_sd: dict[str, float] = field(default_factory=dict)  # metric -> std over fits on resampled rows (retrain)


@dataclass(frozen=True)
class Evaluation:
    """How the scores were obtained; ``data_sha256`` identifies the evaluation data."""

    kind: EvaluationKind
    train_rows: int = 0
    test_rows: int = 0
    folds: int | None = None
    data_sha256: str | None = None
    features: tuple[str, ...] = ()  # the feature columns the models were given


@dataclass(frozen=True)
class ResultSet:
    """The models of one run (or of several merged runs) with what they were evaluated on."""

    models: dict[str, ModelResult]
    task: str | None = None
    primary: str | None = None
    evaluation: Evaluation | None = None
    commit: str | None = None
    mlgate_version: str | None = None
    source: str | None = None  # where it was read from (not written)
    predictions: Any = field(default=None, compare=False)  # PredictionSet of the holdout rows (predictions.parquet)


def to_data(results: ResultSet) -> dict[str, Any]:
    """The JSON document of ``metrics.json``."""
    return {
        "schema_version": SCHEMA_VERSION,
        "mlgate_version": results.mlgate_version,
        "task": results.task,
        "primary": results.primary,
        "commit": results.commit,
        "evaluation": None if results.evaluation is None else _evaluation_data(results.evaluation),
        "models": {name: _model_data(model) for name, model in results.models.items()},
    }


def write_results(folder: Path, results: ResultSet) -> Path:
    """Write ``folder/metrics.json`` atomically; returns its path."""
    path = folder / METRICS_FILE
    write_atomic(path, json.dumps(to_data(results), indent=2, sort_keys=False, allow_nan=False) + "\n")
    return path


def read_manifest(root: Path) -> Mapping[str, Any]:
    """``manifest.json`` of a results folder, or an empty mapping when there is none."""
    path = root / MANIFEST_FILE
    if not path.is_file():
        return {}
    try:
        document = json.loads(read_text(path, what="manifest"))
    except json.JSONDecodeError as exc:
        raise InputError(f"{path}:{exc.lineno}: manifest is not valid JSON: {exc.msg}") from exc
    if not isinstance(document, dict):
        raise InputError(f"{path}: manifest is not a JSON object", hint="regenerate it with `mlgate train`")
    return document


def read_results(location: Path) -> ResultSet:
    """Read a results folder or its ``metrics.json`` (DVC-style files: ``mlgate.interop``)."""
    path = location / METRICS_FILE if location.is_dir() else location
    if not path.exists():
        where = f"{location} has no {METRICS_FILE}" if location.is_dir() else f"{location} not found"
        raise InputError(f"results: {where}", hint="run `mlgate train --out DIR` first, or pass a metrics file")
    text = read_text(path, what="metrics file")
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"{path}:{exc.lineno}: not valid JSON: {exc.msg}") from exc
    except (RecursionError, ValueError) as exc:  # nested beyond the parser, an integer of thousands of digits
        raise InputError(f"{path}: not a metrics file mlgate can read ({type(exc).__name__})") from exc
    if not is_mlgate_document(document):
        raise InputError(f"{path} is not an mlgate metrics file (no schema_version and models)")
    return from_data(document, source=str(location))


def from_data(document: Mapping[str, Any], *, source: str | None = None) -> ResultSet:
    """Parse a ``metrics.json`` document; a wrong shape is an InputError naming the key."""
    where = source or "metrics.json"
    version = document.get("schema_version")
    if version != SCHEMA_VERSION:
        raise InputError(
            f"{where}: metrics schema_version {version!r} is not supported (this mlgate reads {SCHEMA_VERSION})",
            hint="re-run `mlgate train` with this mlgate version",
        )
    try:
        models = {
            str(name): _model_from(str(name), raw) for name, raw in _mapping(document.get("models"), "models").items()
        }
        evaluation = document.get("evaluation")
        return ResultSet(
            models=models,
            task=document.get("task"),
            primary=document.get("primary"),
            evaluation=None if evaluation is None else _evaluation_from(_mapping(evaluation, "evaluation")),
            commit=document.get("commit"),
            mlgate_version=document.get("mlgate_version"),
            source=source,
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise InputError(f"{where}: malformed metrics file: {exc}", hint="regenerate it with `mlgate train`") from exc


def is_mlgate_document(document: Any) -> bool:
    """Whether a parsed JSON document is an mlgate ``metrics.json`` (rather than, say, DVC metrics)."""
    return isinstance(document, dict) and "schema_version" in document and "models" in document


def _mapping(value: Any, key: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise TypeError(f"'{key}' must be an object")
    return value


def _numbers(value: Any, key: str) -> dict[str, float]:
    out = {}
    for name, number in _mapping(value or {}, key).items():
        if isinstance(number, bool) or not isinstance(number, (int, float)) or not math.isfinite(number):
            raise ValueError(f"'{key}.{name}' must be a finite number")
        out[str(name)] = float(number)
    return out


def _model_data(model: ModelResult) -> dict[str, Any]:
    artifact = model.artifact
    return {
        "estimator": model.estimator,
        "params": model.params,
        "metrics": model.metrics,
        "folds": {k: list(v) for k, v in model.folds.items()},
        "timings": model.timings,
        **({"seed_sd": model.seed_sd} if model.seed_sd else {}),
        **({"resample_sd": model.resample_sd} if model.resample_sd else {}),
        "artifact": None
        if artifact is None
        else {"path": artifact.path, "sha256": artifact.sha256, "bytes": artifact.bytes},
    }


def _model_from(name: str, raw: Any) -> ModelResult:
    data = _mapping(raw, f"models.{name}")
    artifact = data.get("artifact")
    folds = _mapping(data.get("folds") or {}, f"models.{name}.folds")
    return ModelResult(
        name=name,
        estimator=str(data.get("estimator", "")),
        params=dict(_mapping(data.get("params") or {}, f"models.{name}.params")),
        metrics=_numbers(data.get("metrics"), f"models.{name}.metrics"),
        folds={str(k): tuple(float(x) for x in v) for k, v in folds.items()},
        timings=_numbers(data.get("timings"), f"models.{name}.timings"),
        seed_sd=_numbers(data.get("seed_sd"), f"models.{name}.seed_sd"),
        resample_sd=_numbers(data.get("resample_sd"), f"models.{name}.resample_sd"),
        artifact=None if artifact is None else _artifact_from(name, _mapping(artifact, f"models.{name}.artifact")),
    )


def _artifact_from(name: str, raw: Mapping[str, Any]) -> Artifact:
    """An artifact whose path stays inside the results folder (relative, no ``..``): nothing else is read."""
    path = str(raw["path"])
    if not path or path.startswith(("/", "\\")) or ":" in path or ".." in path.replace("\\", "/").split("/"):
        raise ValueError(f"'models.{name}.artifact.path' must be a path inside the results folder, not {path[:80]!r}")
    return Artifact(path=path, sha256=str(raw["sha256"]), bytes=int(raw["bytes"]))


def _evaluation_data(evaluation: Evaluation) -> dict[str, Any]:
    return {
        "kind": evaluation.kind,
        "train_rows": evaluation.train_rows,
        "test_rows": evaluation.test_rows,
        "folds": evaluation.folds,
        "data_sha256": evaluation.data_sha256,
        **({"features": list(evaluation.features)} if evaluation.features else {}),
    }


def _evaluation_from(raw: Mapping[str, Any]) -> Evaluation:
    kind = raw["kind"]
    if kind not in ("holdout", "cv", "external"):
        raise ValueError(f"'evaluation.kind' must be holdout, cv or external, not {kind!r}")
    return Evaluation(
        kind=kind,
        train_rows=int(raw.get("train_rows", 0)),
        test_rows=int(raw.get("test_rows", 0)),
        folds=None if raw.get("folds") is None else int(raw["folds"]),
        data_sha256=raw.get("data_sha256"),
        features=tuple(str(f) for f in raw.get("features") or ()),
    )
