"""Progress on stderr: ``ProgressPrinter`` for long reads (a bar on a TTY, periodic lines), ``StepPrinter`` for the
steps of a command (one rewritten line on a TTY); both fold their lines in ``::group::`` in GitHub Actions."""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable
from typing import TextIO

from mlgate.text import terminal
from mlgate.text.actions_log import workflow_command


class ProgressPrinter:
    """Callable progress sink ``(path, done, total, rows)`` for the library, rendered to stderr."""

    def __init__(
        self,
        stream: TextIO | None = None,
        *,
        interval: float = 5.0,
        enabled: bool = True,
        clock: Callable[[], float] = time.monotonic,
        actions: bool | None = None,
    ) -> None:
        self.stream = stream or sys.stderr
        self.tty = self.stream.isatty() and os.environ.get("TERM") != "dumb"
        self.actions = os.environ.get("GITHUB_ACTIONS") == "true" if actions is None else actions
        self.interval = 0.1 if self.tty else interval
        self.enabled = enabled
        self.clock = clock
        self.started = clock()
        self.last = self.started
        self.drawn = False
        self.group: str | None = None

    def __call__(self, path: str, done: int, total: int, rows: int) -> None:
        now = self.clock()
        if not self.enabled or now - self.last < self.interval:
            return
        self.last = now
        share = min(done / total, 1.0) if total else 0.0
        path = terminal.escape(path, None)  # a file name is data: shown, never acted on
        if self.tty:
            bar = "█" * int(share * 30) + "░" * (30 - int(share * 30))
            self.stream.write(f"\r  {bar} {share:4.0%}  {rows:,} rows  {path[-40:]}")
            self.drawn = True
        else:
            if self.actions and self.group != path:
                self._end_group()
                self.stream.write(workflow_command("group", f"mlgate: reading {path}") + "\n")
                self.group = path
            self.stream.write(f"  … {path}: {share:.0%} ({rows:,} rows, {now - self.started:.0f} s)\n")
        self.stream.flush()

    def _end_group(self) -> None:
        if self.group is not None:
            self.stream.write("::endgroup::\n")
            self.group = None

    def __enter__(self) -> ProgressPrinter:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Clear the bar or close the log fold."""
        if self.drawn:
            self.stream.write("\r" + " " * 100 + "\r")
            self.drawn = False
        self._end_group()
        self.stream.flush()


class StepPrinter:
    """Progress lines on stderr: one rewritten line on a TTY, plain lines elsewhere, folded in GitHub Actions."""

    def __init__(
        self,
        stream: TextIO | None = None,
        *,
        enabled: bool = True,
        actions: bool | None = None,
        title: str = "mlgate: training",
    ) -> None:
        self.title = title
        self.stream = stream or sys.stderr
        self.tty = self.stream.isatty() and os.environ.get("TERM") != "dumb"
        self.actions = os.environ.get("GITHUB_ACTIONS") == "true" if actions is None else actions
        self.enabled = enabled
        self.opened = False
        self.drawn = False

    def __call__(self, message: str) -> None:
        if not self.enabled:
            return
        message = terminal.escape(message, None)  # the narration names models, files and versions: data
        if self.tty:
            self.stream.write("\r\033[K  " + message[:150])
            self.drawn = True
        else:
            if self.actions and not self.opened:
                self.stream.write(f"::group::{self.title}\n")
                self.opened = True
            self.stream.write(f"  {message}\n")
        self.stream.flush()

    def __enter__(self) -> StepPrinter:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Clear the TTY line or close the log fold."""
        if self.drawn:
            self.stream.write("\r\033[K")
            self.drawn = False
        if self.opened:
            self.stream.write("::endgroup::\n")
            self.opened = False
        self.stream.flush()
