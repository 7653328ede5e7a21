"""Judge captured rows with the data gate's engine: schema violations, feature drift and prediction drift.

Inputs go through the data gate's scan exactly as a dataset would (``mlgate.data.validate.validate_table``:
one pass validates and fills the drift collector): the captured values become text columns, the way a CSV
holds them, in a table held in memory. The schema is cut down to the live version's features that were captured
(dropped and hashed fields are skipped: a digest is no value to check), and loses what cannot hold for
traffic: uniqueness, primary keys and row-count bounds. Predictions are counted into the bins of the
version's ``prediction_stats`` by the same ``DriftCollector``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import math
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from mlgate.config import CsvConfig
from mlgate.data.schema import Constraints, Field, Schema
from mlgate.monitor.model import SchemaCheck

if TYPE_CHECKING:
    import pyarrow as pa

    from mlgate.data.drift_report import DriftReport
    from mlgate.data.stats import ReferenceStats

FIRST_ROW = 2  # the Frictionless number of a file's first record
_INTEGRAL = ("integer", "year", "boolean")
EPOCH = dt.date(1970, 1, 1)  # an integral JSON float (3.0) is written as 3 for these types


def schema_from_stats(stats: ReferenceStats) -> Schema:
    """A schema of types only, for a project without ``data.schema``: each field as the statistics typed it."""
    return Schema(
        fields=tuple(Field(name=name, type=item.type) for name, item in stats.fields.items()), fields_match="partial"
    )


def traffic_schema(schema: Schema, names: Sequence[str]) -> Schema:
    """``schema`` restricted to ``names`` (in schema order), without checks that only make sense for a dataset."""
    wanted = set(names)
    fields = tuple(
        dataclasses.replace(f, constraints=dataclasses.replace(f.constraints, unique=False))
        for f in schema.fields
        if f.name in wanted
    )
    return dataclasses.replace(
        schema,
        fields=fields,
        primary_key=(),
        unique_keys=(),
        row_count_min=None,
        row_count_max=None,
        fields_match="exact",
    )


def check_inputs(
    inputs: Mapping[str, list[Any]],
    schema: Schema,
    *,
    reference: ReferenceStats | None,
    max_invalid_fraction: float,
    skipped: Sequence[tuple[str, str]] = (),
    max_examples: int = 5,
    request_ids: Sequence[str] = (),
) -> tuple[SchemaCheck, DriftReport | None]:
    """Validate the captured ``inputs`` columns against ``schema`` (already cut down); drift vs ``reference``.

    ``request_ids`` (one per row) name the first invalid rows in the result."""
    from mlgate.data.drift import DriftCollector
    from mlgate.data.scan import arrow_table
    from mlgate.data.validate import validate_table

    rows = len(next(iter(inputs.values()))) if inputs else 0
    table = arrow_table("captured inputs", input_table(inputs, schema))
    collector = DriftCollector(reference, schema) if reference is not None else None
    result = validate_table(
        table,
        schema,
        csv=CsvConfig(),
        max_examples=max_examples,
        observers=[collector] if collector is not None else [],
    )
    violations = result.violations
    invalid = {r for v in violations if v.severity == "error" for r in v.rows}
    ordinals = [r - FIRST_ROW for r in sorted(invalid)[:max_examples]]  # Frictionless rows: the header is row 1
    named = tuple(request_ids[o] for o in ordinals if 0 <= o < len(request_ids))
    check = SchemaCheck(
        rows=rows,
        invalid_rows=len(invalid),
        max_invalid_fraction=max_invalid_fraction,
        violations=violations,
        fields=schema.names,
        skipped=tuple(skipped),
        invalid_requests=named,
    )
    return check, collector.finish() if collector is not None else None


def input_table(inputs: Mapping[str, list[Any]], schema: Schema) -> pa.Table:
    """One string column per schema field, each value as a CSV cell would hold it (missing -> null)."""
    import pyarrow as pa

    return pa.table({f.name: _text_column(inputs[f.name], f.type, f.format) for f in schema.fields})


def _text_column(values: list[Any], kind: str, fmt: str = "default") -> pa.Array:
    """``cell_text`` of every value; a column of one JSON type is converted by Arrow in one go."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if kind in ("date", "datetime", "time"):
        values = [served_temporal(v, kind, fmt) for v in values]
    try:
        typed = pa.array(values)
    except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError, OverflowError):
        typed = None
    if typed is not None and (
        pa.types.is_string(typed.type)
        or pa.types.is_integer(typed.type)
        or pa.types.is_boolean(typed.type)
        or pa.types.is_null(typed.type)
    ):
        return typed.cast(pa.string())
    if typed is not None and pa.types.is_floating(typed.type):  # Arrow writes 3.0 as "3", as cell_text does
        return pc.if_else(pc.is_nan(typed), pa.scalar(None, typed.type), typed).cast(pa.string())
    return pa.array([cell_text(v, kind) for v in values], pa.string())


def served_temporal(value: Any, kind: str, fmt: str = "default") -> Any:
    """A temporal value as the endpoint takes it, as the text a CSV of the field's ``format`` holds.

    Training encodes ``date`` and ``datetime`` as days since 1970-01-01 and ``time`` as seconds since midnight
    (docs/serve.md), so captured requests carry those numbers; anything else (text, a fraction of a day for a date,
    garbage, out of range) is left as it is for the schema check to judge.
    """
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        return value
    try:
        if kind == "date":
            if not float(value).is_integer():
                return value
            day = EPOCH + dt.timedelta(days=int(value))
            return day.isoformat() if fmt in ("default", "any") else day.strftime(fmt)
        if kind == "datetime":
            moment = dt.datetime(1970, 1, 1) + dt.timedelta(days=float(value))
            return moment.isoformat() if fmt in ("default", "any") else moment.strftime(fmt)
        if kind == "time" and 0 <= value < 86_400:
            clock = (dt.datetime(2000, 1, 1) + dt.timedelta(seconds=float(value))).time()
            return clock.isoformat() if fmt in ("default", "any") else clock.strftime(fmt)
    except (OverflowError, ValueError):
        return value
    return value


def cell_text(value: Any, kind: str) -> str | None:
    """A JSON value as text: strings as they are, ``true``/``false``, numbers as JSON writes them."""
    if value is None:
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if math.isnan(value):
            return None
        if kind in _INTEGRAL and value.is_integer():
            return str(int(value))
        return repr(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, (dt.date, dt.time)):  # a reader that typed an ISO string (pyarrow infers timestamps)
        return value.isoformat()
    return json.dumps(value, separators=(",", ":"), sort_keys=True, default=str)


def check_predictions(predictions: Sequence[Any], stats: ReferenceStats, schema: Schema | None) -> DriftReport:
    """Drift of the captured predictions against the version's ``prediction_stats``."""
    import pyarrow as pa

    from mlgate.data.drift import DriftCollector

    name, item = next(iter(stats.fields.items()))
    drift = schema.drift if schema is not None else None
    one = Schema(fields=(Field(name=name, type=item.type, constraints=Constraints()),), drift=drift)
    values = [p for p in predictions if p is not None]
    if item.kind == "numeric":
        array = pa.array([float(p) for p in values if isinstance(p, (int, float))], pa.float64())
    elif item.type == "boolean":
        array = pa.array([p if isinstance(p, bool) else str(p).lower() == "true" for p in values], pa.bool_())
    else:
        array = pa.array([cell_text(p, "string") for p in values], pa.string())
    collector = DriftCollector(stats, one)
    collector.observe(name, array)
    return collector.finish()
