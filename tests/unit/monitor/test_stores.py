"""Unit tests for mlgate.monitor.stores: listing and reading capture files in a local folder or under an S3 prefix.

The S3 store runs over a pyarrow SubTreeFileSystem on ``tmp_path`` (the same filesystem interface as pyarrow's
S3FileSystem, with ``bucket/prefix/...`` paths); the real S3 filesystem is driven against moto by
tests/integration/test_cli_monitor.py.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyarrow.fs
import pytest

from mlgate.errors import DataError, InputError
from mlgate.monitor.stores import LocalStore, S3Store, open_store


def write_capture(root: Path) -> None:
    for name in ("2026-01-01/a.jsonl", "2026-01-02/b.jsonl", "2026-01-02/c.jsonl.partial"):
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(name + "\n", encoding="utf-8")


def test_stores() -> None:
    assert isinstance(open_store("some/folder"), LocalStore)
    with pytest.raises(InputError, match="only local folders and s3:// prefixes"):
        open_store("gs://bucket/capture")
    with pytest.raises(InputError, match="capture folder not found"):
        LocalStore(Path("/nonexistent/capture")).list_files()


def test_a_local_store_lists_every_file_reads_it_and_gives_its_folders(tmp_path: Path) -> None:
    write_capture(tmp_path)
    store = LocalStore(tmp_path)
    files = store.list_files()
    assert [Path(f).relative_to(tmp_path).as_posix() for f in files] == [
        "2026-01-01/a.jsonl",
        "2026-01-02/b.jsonl",
        "2026-01-02/c.jsonl.partial",
    ]
    assert store.read_bytes(files[0]) == b"2026-01-01/a.jsonl\n"
    assert store.parts(files[1]) == ("2026-01-02",)


def test_a_capture_file_given_as_the_folder_points_at_the_folder_above_its_day(tmp_path: Path) -> None:
    write_capture(tmp_path)
    with pytest.raises(InputError, match="is a file, not a folder") as info:
        LocalStore(tmp_path / "2026-01-01" / "a.jsonl").list_files()
    assert info.value.hint is not None
    assert info.value.hint.endswith(f"--capture {tmp_path}")


def test_a_file_that_vanished_is_a_data_error(tmp_path: Path) -> None:
    with pytest.raises(DataError, match=r"cannot read .*gone\.jsonl: No such file"):
        LocalStore(tmp_path).read_bytes(str(tmp_path / "gone.jsonl"))


def s3_over(root: Path) -> Any:
    return lambda: pyarrow.fs.SubTreeFileSystem(str(root), pyarrow.fs.LocalFileSystem())


def test_an_s3_store_lists_and_reads_the_objects_under_its_prefix(tmp_path: Path) -> None:
    write_capture(tmp_path / "bucket" / "capture")
    store = open_store("s3://bucket/capture/", s3=s3_over(tmp_path))
    assert isinstance(store, S3Store)
    files = store.list_files()
    assert files == [
        "s3://bucket/capture/2026-01-01/a.jsonl",
        "s3://bucket/capture/2026-01-02/b.jsonl",
        "s3://bucket/capture/2026-01-02/c.jsonl.partial",
    ]
    assert store.read_bytes(files[1]) == b"2026-01-02/b.jsonl\n"
    assert store.parts(files[1]) == ("2026-01-02",)
    assert open_store("s3://bucket/nothing-here", s3=s3_over(tmp_path)).list_files() == []


def test_an_s3_object_given_as_the_prefix_points_at_its_folder(tmp_path: Path) -> None:
    write_capture(tmp_path / "bucket" / "capture")
    store = S3Store("s3://bucket/capture/2026-01-01/a.jsonl", s3_over(tmp_path))
    with pytest.raises(InputError, match="is a file, not a folder") as info:
        store.list_files()
    assert (
        info.value.hint
        == "pass the prefix that holds the capture files, e.g. --capture s3://bucket/capture/2026-01-01/"
    )
