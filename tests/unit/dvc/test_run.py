"""Finding and running the ``dvc`` executable: missing -> the extra that installs it; a timeout -> code 124."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from mlgate.dvc.run import TIMED_OUT, find_dvc, make_dvc_runner
from mlgate.errors import InputError


def make_script(folder: Path, body: str) -> Path:
    folder.mkdir(exist_ok=True)
    script = folder / "dvc"
    script.write_text(f"#!/bin/sh\n{body}\n")
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return script


def test_missing_dvc_names_the_extra(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"the `dvc` command is not installed") as caught:
        find_dvc({"PATH": str(tmp_path)})
    assert "pip install 'mlgate[dvc]'" in (caught.value.hint or "")


def test_runs_the_dvc_on_path_in_the_folder(tmp_path: Path) -> None:
    script = make_script(tmp_path / "bin", 'echo "$@" in "$PWD" "$DVC_NO_ANALYTICS"; echo oops >&2; exit 3')
    assert find_dvc({"PATH": str(script.parent)}) == str(script)
    run = make_dvc_runner({"PATH": str(script.parent)})(["pull", "--", "a.csv"], tmp_path)
    assert (run.returncode, run.stdout, run.stderr) == (3, f"pull -- a.csv in {tmp_path} 1\n", "oops\n")


def test_a_timeout_is_code_124(tmp_path: Path) -> None:
    script = make_script(tmp_path / "bin", "exec /bin/sleep 30")  # killed by the timeout
    run = make_dvc_runner({"PATH": str(script.parent)}, timeout=0.2)(["pull"], tmp_path)
    assert run.returncode == TIMED_OUT
    assert run.stderr == "ERROR: timed out after 0.2s"


def test_uses_os_environ_by_default(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    script = make_script(tmp_path / "bin", "exit 0")
    monkeypatch.setenv("PATH", f"{script.parent}{os.pathsep}/usr/bin")
    assert find_dvc() == str(script)
