"""The merge-base's data version against the head's, by DVC's hash, with rows added and removed."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from mlgate.config import load_config
from mlgate.dvc.changes import DataChange, diff_data_versions
from mlgate.dvc.versions import read_data_versions

OLD = b"a,b\n1,2\n3,4\n"
NEW = b"a,b\n1,2\n5,6\n7,8\n"


def dvc_file(data: bytes) -> str:
    return f"outs:\n- md5: {hashlib.md5(data).hexdigest()}\n  size: {len(data)}\n  hash: md5\n  path: train.csv\n"


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / ".dvc").mkdir()
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "train.csv").write_bytes(NEW)
    (tmp_path / "data" / "train.csv.dvc").write_text(dvc_file(NEW))
    (tmp_path / "mlgate.yaml").write_text("version: 1\ndata: {train: data/train.csv}\n")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def diff(root: Path, base_files: dict[str, str]) -> tuple[DataChange, ...]:
    config = load_config(root / "mlgate.yaml")
    return diff_data_versions(
        config, read_data_versions(config), lambda p: base_files.get(p.relative_to(root).as_posix())
    )


def cache(root: Path, data: bytes) -> None:
    md5 = hashlib.md5(data).hexdigest()
    obj = root / ".dvc" / "cache" / "files" / "md5" / md5[:2] / md5[2:]
    obj.parent.mkdir(parents=True)
    obj.write_bytes(data)


def test_changed_data_counts_rows_when_the_cache_has_the_old_version(project: Path) -> None:
    cache(project, OLD)
    (change,) = diff(project, {"data/train.csv.dvc": dvc_file(OLD)})
    assert (change.status, change.base_md5, change.head_md5) == (
        "changed",
        hashlib.md5(OLD).hexdigest(),
        hashlib.md5(NEW).hexdigest(),
    )
    assert (change.rows_added, change.rows_removed, change.note) == (2, 1, None)


def test_changed_data_without_the_old_version_says_so(project: Path) -> None:
    (change,) = diff(project, {"data/train.csv.dvc": dvc_file(OLD)})
    assert change.status == "changed"
    assert change.rows_added is None
    assert change.note is not None
    assert "not in the DVC cache" in change.note


def test_same_hash_is_unchanged_and_the_lock_counts_too(project: Path) -> None:
    (change,) = diff(project, {"data/train.csv.dvc": dvc_file(NEW)})
    assert change.status == "unchanged"
    assert not change.modified
    lock = "stages:\n  s:\n    outs:\n    - path: data/train.csv\n      md5: " + hashlib.md5(NEW).hexdigest() + "\n"
    (change,) = diff(project, {"dvc.lock": lock})
    assert change.status == "unchanged"


def test_new_untracked_and_unreadable(project: Path) -> None:
    assert diff(project, {})[0].status == "new"
    assert diff(project, {"data/train.csv.dvc": "outs: [\n"})[0].status == "unreadable"
    (project / "data" / "train.csv.dvc").unlink()
    (change,) = diff(project, {"data/train.csv.dvc": dvc_file(OLD)})
    assert (change.status, change.head_md5) == ("untracked", None)


def test_a_modified_workspace_file_is_flagged(project: Path) -> None:
    (project / "data" / "train.csv").write_bytes(NEW + b"9,9\n")
    (change,) = diff(project, {"data/train.csv.dvc": dvc_file(NEW)})
    assert change.status == "unchanged"
    assert change.modified
