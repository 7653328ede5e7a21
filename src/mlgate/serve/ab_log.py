"""The A/B log: one JSONL record per invocation answered while a split runs, for ``mlgate ab`` (local target).

The request path (``AbLog.add``) appends a tuple of references under a lock: no encoding, no I/O, never an
exception; past ``limit`` waiting records it drops and counts. One thread writes them every ``linger`` seconds to
``<state>/ab/<UTC day>/ab-<start>-<pid>.jsonl`` (appended, flushed per batch, so a crash loses at most the last
batch and a torn last line is skipped by the reader)::

    {"schema_version": 1, "ts", "request_id", "variant", "version", "ms", "status", "fallback", "predictions"}

``variant`` is ``champion`` or ``challenger``: the one the client was routed to; ``version`` the one that
answered; ``status`` the HTTP status the client got; ``fallback`` is true when the challenger failed and the
champion answered instead (the challenger's failure, invisible to the client: a guardrail counts it). The
predictions let ``mlgate ab decide`` join labels by request id whether or not capture is on.
"""

from __future__ import annotations

import json
import logging
import os
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NamedTuple

from mlgate.clock import utc_now
from mlgate.serve.capture.records import clean_value, format_timestamp
from mlgate.serve.holder import Clock

logger = logging.getLogger("mlgate.serve.ab")

RECORD_VERSION = 1


class AbEntry(NamedTuple):
    """One answered invocation of a split, as the request path hands it over (references only)."""

    at: Any  # datetime
    request_id: str
    variant: str
    version: str
    seconds: float
    status: int
    fallback: bool
    predictions: Sequence[Any] | None

    def to_record(self) -> dict[str, Any]:
        predictions = None if self.predictions is None else [clean_value(p) for p in self.predictions]
        return {
            "schema_version": RECORD_VERSION,
            "ts": format_timestamp(self.at),
            "request_id": self.request_id,
            "variant": self.variant,
            "version": self.version,
            "ms": round(self.seconds * 1000, 3),
            "status": self.status,
            "fallback": self.fallback,
            "predictions": predictions,
        }


class AbLog:
    """Queue split invocations (``add``, any thread) and append them from one background thread."""

    def __init__(self, folder: Path, *, clock: Clock = utc_now, limit: int = 100_000, linger: float = 0.2) -> None:
        self.folder = folder
        self.limit = limit
        self.linger = linger
        self._clock = clock
        self._name = f"ab-{format_timestamp(clock()).replace(':', '').replace('-', '')[:15]}-{os.getpid()}.jsonl"
        self._lock = threading.Lock()
        self._pending: list[AbEntry] = []
        self.written = self.dropped = self.write_errors = 0
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def add(self, entry: AbEntry) -> None:
        """Queue ``entry`` (never raises, never waits on I/O)."""
        with self._lock:
            if len(self._pending) >= self.limit:
                self.dropped += 1
                return
            self._pending.append(entry)
        self._wake.set()

    def start(self) -> None:
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="mlgate-ab-log", daemon=True)
        self._thread.start()

    def close(self, timeout: float = 5.0) -> None:
        """Write what is queued and stop the thread (waiting at most ``timeout`` seconds)."""
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None
        self.flush()

    def flush(self) -> int:
        """Append the queued records now; the number written."""
        with self._lock:
            batch, self._pending = self._pending, []
        if not batch:
            return 0
        by_day: dict[str, list[str]] = {}
        for entry in batch:
            line = json.dumps(entry.to_record(), separators=(",", ":"), allow_nan=False, default=str)
            by_day.setdefault(format_timestamp(entry.at)[:10], []).append(line + "\n")
        for day, lines in by_day.items():
            path = self.folder / day / self._name
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
                with path.open("a", encoding="utf-8") as handle:
                    handle.write("".join(lines))
            except OSError as exc:
                self.write_errors += len(lines)
                logger.error("cannot write the A/B log %s: %s; %d record(s) lost", path, exc.strerror, len(lines))
                continue
            self.written += len(lines)
        return len(batch)

    def _run(self) -> None:
        while not self._stop.is_set():
            self._wake.wait()
            self._wake.clear()
            self._stop.wait(self.linger)  # let a batch gather
            try:
                self.flush()
            except Exception:  # the log must never take the server down; it is logged
                logger.exception("error while writing the A/B log")
