"""The shadow's model at work, in a process of its own: answer queued requests in batches, write the records.

``ShadowEngine`` loads the shadow version (digest, then only trusted types), answers a batch of queued requests in
one predict call (their frames concatenated; a batch that fails is answered request by request), and appends the
records (``mlgate.serve.shadow``'s format) to ``<state>/shadow/<UTC day>/``. It runs in a child process
(``mlgate.serve.shadow_worker``): a CPU-bound model in the server's own process would hold the GIL the request
path needs (a forest of 30 trees tripled the live p95 that way in scripts/bench_shadow.py).
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

from mlgate.errors import MlgateError
from mlgate.serve.capture.records import FieldPolicy, clean_value, format_timestamp, read_inputs
from mlgate.serve.convert import read_feature_schema
from mlgate.serve.holder import Loader, check_features, load_estimator
from mlgate.serve.invoke import to_json_values
from mlgate.serve.parse import parse_request
from mlgate.serve.shadow_state import ShadowPointer
from mlgate.serve.state import LivePointer

logger = logging.getLogger("mlgate.serve.shadow")
SCHEMA_VERSION = 1
Answered = tuple[list[Any], str | None, float | None]  # answers, why none, the request's share of the time


class ShadowRequest(NamedTuple):
    """One live request queued for the shadow (plain data: it crosses to the child process)."""

    request_id: str
    ts: Any  # datetime
    live_version: str
    live_features: tuple[str, ...]
    body: bytes
    content_type: str | None
    live: list[Any]
    live_seconds: float


@dataclass
class BatchCounts:
    """What answering a batch did."""

    rows: int = 0
    failed_rows: int = 0
    write_errors: int = 0
    errors: list[str] = field(default_factory=list)  # the first message of each kind of failure


@dataclass(frozen=True)
class ShadowModel:
    """The loaded shadow version."""

    pointer: LivePointer
    estimator: Any
    features: tuple[str, ...]
    schema: Any


class ShadowEngine:
    """Loads the shadow version and answers batches (see the module docstring)."""

    def __init__(
        self,
        folder: Path,
        name: str,
        *,
        policy: FieldPolicy | None = None,
        loader: Loader = load_estimator,
        timer: Callable[[], float] = time.perf_counter,
    ) -> None:
        self.folder, self.name = folder, name
        self.policy = policy or FieldPolicy()
        self._loader, self._timer = loader, timer
        self._model: ShadowModel | None = None
        self._seen: set[str] = set()

    def load(self, shadow: ShadowPointer) -> None:
        """Load the shadow's model; a failure is an MlgateError saying why (nothing is shadowed then)."""
        pointer = shadow.pointer
        self._model = None
        try:
            estimator = self._loader(pointer)
            features = check_features(pointer, estimator)
            schema = read_feature_schema(pointer.feature_schema, features, where=f"shadow version {pointer.version}")
        except MlgateError as exc:
            raise MlgateError(f"cannot load version {pointer.version}: {exc.message}") from exc
        except Exception as exc:
            raise MlgateError(f"cannot load version {pointer.version}: {type(exc).__name__}: {exc}") from exc
        self._model = ShadowModel(pointer, estimator, features, schema)

    def answer(self, batch: list[ShadowRequest]) -> BatchCounts:
        """Answer ``batch`` and append its records; the counts say what happened."""
        counts = BatchCounts()
        model = self._model
        answered = self._answer_all(batch, model, counts)
        lines: dict[str, list[str]] = {}
        for request, (answers, error, seconds) in zip(batch, answered, strict=True):
            day = format_timestamp(request.ts)[:10]
            records = self._records(request, model, answers, error, seconds)
            lines.setdefault(day, []).extend(json.dumps(r, ensure_ascii=False, separators=(",", ":")) for r in records)
            if error is None:
                counts.rows += len(answers)
            else:
                counts.failed_rows += len(answers)
        for day, texts in lines.items():
            try:
                path = self.folder / day / self.name
                path.parent.mkdir(parents=True, exist_ok=True)
                with path.open("a", encoding="utf-8") as out:
                    out.write("\n".join(texts) + "\n")
            except OSError as exc:
                counts.write_errors += len(texts)
                self._note(counts, "write", f"cannot write shadow records to {self.folder}: {exc.strerror or exc}")
        return counts

    def _note(self, counts: BatchCounts, kind: str, message: str) -> None:
        if kind not in self._seen:
            self._seen.add(kind)
            counts.errors.append(message)

    def _answer_all(self, batch: list[ShadowRequest], model: ShadowModel | None, counts: BatchCounts) -> list[Answered]:
        """Per request: the shadow's answers (None where it gave none), why not, and its share of the time."""
        if model is None:
            return [([None] * len(r.live), "shadowing stopped before this request was answered", None) for r in batch]
        import pandas as pd

        frames: list[Any] = []
        parsed: list[Answered] = []
        for request in batch:
            started = self._timer()
            try:
                frame = parse_request(request.body, request.content_type, model.features, model.schema)
            except Exception as exc:  # noqa: BLE001 - the shadow's failure is data, never the client's problem
                parsed.append(([None] * len(request.live), self._describe(exc, model, counts), None))
                frames.append(None)
                continue
            parsed.append(([None] * len(request.live), None, self._timer() - started))
            frames.append(frame)
        usable = [f for f in frames if f is not None]
        if not usable:
            return parsed
        started = self._timer()
        try:
            values = to_json_values(model.estimator.predict(pd.concat(usable, ignore_index=True)))
            if len(values) != sum(len(f) for f in usable):
                raise ValueError(f"{len(values)} answers for {sum(len(f) for f in usable)} rows")
        except Exception:  # noqa: BLE001 - one bad request must not cost the others: answer one by one
            return [self._one(model, f, p, counts) if f is not None else p for f, p in zip(frames, parsed, strict=True)]
        share = (self._timer() - started) / max(1, len(values))
        out: list[Answered] = []
        position = 0
        for frame, (answers, error, seconds) in zip(frames, parsed, strict=True):
            if frame is None:
                out.append((answers, error, seconds))
                continue
            out.append((values[position : position + len(frame)], None, (seconds or 0.0) + share * len(frame)))
            position += len(frame)
        return out

    def _one(self, model: ShadowModel, frame: Any, parsed: Answered, counts: BatchCounts) -> Answered:
        started = self._timer()
        try:
            values = to_json_values(model.estimator.predict(frame))
            if len(values) != len(frame):
                raise ValueError(f"{len(values)} answers for {len(frame)} rows")
        except Exception as exc:  # noqa: BLE001 - the shadow's failure is data
            return ([None] * len(frame), self._describe(exc, model, counts), None)
        return (values, None, (parsed[2] or 0.0) + self._timer() - started)

    def _describe(self, exc: Exception, model: ShadowModel, counts: BatchCounts) -> str:
        text = str(exc).splitlines()[0][:200] if str(exc) else ""
        error = getattr(exc, "message", None) or f"{type(exc).__name__}: {text}"
        self._note(counts, type(exc).__name__, f"shadow version {model.pointer.version}: {error}")
        return str(error)

    def _records(
        self,
        request: ShadowRequest,
        model: ShadowModel | None,
        answers: list[Any],
        error: str | None,
        seconds: float | None,
    ) -> list[dict[str, Any]]:
        try:
            inputs = [
                self.policy.apply(row) for row in read_inputs(request.body, request.content_type, request.live_features)
            ]
        except (ValueError, KeyError, TypeError):
            inputs = [{} for _ in request.live]
        ts = format_timestamp(request.ts)
        return [
            {
                "schema_version": SCHEMA_VERSION,
                "request_id": request.request_id,
                "row": index,
                "ts": ts,
                "live_version": request.live_version,
                "live": clean_value(live),
                "live_ms": round(request.live_seconds * 1000, 3),
                "shadow_version": model.pointer.version if model else None,
                "shadow": clean_value(answer),
                "shadow_ms": None if seconds is None else round(seconds * 1000, 3),
                "error": error,
                "inputs": inputs[index] if index < len(inputs) else {},
            }
            for index, (live, answer) in enumerate(zip(request.live, answers, strict=True))
        ]
