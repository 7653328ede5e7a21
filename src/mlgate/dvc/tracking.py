"""Which DVC file tracks a dataset, and the hash DVC recorded for it (the YAML read here; ``dvc`` not needed).

A dataset is tracked when ``<path>.dvc`` beside it lists it as an output (``dvc add``), or when a ``dvc.lock``
in its folder or a folder above it (up to the DVC root, the folder holding ``.dvc/``) lists it among a stage's
``outs`` (``dvc repro``). Paths in a ``.dvc`` file are relative to its folder, in ``dvc.lock`` to the lock's
folder. Only file outputs are matched: a file inside a tracked directory is not followed (its hash is the
directory's listing). Files are read through a ``Reader`` (a DVC-root-relative POSIX path -> text, None when
absent), so the same code reads the workspace and the merge-base (``git cat-file``).
"""

from __future__ import annotations

import hashlib
import posixpath
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mlgate.errors import InputError
from mlgate.files import parse_document

Reader = Callable[[str], "str | None"]
LOCK_FILE = "dvc.lock"
_MD5 = re.compile(r"[0-9a-f]{32}")


@dataclass(frozen=True)
class Tracked:
    """A dataset DVC tracks: its path and DVC's hash of its content, and the file that records it."""

    path: str  # relative to the DVC root, POSIX
    md5: str
    source: str  # the .dvc file or dvc.lock, relative to the DVC root
    legacy: bool = False  # written by DVC 2 (``md5-dos2unix``: CRLF counted as LF in text files)
    stage: str | None = None  # the dvc.lock stage producing it
    size: int | None = None


def find_tracking(path: str, read: Reader) -> Tracked | None:
    """How ``path`` (relative to the DVC root) is tracked, or None; a malformed tracking file is an InputError."""
    own = f"{path}.dvc"
    text = read(own)
    if text is not None:
        found = [t for t in parse_dvc_file(text, own) if t.path == path]
        if found:
            return found[0]
    folder = posixpath.dirname(path)
    while True:
        lock = posixpath.join(folder, LOCK_FILE) if folder else LOCK_FILE
        text = read(lock)
        if text is not None:
            found = [t for t in parse_lock(text, lock) if t.path == path]
            if found:
                return found[0]
        if not folder:
            return None
        folder = posixpath.dirname(folder)


def parse_dvc_file(text: str, label: str) -> list[Tracked]:
    """The outputs of a ``.dvc`` file (paths made relative to the DVC root)."""
    fix = f"restore it (`git checkout -- {label}`) or track the data again with `dvc add`"
    document = _load(text, label, fix)
    outs = document.get("outs")
    if not isinstance(outs, list) or not outs:
        raise InputError(f"{label}: not a valid DVC file: no `outs` list", hint=fix)
    legacy = document.get("hash") != "md5"  # DVC 3 writes ``hash: md5`` on each output (or at the top)
    return list(_outs(outs, label, base=posixpath.dirname(label), legacy=legacy, stage=None, fix=fix))


def parse_lock(text: str, label: str) -> list[Tracked]:
    """The outputs of every stage of a ``dvc.lock`` (paths made relative to the DVC root)."""
    fix = f"run `dvc repro` to write it again, or restore it (`git checkout -- {label}`)"
    document = _load(text, label, fix)
    stages = document.get("stages", {})
    if not isinstance(stages, Mapping):
        raise InputError(f"{label}: not a valid dvc.lock: `stages` is not a mapping", hint=fix)
    found: list[Tracked] = []
    for name, stage in stages.items():
        outs = stage.get("outs", []) if isinstance(stage, Mapping) else None
        if not isinstance(outs, list):
            raise InputError(f"{label}: not a valid dvc.lock: stage {name!r} has no `outs` list", hint=fix)
        found += _outs(outs, label, base=posixpath.dirname(label), legacy=True, stage=str(name), fix=fix)
    return found


def _load(text: str, label: str, fix: str) -> Mapping[str, Any]:
    try:
        document = parse_document(text, Path(label), what="DVC file")
    except InputError as exc:
        raise InputError(exc.message, hint=fix) from exc
    if not isinstance(document, Mapping):
        raise InputError(f"{label}: not a valid DVC file: expected a mapping", hint=fix)
    return document


def _outs(outs: list[Any], label: str, *, base: str, legacy: bool, stage: str | None, fix: str) -> Iterator[Tracked]:
    for number, out in enumerate(outs, start=1):
        if not isinstance(out, Mapping) or not isinstance(out.get("path"), str):
            raise InputError(f"{label}: not a valid DVC file: output {number} has no `path`", hint=fix)
        raw = out["path"]
        if raw.startswith("/") or "://" in raw:
            continue  # an external output: not a file of this repository
        md5 = out.get("md5")
        if md5 is None:
            continue  # a cloud-versioned or not yet computed output: no content hash to record
        if not isinstance(md5, str) or not _MD5.fullmatch(md5.removesuffix(".dir")):
            raise InputError(f"{label}: not a valid DVC file: output {raw!r} has a malformed md5", hint=fix)
        if md5.endswith(".dir"):
            continue  # a directory: its files are not matched (see the module docstring)
        size = out.get("size")
        own_legacy = legacy and out.get("hash") != "md5"
        yield Tracked(
            path=posixpath.normpath(posixpath.join(base, raw)),
            md5=md5,
            source=label,
            legacy=own_legacy,
            stage=stage,
            size=size if isinstance(size, int) and not isinstance(size, bool) else None,
        )


def find_dvc_root(path: Path) -> Path | None:
    """The nearest folder at or above ``path`` holding a ``.dvc/`` folder (the DVC repository)."""
    for folder in (path, *path.parents):
        if (folder / ".dvc").is_dir():
            return folder
    return None


def find_cache_dir(root: Path) -> Path:
    """DVC's local cache: ``cache.dir`` of ``.dvc/config.local`` or ``.dvc/config`` (relative to ``.dvc/``)."""
    for name in ("config.local", "config"):
        try:
            text = (root / ".dvc" / name).read_text(encoding="utf-8")
        except OSError:
            continue
        value = _config_value(text, "cache", "dir")
        if value:
            return (root / ".dvc" / value).resolve()
    return root / ".dvc" / "cache"


def _config_value(text: str, section: str, key: str) -> str | None:
    current = None
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith("[") and stripped.endswith("]"):
            current = stripped[1:-1].strip().strip("'\"")
        elif current == section and "=" in stripped:
            name, _, value = stripped.partition("=")
            if name.strip() == key:
                return value.strip().strip("'\"")
    return None


def find_cache_object(cache: Path, md5: str) -> Path | None:
    """The cached copy of the content ``md5``: ``files/md5/ab/cdef…`` (DVC 3), else ``ab/cdef…`` (DVC 2)."""
    for candidate in (cache / "files" / "md5" / md5[:2] / md5[2:], cache / md5[:2] / md5[2:]):
        if candidate.is_file():
            return candidate
    return None


def file_md5(path: Path, *, legacy: bool = False) -> str:
    """The hash DVC would record for ``path``; ``legacy`` (DVC 2): CRLF read as LF when the file is text."""
    data = path.read_bytes() if legacy else None
    if data is not None and b"\0" not in data[:8192]:
        return hashlib.md5(data.replace(b"\r\n", b"\n"), usedforsecurity=False).hexdigest()
    digest = hashlib.md5(usedforsecurity=False)
    with path.open("rb") as stream:
        while chunk := stream.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()
