"""Reference statistics of a dataset (for drift checks), built in one streaming pass, bounded memory.

Per field: rows, nulls (rows without a valid value: missing or invalid) and, by type:

- numeric (integer, number, year; date as days and datetime/time as seconds since the epoch/midnight):
  min/max/mean/std, 101 quantile cut points (0 %, 1 %, ... 100 %) with the reference CDF at each (for
  KS) and 10 equal-frequency bins (9 edges, right-closed, and counts; for PSI). Non-finite numbers
  (NaN, ±inf) are counted apart and left out of the distribution.
- categorical (string, boolean, any): counts of the top 1000 categories and an ``other`` count.

Quantiles come from a ``QuantileSketch`` (``mlgate.data.sketch``: exact up to 2048 values, normalised
rank error at most ``RANK_ERROR`` = 0.5 % beyond). The CDF at the cut points and the bin counts come
from the same sketch (cumulative counts within ``RANK_ERROR`` × count, so each bin count within twice
that).

Category counts (``CategoryCounter``) are exact while a field has at most 10 × 1000 distinct values;
beyond that a Misra-Gries summary keeps them (each count low by at most count / 10,001) and
``truncated`` is set.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from mlgate.config import CsvConfig
from mlgate.data import compute as pc
from mlgate.data.infer import infer_dataset
from mlgate.data.origin import fingerprint as fingerprint_of
from mlgate.data.scan import CastBatch, count_rows, open_table, scan
from mlgate.data.schema import Schema, parse_schema
from mlgate.data.sketch import CategoryCounter, QuantileSketch
from mlgate.data.sources import FilesystemFactory, locate, open_binary
from mlgate.errors import DataError, InputError
from mlgate.files import read_text, write_atomic
from mlgate.progress import Progress

F64 = npt.NDArray[np.float64]
SCHEMA_VERSION = 1
KIND = "mlgate-reference-stats"
CUT_LEVELS = np.linspace(0.0, 1.0, 101)
BIN_LEVELS = np.linspace(0.1, 0.9, 9)
TOP_CATEGORIES = 1000
UNITS: dict[str, str | None] = {
    "integer": None,
    "number": None,
    "year": None,
    "date": "days",
    "datetime": "seconds",
    "time": "seconds",
}
CATEGORICAL = ("string", "boolean", "any")
_PER_SECOND = {"s": 1.0, "ms": 1e3, "us": 1e6, "ns": 1e9}
Clock = Callable[[], dt.datetime]
_NUMBER_LIST = re.compile(r"\[\s+([-+0-9.eE,\s]+?)\s+\]")


@dataclass(frozen=True)
class NumericStats:
    name: str
    type: str
    rows: int
    nulls: int
    count: int
    nonfinite: int
    unit: str | None
    min: float | None
    max: float | None
    mean: float | None
    std: float | None
    cuts: tuple[float, ...]  # quantile cut points, increasing
    cdf: tuple[float, ...]  # reference share of values <= each cut point
    edges: tuple[float, ...]  # PSI bin edges; bins (-inf, e0], (e0, e1], ... (e_last, inf)
    bins: tuple[int, ...]  # reference counts per PSI bin (len(edges) + 1)
    exact: bool
    kind: Literal["numeric"] = "numeric"


@dataclass(frozen=True)
class CategoricalStats:
    name: str
    type: str
    rows: int
    nulls: int
    count: int
    categories: tuple[tuple[str, int], ...]  # most frequent first
    other: int  # values outside ``categories``
    truncated: bool  # True when the field had more distinct values than were kept
    kind: Literal["categorical"] = "categorical"


FieldStats = NumericStats | CategoricalStats


@dataclass(frozen=True)
class ReferenceStats:
    source: str
    rows: int
    created: str
    fields: Mapping[str, FieldStats]
    schema_version: int = SCHEMA_VERSION
    source_bytes: int | None = None  # size and SHA-256 of the source's bytes (``mlgate schema stats`` records
    source_sha256: str | None = None  # them), so drift can skip the very data the statistics describe


class _Numeric:
    def __init__(self) -> None:
        self.sketch = QuantileSketch()
        self.nonfinite = 0
        self.mean = self.m2 = 0.0
        self.low, self.high = math.inf, -math.inf

    def add(self, values: F64) -> None:
        finite = values if np.isfinite(values).all() else values[np.isfinite(values)]
        self.nonfinite += len(values) - len(finite)
        if len(finite) == 0:
            return
        n_a, n_b = self.sketch.count, len(finite)
        mean_b = float(finite.mean())
        m2_b = float(np.square(finite - mean_b).sum())
        delta, total = mean_b - self.mean, n_a + n_b
        self.mean += delta * n_b / total  # Chan et al.'s parallel update
        self.m2 += m2_b + delta * delta * n_a * n_b / total
        self.low, self.high = min(self.low, float(finite.min())), max(self.high, float(finite.max()))
        self.sketch.add(finite)


def numeric_values(values: pa.Array) -> F64:
    """Values of a numeric/temporal array as float64 (days for dates, seconds for datetimes/times)."""
    kind = values.type
    if pa.types.is_date32(kind):
        return np.asarray(pc.cast(values, pa.int32()).to_numpy(zero_copy_only=False), np.float64)
    if pa.types.is_date64(kind):
        return np.asarray(pc.cast(values, pa.int64()).to_numpy(zero_copy_only=False), np.float64) / 86_400_000
    if pa.types.is_timestamp(kind) or pa.types.is_time(kind):
        raw = pc.cast(values, pa.int64()).to_numpy(zero_copy_only=False)
        return np.asarray(raw, np.float64) / _PER_SECOND[kind.unit]
    return np.asarray(pc.cast(values, pa.float64(), safe=False).to_numpy(zero_copy_only=False), np.float64)


class StatsCollector:
    """A scan observer (``mlgate.data.scan``) that accumulates reference statistics for the schema's fields."""

    def __init__(self, schema: Schema, *, top: int = TOP_CATEGORIES) -> None:
        self.top = top
        self.types = {f.name: f.type for f in schema.fields}
        self.numeric: dict[str, _Numeric] = {}
        self.categorical: dict[str, CategoryCounter] = {}
        self.rows = 0

    def set_rows(self, rows: int) -> None:
        """The dataset's total row count (nulls = rows - values seen)."""
        self.rows = rows

    def observe_batch(self, batch: CastBatch) -> None:
        for name in self.types:
            if name in batch.casts:
                self.observe(name, batch.valid(name))

    def observe(self, name: str, values: pa.Array) -> None:
        """Add the valid values of field ``name`` (other names are ignored)."""
        kind = self.types.get(name)
        if kind is None:
            return
        if values.null_count:
            values = pc.drop_null(values)
        if kind in UNITS:
            self.numeric.setdefault(name, _Numeric()).add(numeric_values(values))
        else:
            self.categorical.setdefault(name, CategoryCounter(10 * self.top)).add(values)

    def finish(self, *, source: str, created: str) -> ReferenceStats:
        fields: dict[str, FieldStats] = {}
        for name, kind in self.types.items():
            if name in self.numeric:
                fields[name] = _numeric_stats(name, kind, self.rows, self.numeric[name])
            elif name in self.categorical:
                counter = self.categorical[name]
                top = counter.top(self.top)
                fields[name] = CategoricalStats(
                    name=name,
                    type=kind,
                    rows=self.rows,
                    nulls=max(self.rows - counter.total, 0),
                    count=counter.total,
                    categories=tuple(top),
                    other=counter.total - sum(c for _, c in top),
                    truncated=counter.truncated or len(counter.keys) > self.top,
                )
        return ReferenceStats(source=source, rows=self.rows, created=created, fields=fields)


def _numeric_stats(name: str, kind: str, rows: int, acc: _Numeric) -> NumericStats:
    sketch = acc.sketch
    n = sketch.count
    cuts = edges = np.empty(0)
    cdf: F64 = np.empty(0)
    bins: list[int] = []
    if n:
        cuts = np.unique(np.concatenate([[acc.low], sketch.quantiles(CUT_LEVELS[1:-1]), [acc.high]]))
        cdf = sketch.ranks(cuts) / n
        cdf[-1] = 1.0
        edges = np.unique(sketch.quantiles(BIN_LEVELS))
        bins = np.diff(np.concatenate([[0], sketch.ranks(edges), [n]])).tolist()
    return NumericStats(
        name=name,
        type=kind,
        rows=rows,
        nulls=max(rows - n - acc.nonfinite, 0),
        count=n,
        nonfinite=acc.nonfinite,
        unit=UNITS[kind],
        min=acc.low if n else None,
        max=acc.high if n else None,
        mean=acc.mean if n else None,
        std=math.sqrt(acc.m2 / n) if n else None,
        cuts=tuple(cuts.tolist()),
        cdf=tuple(cdf.tolist()),
        edges=tuple(edges.tolist()),
        bins=tuple(int(b) for b in bins),
        exact=sketch.exact,
    )


def compute_stats(
    uri: str,
    schema: Schema,
    *,
    csv: CsvConfig,
    s3: FilesystemFactory | None = None,
    clock: Clock | None = None,
    progress: Progress | None = None,
    fingerprint: bool = False,
) -> ReferenceStats:
    """Reference statistics of one dataset, in one streaming pass (validation findings are ignored).

    With ``fingerprint``, the source's size and SHA-256 are recorded too (a second read of its bytes).
    """
    table = open_table(locate(uri, s3=s3), csv, s3=s3)
    collector = StatsCollector(schema)
    records = scan(table, schema, table.match(schema), [collector], progress=progress)
    collector.set_rows(count_rows(table, records, csv, s3))
    now = (clock or (lambda: dt.datetime.now(dt.timezone.utc)))()
    stats = collector.finish(source=uri, created=now.isoformat(timespec="seconds"))
    if not fingerprint:
        return stats
    found = fingerprint_of(uri, s3=s3)
    return dataclasses.replace(stats, source_bytes=found.bytes, source_sha256=found.sha256)


def infer_stats_schema(
    uri: str,
    *,
    csv: CsvConfig,
    s3: FilesystemFactory | None = None,
    progress: Progress | None = None,
) -> Schema:
    """The field types of a dataset that has no schema, inferred from every row (``mlgate.data.infer``, as
    ``mlgate schema infer`` drafts them), for its statistics. Only what statistics need is kept: names, types,
    formats and missing values; constraints and keys are dropped (statistics do not validate)."""
    descriptor = infer_dataset(uri, csv=csv, s3=s3, progress=progress).descriptor
    fields = [{k: v for k, v in f.items() if k not in ("constraints", "description")} for f in descriptor["fields"]]
    return parse_schema({"fields": fields, "missingValues": descriptor.get("missingValues", [""])})


def save_stats(path: Path, stats: ReferenceStats) -> None:
    """Write ``stats`` as JSON, atomically; an unwritable path is an InputError."""
    try:
        write_atomic(path, render_stats(stats))
    except OSError as exc:
        raise InputError(f"cannot write reference statistics to {path}: {exc.strerror or exc}") from exc


def render_stats(stats: ReferenceStats) -> str:
    """The JSON text of ``stats``: indented, with lists of numbers kept on one line."""
    text = json.dumps(to_data(stats), indent=1, ensure_ascii=False, allow_nan=False)
    return _NUMBER_LIST.sub(lambda m: "[" + " ".join(m.group(1).split()) + "]", text) + "\n"


def load_stats(path: Path | str, *, s3: FilesystemFactory | None = None) -> ReferenceStats:
    """Read a reference-stats JSON file (local path or s3:// URI); problems raise DataError."""
    where = str(path)
    if where.startswith("s3://"):
        with open_binary(locate(where, s3=s3), s3=s3) as handle:
            text = bytes(handle.read()).decode("utf-8", errors="replace")
    else:
        try:
            text = read_text(Path(path), what="reference statistics")
        except InputError as exc:
            raise DataError(exc.message, hint="write them with: mlgate schema stats DATA -o FILE") from exc
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise DataError(
            f"{where}:{exc.lineno}: reference statistics are not valid JSON: {exc.msg}",
            hint="regenerate it with: mlgate schema stats DATA -o FILE",
        ) from exc
    except (RecursionError, ValueError) as exc:  # nested beyond the parser, an integer of thousands of digits
        raise DataError(
            f"{where}: reference statistics mlgate cannot read ({type(exc).__name__})",
            hint="regenerate it with: mlgate schema stats DATA -o FILE",
        ) from exc
    return from_data(data, where)


def to_data(stats: ReferenceStats) -> dict[str, Any]:
    """The JSON-ready form of ``stats`` (docs/schemas/reference-stats.schema.json)."""
    fields: dict[str, Any] = {}
    for name, item in stats.fields.items():
        common = {
            "type": item.type,
            "kind": item.kind,
            "rows": item.rows,
            "nulls": item.nulls,
            "count": item.count,
        }
        if isinstance(item, NumericStats):
            fields[name] = {
                **common,
                "nonfinite": item.nonfinite,
                "unit": item.unit,
                "min": item.min,
                "max": item.max,
                "mean": item.mean,
                "std": item.std,
                "exact": item.exact,
                "quantiles": {"values": list(item.cuts), "cdf": list(item.cdf)},
                "bins": {"edges": list(item.edges), "counts": list(item.bins)},
            }
        else:
            fields[name] = {
                **common,
                "categories": dict(item.categories),
                "other": item.other,
                "truncated": item.truncated,
            }
    origin = {"source_bytes": stats.source_bytes, "source_sha256": stats.source_sha256}
    return {
        "schema_version": stats.schema_version,
        "kind": KIND,
        "source": stats.source,
        **{k: v for k, v in origin.items() if v is not None},
        "rows": stats.rows,
        "created": stats.created,
        "fields": fields,
    }


def from_data(data: Any, where: str) -> ReferenceStats:
    """Rebuild ReferenceStats from parsed JSON; anything unexpected raises a one-line DataError."""
    hint = "regenerate it with: mlgate schema stats DATA -o FILE"
    if not isinstance(data, dict) or data.get("kind") != KIND:
        raise DataError(f"{where}: not an mlgate reference-statistics file (kind is not {KIND!r})", hint=hint)
    version = data.get("schema_version")
    if version != SCHEMA_VERSION:
        raise DataError(
            f"{where}: reference statistics schema_version {version!r} is not supported "
            f"(this mlgate reads version {SCHEMA_VERSION})",
            hint=hint,
        )
    key = "fields"
    try:
        fields: dict[str, FieldStats] = {}
        for key, raw in data["fields"].items():
            fields[key] = _field_from(key, raw)
        key = "source_bytes"
        size = None if data.get(key) is None else _int(data[key])
        key, digest = "source_sha256", data.get("source_sha256")
        if digest is not None and not (isinstance(digest, str) and re.fullmatch(r"[0-9a-f]{64}", digest)):
            raise ValueError(f"expected 64 lower-case hex digits, not {digest!r}")
        return ReferenceStats(
            source=str(data["source"]),
            rows=_int(data["rows"]),
            created=str(data["created"]),
            fields=fields,
            source_bytes=size,
            source_sha256=digest,
        )
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        detail = f"missing key {exc}" if isinstance(exc, KeyError) else str(exc)
        raise DataError(f"{where}: reference statistics are malformed at field {key!r}: {detail}", hint=hint) from exc


def _field_from(name: str, raw: dict[str, Any]) -> FieldStats:
    kind, rows, nulls, count = str(raw["type"]), _int(raw["rows"]), _int(raw["nulls"]), _int(raw["count"])
    if raw["kind"] == "categorical":
        categories = tuple((str(k), _int(v)) for k, v in raw["categories"].items())
        return CategoricalStats(name, kind, rows, nulls, count, categories, _int(raw["other"]), bool(raw["truncated"]))
    if raw["kind"] != "numeric":
        raise ValueError(f"unknown kind {raw['kind']!r}")
    cuts, cdf = _floats(raw["quantiles"]["values"]), _floats(raw["quantiles"]["cdf"])
    edges, bins = _floats(raw["bins"]["edges"]), tuple(_int(c) for c in raw["bins"]["counts"])
    if len(cuts) != len(cdf) or (cuts and len(bins) != len(edges) + 1) or list(cuts) != sorted(cuts):
        raise ValueError("quantile or bin arrays do not match")
    unit = None if raw["unit"] is None else str(raw["unit"])
    return NumericStats(
        name,
        kind,
        rows,
        nulls,
        count,
        _int(raw["nonfinite"]),
        unit,
        _opt(raw["min"]),
        _opt(raw["max"]),
        _opt(raw["mean"]),
        _opt(raw["std"]),
        cuts,
        cdf,
        edges,
        bins,
        bool(raw["exact"]),
    )


def _int(value: Any) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise ValueError(f"expected a whole number >= 0, not {value!r}")
    return value


def _floats(values: Any) -> tuple[float, ...]:
    if not isinstance(values, list) or not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values):
        raise ValueError("expected a list of numbers")
    return tuple(float(v) for v in values)


def _opt(value: Any) -> float | None:
    return None if value is None else _floats([value])[0]
