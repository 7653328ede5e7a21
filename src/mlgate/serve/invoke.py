"""One invocation without HTTP: negotiate the answer's format, parse the body, predict, render.

The app runs ``invoke`` in a worker thread with the model snapshot the request started with.
"""

from __future__ import annotations

import csv
import io
import json
import time
from typing import Any, NamedTuple

import numpy as np

from mlgate.serve.holder import ServedModel
from mlgate.serve.parse import CSV, JSON, media_type, parse_request
from mlgate.serve.request_error import RequestError

_ACCEPTED = {JSON: JSON, CSV: CSV, "*/*": JSON, "application/*": JSON, "text/*": CSV}


def choose_format(accept: str | None) -> str:
    """The media type to answer with (JSON or CSV) from an Accept header; highest q wins, then order."""
    if not accept or not accept.strip():
        return JSON
    best: tuple[float, str] | None = None
    for item in accept.split(","):
        answer = _ACCEPTED.get(media_type(item))
        quality = _quality(item)
        if answer is not None and quality > 0 and (best is None or quality > best[0]):
            best = (quality, answer)
    if best is None:
        raise RequestError(406, f"cannot answer in {accept!r}", hint=f"accept {JSON} (the default) or {CSV}")
    return best[1]


class Answer(NamedTuple):
    """The response body, the predictions it holds as plain JSON values (one per row, kept for capture), and the
    seconds the server spent on it (parse, predict, render: no queueing), sent back as ``Server-Timing``."""

    content: bytes
    predictions: list[Any]
    seconds: float = 0.0


def invoke(served: ServedModel, body: bytes, content_type: str | None, answer: str) -> Answer:
    """Predict on a request body with ``served``: the answer rendered as ``answer`` (JSON or CSV), and the values."""
    started = time.perf_counter()
    frame = parse_request(body, content_type, served.features, served.schema)
    try:
        predictions = served.estimator.predict(frame)
    except (ValueError, TypeError, KeyError, IndexError) as exc:
        raise cannot_predict(served.version, frame, exc, typed=served.schema is not None) from exc
    values = to_json_values(predictions)
    if answer == CSV:
        content = render_csv(values)
    else:
        content = dump_json({"predictions": values, "version": served.version})
    return Answer(content, values, time.perf_counter() - started)


def cannot_predict(version: str, frame: Any, exc: Exception, *, typed: bool) -> RequestError:
    """The 422 for a model that fails on a parsed frame: the whole error on one line, naming the column.

    scikit-learn's messages put the offending value on a later line ("Cannot use median strategy with
    non-numeric data:" / "could not convert string to float: '2024-01-05'"); the feature is the text column
    holding a value the message quotes.
    """
    text = " ".join(line.strip() for line in str(exc).splitlines() if line.strip()) or type(exc).__name__
    found = find_culprit(frame, text)
    where = f"feature '{found[0]}' = {found[1]!r}: " if found else ""
    features = ", ".join(str(name) for name in frame.columns)
    hint = (
        f"check the values against the training data (features: {features})"
        if typed
        else "this version was registered without its feature schema: send values as the model receives them "
        "(dates as day numbers, booleans as 1/0), or register it again to serve rows as the data files hold them"
    )
    return RequestError(422, f"version {version} cannot predict on this input: {where}{text}", hint=hint)


def find_culprit(frame: Any, text: str) -> tuple[str, str] | None:
    """The (feature, value) of the first text cell of ``frame`` that ``text`` quotes; None when none is."""
    for name in frame.columns:
        column = frame[name]
        if column.dtype != object:
            continue
        for value in dict.fromkeys(v for v in column.tolist() if isinstance(v, str)):
            if repr(value) in text or f'"{value}"' in text:
                return str(name), value
    return None


def to_json_values(predictions: Any) -> list[Any]:
    """Predictions as plain JSON values (non-finite numbers become null)."""
    array = np.asarray(predictions)
    if array.dtype.kind == "f":
        finite = np.isfinite(array)
        if not finite.all():
            cells = array.astype(object)
            cells[~finite] = None
            return list(cells.tolist())
    return list(array.tolist())


def render_csv(values: list[Any]) -> bytes:
    """One line per prediction; a multi-output prediction's values separated by commas."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerows(value if isinstance(value, list) else [value] for value in values)
    return out.getvalue().encode("utf-8")


def dump_json(document: Any) -> bytes:
    """Compact JSON; numpy scalars become Python values, NaN is never written."""
    return json.dumps(document, separators=(",", ":"), allow_nan=False, default=_plain).encode("utf-8")


def _plain(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def _quality(item: str) -> float:
    for parameter in item.split(";")[1:]:
        key, _, value = parameter.partition("=")
        if key.strip().lower() == "q":
            try:
                return float(value)
            except ValueError:
                return 0.0
    return 1.0
