"""Every valid option combination bakes, through the root selector and through ``--directory``, into a clean project.

The projects are baked once for the module into a hermetic cookiecutter run (tests/e2e/bake.py), then checked:
rendered files, answers and pins, and the offline linters with zero findings. Each linter runs once over all the
projects where it takes many paths (check-jsonschema; zizmor once per distinct ``.github/zizmor.yml``);
actionlint needs a git work tree, so it runs once per project, and once more over a scratch repository holding
every project's callers next to mlgate's own reusable workflows (the remote ``uses:`` rewritten to the local
file) so that it checks each call's inputs and types against the real callee. The projects' own test suites
run in test_project_suites_*.py.
"""

from __future__ import annotations

import functools
import importlib.util
import json
import re
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import tomllib

from e2e.bake import (
    CALLERS,
    EXPRESSION,
    OPTIONS,
    ROOT,
    TEMPLATE,
    Combo,
    Run,
    find_covering_set,
    find_leftovers,
    list_combinations,
    list_files,
    list_valid,
    list_workflows,
    load_yaml,
    read_tree,
    snapshot,
)
from lint.linters import Finding, actionlint, check_schema, stage_repository, zizmor

pytestmark = pytest.mark.slow
VALID = list_valid()
REMOTE = re.compile(r"uses: [\w.-]+/[\w.-]+/(?P<path>\.github/workflows/[\w.-]+\.yml)@\S+")


@dataclass
class Matrix:
    run: Run
    projects: dict[Combo, Path]
    via_root: dict[Combo, Path]
    home_before: set[str]
    home_after: set[str]


@pytest.fixture(scope="module")
def matrix(tmp_path_factory: pytest.TempPathFactory) -> Matrix:
    run = Run(tmp_path_factory.mktemp("bake-matrix"))
    home = Path.home()
    before = snapshot(home)
    projects, via_root = {}, {}
    with run.isolated():
        for combo in VALID:
            answers = combo.answers(run.marker)
            projects[combo] = run.bake(answers, run.folder / "directory")
            via_root[combo] = run.bake(answers, run.folder / "root", directory=None)
    after = snapshot(home)
    for project in projects.values():  # actionlint lints the workflows of a git work tree
        subprocess.run(["git", "init", "--quiet", str(project)], check=True, capture_output=True)
    return Matrix(run, projects, via_root, before, after)


def load_hook() -> ModuleType:
    """hooks/pre_gen_project.py as a module (its answers are only read in main(), so it imports unrendered)."""
    spec = importlib.util.spec_from_file_location("mlgate_template_pre_gen", TEMPLATE / "hooks" / "pre_gen_project.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_hook_rejects_exactly_the_incompatible_combinations() -> None:
    hook = load_hook()
    for combo in list_combinations():
        answers = {**combo.answers(), "mlgate_ref": OPTIONS["mlgate_ref"], "mlgate_repository": "mlgate/mlgate"}
        assert (hook.find_problems(answers) == []) is combo.compatible, combo
    assert len(list_combinations()) == 24
    assert 0 < len(VALID) < 24


def test_the_covering_set_has_every_option_value() -> None:
    covering = find_covering_set(VALID)
    covered = {(key, getattr(combo, key)) for combo in covering for key in ("task", "deploy_target", "python_version")}
    for key in ("task", "deploy_target", "python_version"):
        assert {value for k, value in covered if k == key} == set(OPTIONS[key]), key
    assert {combo.example_data for combo in covering} == {True, False}
    assert all(combo in VALID for combo in covering)
    assert len(covering) <= len(OPTIONS["python_version"]) + 1


def test_every_valid_combination_bakes_the_same_through_both_routes(matrix: Matrix) -> None:
    assert set(matrix.projects) == set(VALID)
    for combo, project in matrix.projects.items():
        assert project.name == f"p-{combo.id}"
        assert read_tree(project) == read_tree(matrix.via_root[combo]), combo.id


def test_no_jinja_is_left_in_any_file(matrix: Matrix) -> None:
    problems = [f"{combo.id}/{p}" for combo, project in matrix.projects.items() for p in find_leftovers(project)]
    assert problems == []
    paths = [p for project in matrix.projects.values() for p in list_files(project)]
    assert not [p for p in paths if "{" in p.as_posix() or "}" in p.as_posix()]


def test_github_expressions_survive_rendering(matrix: Matrix) -> None:
    source = {
        m.group(0)
        for path in (TEMPLATE / "{{cookiecutter.project_slug}}" / ".github" / "workflows").glob("*.yml")
        for m in EXPRESSION.finditer(path.read_text(encoding="utf-8"))
    }
    rendered = {
        m.group(0)
        for project in matrix.projects.values()
        for path in list_workflows(project)
        for m in EXPRESSION.finditer(path.read_text(encoding="utf-8"))
    }
    assert source, "the template's workflows use no GitHub expressions"
    assert rendered == source


def test_every_data_file_parses(matrix: Matrix) -> None:
    for project in matrix.projects.values():
        for path in list_files(project):
            if path.suffix in (".yml", ".yaml"):
                assert isinstance(load_yaml(path), dict), path
            elif path.suffix == ".json":
                json.loads(path.read_text(encoding="utf-8"))
            elif path.suffix == ".toml":
                tomllib.loads(path.read_text(encoding="utf-8"))
            elif path.suffix == ".py":
                compile(path.read_text(encoding="utf-8"), str(path), "exec")


def test_the_layout_follows_the_options(matrix: Matrix) -> None:
    for combo, project in matrix.projects.items():
        package = project.name.replace("-", "_")
        expected = {
            "README.md",
            "mlgate.yaml",
            "pyproject.toml",
            ".cookiecutter.json",
            ".gitignore",
            "data/schema.yaml",
            f"src/{package}/__init__.py",
            f"src/{package}/features.py",
            "tests/test_config.py",
            "tests/test_data.py",
            "tests/test_model.py",
            ".github/zizmor.yml",
            *(f".github/workflows/{name}.yml" for name in CALLERS),
        }
        files = set(read_tree(project))
        assert expected <= files, (combo.id, sorted(expected - files))
        data = {"data/train.csv", "data/test.csv"}
        assert (data <= files) is combo.example_data, combo.id
        assert ("data/README.md" in files) is not combo.example_data, combo.id
        assert not [name for name in files if name.startswith("data/_")], combo.id
        config = load_yaml(project / "mlgate.yaml")
        assert (config["task"], config["deploy"]["target"]) == (combo.task, combo.deploy_target)
        with (project / "pyproject.toml").open("rb") as handle:
            assert tomllib.load(handle)["tool"]["pytest"]["ini_options"]["pythonpath"] == ["src"]


def test_the_answers_are_recorded_for_upgrades(matrix: Matrix) -> None:
    for combo, project in matrix.projects.items():
        recorded = json.loads((project / ".cookiecutter.json").read_text(encoding="utf-8"))
        assert {key: recorded[key] for key in combo.answers(matrix.run.marker)} == combo.answers(matrix.run.marker)
        assert recorded["mlgate_ref"] == OPTIONS["mlgate_ref"]


def test_every_call_pins_the_chosen_ref_and_passes_it_as_mlgate_ref(matrix: Matrix) -> None:
    for combo, project in matrix.projects.items():
        calls = 0
        for path in list_workflows(project):
            for job_id, job in load_yaml(path)["jobs"].items():
                uses = str(job.get("uses", ""))
                if "/.github/workflows/" not in uses:
                    continue
                calls += 1
                repository, _, rest = uses.partition("/.github/workflows/")
                ref = rest.partition("@")[2]
                where = f"{combo.id} {path.name} {job_id}"
                assert (repository, ref) == (OPTIONS["mlgate_repository"], OPTIONS["mlgate_ref"]), where
                assert job["with"]["mlgate-ref"] == ref, where
                assert job["with"]["mlgate-repository"] == repository, where
                if "python-version" in job["with"]:
                    assert job["with"]["python-version"] == combo.python_version, where
        assert calls >= len(CALLERS), combo.id


def test_cookiecutter_leaves_nothing_in_home_or_the_system_temp_dir(matrix: Matrix) -> None:
    assert matrix.home_after == matrix.home_before
    assert matrix.run.leaked() == []
    hooks = list(matrix.run.tmp.glob("tmp*.py"))
    assert hooks, "the hooks' temporary files did not go to the run's temp dir"
    assert any(matrix.run.marker in path.read_text(encoding="utf-8") for path in hooks)
    assert (matrix.run.folder / "replay" / "ml-project.json").is_file()
    assert Path(tempfile.gettempdir()) != matrix.run.tmp


def show(findings: list[Finding]) -> str:
    return "\n".join(map(str, findings))


def all_workflows(matrix: Matrix) -> list[Path]:
    return [
        path.relative_to(matrix.run.folder) for project in matrix.projects.values() for path in list_workflows(project)
    ]


def test_workflows_match_githubs_workflow_schema(matrix: Matrix) -> None:
    findings = check_schema("vendor.github-workflows", all_workflows(matrix), matrix.run.folder)
    findings += check_schema("custom.github-workflows-require-timeout", all_workflows(matrix), matrix.run.folder)
    assert findings == [], show(findings)


def test_zizmor_offline_with_the_projects_own_policy_finds_nothing(matrix: Matrix) -> None:
    groups: dict[str, list[Path]] = {}
    for project in matrix.projects.values():
        policy = (project / ".github" / "zizmor.yml").read_text(encoding="utf-8")
        groups.setdefault(policy, []).append(project)
    findings = []
    for projects in groups.values():
        config = projects[0] / ".github" / "zizmor.yml"
        findings += zizmor([p.relative_to(matrix.run.folder) for p in projects], matrix.run.folder, config=config)
    assert findings == [], show(findings)


def test_zizmor_needs_the_projects_policy_for_the_mlgate_tag(tmp_path: Path, matrix: Matrix) -> None:
    """Without .github/zizmor.yml the ref-pinned mlgate calls are findings: the policy is what clears them."""
    project = next(iter(matrix.projects.values()))
    default = tmp_path / "zizmor.yml"
    default.write_text("rules: {}\n", encoding="utf-8")
    findings = zizmor([project.relative_to(matrix.run.folder)], matrix.run.folder, config=default)
    assert {finding.rule for finding in findings} == {"unpinned-uses"}, show(findings)


def test_actionlint_with_shellcheck_finds_nothing_in_any_project(matrix: Matrix) -> None:
    findings = [finding for project in matrix.projects.values() for finding in actionlint(project)]
    assert findings == [], show(findings)


def test_actionlint_accepts_every_call_against_mlgates_reusable_workflows(tmp_path: Path, matrix: Matrix) -> None:
    files = {path: path.relative_to(ROOT).as_posix() for path in sorted(ROOT.glob(".github/workflows/*.yml"))}
    sources = tmp_path / "callers"
    sources.mkdir()
    for combo, project in matrix.projects.items():
        for path in list_workflows(project):
            local = sources / f"{combo.id}--{path.name}"
            local.write_text(REMOTE.sub(r"uses: ./\g<path>", path.read_text(encoding="utf-8")), encoding="utf-8")
            files[local] = f".github/workflows/{local.name}"
    staged = stage_repository(files, tmp_path / "repo")
    findings = actionlint(staged)
    assert findings == [], show(findings)


@functools.cache
def load_callee(path: str) -> Any:
    return load_yaml(ROOT / path)


def test_each_calling_job_grants_exactly_what_the_called_jobs_need(matrix: Matrix) -> None:
    for combo, project in matrix.projects.items():
        for path in list_workflows(project):
            for job_id, job in load_yaml(path)["jobs"].items():
                called = REMOTE.search(f"uses: {job.get('uses', '')}")
                if called is None:
                    continue
                callee = load_callee(called["path"])
                needed: dict[str, str] = {}
                for callee_job in callee["jobs"].values():
                    needed.update(callee_job["permissions"])
                assert job["permissions"] == needed, f"{combo.id} {path.name} {job_id}"
