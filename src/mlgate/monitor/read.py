"""Read captured traffic (a local folder or an ``s3://`` prefix) into columns of the rows in the window.

Files: mlgate's ``capture-*.jsonl`` / ``.parquet`` (``.partial`` while being written) and SageMaker's
data-capture ``*.jsonl``. Folders named by time outside the window (before it, or after ``--until``) are skipped
unread (see ``window``). A
``.partial`` JSONL file is read up to its last complete line (an incomplete last line is counted, not an
error); a ``.partial`` Parquet file has no footer yet and is listed as unreadable. Malformed lines are
counted, the first few kept with file and line; they never stop the read. A JSONL file whose every line is
a well-formed record is read whole by Arrow (fast); any other is read line by line, to report each problem.
Rows of deploy/rollback smoke tests (``smoke: true``, or a ``mlgate-smoke-`` request id: ``mlgate.serve.marks``)
are counted in the window and left out of the columns, so no check and no comparison ever sees them.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from mlgate.monitor.model import Problem, ReadSummary
from mlgate.monitor.records import Columns, RecordError, parse_record
from mlgate.monitor.sagemaker import convert_sagemaker, is_sagemaker
from mlgate.monitor.stores import Store
from mlgate.monitor.window import may_hold
from mlgate.serve.marks import SMOKE_ID_PREFIX

PARTIAL = ".partial"
PROBLEMS_KEPT = 10
_SUFFIXES = (".jsonl", ".parquet")
_COLUMNS = ("request_id", "row", "ts", "version", "inputs", "prediction")


@dataclass
class _Reading:
    start: dt.datetime
    end: dt.datetime
    features: Sequence[str]
    columns: Columns = field(default_factory=Columns)
    summary: ReadSummary = field(default_factory=lambda: ReadSummary(location=""))
    problems: list[Problem] = field(default_factory=list)

    def skip_smoke(self, rows: int) -> None:
        self.summary = replace(self.summary, smoke_rows=self.summary.smoke_rows + rows)

    def problem(self, path: str, line: int, reason: str) -> None:
        self.summary = replace(self.summary, malformed=self.summary.malformed + 1)
        if len(self.problems) < PROBLEMS_KEPT:
            self.problems.append(Problem(path, line, reason))


def read_capture(
    store: Store,
    location: str,
    *,
    start: dt.datetime,
    end: dt.datetime,
    features: Sequence[str],
    slack: dt.timedelta,
) -> tuple[Columns, ReadSummary]:
    """The rows captured in [start, end] and what reading saw; ``features`` name SageMaker's list rows."""
    reading = _Reading(start, end, features, summary=ReadSummary(location=location))
    for path in store.list_files():
        name = path.rsplit("/", 1)[-1]
        bare = name[: -len(PARTIAL)] if name.endswith(PARTIAL) else name
        if not bare.endswith(_SUFFIXES):
            continue
        if not may_hold(store.parts(path), start, slack, end):
            reading.summary = replace(reading.summary, skipped_files=reading.summary.skipped_files + 1)
            continue
        partial = name.endswith(PARTIAL)
        summary = reading.summary
        reading.summary = replace(
            summary, files=summary.files + 1, partial_files=summary.partial_files + ((path,) if partial else ())
        )
        data = store.read_bytes(path)
        if bare.endswith(".jsonl"):
            _read_jsonl(reading, path, data, partial=partial)
        else:
            _read_parquet(reading, path, data, partial=partial)
    summary = replace(reading.summary, rows=len(reading.columns), problems=tuple(reading.problems))
    return reading.columns, summary


def _read_jsonl(reading: _Reading, path: str, data: bytes, *, partial: bool) -> None:
    complete = data if not partial else data[: data.rfind(b"\n") + 1]
    table = _fast_jsonl(complete) if complete.strip() else None
    if table is not None:
        if len(complete) < len(data) and data[len(complete) :].strip():
            reading.summary = replace(reading.summary, truncated_lines=reading.summary.truncated_lines + 1)
        _add_table(reading, path, table)
        return
    lines = data.split(b"\n")
    if lines and lines[-1].strip() == b"":
        lines.pop()
    elif partial and lines:  # the writer was interrupted mid-line: not an error
        lines.pop()
        reading.summary = replace(reading.summary, truncated_lines=reading.summary.truncated_lines + 1)
    read = 0
    for number, raw in enumerate(lines, start=1):
        if not raw.strip():
            continue
        try:
            document = json.loads(raw)
            if not isinstance(document, dict):
                raise RecordError("not a JSON object")
            records = (
                convert_sagemaker(document, reading.features) if is_sagemaker(document) else [parse_record(document)]
            )
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            reading.problem(path, number, f"not valid JSON: {getattr(exc, 'msg', exc)}")
            continue
        except RecordError as exc:
            reading.problem(path, number, str(exc))
            continue
        for record in records:
            read += 1
            if not reading.start <= record.ts <= reading.end:
                continue
            if record.smoke:
                reading.skip_smoke(1)
            else:
                reading.columns.add(record)
    reading.summary = replace(reading.summary, rows_read=reading.summary.rows_read + read)


def _fast_jsonl(data: bytes) -> Any:
    """The whole file as an Arrow table when every line is a well-formed mlgate record, else None (then each
    line is parsed on its own, so that every problem is reported with its line)."""
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.json as pjson

    options = pjson.ParseOptions(explicit_schema=pa.schema([("ts", _ts_type())]), unexpected_field_behavior="infer")
    try:
        table = pjson.read_json(pa.BufferReader(data), parse_options=options)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError, OSError):
        return None
    names = set(table.column_names)
    if not {"schema_version", *_COLUMNS} <= names or "captureData" in names or table.num_rows == 0:
        return None
    schema = table.schema
    typed = (
        pa.types.is_integer(schema.field("schema_version").type)
        and pa.types.is_string(schema.field("request_id").type)
        and pa.types.is_integer(schema.field("row").type)
        and pa.types.is_struct(schema.field("inputs").type)
        and ("smoke" not in names or pa.types.is_boolean(schema.field("smoke").type))
    )
    if (
        not typed
        or table.column("schema_version").null_count
        or not pc.all(pc.equal(table.column("schema_version"), 1)).as_py()
    ):
        return None
    nulls = sum(table.column(c).null_count for c in ("request_id", "row", "ts", "inputs"))
    return table if nulls == 0 else None


def _ts_type() -> Any:
    import pyarrow as pa

    return pa.timestamp("us", tz="UTC")


def _read_parquet(reading: _Reading, path: str, data: bytes, *, partial: bool) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        table = pq.read_table(pa.BufferReader(data))
    except (pa.ArrowInvalid, OSError) as exc:
        if partial:
            reading.summary = replace(reading.summary, unreadable=(*reading.summary.unreadable, path))
            return
        reading.problem(path, 0, f"not a readable Parquet file: {str(exc).splitlines()[0]}")
        return
    _add_table(reading, path, table)


def _add_table(reading: _Reading, path: str, table: Any) -> None:
    """The rows of a capture table (Parquet, or JSONL read whole) that fall in the window."""
    import pyarrow as pa
    import pyarrow.compute as pc

    missing = [c for c in _COLUMNS if c not in table.column_names]
    if missing or not pa.types.is_struct(table.schema.field("inputs").type):
        reading.problem(
            path,
            0,
            "not an mlgate capture file: " + (f"missing {', '.join(missing)}" if missing else "inputs is not a struct"),
        )
        return
    reading.summary = replace(reading.summary, rows_read=reading.summary.rows_read + table.num_rows)
    empty = [c for c in ("request_id", "row", "ts") if table.column(c).null_count]
    if empty:
        reading.problem(path, 0, f"null values in {', '.join(empty)}: the file's rows cannot be used")
        return
    ts = table.column("ts")
    if not pa.types.is_timestamp(ts.type):
        reading.problem(path, 0, f"ts is {ts.type}, not a timestamp")
        return
    kind = _ts_type()
    ts = ts.cast(kind)
    keep = pc.and_(
        pc.greater_equal(ts, pa.scalar(reading.start, kind)), pc.less_equal(ts, pa.scalar(reading.end, kind))
    )
    table = table.set_column(table.column_names.index("ts"), "ts", ts).filter(keep)
    smoke = pc.starts_with(table.column("request_id").cast(pa.string()), SMOKE_ID_PREFIX)
    if "smoke" in table.column_names:
        if not pa.types.is_boolean(table.schema.field("smoke").type):
            reading.problem(path, 0, f"smoke is {table.schema.field('smoke').type}, not a boolean")
            return
        smoke = pc.or_(smoke, pc.fill_null(table.column("smoke"), False))
    marked = pc.sum(smoke).as_py() or 0
    if marked:
        reading.skip_smoke(marked)
        table = table.filter(pc.invert(smoke))
    inputs = table.column("inputs").combine_chunks()
    struct = inputs.type
    reading.columns.extend(
        request_id=table.column("request_id").cast(pa.string()).to_pylist(),
        row=table.column("row").cast(pa.int64()).to_pylist(),
        version=table.column("version").cast(pa.string()).fill_null("").to_pylist(),
        prediction=table.column("prediction").to_pylist(),
        inputs={struct.field(i).name: inputs.field(i).to_pylist() for i in range(struct.num_fields)},
    )
