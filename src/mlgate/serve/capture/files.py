"""Capture files: ``<folder>/<YYYY-MM-DD>/capture-<YYYYmmddTHHMMSSffffff>Z-<pid>-<seq>.<jsonl|parquet>``.

A file is written as ``<name>.partial`` and renamed (atomically, after an fsync) when it is closed, so a
reader never sees a half-written file under its final name; a crash leaves the ``.partial`` file (a JSONL one
may end in a truncated line; a Parquet one has no footer and cannot be read). The day folder and the time in
the name are those of the file's first row (UTC).

Parquet files have the columns request_id (string), row (int32), ts (timestamp[us, tz=UTC]), version
(string), inputs (a struct of the input fields), prediction and smoke (bool: a smoke test's row). A field's type is what pyarrow infers from
its values (text when they mix kinds); a batch whose types do not fit the open file's schema (another
version's features, a field that was null until now) raises ``SchemaMismatch`` and the writer starts a new file.
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Callable, Sequence
from datetime import datetime, timezone
from pathlib import Path
from typing import IO, Any, Protocol

from mlgate.serve.capture.records import CaptureRow

PARTIAL = ".partial"
ROW_GROUP_ROWS = 65536
_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), allow_nan=False)  # one for every line


class SchemaMismatch(Exception):
    """Rows that cannot go into the open Parquet file (their types differ from its schema)."""


class CaptureSink(Protocol):
    """One capture file being written."""

    path: Path  # the final name (the data is in ``path + .partial`` until ``close``)

    def add(self, rows: Sequence[CaptureRow]) -> None: ...

    def flush(self) -> None: ...

    def size(self) -> int: ...

    def close(self) -> Path: ...

    def abandon(self) -> None: ...


SinkFactory = Callable[[Path, str], CaptureSink]


def capture_path(folder: Path, first: datetime, pid: int, seq: int, extension: str) -> Path:
    """Where a file whose first row is at ``first`` goes (its UTC day's folder)."""
    moment = first.astimezone(timezone.utc)
    name = f"capture-{moment.strftime('%Y%m%dT%H%M%S%f')}Z-{pid}-{seq:04d}.{extension}"
    return folder / moment.strftime("%Y-%m-%d") / name


def partial_path(path: Path) -> Path:
    return path.with_name(path.name + PARTIAL)


def open_sink(path: Path, file_format: str) -> CaptureSink:
    """A new capture file at ``path`` (``jsonl`` or ``parquet``); its folder is created."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if file_format == "parquet":
        return ParquetSink(path)
    return JsonlSink(path)


class JsonlSink:
    """One compact JSON object per line; ``flush`` hands the lines to the OS."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._handle: IO[bytes] = partial_path(path).open("xb")
        self._size = 0

    def add(self, rows: Sequence[CaptureRow]) -> None:
        data = "".join(_ENCODER.encode(row.to_record()) + "\n" for row in rows).encode("utf-8")
        self._handle.write(data)
        self._size += len(data)

    def flush(self) -> None:
        self._handle.flush()

    def size(self) -> int:
        return self._size

    def close(self) -> Path:
        return _publish(self._handle, self.path)

    def abandon(self) -> None:
        _close_quietly(self._handle)


class ParquetSink:
    """A pyarrow ParquetWriter; rows are buffered and written in row groups of ``ROW_GROUP_ROWS`` (and at close).

    A Parquet file is readable only once its footer is written, so buffering loses nothing a crash would not.
    ``size`` counts the buffered rows at their in-memory size, so files come out smaller than the limit.
    """

    def __init__(self, path: Path) -> None:
        import pyarrow.parquet as pq

        self.path = path
        self._pq = pq
        self._handle: IO[bytes] = partial_path(path).open("xb")
        self._writer: Any = None
        self._pending: list[Any] = []  # pyarrow tables not yet written
        self._pending_rows = 0
        self._pending_bytes = 0

    def add(self, rows: Sequence[CaptureRow]) -> None:
        table = rows_table(rows)
        schema = self._pending[0].schema if self._pending else self._writer.schema if self._writer else None
        if schema is not None and not table.schema.equals(schema):
            try:
                table = table.cast(schema)
            except (ValueError, TypeError, NotImplementedError) as exc:  # pyarrow's ArrowInvalid is a ValueError
                raise SchemaMismatch(str(exc)) from exc
        self._pending.append(table)
        self._pending_rows += table.num_rows
        self._pending_bytes += table.nbytes

    def flush(self) -> None:
        if self._pending_rows >= ROW_GROUP_ROWS:
            self._write_pending()

    def size(self) -> int:
        return self._handle.tell() + self._pending_bytes

    def close(self) -> Path:
        self._write_pending()
        if self._writer is not None:
            self._writer.close()
        return _publish(self._handle, self.path)

    def abandon(self) -> None:
        _close_quietly(self._handle)

    def _write_pending(self) -> None:
        if not self._pending:
            return
        import pyarrow as pa

        table = pa.concat_tables(self._pending)
        self._pending, self._pending_rows, self._pending_bytes = [], 0, 0
        if self._writer is None:
            self._writer = self._pq.ParquetWriter(self._handle, table.schema, compression="zstd")
        self._writer.write_table(table, row_group_size=ROW_GROUP_ROWS)
        self._handle.flush()


def rows_table(rows: Sequence[CaptureRow]) -> Any:
    """A pyarrow table of rows that share the same input fields."""
    import pyarrow as pa

    names = list(rows[0].inputs)
    if any(list(row.inputs) != names for row in rows):
        raise SchemaMismatch("rows with different input fields")
    fields = [infer_array([row.inputs[name] for row in rows]) for name in names]
    if names:
        inputs = pa.StructArray.from_arrays(fields, names=names)
    else:
        inputs = pa.array([{} for _ in rows], type=pa.struct([]))
    return pa.table(
        {
            "request_id": pa.array([row.request_id for row in rows], type=pa.string()),
            "row": pa.array([row.row for row in rows], type=pa.int32()),
            "ts": pa.array([row.ts for row in rows], type=pa.timestamp("us", tz="UTC")),
            "version": pa.array([row.version for row in rows], type=pa.string()),
            "inputs": inputs,
            "prediction": infer_array([row.prediction for row in rows]),
            "smoke": pa.array([row.smoke for row in rows], type=pa.bool_()),
        }
    )


def infer_array(values: list[Any]) -> Any:
    """pyarrow's own type for ``values``; values of mixed kinds become their JSON text (text stays text)."""
    import pyarrow as pa

    try:
        return pa.array(values)
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        texts = [value if value is None or isinstance(value, str) else json.dumps(value) for value in values]
        return pa.array(texts, type=pa.string())


def _publish(handle: IO[bytes], path: Path) -> Path:
    """Flush and fsync a finished ``.partial`` file, close it, and rename it to ``path`` (atomic)."""
    handle.flush()
    os.fsync(handle.fileno())
    handle.close()
    os.replace(partial_path(path), path)
    return path


def _close_quietly(handle: IO[bytes]) -> None:
    with contextlib.suppress(OSError):
        handle.close()
