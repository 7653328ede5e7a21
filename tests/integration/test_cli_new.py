"""``mlgate new``: bake the bundled template without prompts; rejected answers and existing folders exit 2."""

from __future__ import annotations

import json
import shutil
import zipfile
from pathlib import Path

import pytest

from mlgate.cli import main
from mlgate.demo import generate
from mlgate.demo.generate import BUNDLED, find_template

REPO = Path(__file__).resolve().parents[2]


def test_no_input_bakes_into_the_output_dir_and_says_what_next(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["new", str(tmp_path), "--no-input", "-x", "project_name=Price Model", "-x", "task=regression"])
    out = capsys.readouterr().out
    project = tmp_path / "price-model"
    assert code == 0
    assert f"mlgate: created {project}" in out
    assert f"cd {project}" in out
    assert "mlgate check" in out
    answers = json.loads((project / ".cookiecutter.json").read_text(encoding="utf-8"))
    assert (answers["project_name"], answers["task"]) == ("Price Model", "regression")
    assert "task: regression" in (project / "mlgate.yaml").read_text(encoding="utf-8")


def test_a_rejected_answer_exits_2_with_one_clean_line_and_no_folder(
    tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    code = main(["new", str(tmp_path), "--no-input", "-x", "project_slug=Bad Slug!"])
    err = capfd.readouterr().err
    assert code == 2
    assert "mlgate: error: the template rejected an answer" in err
    assert "project_slug" in err.split("mlgate: error:")[0]  # the hook's own explanation comes first
    assert "Traceback" not in err
    assert list(tmp_path.iterdir()) == []


def test_an_existing_project_folder_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "churn-model").mkdir()
    code = main(["new", str(tmp_path), "--no-input"])
    err = capsys.readouterr().err
    assert code == 2
    assert "already exists" in err
    assert "--overwrite-if-exists" in err
    assert main(["new", str(tmp_path), "--no-input", "--overwrite-if-exists"]) == 0


def test_bytecode_in_the_installed_template_never_reaches_a_new_project(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    installed = tmp_path / "site" / "ml-project"  # as pip leaves it: every .py compiled into __pycache__
    shutil.copytree(find_template(), installed)
    for source in list(installed.rglob("*.py")):
        cache = source.parent / "__pycache__"
        cache.mkdir(exist_ok=True)
        (cache / f"{source.stem}.cpython-311.pyc").write_bytes(b"\xa7\x0d\x0d\x0a compiled")
    (installed / "{{cookiecutter.project_slug}}" / ".pytest_cache").mkdir()
    (installed / "{{cookiecutter.project_slug}}" / ".pytest_cache" / "README.md").write_text("cache", encoding="utf-8")
    monkeypatch.setattr(generate, "find_template", lambda: installed)
    assert main(["new", str(tmp_path / "out"), "--no-input"]) == 0
    project = tmp_path / "out" / "churn-model"
    assert f"mlgate: created {project}" in capsys.readouterr().out
    assert [
        p for p in project.rglob("*") if {"__pycache__", ".pytest_cache"} & set(p.parts) or p.suffix == ".pyc"
    ] == []
    sources = REPO / "templates" / "ml-project" / "{{cookiecutter.project_slug}}" / "tests"
    assert sorted(p.name for p in (project / "tests").iterdir()) == sorted(p.name for p in sources.glob("*.py"))


def test_a_malformed_extra_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["new", str(tmp_path), "--no-input", "-x", "task"]) == 2
    assert "--extra 'task' is not KEY=VALUE" in capsys.readouterr().err


def test_a_built_wheel_carries_the_template_and_finds_it(tmp_path: Path) -> None:
    wheel_builder = pytest.importorskip("hatchling.builders.wheel", reason="hatchling is not installed")
    source = tmp_path / "source"
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        (source / name).write_bytes((REPO / name).read_bytes())
    for name in ("src", "templates"):
        (source / name).symlink_to(REPO / name)
    wheel = Path(next(iter(wheel_builder.WheelBuilder(str(source)).build(directory=str(tmp_path / "dist")))))
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        archive.extractall(tmp_path / "site")
    template = find_template()
    expected = {
        f"mlgate/{BUNDLED.as_posix()}/{p.relative_to(template).as_posix()}"
        for p in template.rglob("*")
        if p.is_file() and "__pycache__" not in p.parts
    }
    assert expected <= names
    assert find_template(tmp_path / "site" / "mlgate") == tmp_path / "site" / "mlgate" / BUNDLED
