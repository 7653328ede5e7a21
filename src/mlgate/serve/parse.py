"""Request bodies (JSON or CSV) into a pandas DataFrame with the served version's feature columns, in order.

With the version's feature schema (``schema``), values are read as training read the data files
(mlgate.serve.convert): a row copied from the training CSV works as it is. Without one (a version
registered before mlgate recorded it), columns get the dtypes of mlgate's training frames by their values:
a column whose values are all numbers or booleans becomes float64 (null -> NaN); any other column stays
``object`` with missing cells as NaN, never None, so imputers see them as missing. CSV cells are text: a
column that parses as numbers (or only ``true``/``false``) becomes float64 the same way. Every client
mistake is a RequestError carrying the HTTP status to answer with and a message that says what is wrong
and where.
"""

from __future__ import annotations

import csv
import io
import json
import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from mlgate.serve.convert import convert_columns
from mlgate.serve.request_error import RequestError

if TYPE_CHECKING:
    from mlgate.data.schema import Schema

JSON = "application/json"
CSV = "text/csv"
_NUMBER_TYPES = (int, float, bool)
_BOOLEANS = {"true": 1.0, "false": 0.0}
MAX_INT_DIGITS = 1000  # a float holds at most about 1.8e308 (309 digits): far longer integers are refused unread


def media_type(header: str | None) -> str:
    """The bare media type of a Content-Type/Accept item: lower case, without parameters."""
    return (header or "").split(";", 1)[0].strip().lower()


def declared_charset(header: str | None) -> str | None:
    """The ``charset`` parameter of a Content-Type, lower case and unquoted; None when there is none."""
    for parameter in (header or "").split(";")[1:]:
        key, _, value = parameter.partition("=")
        if key.strip().lower() == "charset":
            return value.strip().strip('"').lower()
    return None


def parse_request(
    body: bytes, content_type: str | None, features: Sequence[str], schema: Schema | None = None
) -> pd.DataFrame:
    """Parse an invocation body of ``content_type`` into a frame with exactly ``features`` as columns.

    ``schema``: the version's feature schema (fields named as ``features``, in order), to read values with.
    """
    kind = media_type(content_type)
    if kind not in (JSON, CSV):
        sent = f"Content-Type {content_type!r}" if content_type else "no Content-Type"
        raise RequestError(415, f"unsupported media type: {sent}", hint=f"send {JSON} or {CSV}")
    charset = declared_charset(content_type)
    if charset not in (None, "utf-8", "utf8", "us-ascii", "ascii"):
        raise RequestError(
            415,
            f"unsupported charset {_clip(charset)!r} in the Content-Type: the server reads UTF-8",
            hint=f"encode the body as UTF-8 and send {kind}; charset=utf-8 (or no charset)",
        )
    if not body.strip():
        raise RequestError(400, "empty request body", hint=_shape_hint(kind, features))
    if schema is None:
        columns = parse_json(body, features) if kind == JSON else parse_csv(body, features)
        return build_frame(features, columns)

    if kind == JSON:
        columns = parse_json(body, features)
        for name, values in zip(features, columns, strict=True):
            _check_values(name, values)
        frame: pd.DataFrame = pd.DataFrame(convert_columns(schema, columns, rows="instances"), copy=False)
        return frame
    cells = list(zip(*read_csv_rows(body, features), strict=True))
    from_csv: pd.DataFrame = pd.DataFrame(convert_columns(schema, cells, rows="CSV row"), copy=False)
    return from_csv


def parse_json(body: bytes, features: Sequence[str]) -> list[Sequence[Any]]:
    """``{"instances": [...]}`` into one list of values per feature (instances: objects or lists)."""
    document = load_json(body)
    if not isinstance(document, dict) or "instances" not in document:
        raise RequestError(400, 'expected a JSON object with an "instances" list', hint=_shape_hint(JSON, features))
    instances = document["instances"]
    if not isinstance(instances, list) or not instances:
        raise RequestError(400, '"instances" must be a non-empty list', hint=_shape_hint(JSON, features))
    names = set(features)
    rows = [_json_row(index, item, features, names) for index, item in enumerate(instances)]
    return list(zip(*rows, strict=True))


def load_json(body: bytes) -> Any:
    """The body as strict JSON: UTF-8, no NaN/Infinity, no duplicate keys, numbers a float can hold, bounded depth."""
    text = decode_utf8(body)
    try:
        return json.loads(
            text,
            object_pairs_hook=_unique_keys,
            parse_constant=_refuse_constant,
            parse_float=_finite_float,
            parse_int=_bounded_int,
        )
    except json.JSONDecodeError as exc:
        raise RequestError(400, f"invalid JSON at line {exc.lineno} column {exc.colno}: {exc.msg}") from exc
    except RecursionError as exc:
        raise RequestError(
            400,
            "the JSON body is nested too deeply",
            hint="instances are objects or lists of plain values (numbers, strings, booleans, null)",
        ) from exc


def decode_utf8(body: bytes) -> str:
    """The body as text (a UTF-8 byte order mark is dropped); a 400 naming the first byte that is not UTF-8."""
    try:
        return body.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise RequestError(
            400,
            f"the body is not UTF-8 (byte {exc.start})",
            hint="encode the body as UTF-8 (or declare nothing but charset=utf-8)",
        ) from exc


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    document: dict[str, Any] = {}
    for key, value in pairs:
        if key in document:
            raise RequestError(
                400,
                f"invalid JSON: the key {_clip(key)!r} appears twice in one object",
                hint="send each key once per object",
            )
        document[key] = value
    return document


def _refuse_constant(name: str) -> Any:
    raise RequestError(
        400, f"invalid JSON: {name} is not a JSON number", hint="send null for a missing value; numbers must be finite"
    )


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise RequestError(
            400,
            f"invalid JSON: the number {_clip(text)} is too large for a float",
            hint="numbers must be finite 64-bit floats (at most about 1.8e308)",
        )
    return value


def _bounded_int(text: str) -> int:
    digits = len(text.lstrip("-"))
    if digits > MAX_INT_DIGITS:
        raise RequestError(
            400,
            f"invalid JSON: an integer of {digits} digits is too large for a float",
            hint="numbers must be finite 64-bit floats (at most about 1.8e308)",
        )
    return int(text)


def _clip(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else f"{text[:limit]}… ({len(text)} characters)"


def parse_csv(body: bytes, features: Sequence[str]) -> list[Sequence[Any]]:
    """CSV rows (see ``read_csv_rows``: in feature order, or picked by a header) into typed columns."""
    columns = zip(features, zip(*read_csv_rows(body, features), strict=True), strict=True)
    return [_csv_column(name, cells) for name, cells in columns]


def read_csv_rows(body: bytes, features: Sequence[str]) -> list[list[str]]:
    """The CSV rows of a body as text, one value per feature in feature order; blank lines are skipped.

    Without a header the columns are the features, in order. A first line naming every feature (once each)
    is a header: columns are then picked by name and others ignored, so the header and rows of a data file,
    target column included, can be sent as they are.
    """
    text = decode_utf8(body)
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    rows: list[list[str]] = []
    picked: list[int] | None = None
    width = len(features)
    start = 1  # the physical line the row being read starts on
    try:
        for row in reader:
            row_start, start = start, reader.line_num + 1
            if not row or (len(row) == 1 and not row[0].strip()):
                continue
            if not rows and picked is None and _is_header(row, features):
                picked, width = [[cell.strip() for cell in row].index(name) for name in features], len(row)
                continue
            if len(row) != width:
                columns = "the header's columns" if picked is not None else f"columns, in order: {', '.join(features)}"
                raise RequestError(400, f"CSV line {row_start}: {len(row)} values, expected {width}", hint=columns)
            rows.append(row if picked is None else [row[i] for i in picked])
    except csv.Error as exc:
        raise csv_error(exc, start, reader.line_num) from exc
    if not rows:
        raise RequestError(400, "the CSV body has no rows", hint=_shape_hint(CSV, features))
    return rows


def csv_error(exc: csv.Error, start: int, line: int) -> RequestError:
    """The 400 for malformed CSV quoting, naming the line and what is wrong (not the csv module's wording)."""
    quote_hint = 'close each quoted value; a quote inside one is written twice ("")'
    if "unexpected end of data" in str(exc):
        return RequestError(
            400,
            f"CSV line {start}: a quoted value is never closed (unterminated quote): "
            "the rest of the body would be read as one value",
            hint=quote_hint,
        )
    if "expected after" in str(exc):
        return RequestError(400, f"CSV line {line}: text after the closing quote of a quoted value", hint=quote_hint)
    return RequestError(400, f"CSV line {line}: {exc}", hint=quote_hint)


def _is_header(row: list[str], features: Sequence[str]) -> bool:
    labels = [cell.strip() for cell in row]
    return all(labels.count(name) == 1 for name in features) and len(set(labels)) == len(labels)


def build_frame(features: Sequence[str], columns: Sequence[Sequence[Any]]) -> pd.DataFrame:
    """A frame with one typed column per feature (see the module docstring for the dtypes)."""
    data = {name: _typed_column(name, values) for name, values in zip(features, columns, strict=True)}
    frame: pd.DataFrame = pd.DataFrame(data, copy=False)
    return frame


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


def _check_values(name: str, values: Sequence[Any]) -> None:
    """Every value is a feature value: null, a number, a boolean or a string (not an object or a list)."""
    for index, value in enumerate(values):
        if value is not None and type(value) not in _NUMBER_TYPES and type(value) is not str:
            raise RequestError(
                400,
                f"instances[{index}], feature '{name}': {_json_kind(value)} is not a feature value",
                hint="values are numbers, strings, booleans or null",
            )


def _typed_column(name: str, values: Sequence[Any]) -> Any:
    _check_values(name, values)
    numeric = all(value is None or type(value) in _NUMBER_TYPES for value in values)
    present = any(value is not None for value in values)
    if numeric and present:
        try:
            return np.array(values, dtype=np.float64)
        except OverflowError as exc:
            raise RequestError(400, f"feature '{name}': a number is too large for a float") from exc
    cells = np.empty(len(values), dtype=object)
    cells[:] = [np.nan if value is None else value for value in values]
    return pd.Series(cells, dtype=object, copy=False)


def _csv_column(name: str, cells: Sequence[str]) -> Sequence[Any]:
    present = [cell for cell in cells if cell != ""]
    if not present:
        return [None] * len(cells)
    try:
        numbers = [float(cell) if cell != "" else None for cell in cells]
    except ValueError:
        pass
    else:
        for index, number in enumerate(numbers):
            if number is not None and math.isinf(number):
                raise RequestError(
                    400,
                    f"CSV row {index + 1}, feature '{name}': {_clip(cells[index])!r} is not a finite number",
                    hint="numbers must be finite 64-bit floats "
                    "(at most about 1.8e308); leave the cell empty when it is missing",
                )
        return numbers
    if all(cell.lower() in _BOOLEANS for cell in present):
        return [_BOOLEANS[cell.lower()] if cell != "" else None for cell in cells]
    return [cell if cell != "" else None for cell in cells]


def _json_kind(value: Any) -> str:
    names = {dict: "an object", list: "a list", str: "a string", bool: "a boolean", type(None): "null"}
    return names.get(type(value), "a number")


def _shape_hint(kind: str, features: Sequence[str]) -> str:
    if kind == CSV:
        return f"send CSV rows with columns in order: {', '.join(features)} (or a header line naming them first)"
    example = ", ".join(f'"{name}": ...' for name in features[:3]) + (", ..." if len(features) > 3 else "")
    return f'send {{"instances": [{{{example}}}]}} or lists of values in feature order'
