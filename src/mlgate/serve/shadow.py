"""Shadowing: the server also runs another version on a share of the live requests, off the request path.

The request path (``ShadowRunner.offer``) only draws the sampling decision and appends references (the body it
already read, the live answers it already computed) to a bounded queue under a lock: no parsing, no model, never
an exception, never a wait. A full queue drops the request's rows and counts them. ONE worker thread takes the
queue, reads each body for the shadow version's own features (its feature schema, as the endpoint would),
predicts, times it, and appends one JSONL record per row to ``<state>/shadow/<UTC day>/shadow-<start>-<pid>.jsonl``:

    {"schema_version": 1, "request_id", "row", "ts", "live_version", "live", "live_ms",
     "shadow_version", "shadow", "shadow_ms", "error", "inputs"}

``live_ms``/``shadow_ms`` time the whole request (parse and predict) for each version; ``error`` says why the
shadow gave no answer (it could not read the body or predict): counted, logged once per kind, and never seen by
the client. Inputs are the live request's, with ``capture.drop``/``capture.hash`` applied. Smoke-test requests
and requests the shadow version itself answered live are not shadowed. ``ShadowWatcher`` follows
``shadow.json``: a new pointer loads the shadow (in the watcher thread; a version that cannot load is reported in
``/status`` and nothing is shadowed), a removed file stops shadowing.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import os
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

from mlgate.clock import utc_now
from mlgate.errors import MlgateError
from mlgate.serve.capture.records import FieldPolicy, clean_value, format_timestamp, read_inputs
from mlgate.serve.convert import read_feature_schema
from mlgate.serve.holder import Clock, Loader, check_features, load_estimator
from mlgate.serve.invoke import to_json_values
from mlgate.serve.parse import parse_request
from mlgate.serve.shadow_state import SHADOW_FILE, ShadowPointer, parse_shadow
from mlgate.serve.state import LivePointer
from mlgate.serve.watcher import PointerWatcher

logger = logging.getLogger("mlgate.serve.shadow")
SCHEMA_VERSION = 1


class ShadowRequest(NamedTuple):
    """One live request queued for the shadow (references only)."""

    request_id: str
    ts: Any  # datetime
    live_version: str
    live_features: tuple[str, ...]
    body: bytes
    content_type: str | None
    live: list[Any]
    live_seconds: float


@dataclass(frozen=True)
class ShadowModel:
    """The loaded shadow version and the share of requests it sees."""

    pointer: LivePointer
    estimator: Any
    features: tuple[str, ...]
    schema: Any
    fraction: float
    started_at: str


@dataclass
class ShadowStats:
    """What ``/status`` says about shadowing."""

    version: str | None = None
    fraction: float | None = None
    started_at: str | None = None
    error: str | None = None  # why the shadow.json version is not running
    sampled: int = 0  # requests queued for the shadow
    dropped_rows: int = 0  # rows not shadowed because the queue was full
    rows: int = 0  # rows the shadow answered
    failed_rows: int = 0  # rows it could not answer
    write_errors: int = 0

    def to_document(self) -> dict[str, Any]:
        return {
            "version": self.version,
            "fraction": self.fraction,
            "started_at": self.started_at,
            "error": self.error,
            "sampled": self.sampled,
            "dropped_rows": self.dropped_rows,
            "rows": self.rows,
            "failed_rows": self.failed_rows,
            "write_errors": self.write_errors,
        }


class ShadowRunner:
    """The shadow model, its bounded queue and its worker thread (see the module docstring)."""

    def __init__(
        self,
        folder: Path,
        *,
        policy: FieldPolicy | None = None,
        queue_rows: int = 10000,
        loader: Loader = load_estimator,
        clock: Clock = utc_now,
        draw: Callable[[], float] = random.random,
        timer: Callable[[], float] = time.perf_counter,
    ) -> None:
        self.folder = folder
        self.policy = policy or FieldPolicy()
        self.queue_rows = queue_rows
        self._loader, self._clock, self._draw, self._timer = loader, clock, draw, timer
        self._lock = threading.Lock()
        self._queue: list[ShadowRequest] = []
        self._queued = 0
        self._model: ShadowModel | None = None
        self._stats = ShadowStats()
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._name = f"shadow-{format_timestamp(clock()).replace(':', '').replace('-', '')[:15]}-{os.getpid()}.jsonl"
        self._logged: set[str] = set()

    # -- the request path ------------------------------------------------------------------------------------

    def offer(
        self,
        request_id: str,
        live_version: str,
        live_features: tuple[str, ...],
        body: bytes,
        content_type: str | None,
        live: list[Any],
        live_seconds: float,
        *,
        smoke: bool = False,
    ) -> None:
        """Queue an answered request for the shadow when it is sampled (never raises, never waits)."""
        model = self._model
        if model is None or smoke or live_version == model.pointer.version or self._draw() >= model.fraction:
            return
        request = ShadowRequest(
            request_id, self._clock(), live_version, live_features, body, content_type, live, live_seconds
        )
        with self._lock:
            if self._queued + len(live) > self.queue_rows:
                self._stats.dropped_rows += len(live)
                return
            self._queue.append(request)
            self._queued += len(live)
            self._stats.sampled += 1
        self._wake.set()

    # -- the watcher thread ----------------------------------------------------------------------------------

    def apply(self, shadow: ShadowPointer | None) -> None:
        """Shadow ``shadow``'s version from now on (None: stop); a version that cannot load shadows nothing."""
        if shadow is None:
            with self._lock:
                stopped = self._model.pointer.version if self._model else None
                self._model = None
                self._stats.version = self._stats.fraction = self._stats.started_at = self._stats.error = None
            if stopped:
                logger.info("shadowing of version %s stopped", stopped)
            return
        pointer = shadow.pointer
        try:
            estimator = self._loader(pointer)
            features = check_features(pointer, estimator)
            schema = read_feature_schema(pointer.feature_schema, features, where=f"shadow version {pointer.version}")
        except Exception as exc:  # noqa: BLE001 - a shadow that cannot load must never stop the server
            message = exc.message if isinstance(exc, MlgateError) else f"{type(exc).__name__}: {exc}"
            with self._lock:
                self._model = None
                self._stats.version, self._stats.error = (
                    pointer.version,
                    f"cannot load version {pointer.version}: {message}",
                )
            logger.error("shadow version %s not loaded: %s", pointer.version, message)
            return
        model = ShadowModel(pointer, estimator, features, schema, shadow.fraction, shadow.started_at)
        with self._lock:
            self._model = model
            self._stats.version, self._stats.fraction = pointer.version, shadow.fraction
            self._stats.started_at, self._stats.error = shadow.started_at, None
        logger.info("shadowing version %s on %s of requests", pointer.version, f"{shadow.fraction:.0%}")

    def stats(self) -> ShadowStats:
        with self._lock:
            return dataclasses.replace(self._stats)

    def report_error(self, message: str) -> None:
        """``shadow.json`` cannot be read: shadow nothing and say why in ``/status``."""
        self.apply(None)
        with self._lock:
            self._stats.error = message
        logger.error("%s; nothing is shadowed", message)

    # -- the worker thread -----------------------------------------------------------------------------------

    def process(self) -> None:
        """Answer every queued request with the shadow and write the records (the worker thread's one step)."""
        with self._lock:
            batch, self._queue, self._queued = self._queue, [], 0
            model = self._model
        if not batch:
            return
        lines: dict[str, list[str]] = {}
        for request in batch:
            records = self._answer(request, model)
            day = format_timestamp(request.ts)[:10]
            lines.setdefault(day, []).extend(json.dumps(r, ensure_ascii=False, separators=(",", ":")) for r in records)
        for day, texts in lines.items():
            try:
                path = self.folder / day / self._name
                path.parent.mkdir(parents=True, exist_ok=True)
                with path.open("a", encoding="utf-8") as out:
                    out.write("\n".join(texts) + "\n")
            except OSError as exc:
                with self._lock:
                    self._stats.write_errors += len(texts)
                self._log_once("write", f"cannot write shadow records to {self.folder}: {exc.strerror or exc}")

    def _answer(self, request: ShadowRequest, model: ShadowModel | None) -> list[dict[str, Any]]:
        try:
            inputs = [
                self.policy.apply(row) for row in read_inputs(request.body, request.content_type, request.live_features)
            ]
        except (ValueError, KeyError, TypeError):
            inputs = [{} for _ in request.live]
        answers: list[Any] = [None] * len(request.live)
        error, seconds = None, None
        if model is None:
            error = "shadowing stopped before this request was answered"
        else:
            started = self._timer()
            try:
                frame = parse_request(request.body, request.content_type, model.features, model.schema)
                answers = to_json_values(model.estimator.predict(frame))
                seconds = self._timer() - started
                if len(answers) != len(request.live):
                    raise ValueError(f"{len(answers)} answers for {len(request.live)} rows")
            except Exception as exc:  # noqa: BLE001 - the shadow's failure is data, never the client's problem
                error = (
                    getattr(exc, "message", None)
                    or f"{type(exc).__name__}: {str(exc).splitlines()[0][:200] if str(exc) else ''}"
                )
                answers = [None] * len(request.live)
                self._log_once(type(exc).__name__, f"shadow version {model.pointer.version}: {error}")
        with self._lock:
            if error is None:
                self._stats.rows += len(answers)
            else:
                self._stats.failed_rows += len(answers)
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

    def start(self) -> None:
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="mlgate-shadow", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        """Answer what is queued (up to ``timeout`` seconds), then stop the worker."""
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    def _run(self) -> None:
        while True:
            self._wake.wait(0.5)
            self._wake.clear()
            try:
                self.process()
            except Exception:  # the worker must outlive any surprise; it is logged
                logger.exception("shadow worker error")
            if self._stop.is_set():
                self.process()
                return

    def _log_once(self, kind: str, message: str) -> None:
        if kind not in self._logged:
            self._logged.add(kind)
            logger.error(message)


class ShadowWatcher(PointerWatcher):
    """Follows ``<state>/shadow.json`` for a ShadowRunner: written → shadow it, removed → stop."""

    file_name = SHADOW_FILE

    def __init__(self, state: Path, runner: ShadowRunner, *, interval: float = 0.2) -> None:
        self.runner = runner
        super().__init__(state, holder=None, interval=interval)  # type: ignore[arg-type]  # no holder: the runner

    def handle(self, text: str) -> None:
        self.runner.apply(parse_shadow(text, where=str(self.path)))

    def report(self, message: str) -> None:
        self.runner.report_error(message)

    def removed(self) -> bool:
        self.runner.apply(None)
        return True
