"""Capture live traffic for ``mlgate monitor``: a bounded queue and ONE writer thread (docs/serve.md).

The request path (``CaptureWriter.offer``) makes the sampling decision and appends a tuple of references to
a list under a lock: no encoding, no I/O, never an exception. When ``capture.queue_size`` rows are already
waiting, the request's rows are dropped and counted. The writer thread wakes when rows arrive (at most
every ``linger`` seconds, so it writes in batches), turns them into records (``records``), and writes
them to rotated files (``files``): a new file past ``rotate_mb``, past ``rotate_s``, on a new UTC day,
or when a Parquet batch does not fit the open file's schema. A write error (disk full, folder gone) is
logged once and counted, and capture stops; serving goes on. ``close`` flushes what is queued, closes the
file (rename from ``.partial``) and returns the final counters, waiting at most ``timeout`` seconds.
"""

from __future__ import annotations

import logging
import os
import random
import threading
from collections.abc import Callable
from datetime import date, datetime, timezone
from typing import Any

from mlgate.clock import utc_now
from mlgate.errors import InputError
from mlgate.serve.capture.files import CaptureSink, SchemaMismatch, SinkFactory, capture_path, open_sink
from mlgate.serve.capture.records import CapturedRequest, CaptureRow, build_rows
from mlgate.serve.capture.settings import CaptureSettings, CaptureStats
from mlgate.serve.holder import Clock

logger = logging.getLogger("mlgate.serve.capture")


class CaptureWriter:
    """Queue answered requests (``offer``, any thread) and write them from one background thread."""

    def __init__(
        self,
        settings: CaptureSettings,
        *,
        clock: Clock = utc_now,
        chance: Callable[[], float] = random.random,
        pid: int | None = None,
        sink_factory: SinkFactory = open_sink,
        linger: float = 0.05,
    ) -> None:
        self.settings = settings
        self._clock = clock
        self._chance = chance
        self._pid = os.getpid() if pid is None else pid
        self._sink_factory = sink_factory
        self._linger = linger
        self._lock = threading.Lock()
        self._queue: list[CapturedRequest] = []
        self._queued = 0
        self._dropped = 0
        self._captured = 0
        self._files = 0
        self._errors = 0
        self._error: str | None = None
        self._stopped = False  # set on a write error and by close(): offers are refused
        self._wake = threading.Event()
        self._closing = threading.Event()
        self._thread: threading.Thread | None = None
        self._sink: CaptureSink | None = None
        self._opened_at: datetime | None = None
        self._day: date | None = None
        self._seq = 0

    # -- the request path -------------------------------------------------------------------------------------

    def offer(
        self,
        request_id: str,
        version: str,
        features: tuple[str, ...],
        body: bytes,
        content_type: str | None,
        predictions: list[Any],
        *,
        smoke: bool = False,
    ) -> bool:
        """Queue one answered request if it is sampled and there is room; never raises, never blocks on I/O.
        ``smoke``: a smoke test's request, whose rows are captured with the mark (``mlgate.serve.marks``)."""
        sample = self.settings.sample
        if sample < 1.0 and self._chance() >= sample:
            return False
        rows = len(predictions)
        with self._lock:
            if self._stopped or self._queued + rows > self.settings.queue_rows:
                self._dropped += rows
                return False
            self._queued += rows
            was_empty = not self._queue
            self._queue.append(
                CapturedRequest(request_id, self._clock(), version, features, body, content_type, predictions, smoke)
            )
        if was_empty:
            self._wake.set()
        return True

    def stats(self) -> CaptureStats:
        with self._lock:
            return CaptureStats(
                enabled=True,
                format=self.settings.format,
                path=str(self.settings.folder),
                sample=self.settings.sample,
                captured_rows=self._captured,
                dropped_rows=self._dropped,
                queued_rows=self._queued,
                files_written=self._files,
                write_errors=self._errors,
                error=self._error,
            )

    # -- lifecycle --------------------------------------------------------------------------------------------

    def start(self) -> None:
        """Create the capture folder and start the writer thread (a daemon: a stuck disk never blocks the exit)."""
        try:
            self.settings.folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise InputError(
                f"cannot create the capture folder {self.settings.folder}: {exc.strerror or exc}",
                hint="fix capture.path in mlgate.yaml or the folder's permissions, or serve with --no-capture",
            ) from exc
        self._thread = threading.Thread(target=self._run, name="mlgate-capture", daemon=True)
        self._thread.start()

    def close(self, timeout: float = 5.0) -> CaptureStats:
        """Write what is queued, close the open file, stop; waits at most ``timeout`` s for the thread."""
        with self._lock:
            self._stopped = True  # the server has stopped answering: later offers are dropped and counted
        self._closing.set()
        self._wake.set()
        if self._thread is None:
            self.process()
            self._finish()
        else:
            self._thread.join(timeout)
            if self._thread.is_alive():
                logger.warning("capture: the writer did not finish within %.0f s; queued rows are lost", timeout)
        return self.stats()

    def _run(self) -> None:
        while True:
            self._wake.wait(self._idle_wait())
            self._wake.clear()
            self.process()
            if self._closing.is_set():
                with self._lock:
                    if not self._queue:
                        break
                continue
            self._closing.wait(self._linger)  # let a batch gather
        self._finish()

    # -- the writer thread ------------------------------------------------------------------------------------

    def process(self) -> None:
        """Write every queued request and close a file that got too old (the writer thread's one step)."""
        with self._lock:
            batch, self._queue = self._queue, []
            self._queued = 0
            stopped = self._stopped and self._error is not None
        if stopped:
            self._count_dropped(sum(len(item.predictions) for item in batch))
            return
        done = 0
        try:
            self._rotate_if_old()
            for request in batch:
                self._write_request(request)
                done += 1
            if self._sink is not None:
                self._sink.flush()
                if self._sink.size() >= self.settings.rotate_bytes:
                    self._close_sink()
        except Exception as exc:  # noqa: BLE001 - disk full, folder gone, a bug: logged once, capture stops, serving goes on
            self._fail(exc, unwritten=sum(len(item.predictions) for item in batch[done:]))

    def _write_request(self, request: CapturedRequest) -> None:
        try:
            rows = build_rows(request, self.settings.policy)
        except (ValueError, TypeError, KeyError, UnicodeDecodeError) as exc:
            logger.warning("capture: request %s not captured: %s", request.request_id, exc)
            self._count_dropped(len(request.predictions))
            return
        if not rows:
            return
        if self._sink is not None and _utc_day(rows[0].ts) != self._day:
            self._close_sink()
        sink = self._sink or self._open_sink(rows[0])
        try:
            sink.add(rows)
        except SchemaMismatch:
            self._close_sink()
            self._open_sink(rows[0]).add(rows)
        with self._lock:
            self._captured += len(rows)
        if self.settings.format == "jsonl" and sink is self._sink and sink.size() >= self.settings.rotate_bytes:
            self._close_sink()

    def _open_sink(self, first: CaptureRow) -> CaptureSink:
        self._seq += 1
        extension = "parquet" if self.settings.format == "parquet" else "jsonl"
        path = capture_path(self.settings.folder, first.ts, self._pid, self._seq, extension)
        self._sink = self._sink_factory(path, self.settings.format)
        self._opened_at = self._clock()
        self._day = _utc_day(first.ts)
        return self._sink

    def _close_sink(self) -> None:
        sink, self._sink = self._sink, None
        if sink is not None:
            path = sink.close()
            with self._lock:
                self._files += 1
            logger.debug("capture: wrote %s", path)

    def _rotate_if_old(self) -> None:
        opened = self._opened_at
        if (
            self._sink is not None
            and opened is not None
            and (self._clock() - opened).total_seconds() >= self.settings.rotate_s
        ):
            self._close_sink()

    def _idle_wait(self) -> float:
        """How long the thread may sleep: until the open file is due for rotation by age (at most 1 s)."""
        if self._sink is None or self._opened_at is None:
            return 1.0
        left = self.settings.rotate_s - (self._clock() - self._opened_at).total_seconds()
        return min(1.0, max(0.01, left))

    def _finish(self) -> None:
        try:
            self._close_sink()
        except Exception as exc:  # noqa: BLE001 - logged by _fail; the server is stopping anyway
            self._fail(exc, unwritten=0)

    def _fail(self, exc: Exception, *, unwritten: int) -> None:
        sink, self._sink = self._sink, None
        if sink is not None:
            sink.abandon()
        message = f"{type(exc).__name__}: {exc}"
        with self._lock:
            first = self._error is None
            self._errors += 1
            self._error = self._error or message
            self._stopped = True
            self._dropped += unwritten
        if first:
            logger.error("capture stopped (serving continues): %s", message, exc_info=not isinstance(exc, OSError))

    def _count_dropped(self, rows: int) -> None:
        with self._lock:
            self._dropped += rows


def _utc_day(moment: datetime) -> date:
    return moment.astimezone(timezone.utc).date()
