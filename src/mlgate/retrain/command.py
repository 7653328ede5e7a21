"""Running the fetch command: no shell, a working folder, a timeout, output streamed line by line.

``run_command`` is the real ``Runner``; tests pass their own. stdout and stderr are both streamed to
``emit`` as they arrive; the last lines of stderr are kept for the error message. The command starts in a
session (and process group) of its own, and a timeout kills the whole group: an export that started a
helper of its own (``sh -c``, a driver, a ``multiprocessing`` pool) leaves nothing running behind it.
"""

from __future__ import annotations

import collections
import contextlib
import os
import signal
import subprocess
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from mlgate.errors import InputError

Emit = Callable[[str], None]
TAIL_LINES = 5


@dataclass(frozen=True)
class CommandResult:
    """How the command ended: its exit code (None when stopped), whether it timed out, its last stderr lines."""

    returncode: int | None
    stderr_tail: tuple[str, ...] = ()
    timed_out: bool = False


Runner = Callable[[Sequence[str], Path, float, Emit], CommandResult]


def run_command(argv: Sequence[str], cwd: Path, timeout_s: float, emit: Emit) -> CommandResult:
    """Run ``argv`` in ``cwd``; kill it after ``timeout_s`` seconds; stream its output to ``emit``."""
    if not argv:
        raise InputError("retrain.fetch is an empty command", hint="give a program and its arguments")
    try:
        process = subprocess.Popen(
            list(argv),
            cwd=cwd,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            encoding="utf-8",
            errors="replace",
            start_new_session=True,
        )
    except OSError as exc:  # FileNotFoundError, PermissionError: the program cannot be started
        raise InputError(
            f"cannot run the fetch command {argv[0]!r}: {exc.strerror or exc}",
            hint=f"check retrain.fetch; it runs in {cwd} without a shell",
        ) from exc
    tail: collections.deque[str] = collections.deque(maxlen=TAIL_LINES)
    lock = threading.Lock()
    assert process.stdout is not None
    assert process.stderr is not None
    readers = [
        threading.Thread(target=_pump, args=(process.stdout, emit, lock, None), daemon=True),
        threading.Thread(target=_pump, args=(process.stderr, emit, lock, tail), daemon=True),
    ]
    for reader in readers:
        reader.start()
    timed_out = False
    try:
        process.wait(timeout=timeout_s)
    except subprocess.TimeoutExpired:
        timed_out = True
        kill_group(process)
        process.wait()
    for reader in readers:
        reader.join(timeout=5)
    return CommandResult(
        returncode=None if timed_out else process.returncode, stderr_tail=tuple(tail), timed_out=timed_out
    )


def kill_group(process: subprocess.Popen[str]) -> None:
    """SIGKILL the process group ``process`` leads (it was started in a session of its own), then the process."""
    with contextlib.suppress(ProcessLookupError, PermissionError):  # the group is gone already
        os.killpg(process.pid, signal.SIGKILL)
    process.kill()


def _pump(stream: IO[str], emit: Emit, lock: threading.Lock, tail: collections.deque[str] | None) -> None:
    """Forward each line of ``stream`` to ``emit`` (one at a time), keeping stderr's last lines in ``tail``."""
    with stream:
        for raw in stream:
            line = raw.rstrip("\r\n")
            with lock:
                if tail is not None and line.strip():
                    tail.append(line.strip())
                emit(line)
