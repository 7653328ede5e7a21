"""Interoperability: read DVC-style metrics and ``params.yaml`` as a ResultSet (nested keys flattened with ".").

``read_result_set(location)`` accepts:

- an mlgate results folder, or its ``metrics.json`` (``mlgate.results``);
- a folder holding a DVC-style ``metrics.json``, or a DVC-style metrics file: JSON, YAML (``.yaml``/``.yml``)
  or TOML. Nested mappings are flattened with ``.`` (``{"test": {"f1": 0.9}}`` -> ``test.f1``); only finite
  numbers are kept (booleans, strings, lists and NaN are skipped). The file is ONE model, named ``model``
  (default: the file's stem) — unless its only top-level key is ``models`` holding one mapping per model.

``params`` (a DVC ``params.yaml``, JSON or TOML) is flattened the same way into every model's ``params``.
"""

from __future__ import annotations

import importlib
import math
from collections.abc import Iterator, Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

from mlgate.errors import InputError
from mlgate.files import parse_document, read_text
from mlgate.results import METRICS_FILE, ModelResult, ResultSet, from_data, is_mlgate_document


def read_result_set(location: Path, *, params: Path | None = None, model: str | None = None) -> ResultSet:
    """Read an mlgate results folder/file or a DVC-style metrics file (see the module docstring)."""
    path = location / METRICS_FILE if location.is_dir() else location
    if not path.exists():
        where = f"{location} has no {METRICS_FILE}" if location.is_dir() else f"{location} not found"
        raise InputError(f"results: {where}", hint="run `mlgate train --out DIR` first, or pass a metrics file")
    document = _load(path, what="metrics file")
    if is_mlgate_document(document):
        results = from_data(document, source=str(location))
    else:
        results = _from_dvc(document, path, name=model or path.stem, source=str(location))
    if params is None:
        return results
    values = flatten(_mapping(_load(params, what="params file"), params), numbers_only=False)
    return replace(results, models={n: replace(m, params=dict(values)) for n, m in results.models.items()})


def flatten(document: Mapping[str, Any], *, numbers_only: bool = True) -> dict[str, Any]:
    """Nested mappings -> ``{"a.b.c": value}``; ``numbers_only`` keeps finite non-boolean numbers (as floats)."""
    return dict(_walk(document, "", numbers_only=numbers_only))


def _walk(node: Mapping[str, Any], prefix: str, *, numbers_only: bool) -> Iterator[tuple[str, Any]]:
    for key, value in node.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping):
            yield from _walk(value, name + ".", numbers_only=numbers_only)
        elif not numbers_only:
            yield name, value
        elif isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value):
            yield name, float(value)


def _from_dvc(document: Any, path: Path, *, name: str, source: str) -> ResultSet:
    data = _mapping(document, path)
    nested = data.get("models") if list(data) == ["models"] else None
    if isinstance(nested, Mapping) and nested and all(isinstance(v, Mapping) for v in nested.values()):
        groups = {str(k): flatten(v) for k, v in nested.items()}
    else:
        groups = {name: flatten(data)}
    empty = [k for k, metrics in groups.items() if not metrics]
    if empty:
        raise InputError(
            f"{path}: no numeric metrics found" + (f" for model '{empty[0]}'" if len(groups) > 1 else ""),
            hint='a metrics file maps names (nested or flat) to numbers, e.g. {"accuracy": 0.93}',
        )
    models = {k: ModelResult(name=k, estimator="", metrics=metrics) for k, metrics in groups.items()}
    return ResultSet(models=models, source=source)


def _load(path: Path, *, what: str) -> Any:
    text = read_text(path, what=what)
    if path.suffix.lower() != ".toml":
        return parse_document(text, path, what=what)
    try:
        tomllib = importlib.import_module("tomllib")  # the standard library from Python 3.11
    except ModuleNotFoundError as exc:
        raise InputError(f"{path}: reading TOML needs Python 3.11 or later", hint="use JSON or YAML") from exc
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"{path}: {what} is not valid TOML: {exc}") from exc


def _mapping(document: Any, path: Path) -> Mapping[str, Any]:
    if not isinstance(document, Mapping):
        kind = "empty" if document is None else type(document).__name__
        raise InputError(f"{path}: expected a mapping of names to values, not {kind}")
    return document
