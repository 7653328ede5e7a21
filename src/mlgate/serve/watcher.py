"""Watch ``live.json`` and hand every new pointer to the holder, from one background thread (``shadow.json`` the
same way: ``mlgate.serve.shadow.ShadowWatcher``).

Polling (every 0.2 s by default) compares the file's identity (inode, size, mtime, ctime) and then its text, so
an atomic replace, an in-place edit and a rewrite with the same content are all handled; loading happens
in the watcher thread, so requests keep being served by the current model meanwhile. A pointer that
cannot be parsed is reported through the holder and retried only when the file changes again.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path

from mlgate.errors import MlgateError
from mlgate.serve.holder import ModelHolder
from mlgate.serve.state import LIVE_FILE, parse_pointer

logger = logging.getLogger("mlgate.serve")

Signature = tuple[int, int, int, int]


class PointerWatcher:
    """Polls ``<state>/live.json`` and applies changes to a ModelHolder."""

    file_name = LIVE_FILE

    def __init__(self, state: Path, holder: ModelHolder, *, interval: float = 0.2) -> None:
        self.path = state / self.file_name
        self.holder = holder
        self.interval = interval
        self._signature: Signature | None = None
        self._text: str | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def poll(self) -> bool:
        """Check the pointer once; True when it changed and was handed to the holder."""
        try:
            stat = self.path.stat()
        except FileNotFoundError:
            self._signature = None
            if self._text is not None:
                self._text = None
                return self.removed()
            return False
        signature = (stat.st_ino, stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns)
        if signature == self._signature:
            return False
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:  # replaced between stat and read: the next poll sees the new file
            return False
        except OSError as exc:
            self._signature = signature  # reported once; a chmod or a rewrite changes the signature
            self.report(f"cannot read {self.path}: {exc.strerror}")
            return False
        self._signature = signature
        if text == self._text:
            return False
        self._text = text
        try:
            self.handle(text)
        except MlgateError as exc:
            self.report(exc.message)
        return True

    def handle(self, text: str) -> None:
        """A new pointer text: parse it and hand it to the holder."""
        self.holder.apply(parse_pointer(text, where=str(self.path)))

    def report(self, message: str) -> None:
        """A pointer that cannot be read or parsed: the holder keeps serving and shows why."""
        self.holder.report_pointer_error(message)

    def removed(self) -> bool:
        """The file was there and is gone: the live model keeps serving (a deploy never removes live.json)."""
        return False

    def start(self) -> None:
        """Poll in a daemon thread; the first poll is immediate, so a pointer present at startup loads at once."""
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="mlgate-pointer-watcher", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        """Stop polling and wait for a load in progress to finish (up to ``timeout`` seconds)."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.poll()
            except Exception:  # the watcher must outlive any surprise; it is logged
                logger.exception("error while checking %s", self.path)
            self._stop.wait(self.interval)
