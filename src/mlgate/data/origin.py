"""Whether a dataset is the one reference statistics were computed from, so drift never compares data with itself.

``mlgate schema stats`` records the size and SHA-256 of the bytes it summarised (``ReferenceStats.source_bytes``
and ``source_sha256``). A file is the reference's own source when it holds those same bytes: the size is
compared first, so only a file of the very same size is read and hashed. Statistics without a digest (written
by older versions, or summarised on the fly from a dataset named in the schema) fall back to the path: the
file is the source when it is the same file as ``source`` (a relative ``source`` is tried against the
working folder and each of ``roots``, e.g. the project folder) or the same URI.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from mlgate.data.sources import FilesystemFactory, Location, locate, open_binary


class Reference(Protocol):
    """What is known of the data a reference was computed from (``mlgate.data.stats.ReferenceStats``)."""

    @property
    def source(self) -> str: ...
    @property
    def source_bytes(self) -> int | None: ...
    @property
    def source_sha256(self) -> str | None: ...


@dataclass(frozen=True)
class Fingerprint:
    """A file's size and the SHA-256 of its bytes as stored (not decompressed)."""

    bytes: int
    sha256: str


def fingerprint(uri: str, *, s3: FilesystemFactory | None = None) -> Fingerprint:
    """The fingerprint of the file at ``uri`` (local or s3://)."""
    location = locate(uri, s3=s3)
    return Fingerprint(location.size, _sha256(location, s3))


def find_origin(
    reference: Reference, uri: str, *, roots: Sequence[Path] = (), s3: FilesystemFactory | None = None
) -> str | None:
    """Why ``uri`` is the data ``reference`` was computed from ("same SHA-256", "same file"), or None."""
    if reference.source_sha256 is not None and reference.source_bytes is not None:
        location = locate(uri, s3=s3)
        if location.size != reference.source_bytes:
            return None
        return "same SHA-256" if _sha256(location, s3) == reference.source_sha256 else None
    return "same file" if _same_file(reference.source, uri, roots) else None


def _same_file(source: str, uri: str, roots: Sequence[Path]) -> bool:
    if "://" in source or "://" in uri:
        return source == uri
    target = Path(uri).expanduser()
    given = Path(source).expanduser()
    candidates = [given] if given.is_absolute() else [given, *(root / given for root in roots)]
    for candidate in candidates:
        try:
            if candidate.samefile(target):
                return True
        except OSError:  # either side missing or unreadable: not shown to be the same file
            continue
    return False


def _sha256(location: Location, s3: FilesystemFactory | None) -> str:
    raw = Location(uri=location.uri, format=location.format, gzip=False, size=location.size)
    digest = hashlib.sha256()
    stream = open_binary(raw, s3=s3)
    try:
        while chunk := stream.read(1 << 20):
            digest.update(bytes(chunk))
    finally:
        stream.close()
    return digest.hexdigest()
