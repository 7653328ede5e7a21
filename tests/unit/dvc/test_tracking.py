"""Reading ``.dvc`` files and ``dvc.lock`` (YAML only), DVC's cache layout and its md5."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path

import pytest

from mlgate.dvc.tracking import (
    file_md5,
    find_cache_dir,
    find_cache_object,
    find_dvc_root,
    find_tracking,
    parse_dvc_file,
    parse_lock,
)
from mlgate.errors import InputError

MD5_A = "e5ebd4c02cefbe7955977c67ada242b7"
MD5_B = "0123456789abcdef0123456789abcdef"
DVC_FILE = f"outs:\n- md5: {MD5_A}\n  size: 8\n  hash: md5\n  path: train.csv\n"
LOCK = f"""\
schema: '2.0'
stages:
  prepare:
    cmd: python prepare.py
    deps:
    - path: raw.csv
      hash: md5
      md5: {MD5_B}
    outs:
    - path: data/test.csv
      hash: md5
      md5: {MD5_B}
      size: 12
    - path: data/folder
      hash: md5
      md5: {MD5_A}.dir
"""


def reader(files: dict[str, str]) -> Callable[[str], str | None]:
    return files.get


def test_a_dvc_file_beside_the_dataset_gives_its_hash() -> None:
    tracked = find_tracking("data/train.csv", reader({"data/train.csv.dvc": DVC_FILE}))
    assert tracked is not None
    assert (tracked.path, tracked.md5, tracked.source, tracked.size) == (
        "data/train.csv",
        MD5_A,
        "data/train.csv.dvc",
        8,
    )
    assert tracked.stage is None
    assert not tracked.legacy


def test_a_dvc_lock_output_is_found_from_a_folder_above() -> None:
    tracked = find_tracking("data/test.csv", reader({"dvc.lock": LOCK}))
    assert tracked is not None
    assert (tracked.md5, tracked.source, tracked.stage) == (MD5_B, "dvc.lock", "prepare")


def test_lock_paths_are_relative_to_the_lock_folder() -> None:
    tracked = find_tracking("sub/data/test.csv", reader({"sub/dvc.lock": LOCK}))
    assert tracked is not None
    assert tracked.source == "sub/dvc.lock"
    assert find_tracking("data/test.csv", reader({"sub/dvc.lock": LOCK})) is None


def test_untracked_files_directories_and_deps_are_not_versions() -> None:
    files = {"dvc.lock": LOCK, "data/train.csv.dvc": DVC_FILE}
    assert find_tracking("data/other.csv", reader(files)) is None
    assert find_tracking("raw.csv", reader(files)) is None  # a dependency, not an output
    assert find_tracking("data/folder/part.csv", reader(files)) is None  # inside a tracked directory


def test_a_dvc_2_file_is_legacy() -> None:
    (tracked,) = parse_dvc_file(f"outs:\n- md5: {MD5_A}\n  path: a.csv\n", "data/a.csv.dvc")
    assert tracked.legacy
    assert tracked.path == "data/a.csv"


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("outs: [\n", "not valid YAML|DVC file"),
        ("- just\n- a list\n", "expected a mapping"),
        ("md5: x\n", "no `outs` list"),
        ("outs:\n- size: 3\n", "output 1 has no `path`"),
        ("outs:\n- path: a.csv\n  md5: nothex\n", "malformed md5"),
    ],
)
def test_a_malformed_dvc_file_names_the_file_and_the_fix(text: str, problem: str) -> None:
    with pytest.raises(InputError, match=problem) as caught:
        parse_dvc_file(text, "data/a.csv.dvc")
    assert "data/a.csv.dvc" in str(caught.value)
    assert caught.value.hint is not None
    assert "dvc add" in caught.value.hint


def test_a_malformed_lock_says_to_run_repro() -> None:
    with pytest.raises(InputError, match="stage 'x' has no `outs` list") as caught:
        parse_lock("stages:\n  x: 3\n", "dvc.lock")
    assert caught.value.hint is not None
    assert "dvc repro" in caught.value.hint


def test_cache_dir_and_objects(tmp_path: Path) -> None:
    (tmp_path / ".dvc").mkdir()
    assert find_dvc_root(tmp_path / "data" / "deep") == tmp_path
    assert find_cache_dir(tmp_path) == tmp_path / ".dvc" / "cache"
    (tmp_path / ".dvc" / "config").write_text("[core]\n    remote = x\n[cache]\n    dir = ../shared-cache\n")
    cache = find_cache_dir(tmp_path)
    assert cache == (tmp_path / "shared-cache").resolve()
    assert find_cache_object(cache, MD5_A) is None
    modern = cache / "files" / "md5" / MD5_A[:2] / MD5_A[2:]
    modern.parent.mkdir(parents=True)
    modern.write_bytes(b"a,b\n1,2\n")
    assert find_cache_object(cache, MD5_A) == modern
    legacy = cache / MD5_B[:2] / MD5_B[2:]
    legacy.parent.mkdir(parents=True)
    legacy.write_bytes(b"")
    assert find_cache_object(cache, MD5_B) == legacy


def test_md5_as_dvc_computes_it(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_bytes(b"a,b\r\n1,2\r\n")
    assert file_md5(path) == hashlib.md5(b"a,b\r\n1,2\r\n").hexdigest()
    assert file_md5(path, legacy=True) == hashlib.md5(b"a,b\n1,2\n").hexdigest()  # DVC 2: md5-dos2unix
    binary = tmp_path / "b.bin"
    binary.write_bytes(b"\0\r\n")
    assert file_md5(binary, legacy=True) == hashlib.md5(b"\0\r\n").hexdigest()
