"""Captured requests into the capture format's rows: inputs read back from the body, ``capture.drop``/``hash`` applied.

The request path only hands over references (the body it already read, the prediction values it already
computed); everything here runs in the capture writer's thread. Inputs are the values as the client sent
them: JSON values unchanged (an instance object or a list in feature order), CSV cells as the server parsed
them (numbers as floats, ``true``/``false`` as 1.0/0.0, empty cells as null). Non-finite numbers become null.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, NamedTuple

from mlgate.serve.parse import CSV, media_type, parse_csv

SCHEMA_VERSION = 1
_UTC = timezone.utc


class CapturedRequest(NamedTuple):
    """One answered request, as the request path queues it (references only: no encoding)."""

    request_id: str
    ts: datetime
    version: str
    features: tuple[str, ...]
    body: bytes
    content_type: str | None
    predictions: list[Any]
    smoke: bool = False  # sent by a deploy/rollback smoke test (``X-Mlgate-Smoke``): marked in every row


class CaptureRow(NamedTuple):
    """One predicted row of a request: a record of the capture format."""

    request_id: str
    row: int
    ts: datetime
    ts_text: str  # ``ts`` as the JSONL record writes it (format_timestamp), computed once per request
    version: str
    inputs: dict[str, Any]
    prediction: Any
    smoke: bool = False

    def to_record(self) -> dict[str, Any]:
        """The JSONL record (``ts`` as ISO 8601 UTC with microseconds and ``Z``; ``"smoke": true`` only on the
        rows of a smoke-test request)."""
        record: dict[str, Any] = {
            "schema_version": SCHEMA_VERSION,
            "request_id": self.request_id,
            "row": self.row,
            "ts": self.ts_text,
            "version": self.version,
            "inputs": self.inputs,
            "prediction": self.prediction,
        }
        if self.smoke:
            record["smoke"] = True
        return record


@dataclass(frozen=True)
class FieldPolicy:
    """Which input fields are never written (``drop``) and which are written as a salted SHA-256 (``hash``)."""

    drop: frozenset[str] = frozenset()
    hash: frozenset[str] = frozenset()
    salt: str | None = None

    def apply(self, inputs: dict[str, Any]) -> dict[str, Any]:
        """``inputs`` without the dropped fields and with the hashed ones digested (null stays null)."""
        if not self.drop and not self.hash:
            return inputs
        return {
            name: self.digest(value) if name in self.hash and value is not None else value
            for name, value in inputs.items()
            if name not in self.drop
        }

    def digest(self, value: Any) -> str:
        """``sha256:<hex>`` of the value's compact JSON text, after ``salt + "\\0"`` when there is a salt."""
        text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
        data = text if self.salt is None else f"{self.salt}\0{text}"
        return "sha256:" + hashlib.sha256(data.encode("utf-8")).hexdigest()


def build_rows(request: CapturedRequest, policy: FieldPolicy) -> list[CaptureRow]:
    """The request's rows, one per prediction, with the policy applied to the inputs."""
    inputs = read_inputs(request.body, request.content_type, request.features)
    if len(inputs) != len(request.predictions):
        raise ValueError(f"{len(inputs)} input rows but {len(request.predictions)} predictions")
    ts_text = format_timestamp(request.ts)
    return [
        CaptureRow(
            request_id=request.request_id,
            row=index,
            ts=request.ts,
            ts_text=ts_text,
            version=request.version,
            inputs=policy.apply(values),
            prediction=clean_value(prediction),
            smoke=request.smoke,
        )
        for index, (values, prediction) in enumerate(zip(inputs, request.predictions, strict=True))
    ]


def read_inputs(body: bytes, content_type: str | None, features: Sequence[str]) -> list[dict[str, Any]]:
    """The rows of an already validated body, as ``{feature: value}`` in feature order."""
    if media_type(content_type) == CSV:
        columns = parse_csv(body, features)
        return [dict(zip(features, map(clean_value, cells), strict=True)) for cells in zip(*columns, strict=True)]
    instances = json.loads(body.decode("utf-8-sig"))["instances"]
    rows: list[dict[str, Any]] = []
    for item in instances:
        if isinstance(item, dict):
            rows.append({name: clean_value(item[name]) for name in features})
        else:
            rows.append(dict(zip(features, map(clean_value, item), strict=True)))
    return rows


def clean_value(value: Any) -> Any:
    """JSON-safe: non-finite floats (also inside a multi-output list) become null."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, list):
        return [clean_value(item) for item in value]
    return value


def format_timestamp(moment: datetime) -> str:
    """``2026-11-22T18:40:31.123456Z``: UTC, always with microseconds."""
    return moment.astimezone(_UTC).replace(tzinfo=None).isoformat(timespec="microseconds") + "Z"
