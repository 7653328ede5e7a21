"""Capture records (one predicted row each) and the columns they are gathered into.

The record format is the capture contract: ``{"schema_version": 1, "request_id", "row", "ts" (ISO 8601 UTC),
"version", "inputs": {field: value}, "prediction"}``, and ``"smoke": true`` on the rows of a deploy or rollback
smoke test (``mlgate.serve.marks``; a request id made by ``new_smoke_id`` marks a row too). Marked rows are
not production traffic: the reader counts them and leaves them out.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from mlgate.monitor.window import parse_timestamp
from mlgate.serve.marks import is_smoke_id

RECORD_VERSION = 1
_KEYS = ("request_id", "row", "ts", "version", "inputs", "prediction")


class RecordError(ValueError):
    """A capture line that cannot be used; the message says why (it is reported with file and line)."""


@dataclass(frozen=True, slots=True)
class Record:
    request_id: str
    row: int
    ts: dt.datetime
    version: str
    inputs: Mapping[str, Any]
    prediction: Any
    smoke: bool = False  # a smoke test's row: counted, never judged

    @staticmethod
    def timestamp(text: str) -> dt.datetime:
        try:
            return parse_timestamp(text)
        except (ValueError, TypeError) as exc:
            raise RecordError(f"ts {text!r} is not an ISO 8601 timestamp") from exc


def parse_record(document: Mapping[str, Any]) -> Record:
    """An mlgate capture record from its parsed JSON; anything missing or mistyped raises RecordError."""
    if document.get("schema_version") != RECORD_VERSION:
        raise RecordError(f"schema_version {document.get('schema_version')!r} is not {RECORD_VERSION}")
    missing = [key for key in _KEYS if key not in document]
    if missing:
        raise RecordError(f"missing {', '.join(missing)}")
    request_id, row, ts, inputs = (document[k] for k in ("request_id", "row", "ts", "inputs"))
    if not isinstance(request_id, str) or not isinstance(row, int) or isinstance(row, bool) or not isinstance(ts, str):
        raise RecordError("request_id must be a string, row an integer and ts a string")
    if not isinstance(inputs, dict):
        raise RecordError("inputs must be an object")
    smoke = document.get("smoke", False)
    if not isinstance(smoke, bool):
        raise RecordError(f"smoke must be true or false, not {smoke!r}")
    return Record(
        request_id,
        row,
        Record.timestamp(ts),
        str(document["version"]),
        inputs,
        document["prediction"],
        smoke or is_smoke_id(request_id),
    )


@dataclass
class Columns:
    """Records in the window, column by column (an input field first seen late is padded with None); the
    timestamps only decide what is in the window, so they are not kept."""

    request_id: list[str] = field(default_factory=list)
    row: list[int] = field(default_factory=list)
    version: list[str] = field(default_factory=list)
    prediction: list[Any] = field(default_factory=list)
    inputs: dict[str, list[Any]] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.request_id)

    def add(self, record: Record) -> None:
        self.add_inputs([record.inputs])
        self.request_id.append(record.request_id)
        self.row.append(record.row)
        self.version.append(record.version)
        self.prediction.append(record.prediction)

    def add_inputs(self, rows: Iterable[Mapping[str, Any]]) -> None:
        """Append the inputs of rows whose other columns are appended by the caller."""
        size = len(self)
        for values in rows:
            for name in values.keys() - self.inputs.keys():
                self.inputs[name] = [None] * size
            for name, column in self.inputs.items():
                column.append(values.get(name))
            size += 1

    def extend(
        self,
        *,
        request_id: list[str],
        row: list[int],
        version: list[str],
        prediction: list[Any],
        inputs: dict[str, list[Any]],
    ) -> None:
        """Append whole columns (a Parquet file's rows in the window)."""
        size, count = len(self), len(request_id)
        for name in inputs.keys() - self.inputs.keys():
            self.inputs[name] = [None] * size
        for name, column in self.inputs.items():
            column.extend(inputs.get(name) or [None] * count)
        self.request_id += request_id
        self.row += row
        self.version += version
        self.prediction += prediction

    def select(self, keep: list[bool]) -> Columns:
        """The rows where ``keep`` is true."""

        def pick(values: list[Any]) -> list[Any]:
            return [v for v, k in zip(values, keep, strict=True) if k]

        return Columns(
            request_id=pick(self.request_id),
            row=pick(self.row),
            version=pick(self.version),
            prediction=pick(self.prediction),
            inputs={name: pick(values) for name, values in self.inputs.items()},
        )
