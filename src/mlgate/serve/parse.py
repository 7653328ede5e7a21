"""Request bodies (JSON or CSV) into a pandas DataFrame with the served version's feature columns, in order.

Columns get the dtypes of mlgate's training frames (see mlgate.training.dataset): a column whose values
are all numbers or booleans becomes float64 (null -> NaN); any other column stays ``object`` with missing
cells as NaN, never None, so imputers see them as missing. CSV cells are text: a column that parses as
numbers (or only ``true``/``false``) becomes float64 the same way. Every client mistake is a RequestError
carrying the HTTP status to answer with and a message that says what is wrong and where.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from mlgate.errors import InputError

JSON = "application/json"
CSV = "text/csv"
_NUMBER_TYPES = (int, float, bool)
_BOOLEANS = {"true": 1.0, "false": 0.0}


class RequestError(InputError):
    """A request the server cannot use; ``status`` is the 4xx code to answer with."""

    def __init__(self, status: int, message: str, *, hint: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.status = status


def media_type(header: str | None) -> str:
    """The bare media type of a Content-Type/Accept item: lower case, without parameters."""
    return (header or "").split(";", 1)[0].strip().lower()


def parse_request(body: bytes, content_type: str | None, features: Sequence[str]) -> pd.DataFrame:
    """Parse an invocation body of ``content_type`` into a frame with exactly ``features`` as columns."""
    kind = media_type(content_type)
    if kind not in (JSON, CSV):
        sent = f"Content-Type {content_type!r}" if content_type else "no Content-Type"
        raise RequestError(415, f"unsupported media type: {sent}", hint=f"send {JSON} or {CSV}")
    if not body.strip():
        raise RequestError(400, "empty request body", hint=_shape_hint(kind, features))
    columns = parse_json(body, features) if kind == JSON else parse_csv(body, features)
    return build_frame(features, columns)


def parse_json(body: bytes, features: Sequence[str]) -> list[Sequence[Any]]:
    """``{"instances": [...]}`` into one list of values per feature (instances: objects or lists)."""
    try:
        document = json.loads(body.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise RequestError(400, f"the body is not UTF-8 (byte {exc.start})") from exc
    except json.JSONDecodeError as exc:
        raise RequestError(400, f"invalid JSON at line {exc.lineno} column {exc.colno}: {exc.msg}") from exc
    if not isinstance(document, dict) or "instances" not in document:
        raise RequestError(400, 'expected a JSON object with an "instances" list', hint=_shape_hint(JSON, features))
    instances = document["instances"]
    if not isinstance(instances, list) or not instances:
        raise RequestError(400, '"instances" must be a non-empty list', hint=_shape_hint(JSON, features))
    names = set(features)
    rows = [_json_row(index, item, features, names) for index, item in enumerate(instances)]
    return list(zip(*rows, strict=True))


def parse_csv(body: bytes, features: Sequence[str]) -> list[Sequence[Any]]:
    """CSV rows without a header (a first line equal to the feature names is skipped) into columns."""
    try:
        text = body.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise RequestError(400, f"the body is not UTF-8 (byte {exc.start})") from exc
    reader = csv.reader(io.StringIO(text, newline=""))
    rows: list[list[str]] = []
    try:
        for row in reader:
            if not row or (len(row) == 1 and not row[0].strip()):
                continue
            if not rows and row == list(features):
                continue
            if len(row) != len(features):
                raise RequestError(
                    400,
                    f"CSV line {reader.line_num}: {len(row)} values, expected {len(features)}",
                    hint=f"columns, in order: {', '.join(features)}",
                )
            rows.append(row)
    except csv.Error as exc:
        raise RequestError(400, f"CSV line {reader.line_num}: {exc}") from exc
    if not rows:
        raise RequestError(400, "the CSV body has no rows", hint=_shape_hint(CSV, features))
    return [_csv_column(cells) for cells in zip(*rows, strict=True)]


def build_frame(features: Sequence[str], columns: Sequence[Sequence[Any]]) -> pd.DataFrame:
    """A frame with one typed column per feature (see the module docstring for the dtypes)."""
    data = {name: _typed_column(name, values) for name, values in zip(features, columns, strict=True)}
    return pd.DataFrame(data, copy=False)


def _json_row(index: int, item: Any, features: Sequence[str], names: set[str]) -> Sequence[Any]:
    if isinstance(item, dict):
        if len(item) != len(names) or item.keys() != names:
            missing = [name for name in features if name not in item]
            unknown = [str(key) for key in item if key not in names]
            problems = [
                f"missing {', '.join(missing)}" if missing else "",
                f"unknown {', '.join(unknown)}" if unknown else "",
            ]
            raise RequestError(
                400,
                f"instances[{index}]: {'; '.join(p for p in problems if p)}",
                hint=f"features: {', '.join(features)}",
            )
        return [item[name] for name in features]
    if isinstance(item, list):
        if len(item) != len(features):
            raise RequestError(
                400,
                f"instances[{index}] has {len(item)} values, expected {len(features)}",
                hint=f"lists are in feature order: {', '.join(features)}",
            )
        return item
    raise RequestError(
        400,
        f"instances[{index}] is {_json_kind(item)}; each instance is an object of feature values or a list",
        hint=_shape_hint(JSON, features),
    )


def _typed_column(name: str, values: Sequence[Any]) -> Any:
    numeric = True
    present = False
    for index, value in enumerate(values):
        if value is None:
            continue
        present = True
        kind = type(value)
        if kind in _NUMBER_TYPES:
            continue
        if kind is str:
            numeric = False
            continue
        raise RequestError(
            400,
            f"instances[{index}], feature '{name}': {_json_kind(value)} is not a feature value",
            hint="values are numbers, strings, booleans or null",
        )
    if numeric and present:
        try:
            return np.array(values, dtype=np.float64)
        except OverflowError as exc:
            raise RequestError(400, f"feature '{name}': a number is too large for a float") from exc
    cells = np.empty(len(values), dtype=object)
    cells[:] = [np.nan if value is None else value for value in values]
    return pd.Series(cells, dtype=object, copy=False)


def _csv_column(cells: Sequence[str]) -> Sequence[Any]:
    present = [cell for cell in cells if cell != ""]
    if not present:
        return [None] * len(cells)
    try:
        return [float(cell) if cell != "" else None for cell in cells]
    except ValueError:
        pass
    if all(cell.lower() in _BOOLEANS for cell in present):
        return [_BOOLEANS[cell.lower()] if cell != "" else None for cell in cells]
    return [cell if cell != "" else None for cell in cells]


def _json_kind(value: Any) -> str:
    names = {dict: "an object", list: "a list", str: "a string", bool: "a boolean", type(None): "null"}
    return names.get(type(value), "a number")


def _shape_hint(kind: str, features: Sequence[str]) -> str:
    if kind == CSV:
        return f"send CSV rows without a header, columns in order: {', '.join(features)}"
    example = ", ".join(f'"{name}": ...' for name in features[:3]) + (", ..." if len(features) > 3 else "")
    return f'send {{"instances": [{{{example}}}]}} or lists of values in feature order'
