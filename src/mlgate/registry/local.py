"""The ``local`` registry backend: a directory, one lock, atomic writes, a crash-safe history.

Layout (``registry.path``)::

    versions/<n>/version.json   the record (docs/schemas/registry.schema.json); status changes rewrite it atomically
    versions/<n>/model.skops    the version's own copy of the artifact, verified against its SHA-256 when copied
    history.jsonl               one event per line, appended (``mlgate.registry.journal``)
    .lock                       every write holds it exclusively (``fcntl.flock``), every read shares it

A new version is assembled in a hidden staging folder and renamed to ``versions/<n>`` under the lock, so
readers see a whole version or none, and numbers (1, 2, 3, ...) are never reused or skipped.

A registration or a status change commits with its history event or not at all: the event is appended
first, then the record is renamed into place (the commit); when that fails the event is cut off again.
A process killed between the two leaves an event whose record never changed: readers ignore it (with a
notice) and the next write cuts it off. A torn last line is dropped the same way.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import errno
import hashlib
import json
import os
import shutil
import uuid
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import BinaryIO

from mlgate import notices
from mlgate.clock import utc_now
from mlgate.errors import InputError
from mlgate.files import read_text, write_atomic
from mlgate.registry.actor import format_time
from mlgate.registry.journal import FULL_DISK_HINT, append_line, cut_back, describe, read_log
from mlgate.registry.locking import hold_lock
from mlgate.registry.model import (
    STATUSES,
    HistoryEvent,
    ModelVersion,
    Status,
    StatusChange,
    check_status_change,
    is_version_number,
    normalize_version,
)
from mlgate.registry.records import event_line, render_version, version_from_data

VERSIONS = "versions"
VERSION_FILE = "version.json"
MODEL_FILE = "model.skops"
HISTORY_FILE = "history.jsonl"
LOCK_FILE = ".lock"
STAGING_PREFIX = ".staging-"
_FULL = (errno.ENOSPC, errno.EFBIG, errno.EDQUOT)  # a full disk, a file-size limit, a quota
_CHUNK = 1 << 20


class LocalRegistry:
    """A registry in a local folder (see the module docstring); implements ``mlgate.registry.Registry``."""

    def __init__(
        self,
        root: Path,
        *,
        clock: Callable[[], dt.datetime] = utc_now,
        lock_timeout_s: float = 120.0,
        notify: Callable[[str], None] = notices.notify,
    ) -> None:
        self.root = root
        self.clock = clock
        self.lock_timeout_s = lock_timeout_s
        self.notify = notify
        self._noted: set[str] = set()

    def register(self, version: ModelVersion, artifact_file: Path) -> ModelVersion:
        """Store ``version`` as the next number with a verified copy of ``artifact_file``; history gets ``registered``."""
        with self._lock(exclusive=True):
            self._remove_staging()
            number = str(self._last_number() + 1)
            final = self.root / VERSIONS / number
            staging = self.root / VERSIONS / f"{STAGING_PREFIX}{number}-{uuid.uuid4().hex}"
            try:
                _writing("the registry folder", staging.parent, lambda: staging.mkdir(parents=True))
                _copy_verified(artifact_file, staging / MODEL_FILE, version.sha256)
                first = StatusChange(
                    status="pending", by=version.registered_by, reason="registered", at=version.registered_at
                )
                stored = dataclasses.replace(
                    version, version=number, artifact=str(final / MODEL_FILE), history=version.history or (first,)
                )
                text = render_version(stored, artifact=_relative(number))
                _writing(
                    "the registry record", final / VERSION_FILE, lambda: write_atomic(staging / VERSION_FILE, text)
                )
                detail = {"model": stored.model, "sha256": stored.sha256, "commit": stored.commit}
                event = HistoryEvent(
                    at=stored.registered_at,
                    event="registered",
                    version=number,
                    by=stored.registered_by,
                    reason=stored.history[0].reason,
                    detail=detail,
                )
                self._commit(event, lambda: os.rename(staging, final), final)
            except BaseException:
                shutil.rmtree(staging, ignore_errors=True)
                raise
            _sync_folder(final.parent)
        return stored

    def get(self, version: str) -> ModelVersion:
        """One version; an unknown one is an InputError naming the known versions."""
        number = normalize_version(version)
        with self._lock(exclusive=False):
            return self._read(number)

    def list(self) -> Sequence[ModelVersion]:
        """Every version, oldest first."""
        with self._lock(exclusive=False):
            return [self._read(number) for number in self._numbers()]

    def set_status(self, version: str, status: Status, *, by: str, reason: str) -> ModelVersion:
        """Record a status change with who, why and when; the same status again changes nothing."""
        check_status_change(version, status, by=by, reason=reason)
        number = normalize_version(version)
        with self._lock(exclusive=True):
            current = self._read(number)
            if current.status == status:
                return current
            at = format_time(self.clock())
            change = StatusChange(status=status, by=by.strip(), reason=reason.strip(), at=at)
            updated = dataclasses.replace(current, history=(*current.history, change))
            path = self._folder(number) / VERSION_FILE
            text = render_version(updated, artifact=_relative(number))
            event = HistoryEvent(at=at, event=status, version=number, by=change.by, reason=change.reason)
            self._commit(event, lambda: write_atomic(path, text), path)
        return updated

    def record(self, event: HistoryEvent) -> None:
        """Append ``event`` (a deploy, a rollback) to the history."""
        with self._lock(exclusive=True):
            self._append(event)

    def history(self, version: str | None = None) -> Sequence[HistoryEvent]:
        """The history, oldest first; of one version when ``version`` is given (an unknown one is an error)."""
        number = None if version is None else normalize_version(version)
        with self._lock(exclusive=False):
            if number is not None:
                self._read(number)
            events = self._events()
        return [e for e in events if number is None or e.version == number]

    def artifact_path(self, version: ModelVersion) -> Path:
        """The registry's own copy of the version's artifact."""
        path = self._folder(normalize_version(version.version)) / MODEL_FILE
        if not path.is_file():
            raise InputError(
                f"registry {self.root}: the artifact of version {version.version} is missing ({path})",
                hint="the registry folder was changed by hand; register the model again",
            )
        return path

    def _lock(self, *, exclusive: bool) -> contextlib.AbstractContextManager[None]:
        return hold_lock(self.root / LOCK_FILE, exclusive=exclusive, timeout_s=self.lock_timeout_s)

    def _folder(self, number: str) -> Path:
        return self.root / VERSIONS / number

    def _numbers(self) -> tuple[str, ...]:
        folder = self.root / VERSIONS
        if not folder.is_dir():
            return ()
        return tuple(sorted((p.name for p in folder.iterdir() if is_version_number(p.name) and p.is_dir()), key=int))

    def _last_number(self) -> int:
        numbers = self._numbers()
        return int(numbers[-1]) if numbers else 0

    def _read(self, number: str) -> ModelVersion:
        path = self._folder(number) / VERSION_FILE
        if not path.is_file():
            known = self._numbers()
            hint = (
                f"known versions: {', '.join(known)}"
                if known
                else "the registry is empty: add one with `mlgate registry register --best RESULTS`"
            )
            raise InputError(f"registry {self.root} has no version {number}", hint=hint)
        text = read_text(path, what="registry record")
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise InputError(f"{path}:{exc.lineno}: registry record is not valid JSON: {exc.msg}") from exc
        return version_from_data(data, where=str(path), artifact=str(self._folder(number) / MODEL_FILE))

    def _events(self) -> tuple[HistoryEvent, ...]:
        path = self.root / HISTORY_FILE
        log = read_log(path)
        entries = list(log.entries)
        for note in log.notes:
            self._note(note)
        if entries and not self._committed(entries[-1].event):
            self._note(
                f"{path}: ignored the last event ({describe(entries.pop().event)}): "
                "the command that wrote it stopped before its change was saved"
            )
        return tuple(entry.event for entry in entries)

    def _commit(self, event: HistoryEvent, change: Callable[[], None], where: Path) -> None:
        """Append ``event``, then make ``change`` (the commit); if the change fails, cut the event off again."""
        history = self.root / HISTORY_FILE
        mark = self._append(event)
        try:
            _writing("the registry record", where, change)
        except BaseException:
            with contextlib.suppress(OSError):  # if even this fails, readers ignore the uncommitted event
                cut_back(history, mark)
            raise

    def _append(self, event: HistoryEvent) -> int:
        """Append ``event`` after cutting off a torn or uncommitted tail; returns the history's size before it."""
        path = self.root / HISTORY_FILE
        log = read_log(path)
        repair_to: int | None = None
        if log.torn_at is not None:
            repair_to = log.torn_at
            self._note(
                f"{path}: cut off a torn last line ({log.size - log.torn_at} bytes) left by an interrupted write"
            )
        elif log.entries and not self._committed(log.entries[-1].event):
            last = log.entries[-1]
            repair_to = last.start
            self._note(
                f"{path}: cut off the last event ({describe(last.event)}): "
                "the command that wrote it stopped before its change was saved"
            )
        newline_first = log.unterminated and repair_to is None
        return append_line(path, event_line(event), repair_to=repair_to, newline_first=newline_first)

    def _committed(self, event: HistoryEvent) -> bool:
        """Whether the change ``event`` records was saved (only registrations and status changes can lag)."""
        number = event.version
        if number is None or not number.isdigit() or (event.event != "registered" and event.event not in STATUSES):
            return True
        path = self._folder(number) / VERSION_FILE
        if event.event == "registered":
            return path.is_file()
        try:
            record = self._read(number)
        except InputError:
            return True  # the record itself is unreadable: keep the event, the record's error is reported where read
        return any((c.status, c.at, c.by) == (event.event, event.at, event.by) for c in record.history)

    def _remove_staging(self) -> None:
        """Staging folders of writers that were killed (only one writer holds the lock: none is in use)."""
        folder = self.root / VERSIONS
        if folder.is_dir():
            for leftover in folder.glob(f"{STAGING_PREFIX}*"):
                shutil.rmtree(leftover, ignore_errors=True)

    def _note(self, message: str) -> None:
        if message not in self._noted:
            self._noted.add(message)
            self.notify(message)


def _relative(number: str) -> str:
    return f"{VERSIONS}/{number}/{MODEL_FILE}"


def _copy_verified(source: Path, target: Path, sha256: str) -> None:
    """Copy ``source`` to ``target`` while hashing it; a digest other than ``sha256`` is a tampered artifact."""
    digest = hashlib.sha256()
    try:
        with source.open("rb") as reader, target.open("wb") as writer:
            for chunk in _chunks(reader):
                digest.update(chunk)
                writer.write(chunk)
            writer.flush()
            os.fsync(writer.fileno())
    except FileNotFoundError as exc:
        raise InputError(f"model file not found: {source}", hint="re-create the results with `mlgate train`") from exc
    except OSError as exc:
        raise InputError(
            f"cannot copy model file {source} into the registry ({target}): {exc.strerror or exc}; nothing was changed",
            hint=FULL_DISK_HINT if exc.errno in _FULL else None,
        ) from exc
    actual = digest.hexdigest()
    if actual != sha256.lower():
        raise InputError(
            f"tampered artifact: {source} has SHA-256 {actual[:16]}…, its record says {sha256[:16]}…",
            hint="do not register this file; re-create the results with `mlgate train`",
        )


def _writing(what: str, path: Path, action: Callable[[], object]) -> None:
    """Run ``action``; an OSError (a full disk, a file-size limit) is an InputError naming ``what`` and ``path``."""
    try:
        action()
    except OSError as exc:
        raise InputError(
            f"cannot write {what} {path}: {exc.strerror or exc}; nothing was changed", hint=FULL_DISK_HINT
        ) from exc


def _chunks(reader: BinaryIO) -> Iterator[bytes]:
    while chunk := reader.read(_CHUNK):
        yield chunk


def _sync_folder(folder: Path) -> None:
    """Make a rename in ``folder`` durable (best effort: not every filesystem allows it)."""
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
