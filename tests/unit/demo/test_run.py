"""``prepare_folder``: the demo's folder is a new or empty one (a --dir that holds anything is refused) or a temporary one."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest

from mlgate.demo.run import prepare_folder
from mlgate.errors import InputError


def test_a_new_folder_is_created_and_given_absolute(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    root = prepare_folder(Path("new") / "demo")
    assert root == tmp_path / "new" / "demo"
    assert root.is_dir()


def test_an_empty_folder_is_used(tmp_path: Path) -> None:
    assert prepare_folder(tmp_path) == tmp_path.resolve()


def test_a_folder_that_holds_anything_is_refused_and_left_as_it_is(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("mine\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"--dir .* is not empty"):
        prepare_folder(tmp_path)
    assert [p.name for p in tmp_path.iterdir()] == ["notes.txt"]


def test_without_a_folder_a_new_temporary_one_is_made(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    root = prepare_folder(None)
    assert root.parent == tmp_path
    assert root.name.startswith("mlgate-demo-")
    assert list(root.iterdir()) == []
