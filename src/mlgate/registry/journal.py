"""The local registry's history log (``history.jsonl``): read it whatever a crash left, append to it safely.

A line is one JSON event ending in a newline. An append is one ``write`` on an ``O_APPEND`` descriptor,
then ``fsync``; when it fails part way (a full disk, a file-size limit) the file is cut back to its size
before the append, so a failed append leaves nothing behind. Only a process killed in the middle of the
write can leave a torn last line: the reader drops it (and says so), and the next writer cuts it off
before appending, so no event is ever written onto a torn line. A line that is not an event in the
middle of the file (a torn line an older mlgate appended to) is skipped with a note; an event glued to
its end is recovered.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

from mlgate.errors import InputError
from mlgate.registry.model import HistoryEvent
from mlgate.registry.records import event_from_data

_BOM = b"\xef\xbb\xbf"
_EVENT_START = b'{"at"'
FULL_DISK_HINT = "free some disk space (or raise the file-size limit) and run the command again"


@dataclass(frozen=True)
class Entry:
    """One event read from the log and where its line starts and ends (byte offsets)."""

    event: HistoryEvent
    start: int
    end: int


@dataclass(frozen=True)
class LogRead:
    """What the log holds: its events, what was dropped (one note each) and where a torn tail starts."""

    entries: tuple[Entry, ...]
    notes: tuple[str, ...]
    size: int
    torn_at: int | None  # the offset of a torn last line, if there is one
    unterminated: bool  # the last line is a whole event without its newline (an edit by hand)


def read_log(path: Path) -> LogRead:
    """Read ``path`` (a missing file is an empty log); unreadable lines become notes, never errors."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return LogRead((), (), 0, None, unterminated=False)
    except OSError as exc:
        raise InputError(f"cannot read the registry history {path}: {exc.strerror or exc}") from exc
    offset = len(_BOM) if raw.startswith(_BOM) else 0
    entries: list[Entry] = []
    notes: list[str] = []
    torn_at: int | None = None
    unterminated = False
    line_number = 0
    while offset < len(raw):
        line_number += 1
        newline = raw.find(b"\n", offset)
        end = len(raw) if newline < 0 else newline + 1
        line = raw[offset:end]
        if line.strip():
            where = f"{path}:{line_number}"
            event = _parse(line)
            if event is not None:
                entries.append(Entry(event, offset, end))
                unterminated = newline < 0
            elif newline < 0:
                torn_at = offset
                notes.append(f"{where}: dropped a torn last line ({len(line)} bytes): a write was interrupted")
            else:
                notes.append(_salvage(line, where, offset, entries))
        offset = end
    return LogRead(tuple(entries), tuple(notes), len(raw), torn_at, unterminated)


def append_line(path: Path, line: str, *, repair_to: int | None, newline_first: bool) -> int:
    """Append ``line`` (cutting the file to ``repair_to`` first); returns the size the file had before.

    On failure the file is cut back to that size and an InputError says what could not be written.
    """
    data = ("\n" if newline_first else "") + line
    try:
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    except OSError as exc:
        raise _write_error(path, exc) from exc
    try:
        if repair_to is not None:
            os.ftruncate(fd, repair_to)
        before = os.fstat(fd).st_size
        try:
            _write_all(fd, data.encode("utf-8"))
            os.fsync(fd)
        except BaseException as exc:
            os.ftruncate(fd, before)
            if isinstance(exc, OSError):
                raise _write_error(path, exc) from exc
            raise
        return before
    except OSError as exc:
        raise _write_error(path, exc) from exc
    finally:
        os.close(fd)


def cut_back(path: Path, size: int) -> None:
    """Undo an append: cut ``path`` back to ``size`` bytes (needs no free space)."""
    fd = os.open(path, os.O_WRONLY)
    try:
        os.ftruncate(fd, size)
        os.fsync(fd)
    finally:
        os.close(fd)


def describe(event: HistoryEvent) -> str:
    """``approved version 3 by alice at 2026-…`` for notes about an event."""
    version = f" version {event.version}" if event.version is not None else ""
    text = f"{event.event}{version} by {event.by} at {event.at}"
    return "".join(ch if ch.isprintable() else "?" for ch in text)  # no terminal control from recorded text


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


def _write_error(path: Path, exc: OSError) -> InputError:
    return InputError(
        f"cannot write the registry history {path}: {exc.strerror or exc}; nothing was changed", hint=FULL_DISK_HINT
    )


def _parse(line: bytes) -> HistoryEvent | None:
    try:
        data = json.loads(line.decode("utf-8"))
        return event_from_data(data, where="")
    except (UnicodeDecodeError, json.JSONDecodeError, InputError, RecursionError):
        return None


def _salvage(line: bytes, where: str, offset: int, entries: list[Entry]) -> str:
    """A broken line in the middle: keep an event glued to its end (an append onto a torn line)."""
    start = line.find(_EVENT_START, 1)
    while start > 0:
        event = _parse(line[start:])
        if event is not None:
            entries.append(Entry(event, offset + start, offset + len(line)))
            return f"{where}: dropped {start} bytes of a torn line; kept the event after it ({describe(event)})"
        start = line.find(_EVENT_START, start + 1)
    return f"{where}: dropped a line that is not a history event ({len(line.rstrip())} bytes)"
