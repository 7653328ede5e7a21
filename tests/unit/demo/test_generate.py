"""The bundled template: where it is found (wheel or checkout), and running it through cookiecutter."""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import pytest

from mlgate.demo.generate import (
    BUNDLED,
    CHECKOUT,
    GenerateOptions,
    copy_template,
    find_template,
    generate_project,
    parse_extra,
)
from mlgate.errors import InputError, InternalError

REPO = Path(__file__).resolve().parents[3]

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    tomllib = pytest.importorskip("tomli")


def make_template(folder: Path) -> Path:
    folder.mkdir(parents=True)
    (folder / "cookiecutter.json").write_text("{}", encoding="utf-8")
    return folder


def test_find_template_prefers_the_copy_bundled_in_the_package(tmp_path: Path) -> None:
    package = tmp_path / "site-packages" / "mlgate"
    bundled = make_template(package / BUNDLED)
    assert find_template(package) == bundled


def test_find_template_falls_back_to_the_source_checkout(tmp_path: Path) -> None:
    package = tmp_path / "repo" / "src" / "mlgate"
    package.mkdir(parents=True)
    checkout = make_template(tmp_path / "repo" / CHECKOUT)
    assert find_template(package) == checkout


def test_find_template_without_either_is_a_bug_naming_both_places(tmp_path: Path) -> None:
    package = tmp_path / "src" / "mlgate"
    package.mkdir(parents=True)
    with pytest.raises(InternalError, match=r"project template is missing: looked in .*_template.*templates"):
        find_template(package)


def test_this_checkout_finds_the_repository_template() -> None:
    assert find_template() == REPO / "templates" / "ml-project"


def test_the_wheel_ships_the_template_where_find_template_looks() -> None:
    document = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    mapping = document["tool"]["hatch"]["build"]["targets"]["wheel"]["force-include"]
    assert mapping == {CHECKOUT.as_posix(): f"mlgate/{BUNDLED.as_posix()}"}


@pytest.mark.parametrize(
    ("items", "expected"),
    [((), {}), (("task=regression", "project_name=A = B"), {"task": "regression", "project_name": "A = B"})],
)
def test_parse_extra_reads_key_value_pairs(items: tuple[str, ...], expected: dict[str, str]) -> None:
    assert parse_extra(items) == expected


@pytest.mark.parametrize("item", ["task", "=regression"])
def test_parse_extra_refuses_anything_else(item: str) -> None:
    with pytest.raises(InputError, match="is not KEY=VALUE"):
        parse_extra((item,))


def test_generate_project_without_input_bakes_the_defaults_and_keeps_cookiecutter_files_out_of_home(
    tmp_path: Path,
) -> None:
    home = Path.home()
    before = sorted(p.name for p in home.iterdir()) if home.is_dir() else []
    project = generate_project(
        GenerateOptions(output_dir=tmp_path, no_input=True, extra={"project_name": "Fraud Model"})
    )
    assert project == tmp_path / "fraud-model"
    answers = json.loads((project / ".cookiecutter.json").read_text(encoding="utf-8"))
    assert answers["project_slug"] == "fraud-model"
    assert (project / "mlgate.yaml").is_file()
    after = sorted(p.name for p in home.iterdir()) if home.is_dir() else []
    assert after == before  # no ~/.cookiecutters or ~/.cookiecutter_replay


def test_a_rejected_answer_is_an_input_error_and_leaves_nothing(tmp_path: Path) -> None:
    options = GenerateOptions(output_dir=tmp_path, no_input=True, extra={"project_slug": "Not A Slug"})
    with pytest.raises(InputError, match="the template rejected an answer"):
        generate_project(options)
    assert list(tmp_path.iterdir()) == []


def test_an_existing_project_folder_is_an_input_error_unless_overwriting(tmp_path: Path) -> None:
    (tmp_path / "churn-model").mkdir()
    with pytest.raises(InputError, match=r"cannot generate the project: .*churn-model.* already exists"):
        generate_project(GenerateOptions(output_dir=tmp_path, no_input=True))
    project = generate_project(GenerateOptions(output_dir=tmp_path, no_input=True, overwrite=True))
    assert (project / "mlgate.yaml").is_file()


def test_a_replay_file_answers_the_questions(tmp_path: Path) -> None:
    first = generate_project(GenerateOptions(output_dir=tmp_path / "a", no_input=True, extra={"task": "regression"}))
    replay = tmp_path / "answers.json"
    answers = json.loads((first / ".cookiecutter.json").read_text(encoding="utf-8"))
    replay.write_text(json.dumps({"cookiecutter": answers}), encoding="utf-8")
    again = generate_project(GenerateOptions(output_dir=tmp_path / "b", replay_file=replay))
    assert (again / "mlgate.yaml").read_text(encoding="utf-8") == (first / "mlgate.yaml").read_text(encoding="utf-8")


def test_a_projects_own_answers_file_works_as_a_replay_file(tmp_path: Path) -> None:
    first = generate_project(GenerateOptions(output_dir=tmp_path / "a", no_input=True, extra={"task": "regression"}))
    again = generate_project(GenerateOptions(output_dir=tmp_path / "b", replay_file=first / ".cookiecutter.json"))
    assert (again / "mlgate.yaml").read_text(encoding="utf-8") == (first / "mlgate.yaml").read_text(encoding="utf-8")


@pytest.mark.parametrize(("text", "message"), [("[1]", "JSON object of answers"), ("{", "not valid JSON")])
def test_a_malformed_replay_file_is_an_input_error(tmp_path: Path, text: str, message: str) -> None:
    replay = tmp_path / "answers.json"
    replay.write_text(text, encoding="utf-8")
    with pytest.raises(InputError, match=message):
        generate_project(GenerateOptions(output_dir=tmp_path, replay_file=replay))


def test_a_replay_file_cannot_be_combined_with_answers(tmp_path: Path) -> None:
    replay = tmp_path / "answers.json"
    replay.write_text("{}", encoding="utf-8")
    with pytest.raises(InputError, match="cannot be combined"):
        generate_project(GenerateOptions(output_dir=tmp_path, no_input=True, replay_file=replay))


JUNK_FILES = (
    "hooks/__pycache__/pre_gen_project.cpython-311.pyc",
    "{{cookiecutter.project_slug}}/tests/__pycache__/test_model.cpython-311.pyc",
    "{{cookiecutter.project_slug}}/src/{{cookiecutter.package_name}}/__pycache__/__init__.cpython-311.pyc",
    "{{cookiecutter.project_slug}}/src/{{cookiecutter.package_name}}/stale.pyc",
    "{{cookiecutter.project_slug}}/.pytest_cache/v/cache/lastfailed",
    "{{cookiecutter.project_slug}}/.ruff_cache/CACHEDIR.TAG",
    "{{cookiecutter.project_slug}}/.DS_Store",
)
JUNK_NAMES = {"__pycache__", ".pytest_cache", ".ruff_cache", ".DS_Store"}


def planted_template(folder: Path) -> Path:
    """A copy of this checkout's template with the bytecode and caches an installed or tested one collects."""
    template = folder / "ml-project"
    shutil.copytree(find_template(), template)
    for name in JUNK_FILES:
        (template / name).parent.mkdir(parents=True, exist_ok=True)
        (template / name).write_bytes(b"\x00\x0d\x0d\x0a junk")
    return template


def test_bytecode_and_tool_caches_of_the_template_are_never_copied(tmp_path: Path) -> None:
    template = planted_template(tmp_path / "installed")
    project = generate_project(GenerateOptions(output_dir=tmp_path / "out", no_input=True), template=template)
    left = [p.relative_to(project) for p in project.rglob("*") if JUNK_NAMES & set(p.parts) or p.suffix == ".pyc"]
    assert left == []
    assert (project / "tests" / "test_model.py").is_file()  # the sources around the junk are all there
    assert (template / JUNK_FILES[0]).is_file()  # the installed template itself is left as it was


def test_copy_template_skips_only_the_junk(tmp_path: Path) -> None:
    source = make_template(tmp_path / "source")
    for name in ("a.py", "pkg/__pycache__/a.cpython-311.pyc", "pkg/b.pyc", "pkg/c.pyo", ".mypy_cache/x", "pkg/d.txt"):
        (source / name).parent.mkdir(parents=True, exist_ok=True)
        (source / name).write_text("x", encoding="utf-8")
    copy = copy_template(source, tmp_path / "copy")
    assert sorted(p.relative_to(copy).as_posix() for p in copy.rglob("*") if p.is_file()) == [
        "a.py",
        "cookiecutter.json",
        "pkg/d.txt",
    ]
