"""Shadowing: the server also runs another version on a share of the live requests, off the request path.

The request path (``ShadowRunner.offer``) only draws the sampling decision and appends references (the body it
already read, the live answers it already computed) to a bounded queue under a lock: no parsing, no model, never
an exception, never a wait. A full queue drops the request's rows and counts them. A forwarding thread hands the
queue, in batches (at most every ``linger`` seconds), to the shadow's engine in a child process
(``mlgate.serve.shadow_engine``): it reads each body for the shadow version's own features (its feature schema, as
the endpoint would), predicts the batch in one call, and appends one JSONL record per row to
``<state>/shadow/<UTC day>/shadow-<start>-<pid>.jsonl``::

    {"schema_version": 1, "request_id", "row", "ts", "live_version", "live", "live_ms",
     "shadow_version", "shadow", "shadow_ms", "error", "inputs"}

``live_ms`` is the live request's time (parse and predict); ``shadow_ms`` the request's parse time plus its rows'
share of the batch's predict time (the shadow's cost, not a client's wait). ``error`` says why the shadow gave no
answer (it could not read the body or predict): counted, logged once per kind, never seen by the client. Inputs are
the live request's, with ``capture.drop``/``capture.hash`` applied. Smoke-test requests and requests the shadow
version itself answered live are not shadowed. ``ShadowWatcher`` follows ``shadow.json``: a new pointer loads the
shadow in the child (a version that cannot load is reported in ``/status`` and nothing is shadowed), a removed file
stops shadowing.
"""

from __future__ import annotations

import dataclasses
import logging
import os
import random
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mlgate.clock import utc_now
from mlgate.errors import MlgateError
from mlgate.serve.capture.records import FieldPolicy, format_timestamp
from mlgate.serve.holder import Clock
from mlgate.serve.shadow_engine import BatchCounts, ShadowRequest
from mlgate.serve.shadow_state import SHADOW_FILE, ShadowPointer, parse_shadow
from mlgate.serve.shadow_worker import ProcessWorker, Worker
from mlgate.serve.watcher import PointerWatcher

logger = logging.getLogger("mlgate.serve.shadow")

__all__ = ["ShadowRequest", "ShadowRunner", "ShadowStats", "ShadowWatcher"]


@dataclass
class ShadowStats:
    """What ``/status`` says about shadowing."""

    version: str | None = None
    fraction: float | None = None
    started_at: str | None = None
    error: str | None = None  # why the shadow.json version is not running
    sampled: int = 0  # requests queued for the shadow
    dropped_rows: int = 0  # rows not shadowed: the queue was full, or shadowing stopped before they were answered
    rows: int = 0  # rows the shadow answered
    failed_rows: int = 0  # rows it could not answer
    write_errors: int = 0

    def to_document(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


class ShadowRunner:
    """The sampling, the bounded queue, the forwarding thread and the worker (see the module docstring)."""

    def __init__(
        self,
        folder: Path,
        *,
        policy: FieldPolicy | None = None,
        queue_rows: int = 10000,
        clock: Clock = utc_now,
        draw: Callable[[], float] = random.random,
        worker: Callable[[Path, str, FieldPolicy | None], Worker] = ProcessWorker,
        linger: float = 0.1,
    ) -> None:
        self.folder = folder
        self.queue_rows = queue_rows
        self.linger = linger
        self._clock, self._draw = clock, draw
        name = f"shadow-{format_timestamp(clock()).replace(':', '').replace('-', '')[:15]}-{os.getpid()}.jsonl"
        self._worker = worker(folder, name, policy)
        self._lock = threading.Lock()
        self._queue: list[ShadowRequest] = []
        self._queued = 0
        self._shadow: ShadowPointer | None = None
        self._stats = ShadowStats()
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
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
        shadow = self._shadow
        if shadow is None or smoke or live_version == shadow.pointer.version or self._draw() >= shadow.fraction:
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
                stopped = self._shadow.pointer.version if self._shadow else None
                self._shadow = None
                self._stats.version = self._stats.fraction = self._stats.started_at = self._stats.error = None
            if stopped:
                logger.info("shadowing of version %s stopped", stopped)
            return
        version = shadow.pointer.version
        with self._lock:
            self._shadow = None  # nothing is queued for a version that is still loading
        try:
            self._worker.load(shadow)
        except MlgateError as exc:
            with self._lock:
                self._stats.version, self._stats.error = version, exc.message
                self._stats.fraction = self._stats.started_at = None
            logger.error("shadow version %s not loaded: %s", version, exc.message)
            return
        with self._lock:
            self._shadow = shadow
            self._stats.version, self._stats.fraction = version, shadow.fraction
            self._stats.started_at, self._stats.error = shadow.started_at, None
        logger.info("shadowing version %s on %s of requests", version, f"{shadow.fraction:.0%}")

    def report_error(self, message: str) -> None:
        """``shadow.json`` cannot be read: shadow nothing and say why in ``/status``."""
        self.apply(None)
        with self._lock:
            self._stats.error = message
        logger.error("%s; nothing is shadowed", message)

    def stats(self) -> ShadowStats:
        with self._lock:
            return dataclasses.replace(self._stats)

    # -- the forwarding thread -------------------------------------------------------------------------------

    def process(self) -> None:
        """Hand everything queued to the worker as one batch and count what it did (the thread's one step)."""
        with self._lock:
            batch, self._queue, self._queued = self._queue, [], 0
            running = self._shadow is not None
        if not batch:
            return
        if not running:  # stopped (or replaced) after these were queued
            with self._lock:
                self._stats.dropped_rows += sum(len(r.live) for r in batch)
            return
        try:
            counts = self._worker.answer(batch)
        except MlgateError as exc:
            counts = BatchCounts(failed_rows=sum(len(r.live) for r in batch), errors=[exc.message])
            self.apply(None)
            with self._lock:
                self._stats.error = exc.message
        with self._lock:
            self._stats.rows += counts.rows
            self._stats.failed_rows += counts.failed_rows
            self._stats.write_errors += counts.write_errors
        for message in counts.errors:
            if message not in self._logged:
                self._logged.add(message)
                logger.error(message)

    def start(self) -> None:
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="mlgate-shadow", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        """Answer what is queued, then stop the thread and the worker (at most ``timeout`` seconds for the thread)."""
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None
        self._worker.close()

    def _run(self) -> None:
        while True:
            self._wake.wait()
            self._stop.wait(self.linger)  # let a batch gather: the worker's cost is per call, not per row
            self._wake.clear()
            try:
                self.process()
            except Exception:  # the thread must outlive any surprise; it is logged
                logger.exception("shadow forwarding error")
            if self._stop.is_set():
                return


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
