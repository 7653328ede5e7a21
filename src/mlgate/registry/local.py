"""The ``local`` registry backend: a directory, one lock, atomic writes, append-only history.

Layout (``registry.path``)::

    versions/<n>/version.json   the record (docs/schemas/registry.schema.json); status changes rewrite it atomically
    versions/<n>/model.skops    the version's own copy of the artifact, verified against its SHA-256 when copied
    history.jsonl               one event per line, appended, never rewritten
    .lock                       every write holds it exclusively (``fcntl.flock``), every read shares it

A new version is assembled in a hidden staging folder and renamed to ``versions/<n>`` under the lock, so
readers see a whole version or none, and numbers (1, 2, 3, ...) are never reused or skipped.
"""

from __future__ import annotations

import builtins
import contextlib
import dataclasses
import datetime as dt
import hashlib
import json
import os
import shutil
import uuid
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import BinaryIO

from mlgate.errors import InputError
from mlgate.files import read_text, write_atomic
from mlgate.registry.actor import format_time, utc_now
from mlgate.registry.locking import hold_lock
from mlgate.registry.model import HistoryEvent, ModelVersion, Status, StatusChange, check_status_change
from mlgate.registry.records import event_from_data, event_line, render_version, version_from_data

VERSIONS = "versions"
VERSION_FILE = "version.json"
MODEL_FILE = "model.skops"
HISTORY_FILE = "history.jsonl"
LOCK_FILE = ".lock"
_CHUNK = 1 << 20


class LocalRegistry:
    """A registry in a local folder (see the module docstring); implements ``mlgate.registry.Registry``."""

    def __init__(
        self, root: Path, *, clock: Callable[[], dt.datetime] = utc_now, lock_timeout_s: float = 120.0
    ) -> None:
        self.root = root
        self.clock = clock
        self.lock_timeout_s = lock_timeout_s

    def register(self, version: ModelVersion, artifact_file: Path) -> ModelVersion:
        """Store ``version`` as the next number with a verified copy of ``artifact_file``; history gets ``registered``."""
        with self._lock(exclusive=True):
            number = str(self._last_number() + 1)
            final = self.root / VERSIONS / number
            staging = self.root / VERSIONS / f".staging-{number}-{uuid.uuid4().hex}"
            staging.mkdir(parents=True)
            try:
                _copy_verified(artifact_file, staging / MODEL_FILE, version.sha256)
                first = StatusChange(status="pending", by=version.registered_by, reason="registered",
                                     at=version.registered_at)  # fmt: skip
                stored = dataclasses.replace(
                    version, version=number, artifact=str(final / MODEL_FILE), history=version.history or (first,)
                )
                write_atomic(staging / VERSION_FILE, render_version(stored, artifact=_relative(number)))
                os.rename(staging, final)
            except BaseException:
                shutil.rmtree(staging, ignore_errors=True)
                raise
            _sync_folder(final.parent)
            detail = {"model": stored.model, "sha256": stored.sha256, "commit": stored.commit}
            self._append(HistoryEvent(at=stored.registered_at, event="registered", version=number,
                                      by=stored.registered_by, reason=stored.history[0].reason, detail=detail))  # fmt: skip
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
            write_atomic(self._folder(number) / VERSION_FILE, render_version(updated, artifact=_relative(number)))
            self._append(HistoryEvent(at=at, event=status, version=number, by=change.by, reason=change.reason))
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
            raise InputError(f"registry {self.root}: the artifact of version {version.version} is missing ({path})",
                             hint="the registry folder was changed by hand; register the model again")  # fmt: skip
        return path

    def _lock(self, *, exclusive: bool) -> contextlib.AbstractContextManager[None]:
        return hold_lock(self.root / LOCK_FILE, exclusive=exclusive, timeout_s=self.lock_timeout_s)

    def _folder(self, number: str) -> Path:
        return self.root / VERSIONS / number

    def _numbers(self) -> tuple[str, ...]:
        folder = self.root / VERSIONS
        if not folder.is_dir():
            return ()
        return tuple(sorted((p.name for p in folder.iterdir() if _is_number(p.name) and p.is_dir()), key=int))

    def _last_number(self) -> int:
        numbers = self._numbers()
        return int(numbers[-1]) if numbers else 0

    def _read(self, number: str) -> ModelVersion:
        path = self._folder(number) / VERSION_FILE
        if not path.is_file():
            known = self._numbers()
            hint = (f"known versions: {', '.join(known)}" if known
                    else "the registry is empty: add one with `mlgate registry register --best RESULTS`")  # fmt: skip
            raise InputError(f"registry {self.root} has no version {number}", hint=hint)
        text = read_text(path, what="registry record")
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise InputError(f"{path}:{exc.lineno}: registry record is not valid JSON: {exc.msg}") from exc
        return version_from_data(data, where=str(path), artifact=str(self._folder(number) / MODEL_FILE))

    def _events(self) -> tuple[HistoryEvent, ...]:
        path = self.root / HISTORY_FILE
        if not path.is_file():
            return ()
        events: builtins.list[HistoryEvent] = []
        for line_number, line in enumerate(read_text(path, what="registry history").splitlines(), start=1):
            if not line.strip():
                continue
            where = f"{path}:{line_number}"
            try:
                data = json.loads(line)
            except json.JSONDecodeError as exc:
                raise InputError(f"{where}: history line is not valid JSON: {exc.msg}") from exc
            events.append(event_from_data(data, where=where))
        return tuple(events)

    def _append(self, event: HistoryEvent) -> None:
        path = self.root / HISTORY_FILE
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a", encoding="utf-8") as handle:
            handle.write(event_line(event))
            handle.flush()
            os.fsync(handle.fileno())


def normalize_version(text: str) -> str:
    """``"3"``, ``"v3"`` or ``" 3 "`` -> ``"3"``; anything else is an InputError."""
    value = text.strip()
    value = value[1:] if value[:1] in ("v", "V") else value
    if not _is_number(value) or int(value) < 1:
        shown = text if len(text) <= 40 else f"{text[:20]}…({len(text):,} characters)"
        raise InputError(f"{shown!r} is not a version number",
                         hint="versions are numbered 1, 2, 3, ...; see `mlgate registry list`")  # fmt: skip
    return str(int(value))


def _is_number(text: str) -> bool:
    """ASCII digits only (``str.isdigit`` also takes "²" and other scripts' digits), at most 18 of them."""
    return text.isascii() and text.isdigit() and len(text) <= 18


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
        raise InputError(f"cannot copy model file {source} into the registry: {exc.strerror or exc}") from exc
    actual = digest.hexdigest()
    if actual != sha256.lower():
        raise InputError(
            f"tampered artifact: {source} has SHA-256 {actual[:16]}…, its record says {sha256[:16]}…",
            hint="do not register this file; re-create the results with `mlgate train`",
        )


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
