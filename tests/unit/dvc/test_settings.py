"""DVC's settings as messages need them: the default remote and its URL, config.local winning."""

from __future__ import annotations

from pathlib import Path

from mlgate.dvc.settings import Remote, find_remote, read_settings

CONFIG = """\
[core]
    remote = store
['remote "store"']
    url = s3://bucket/dvc
    endpointurl = http://127.0.0.1:9
['remote "other"']
    url = "/srv/other"
"""


def make_repo(tmp_path: Path, config: str, local: str | None = None) -> Path:
    (tmp_path / ".dvc").mkdir()
    (tmp_path / ".dvc" / "config").write_text(config)
    if local is not None:
        (tmp_path / ".dvc" / "config.local").write_text(local)
    return tmp_path


def test_default_remote_and_url(tmp_path: Path) -> None:
    root = make_repo(tmp_path, CONFIG)
    assert find_remote(root) == Remote("store", "s3://bucket/dvc")
    assert find_remote(root, "other") == Remote("other", "/srv/other")
    assert find_remote(root, "store").describe() == "DVC remote 'store' (s3://bucket/dvc)"  # type: ignore[union-attr]


def test_config_local_wins(tmp_path: Path) -> None:
    root = make_repo(tmp_path, CONFIG, "[core]\n    remote = other\n# a comment\n")
    assert find_remote(root) == Remote("other", "/srv/other")
    assert read_settings(root)['remote "store"']["endpointurl"] == "http://127.0.0.1:9"


def test_no_default_remote(tmp_path: Path) -> None:
    root = make_repo(tmp_path, "[core]\n    autostage = true\n")
    assert find_remote(root) is None
    assert find_remote(root, "gone") == Remote("gone", None)
    assert Remote("gone", None).describe() == "DVC remote 'gone'"


def test_no_dvc_folder(tmp_path: Path) -> None:
    assert read_settings(tmp_path) == {}
