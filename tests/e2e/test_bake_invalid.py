"""Invalid answers are refused with a clear message and leave nothing behind; answers are data, never code."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import tomllib
from cookiecutter.exceptions import FailedHookException

from e2e.bake import Combo, Run, list_combinations, load_yaml

pytestmark = pytest.mark.slow
BASE = Combo("classification", "local", "3.11", True)
INCOMPATIBLE = [combo for combo in list_combinations() if not combo.compatible]
HOOK_FAILED = r"Hook script failed \(exit status: 1\)"

# Injection attempts. {marker} becomes an absolute path in the test's folder: the hooks run inside the project
# folder, which a rejected bake removes, so a relative marker could hide a successful injection.
EVIL: list[tuple[str, str]] = [
    ("project_name", 'x"""); __import__("pathlib").Path("{marker}").touch(); ("""'),
    ("project_name", "x'''); __import__('os').system('touch {marker}'); ('''"),
    ("project_name", "$(touch {marker}) `touch {marker}`"),
    ("project_name", r'x\"""); open("{marker}", "w"); ("""'),
    ("package_name", "x; import os; os.system('touch {marker}')"),
    ("mlgate_ref", "$(touch {marker})"),
    ("mlgate_repository", 'a/b"""; open("{marker}", "w"); """'),
]
# Accepted names with characters that need quoting in TOML, YAML and Markdown.
QUIRKY_NAMES = ["O'Brien's model (v2.0) & co: ok? yes!", "Café Übermodell - naive_bayes, 10+"]

REJECTED: dict[str, tuple[dict[str, Any], str]] = {
    "slug with spaces": ({"project_slug": "Bad Slug"}, r"project_slug 'Bad Slug' is not a valid name"),
    "slug starting with a digit": ({"project_slug": "1model"}, r"project_slug '1model' is not a valid name"),
    "slug with a double dash": ({"project_slug": "a--b"}, r"project_slug 'a--b' is not a valid name"),
    "package with a dash": ({"package_name": "my-pkg"}, r"package_name 'my-pkg' is not a valid package name"),
    "package is a keyword": ({"package_name": "class"}, r"package_name 'class' is a Python keyword"),
    "package shadows the stdlib": ({"package_name": "json"}, r"package_name 'json' would shadow the module"),
    "package shadows mlgate": ({"package_name": "mlgate"}, r"package_name 'mlgate' would shadow the module"),
    "ref with a shell command": ({"mlgate_ref": "v1.0.0; rm -rf x"}, r"mlgate_ref 'v1\.0\.0; rm -rf x' is not a tag"),
    "ref with a substitution": ({"mlgate_ref": "$(id)"}, r"mlgate_ref '\$\(id\)' is not a tag"),
    "ref with dots": ({"mlgate_ref": "v1..2"}, r"mlgate_ref 'v1\.\.2' is not a tag"),
    "repository without owner": ({"mlgate_repository": "mlgate"}, r"mlgate_repository 'mlgate' is not a GitHub"),
    "multi-line name": ({"project_name": "a\nb"}, r"project_name must be"),
    **{
        f"incompatible {combo.id}": (combo.answers(), r"deploy_target sagemaker needs python_version 3\.10")
        for combo in INCOMPATIBLE
    },
}


@pytest.fixture
def run(tmp_path: Path) -> Run:
    return Run(tmp_path / "run")


def answers(**changes: Any) -> dict[str, Any]:
    return {**BASE.answers(), **changes}


def is_empty(output: Path) -> bool:
    return not output.exists() or list(output.iterdir()) == []


def test_there_are_incompatible_combinations_to_reject() -> None:
    assert INCOMPATIBLE
    assert all(combo.deploy_target == "sagemaker" for combo in INCOMPATIBLE)


@pytest.mark.parametrize("name", list(REJECTED))
def test_an_invalid_answer_is_refused_and_leaves_no_folder(
    run: Run, capfd: pytest.CaptureFixture[str], name: str
) -> None:
    changes, message = REJECTED[name]
    output = run.folder / "out"
    with run.isolated(), pytest.raises(FailedHookException, match=HOOK_FAILED):
        run.bake(answers(**changes), output)
    err = capfd.readouterr().err
    assert re.search(rf"error: .*{message}", err), err
    assert is_empty(output)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"task": "clustering"}, r"clustering provided for choice variable task"),
        ({"deploy_target": "kubernetes"}, r"kubernetes provided for choice variable deploy_target"),
        ({"python_version": "2.7"}, r"2\.7 provided for choice variable python_version"),
        ({"example_data": "maybe"}, r"maybe provided for variable example_data could not be converted to a boolean"),
    ],
)
def test_an_answer_outside_the_choices_is_refused_before_anything_is_written(
    run: Run, changes: dict[str, Any], message: str
) -> None:
    output = run.folder / "out"
    with run.isolated(), pytest.raises(ValueError, match=message):
        run.bake(answers(**changes), output)
    assert is_empty(output)


@pytest.mark.parametrize(("key", "value"), EVIL, ids=[f"{key}-{index}" for index, (key, _) in enumerate(EVIL)])
def test_an_injection_attempt_runs_no_code(run: Run, tmp_path: Path, key: str, value: str) -> None:
    marker = tmp_path / "pwned"
    answer = value.replace("{marker}", str(marker))
    output = run.folder / "out"
    with run.isolated():
        try:
            project: Path | None = run.bake(answers(**{key: answer}), output)
        except FailedHookException:
            project = None
    assert not marker.exists()
    if project is None:
        assert is_empty(output)
    else:
        assert json.loads((project / ".cookiecutter.json").read_text(encoding="utf-8"))[key] == answer


@pytest.mark.parametrize("name", QUIRKY_NAMES)
def test_a_name_with_quotes_and_symbols_renders_as_data(run: Run, name: str) -> None:
    with run.isolated():
        project = run.bake(answers(project_name=name), run.folder / "out")
    assert json.loads((project / ".cookiecutter.json").read_text(encoding="utf-8"))["project_name"] == name
    with (project / "pyproject.toml").open("rb") as handle:
        assert name in tomllib.load(handle)["project"]["description"]
    assert isinstance(load_yaml(project / "mlgate.yaml"), dict)
    assert name in (project / "README.md").read_text(encoding="utf-8")
