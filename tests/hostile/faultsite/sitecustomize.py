"""Test-only fault hook for ``tests/hostile/test_faults.py``: never imported by mlgate itself.

A child process started by the fault tests gets this folder on ``PYTHONPATH`` (after the network guard's
sitecustomize, which runs this one). With ``FAULT_ROOT`` set, every write-like operation under that folder
is an event: opening a file for writing (``open``), ``os.write`` (``write``), ``os.fsync`` (``fsync``), a
rename or replace (``rename``), ``os.mkdir`` (``mkdir``), a truncate (``truncate``), a removal (``remove``).
Each event is logged to ``FAULT_LOG`` (``kind name`` per line), and ``FAULT_AT`` = ``ACTION:KIND:PATTERN:N``
makes the N-th event of KIND whose file name matches PATTERN (``fnmatch``) the fault, or ``ACTION:#:N`` the
N-th event of any kind: ``kill`` sends SIGKILL to the process, ``enospc`` raises ``OSError(ENOSPC)`` as a full
disk does, ``tear`` (for a ``write``) writes the first half of the data, then sends SIGKILL: a process killed in
the middle of a write. Just before acting it appends the event to ``FAULT_FIRED``, so a test can prove its fault happened.
"""

from __future__ import annotations

import errno
import fnmatch
import os
import signal
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from _typeshed import FileDescriptorLike, ReadableBuffer

_ROOT = os.environ.get("FAULT_ROOT")


def _install(root: str) -> None:
    log_path = os.environ.get("FAULT_LOG")
    fired_path = os.environ.get("FAULT_FIRED")
    action, _, rest = os.environ.get("FAULT_AT", "").partition(":")
    if rest.startswith("#:"):
        kind, pattern, nth = "#", "*", int(rest[2:])
    elif rest:
        kind, pattern, number = rest.split(":")
        nth = int(number)
    else:
        kind, pattern, nth = "", "", 0
    counts = {"matched": 0}
    busy = [False]
    original_write, original_fsync, readlink = os.write, os.fsync, os.readlink
    write_flags = os.O_WRONLY | os.O_RDWR

    def note(path: str, line: str) -> None:
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            original_write(fd, (line + "\n").encode("utf-8", "replace"))
        finally:
            os.close(fd)

    def event(what: str, path: object, tear: Callable[[], object] | None = None) -> None:
        if busy[0] or not isinstance(path, str):
            return
        full = os.path.abspath(path)
        if not full.startswith(root):
            return
        busy[0] = True
        try:
            name = os.path.basename(full.rstrip("/"))
            if log_path:
                note(log_path, f"{what} {name}")
            if action and (kind in ("#", what)) and fnmatch.fnmatchcase(name, pattern):
                counts["matched"] += 1
                if counts["matched"] == nth:
                    if fired_path:
                        note(fired_path, f"{action} {what} {name}")
                    if action == "tear" and tear is not None:
                        tear()
                    if action in ("kill", "tear"):
                        os.kill(os.getpid(), signal.SIGKILL)
                    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), full)
        finally:
            busy[0] = False

    def fd_path(fd: int) -> str | None:
        try:
            return readlink(f"/proc/self/fd/{fd}")
        except OSError:
            return None

    def audit(name: str, args: tuple[object, ...]) -> None:
        if name == "open":
            path, mode, flags = args
            writes = (isinstance(mode, str) and any(c in mode for c in "wax+")) or (
                isinstance(flags, int) and flags & write_flags
            )
            if writes:
                event("open", path)
        elif name == "os.rename":
            event("rename", args[0])
        elif name == "os.mkdir":
            event("mkdir", args[0])
        elif name in ("os.remove", "os.rmdir", "shutil.rmtree"):
            event("remove", args[0])
        elif name == "os.truncate":
            target = args[0]
            event("truncate", fd_path(target) if isinstance(target, int) else target)

    def write(fd: int, data: ReadableBuffer) -> int:
        view = memoryview(data)
        event("write", fd_path(fd), tear=lambda: original_write(fd, bytes(view[: max(1, len(view) // 2)])))
        return original_write(fd, data)

    def fsync(fd: FileDescriptorLike) -> None:
        if isinstance(fd, int):
            event("fsync", fd_path(fd))
        original_fsync(fd)

    os.write = write
    os.fsync = fsync
    sys.addaudithook(audit)


if _ROOT:
    _install(os.path.abspath(_ROOT))
