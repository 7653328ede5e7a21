"""Whether a dataset is the reference statistics' own source: by size and SHA-256, else by path."""

from __future__ import annotations

import gzip
import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

import pytest

from mlgate.data.origin import find_origin, fingerprint

DATA = b"id,x\n1,2\n3,4\n"


@dataclass(frozen=True)
class Stats:
    source: str
    source_bytes: int | None = None
    source_sha256: str | None = None


def write(path: Path, data: bytes = DATA) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def test_the_fingerprint_is_the_size_and_digest_of_the_stored_bytes(tmp_path: Path) -> None:
    found = fingerprint(str(write(tmp_path / "a.csv")))
    assert (found.bytes, found.sha256) == (len(DATA), hashlib.sha256(DATA).hexdigest())
    packed = gzip.compress(DATA)
    assert fingerprint(str(write(tmp_path / "a.csv.gz", packed))).sha256 == hashlib.sha256(packed).hexdigest()


def test_the_same_bytes_anywhere_are_the_source_and_other_bytes_are_not(tmp_path: Path) -> None:
    stats = Stats("elsewhere/train.csv", len(DATA), hashlib.sha256(DATA).hexdigest())
    assert find_origin(stats, str(write(tmp_path / "copy.csv"))) == "same SHA-256"
    assert find_origin(stats, str(write(tmp_path / "other.csv", DATA.replace(b"4", b"5")))) is None  # same size
    assert find_origin(stats, str(write(tmp_path / "longer.csv", DATA + b"5,6\n"))) is None


def test_a_changed_file_at_the_source_path_is_checked_when_the_digest_is_known(tmp_path: Path) -> None:
    train = write(tmp_path / "data" / "train.csv", DATA + b"5,6\n")  # the PR edited the training data
    stats = Stats(str(train), len(DATA), hashlib.sha256(DATA).hexdigest())
    assert find_origin(stats, str(train)) is None


def test_without_a_digest_the_same_file_is_the_source(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    project = tmp_path / "project"
    train = write(project / "data" / "train.csv")
    write(project / "data" / "test.csv")
    monkeypatch.chdir(tmp_path)
    relative = Stats("data/train.csv")  # written from inside the project folder
    assert find_origin(relative, str(train), roots=(project,)) == "same file"
    assert find_origin(relative, "project/data/train.csv", roots=(project,)) == "same file"
    assert find_origin(relative, str(train)) is None  # not relative to the working folder, and no root given
    assert find_origin(relative, str(project / "data" / "test.csv"), roots=(project,)) is None
    assert find_origin(Stats(str(train)), "project/data/train.csv") == "same file"
    os.symlink(train, tmp_path / "link.csv")
    assert find_origin(Stats(str(train)), str(tmp_path / "link.csv")) == "same file"
    assert find_origin(Stats(str(tmp_path / "gone.csv")), str(train)) is None


def test_without_a_digest_uris_must_match_exactly() -> None:
    assert find_origin(Stats("s3://bucket/train.csv"), "s3://bucket/train.csv") == "same file"
    assert find_origin(Stats("s3://bucket/train.csv"), "s3://bucket/test.csv") is None
    assert find_origin(Stats("data/train.csv"), "s3://bucket/data/train.csv") is None
