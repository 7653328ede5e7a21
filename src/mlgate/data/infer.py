"""Draft a Frictionless Table Schema from one full streaming pass over a dataset (``mlgate schema infer``).

Batches are analysed with pyarrow.compute, never value by value: per column the missing count, the
types every present value parses as (through ``cast_column`` itself, so the data passes its schema),
bounds, string lengths, at most ``enum_max`` distinct values and uniqueness keys, which are dropped as
soon as a column shows a missing value or a duplicate. Types, required fields, small enums and unique
columns become rules; the observed bounds and lengths are information (``x-mlgate.observed``) unless
``ranges`` asks for them as constraints (mlgate.data.ranges). Library code: returns data, never prints.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any

import numpy as np
import pyarrow as pa

from mlgate.config import CsvConfig
from mlgate.data import compute as pc
from mlgate.data.casting import _DATETIME, cast_column  # the validator's own ISO datetime regex
from mlgate.data.ranges import Ranges, widen_bounds, widen_length
from mlgate.data.scan import open_table
from mlgate.data.schema import Field
from mlgate.data.sources import FilesystemFactory, locate
from mlgate.data.uniqueness import UniqueTracker, key_of
from mlgate.errors import DataError
from mlgate.progress import Progress

MISSING_VALUES = ("",)
CANDIDATES = ("boolean", "integer", "number", "date", "datetime")  # in order of preference
_WORDS = Field("", "boolean", true_values=("true", "True", "TRUE"), false_values=("false", "False", "FALSE"))
_CANONICAL_INT = r"^(?:0|-?[1-9][0-9]*)$"  # text <-> integer is one-to-one
_OFFSET = r"(?:Z|[+-][0-9]{2}:?[0-9]{2})$"
_FIRST_DUPLICATE_CHECK = 1 << 20


@dataclass(frozen=True)
class Inference:
    """The inferred descriptor and what the pass saw."""

    descriptor: dict[str, Any]
    rows: int
    fields: int


@dataclass
class _Column:
    """What one column showed so far. ``kind`` is fixed for typed (Parquet) columns, else None."""

    kind: str | None
    candidates: list[str]
    present: int = 0
    missing: int = 0
    low: dict[str, Any] = field(default_factory=dict)
    high: dict[str, Any] = field(default_factory=dict)
    distinct: set[str] | None = field(default_factory=set)
    tracker: UniqueTracker | None = field(default_factory=UniqueTracker)
    key_space: str = "integer"  # the keys in ``tracker``: "integer" values or "string" hashes
    canonical: bool = True  # every value tracked under "integer" keys was written canonically
    tracked: int = 0
    checked_at: int = 0  # rows tracked at the last global duplicate check
    has_nan: set[str] = field(default_factory=set)  # types whose values include NaN: no bounds then

    def bound(self, name: str, values: pa.Array) -> None:
        """Widen the observed [low, high] of ``name`` by a batch of typed values (NaN ignored)."""
        if pa.types.is_floating(values.type) and pc.any(pc.is_nan(values)).as_py():
            self.has_nan.add(name)  # NaN fails every bound (Frictionless), so none may be declared
        found = pc.min_max(values)
        low, high = found["min"].as_py(), found["max"].as_py()
        if low is None or low != low:
            return
        self.low[name] = low if name not in self.low else min(self.low[name], low)
        self.high[name] = high if name not in self.high else max(self.high[name], high)


def infer_schema(
    uri: str,
    *,
    csv: CsvConfig,
    enum_max: int = 20,
    ranges: Ranges = "none",
    s3: FilesystemFactory | None = None,
    progress: Progress | None = None,
    today: dt.date | None = None,
) -> dict[str, Any]:
    """A Table Schema descriptor drafted from every row of ``uri`` (CSV, .csv.gz or Parquet)."""
    found = infer_dataset(uri, csv=csv, enum_max=enum_max, ranges=ranges, s3=s3, progress=progress, today=today)
    return found.descriptor


def infer_dataset(
    uri: str,
    *,
    csv: CsvConfig,
    enum_max: int = 20,
    ranges: Ranges = "none",
    s3: FilesystemFactory | None = None,
    progress: Progress | None = None,
    today: dt.date | None = None,
) -> Inference:
    """Like ``infer_schema``, also returning the row and field counts.

    ``ranges``: ``none`` records observed bounds and lengths under each field's ``x-mlgate.observed`` only;
    ``observed`` also declares them as constraints; ``widened`` declares bounds with room around them.
    """
    table = open_table(locate(uri, s3=s3), csv, s3=s3)
    header = table.header
    if table.types is None:  # CSV: every column is text until its values say otherwise
        columns = [_Column(None, list(CANDIDATES)) for _ in header]
    else:
        columns = [_typed_column(t) for t in table.types]
    for index, name in enumerate(header):
        if not name.strip() or name in header[:index]:
            problem = f"column '{name}' appears twice" if name.strip() else f"column {index + 1} has no name"
            raise DataError(f"{uri}: {problem}; schema fields need distinct names", hint="fix the header row")
    rows = 0
    for batch in table.batches:
        for column, array in zip(columns, batch.columns, strict=True):
            _observe(column, array, rows, enum_max)
        rows += batch.num_rows
        if progress:
            progress(uri, table.done(rows), table.total, rows)
    fields = [_describe(name, column, rows, enum_max, ranges) for name, column in zip(header, columns, strict=True)]
    when, source = (today or dt.date.today()).isoformat(), PurePosixPath(uri).name or uri
    about = f"Inferred by mlgate from {rows:,} rows of {source} on {when}; review it before relying on it."
    if ranges == "none":
        about += " Observed ranges (x-mlgate.observed) are information, not checked."
    descriptor = {"description": about, "fields": fields, "missingValues": list(MISSING_VALUES)}
    return Inference(descriptor=descriptor, rows=rows, fields=len(fields))


def _typed_column(kind: pa.DataType) -> _Column:
    if pa.types.is_dictionary(kind):
        kind = kind.value_type
    if pa.types.is_string(kind) or pa.types.is_large_string(kind) or pa.types.is_string_view(kind):
        return _Column(None, [], key_space="string")
    checks: list[tuple[Callable[[pa.DataType], bool], str]] = [
        (pa.types.is_boolean, "boolean"),
        (pa.types.is_integer, "integer"),
        (pa.types.is_floating, "number"),
        (pa.types.is_decimal, "number"),
        (pa.types.is_date, "date"),
        (pa.types.is_timestamp, "datetime"),
        (pa.types.is_time, "time"),
    ]
    found = next((name for test, name in checks if test(kind)), "any")
    return _Column(found, [], tracker=UniqueTracker() if found == "integer" else None)


def _observe(column: _Column, array: pa.Array, base: int, enum_max: int) -> None:
    """Fold one batch of a column into what is known about it."""
    if pa.types.is_dictionary(array.type):
        array = array.dictionary_decode()
    if column.kind is None:  # text: "" is missing too, as in the validator
        array = pc.cast(array, pa.string())
        listed = pc.fill_null(pc.is_in(array, value_set=pa.array(MISSING_VALUES)), False)
        present = pc.filter(array, pc.invert(pc.or_(pc.is_null(array), listed)))
    else:
        present = pc.drop_null(array)
    column.present += len(present)
    column.missing += len(array) - len(present)
    if len(present) < len(array):
        column.tracker = None  # unique is only claimed for columns without missing values
    if len(present) == 0:
        return
    if column.kind is not None:
        _observe_typed(column, present, base)
        return
    ints = None
    for kind in list(column.candidates):  # drop the types some value does not parse as
        values = _parse(kind, present)
        if values is None:
            column.candidates.remove(kind)
        elif kind != "boolean":
            column.bound(kind, values)
            ints = values if kind == "integer" else ints
    column.bound("length", pc.utf8_length(present))
    _collect_distinct(column, present, enum_max)
    if ints is not None:
        canonical = pc.all(pc.match_substring_regex(present, _CANONICAL_INT)).as_py()
        column.canonical = column.canonical and bool(canonical)
        _track_unique(column, ints, base)
        return
    if column.key_space == "integer":
        _rekey_as_strings(column)
    _track_unique(column, present, base)


def _parse(kind: str, present: pa.Array) -> pa.Array | None:
    """The values of a null-free string array as ``kind``, or None if any value does not parse."""
    if kind == "datetime":
        return _parse_datetimes(present)
    try:
        cast = cast_column(present, _WORDS if kind == "boolean" else Field("", kind), ())
    except (pa.ArrowInvalid, OverflowError):  # e.g. an integer beyond 64 bits
        return None
    if pc.any(cast.invalid).as_py():
        return None
    # Dates must be strict ISO: no single-digit parts, padding or rolled-over days (2024-02-30).
    if kind == "date" and not pc.all(pc.equal(pc.cast(cast.values, pa.string()), present)).as_py():
        return None
    return cast.values


def _parse_datetimes(present: pa.Array) -> pa.Array | None:
    """ISO datetimes (the validator's regex) as naive UTC timestamps, or None."""
    if not pc.all(pc.match_substring_regex(present, _DATETIME)).as_py():
        return None
    aware = pc.match_substring_regex(present, _OFFSET)
    try:
        naive = pc.cast(pc.filter(present, pc.invert(aware)), pa.timestamp("us"))
        zoned = pc.cast(pc.cast(pc.filter(present, aware), pa.timestamp("us", tz="UTC")), pa.timestamp("us"))
    except pa.ArrowInvalid:  # hour 24, leap seconds, Feb 30, sub-microseconds: leave it a string
        return None
    return pa.concat_arrays([naive, zoned])


def _observe_typed(column: _Column, present: pa.Array, base: int) -> None:
    """A null-free batch of a typed (Parquet) column."""
    kind = column.kind
    try:
        present = pc.cast(present, {"integer": pa.int64(), "number": pa.float64()}.get(kind or "", present.type))
    except pa.ArrowInvalid:  # unsigned integers beyond 2**63 - 1: the validator cannot type them either
        column.kind, column.tracker = "any", None
        return
    if kind == "integer":
        _track_unique(column, present, base)
    elif kind == "datetime":  # naive UTC microseconds, as the validator compares them
        utc = pc.cast(present, pa.timestamp(present.type.unit, tz="UTC")) if present.type.tz else present
        present = pc.cast(pc.cast(utc, pa.timestamp("us", tz=utc.type.tz), safe=False), pa.timestamp("us"))
    if kind in ("integer", "number", "date", "datetime"):
        column.bound(kind, present)


def _collect_distinct(column: _Column, present: pa.Array, cap: int) -> None:
    """Keep the distinct values while there are at most ``cap`` of them; then stop tracking."""
    if column.distinct is None:
        return
    found = pc.unique(present)
    if len(found) > cap:
        column.distinct = None
        return
    column.distinct.update(found.to_pylist())
    if len(column.distinct) > cap:
        column.distinct = None


def _track_unique(column: _Column, values: pa.Array, base: int) -> None:
    """Add a null-free batch's keys; stop at the first duplicate (checked in the batch, then globally)."""
    tracker = column.tracker
    if tracker is None:
        return
    if pc.count_distinct(values).as_py() < len(values):
        column.tracker = None
        return
    tracker.add(key_of(values), np.arange(base, base + len(values), dtype=np.int64))
    column.tracked += len(values)
    if column.tracked >= max(2 * column.checked_at, _FIRST_DUPLICATE_CHECK):  # amortised O(n log n)
        column.checked_at = column.tracked
        if len(tracker.duplicates()[0]):
            column.tracker = None


def _rekey_as_strings(column: _Column) -> None:
    """The column stopped being integer: turn its canonical integer keys into the text's string keys."""
    old, column.key_space = column.tracker, "string"
    if old is None or not column.canonical:
        column.tracker = None
        return
    column.tracker = UniqueTracker()
    for index, keys in enumerate(old.h1):
        column.tracker.add(key_of(pc.cast(pa.array(keys.view(np.int64)), pa.string())), old.ordinals_of(index))


def _describe(name: str, column: _Column, rows: int, enum_max: int, ranges: Ranges) -> dict[str, Any]:
    """The field descriptor: type, the rules the data met, and its observed ranges (as ``ranges`` says)."""
    kind = column.kind or next(iter(column.candidates), "string")
    if column.present == 0:  # nothing seen: a CSV column stays a string, Parquet keeps its declared type
        return {"name": name, "type": column.kind or "string"}
    constraints: dict[str, Any] = {}
    if column.missing == 0:
        constraints["required"] = True
    tracker = column.tracker
    eligible = kind in ("integer", "string") and column.key_space == kind and rows > 1
    if eligible and tracker is not None and len(tracker.duplicates()[0]) == 0:
        constraints["unique"] = True
    observed: dict[str, Any] = {}
    if kind in column.low:
        low, high = column.low[kind], column.high[kind]
        observed.update(_bounds(low, high))
        wide = widen_bounds(kind, low, high) if ranges == "widened" else None
        if kind not in column.has_nan:  # NaN fails every bound (as in Frictionless): then none is declared
            constraints.update(observed if ranges == "observed" else _bounds(*wide) if wide else {})
    if kind == "string":
        distinct = column.distinct
        if distinct is not None and len(distinct) <= enum_max and column.present >= 2 * len(distinct):
            constraints["enum"] = sorted(distinct)
        elif "length" in column.low:
            observed["minLength"], observed["maxLength"] = column.low["length"], column.high["length"]
            if ranges == "observed":
                constraints["minLength"], constraints["maxLength"] = observed["minLength"], observed["maxLength"]
            elif ranges == "widened":
                constraints["maxLength"] = widen_length(observed["maxLength"])
    described: dict[str, Any] = {"name": name, "type": kind}
    if constraints:
        described["constraints"] = constraints
    if observed:
        described["x-mlgate"] = {"observed": observed}
    return described


def _bounds(low: Any, high: Any) -> dict[str, Any]:
    """``minimum`` / ``maximum`` as schema values (ISO text for dates), leaving out infinities."""
    found: dict[str, Any] = {}
    for key, value in (("minimum", low), ("maximum", high)):
        if isinstance(value, float) and not math.isfinite(value):
            continue
        found[key] = value.isoformat() if isinstance(value, (dt.date, dt.datetime)) else value
    return found
