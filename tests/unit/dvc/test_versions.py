"""The data version of each dataset: DVC's hash checked against the workspace; missing data stops the run."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from mlgate.config import load_config
from mlgate.dvc.versions import dataset_locations, describe_version, read_data_version, read_data_versions
from mlgate.errors import InputError

DATA = b"a,b\n1,2\n"
MD5 = hashlib.md5(DATA).hexdigest()


def make_project(root: Path, *, data: bytes | None = DATA, cached: bool = False) -> Path:
    (root / ".dvc").mkdir(parents=True)
    (root / "data").mkdir()
    if data is not None:
        (root / "data" / "train.csv").write_bytes(data)
    (root / "data" / "train.csv.dvc").write_text(f"outs:\n- md5: {MD5}\n  size: 8\n  hash: md5\n  path: train.csv\n")
    if cached:
        obj = root / ".dvc" / "cache" / "files" / "md5" / MD5[:2] / MD5[2:]
        obj.parent.mkdir(parents=True)
        obj.write_bytes(DATA)
    (root / "mlgate.yaml").write_text(
        "version: 1\ndata:\n  train: data/train.csv\n  test: data/test.csv\n  datasets: [data/train.csv, s3://b/k.csv]\n"
    )
    return root / "data" / "train.csv"


def test_a_tracked_file_records_dvc_hash(tmp_path: Path) -> None:
    path = make_project(tmp_path)
    version = read_data_version(path)
    assert version is not None
    assert version.tracked.md5 == MD5 == version.workspace_md5
    assert not version.modified
    assert version.to_data() == {
        "md5": MD5,
        "file": str(tmp_path / "data" / "train.csv.dvc"),
        "stage": None,
        "modified": False,
        "workspace_md5": MD5,
    }


def test_an_edited_file_is_modified_since_dvc_add(tmp_path: Path) -> None:
    path = make_project(tmp_path, data=b"a,b\n1,3\n")
    version = read_data_version(path)
    assert version is not None
    assert version.modified
    assert "modified since dvc add/repro" in describe_version(version)


def test_untracked_files_and_folders_without_dvc_have_no_version(tmp_path: Path) -> None:
    (tmp_path / "plain.csv").write_bytes(DATA)
    assert read_data_version(tmp_path / "plain.csv") is None
    make_project(tmp_path / "repo")
    (tmp_path / "repo" / "data" / "other.csv").write_bytes(DATA)
    assert read_data_version(tmp_path / "repo" / "data" / "other.csv") is None


def test_missing_data_not_in_the_cache_says_dvc_pull(tmp_path: Path) -> None:
    path = make_project(tmp_path, data=None)
    with pytest.raises(
        InputError, match=r"train.csv: tracked by .*train.csv.dvc .* missing from the workspace and from the DVC cache"
    ) as caught:
        read_data_version(path)
    assert caught.value.hint is not None
    assert caught.value.hint.startswith("run `dvc pull ")


def test_missing_data_in_the_cache_says_dvc_checkout(tmp_path: Path) -> None:
    path = make_project(tmp_path, data=None, cached=True)
    with pytest.raises(InputError, match=r"missing from the workspace\n") as caught:
        read_data_version(path)
    assert caught.value.hint is not None
    assert caught.value.hint.startswith("run `dvc checkout ")


def test_config_datasets_each_once_without_uris(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    make_project(tmp_path)
    monkeypatch.chdir(tmp_path)
    config = load_config(tmp_path / "mlgate.yaml")
    assert [Path(p).name for p in dataset_locations(config)] == ["train.csv", "test.csv"]
    assert list(read_data_versions(config)) == ["data/train.csv"]  # test.csv is not tracked
