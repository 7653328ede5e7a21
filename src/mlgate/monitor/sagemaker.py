"""SageMaker data-capture lines (``DataCaptureConfig`` JSONL) as mlgate capture records.

A line holds one invocation: ``captureData.endpointInput``/``endpointOutput`` (``observedContentType``,
``mode``, ``data``, ``encoding`` JSON/CSV/BASE64) and ``eventMetadata`` (``eventId``, ``inferenceId``,
``inferenceTime``). Each row of the request mlgate's container accepts (JSON ``{"instances": [...]}``, objects
or lists in feature order, or CSV rows) becomes one record; the request id is ``inferenceId``, else ``eventId``.
An ``inferenceId`` that starts with ``mlgate-smoke-`` marks a deploy's smoke-test request (``mlgate.serve.marks``).
"""

from __future__ import annotations

import base64
import binascii
import csv
import io
import json
from collections.abc import Mapping, Sequence
from typing import Any

from mlgate.monitor.records import Record, RecordError
from mlgate.serve.marks import is_smoke_id

_JSON = "application/json"
_CSV = "text/csv"


def is_sagemaker(document: Mapping[str, Any]) -> bool:
    """Whether a parsed capture line is SageMaker's format."""
    return "captureData" in document


def convert_sagemaker(document: Mapping[str, Any], features: Sequence[str]) -> list[Record]:
    """The records of one SageMaker capture line; anything unusable raises RecordError."""
    capture = document.get("captureData")
    meta = document.get("eventMetadata")
    if not isinstance(capture, dict) or not isinstance(meta, dict):
        raise RecordError("SageMaker capture line without captureData/eventMetadata objects")
    request_id = meta.get("inferenceId") or meta.get("eventId")
    when = meta.get("inferenceTime")
    if not isinstance(request_id, str) or not isinstance(when, str):
        raise RecordError("SageMaker capture line without eventId or inferenceTime")
    rows = _input_rows(_payload(capture, "endpointInput"), features)
    output = _payload(capture, "endpointOutput")
    if output[0] != _JSON:
        raise RecordError(f"endpointOutput content type {output[0]!r} is not {_JSON}")
    answer = _json(output[1], "endpointOutput")
    predictions = answer.get("predictions") if isinstance(answer, dict) else answer
    if not isinstance(predictions, list) or len(predictions) != len(rows):
        raise RecordError("endpointOutput does not hold one prediction per input row")
    version = str(answer.get("version", "")) if isinstance(answer, dict) else ""
    ts = Record.timestamp(when)
    smoke = is_smoke_id(request_id)  # a deploy's smoke test sets InferenceId = mlgate-smoke-…
    return [
        Record(request_id, index, ts, version, inputs, prediction, smoke)
        for index, (inputs, prediction) in enumerate(zip(rows, predictions, strict=True))
    ]


def _payload(capture: Mapping[str, Any], key: str) -> tuple[str, str]:
    part = capture.get(key)
    if not isinstance(part, dict) or not isinstance(part.get("data"), str):
        raise RecordError(f"captureData.{key} has no data")
    data = str(part["data"])
    if str(part.get("encoding", "")).upper() == "BASE64":
        try:
            data = base64.b64decode(data, validate=True).decode("utf-8-sig")
        except (binascii.Error, UnicodeDecodeError) as exc:
            raise RecordError(f"captureData.{key}: BASE64 data that is not UTF-8 text") from exc
    kind = str(part.get("observedContentType", "")).split(";", 1)[0].strip().lower()
    return kind, data


def _json(text: str, key: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise RecordError(f"{key} data is not valid JSON: {exc.msg}") from exc


def _input_rows(payload: tuple[str, str], features: Sequence[str]) -> list[dict[str, Any]]:
    kind, text = payload
    if kind == _JSON:
        document = _json(text, "endpointInput")
        instances = document.get("instances") if isinstance(document, dict) else None
        if not isinstance(instances, list) or not instances:
            raise RecordError('endpointInput is not a JSON object with an "instances" list')
        return [_row(item, features) for item in instances]
    if kind == _CSV:
        rows = [r for r in csv.reader(io.StringIO(text, newline="")) if r and any(c.strip() for c in r)]
        if rows and rows[0] == list(features):
            rows = rows[1:]
        return [_row(r, features) for r in rows]
    raise RecordError(f"endpointInput content type {kind!r} is neither {_JSON} nor {_CSV}")


def _row(item: Any, features: Sequence[str]) -> dict[str, Any]:
    if isinstance(item, dict):
        return {str(k): v for k, v in item.items()}
    if isinstance(item, list):
        if len(item) != len(features):
            raise RecordError(f"an input row has {len(item)} values; the live version has {len(features)} features")
        return dict(zip(features, item, strict=True))
    raise RecordError("an input row is neither an object nor a list")
