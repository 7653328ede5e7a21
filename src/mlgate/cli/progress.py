"""Progress for long steps: a bar on a TTY, periodic lines in CI logs, nothing when quiet."""

from __future__ import annotations

import os
import sys
import time
from typing import TextIO


class ProgressPrinter:
    """Callable progress sink: ``(path, done, total, rows)`` from the library, rendered to stderr."""

    def __init__(self, stream: TextIO | None = None, *, interval: float = 5.0, enabled: bool = True) -> None:
        self.stream = stream or sys.stderr
        self.tty = self.stream.isatty() and os.environ.get("TERM") != "dumb"
        self.interval = interval if not self.tty else 0.1
        self.enabled = enabled
        self.started = time.monotonic()
        self.last = 0.0
        self.drawn = False

    def __call__(self, path: str, done: int, total: int, rows: int) -> None:
        now = time.monotonic()
        if not self.enabled or now - self.last < self.interval or now - self.started < 1.0:
            return
        self.last = now
        share = min(done / total, 1.0) if total else 0.0
        if self.tty:
            bar = "█" * int(share * 30) + "░" * (30 - int(share * 30))
            self.stream.write(f"\r  {bar} {share:4.0%}  {rows:,} rows  {path[-40:]}")
            self.drawn = True
        else:
            self.stream.write(f"  … {path}: {share:.0%} ({rows:,} rows, {now - self.started:.0f} s)\n")
        self.stream.flush()

    def close(self) -> None:
        if self.drawn:
            self.stream.write("\r" + " " * 100 + "\r")
            self.stream.flush()
