"""An advisory file lock (``fcntl.flock``) that serialises writers of a registry folder.

Writers hold it exclusively; readers share it, so they never see a history line half appended. The
kernel releases it when the process ends, so a crashed writer cannot leave a stale lock behind. Waiting
is bounded: past ``timeout_s`` the caller gets an InputError naming the lock file.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from mlgate.errors import InputError

POLL_S = 0.01


@contextlib.contextmanager
def hold_lock(
    path: Path,
    *,
    exclusive: bool,
    timeout_s: float,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
) -> Iterator[None]:
    """Hold the lock on ``path`` (created for writers; readers skip locking while it does not exist yet)."""
    try:
        if exclusive:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        else:
            fd = os.open(path, os.O_RDONLY)
    except FileNotFoundError:
        yield  # nothing has ever been written: there is nothing to protect a reader from
        return
    except OSError as exc:
        raise InputError(
            f"cannot open the registry lock {path}: {exc.strerror or exc}",
            hint="check that the registry folder exists and is writable",
        ) from exc
    try:
        _acquire(fd, path, fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH, timeout_s, clock, sleep)
        try:
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def _acquire(
    fd: int, path: Path, mode: int, timeout_s: float, clock: Callable[[], float], sleep: Callable[[float], None]
) -> None:
    deadline = clock() + timeout_s
    delay = POLL_S
    while True:
        try:
            fcntl.flock(fd, mode | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            if clock() >= deadline:
                raise InputError(
                    f"the registry is locked by another process (waited {timeout_s:g} s for {path})",
                    hint="another mlgate command is writing to the registry; retry when it has finished",
                ) from None
            sleep(delay)
            delay = min(delay * 2, 0.2)
