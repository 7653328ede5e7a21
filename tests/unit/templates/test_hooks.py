"""The project template's hooks: rendered with cookiecutter's own Jinja environment, then run in-process.

The answers start from templates/ml-project/cookiecutter.json exactly as ``cookiecutter --no-input`` resolves them
(defaults rendered, extra context applied), so a change of the option contract shows up here.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from cookiecutter.environment import StrictEnvironment
from cookiecutter.generate import generate_context
from cookiecutter.prompt import prompt_for_config

TEMPLATE = Path(__file__).resolve().parents[3] / "templates" / "ml-project"
PRE_GEN = TEMPLATE / "hooks" / "pre_gen_project.py"
POST_GEN = TEMPLATE / "hooks" / "post_gen_project.py"
INJECTION = "x'''); import os; os.system('touch PWNED')  #"


def resolve_answers(**extra: Any) -> dict[str, Any]:
    """The answers ``cookiecutter --no-input key=value...`` would give the hooks."""
    context = generate_context(context_file=str(TEMPLATE / "cookiecutter.json"), extra_context=extra)
    answers: dict[str, Any] = dict(prompt_for_config(context, no_input=True))
    return answers


def render_hook(path: Path, answers: dict[str, Any]) -> str:
    env = StrictEnvironment(context={"cookiecutter": answers}, keep_trailing_newline=True)
    return str(env.from_string(path.read_text(encoding="utf-8")).render(cookiecutter=answers))


def load_hook(path: Path, answers: dict[str, Any]) -> dict[str, Any]:
    """The rendered hook's functions, without running its main block."""
    namespace: dict[str, Any] = {"__name__": "rendered_hook"}
    exec(compile(render_hook(path, answers), str(path), "exec"), namespace)
    return namespace


def run_pre_gen(answers: dict[str, Any]) -> int:
    namespace: dict[str, Any] = {"__name__": "__main__"}
    with pytest.raises(SystemExit, match=r"^[01]$") as stopped:
        exec(compile(render_hook(PRE_GEN, answers), str(PRE_GEN), "exec"), namespace)
    code = stopped.value.code
    assert isinstance(code, int)
    return code


def problems_of(**extra: Any) -> list[str]:
    answers = resolve_answers()
    answers.update(extra)
    find: Callable[[dict[str, Any]], list[str]] = load_hook(PRE_GEN, answers)["find_problems"]
    return find(answers)


def test_the_defaults_are_accepted(capsys: pytest.CaptureFixture[str]) -> None:
    assert run_pre_gen(resolve_answers()) == 0
    assert capsys.readouterr().err == ""


@pytest.mark.parametrize(
    "extra",
    [
        {"task": "regression", "deploy_target": "sagemaker", "python_version": "3.10", "example_data": False},
        {"project_name": "Bob's House-Price Model (v2)", "project_slug": "house-prices2", "package_name": "houses"},
        {"project_name": "Prévision des ventes"},
        {"mlgate_ref": "v1.2.3-rc.1"},
        {"mlgate_ref": "0123456789abcdef0123456789abcdef01234567"},
        {"mlgate_ref": "release/1.x"},
        {"mlgate_repository": "my-org/ml.gate_fork"},
        {"package_name": "case_model"},
    ],
)
def test_valid_answers_are_accepted(extra: dict[str, Any]) -> None:
    assert problems_of(**extra) == []


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        ({"project_slug": "Churn-Model"}, "project_slug 'Churn-Model' is not a valid name"),
        ({"project_slug": "9lives"}, "project_slug '9lives' is not a valid name"),
        ({"project_slug": "a"}, "project_slug 'a' is not a valid name"),
        ({"project_slug": "x" * 65}, "is not a valid name"),
        ({"project_slug": "churn--model"}, "is not a valid name"),
        ({"project_slug": "churn-"}, "is not a valid name"),
        ({"project_slug": "churn model"}, "is not a valid name"),
        ({"package_name": "churn-model"}, "package_name 'churn-model' is not a valid package name"),
        ({"package_name": "Churn"}, "is not a valid package name"),
        ({"package_name": "_private"}, "is not a valid package name"),
        ({"package_name": "class"}, "package_name 'class' is a Python keyword"),
        ({"package_name": "match"}, "package_name 'match' is a Python keyword"),
        ({"package_name": "json"}, "package_name 'json' would shadow the module of the same name"),
        ({"package_name": "sklearn"}, "would shadow the module"),
        ({"package_name": "mlgate"}, "would shadow the module"),
        ({"package_name": "pytest"}, "would shadow the module"),
        ({"package_name": "tests"}, "would shadow the module"),
        ({"mlgate_ref": "v1.2"}, "mlgate_ref 'v1.2' is not a tag"),
        ({"mlgate_ref": "v1"}, "is not a tag"),
        ({"mlgate_ref": "v\u0661.2.3"}, "is not a tag"),
        ({"mlgate_ref": "main branch"}, "is not a tag"),
        ({"mlgate_ref": "v1.0.0'; echo"}, "is not a tag"),
        ({"mlgate_ref": "${{ github.token }}"}, "is not a tag"),
        ({"mlgate_ref": "v1.0.0\nrun: id"}, "is not a tag"),
        ({"mlgate_ref": "feature/../main"}, "is not a tag"),
        ({"mlgate_ref": "-v1.0.0"}, "is not a tag"),
        ({"mlgate_repository": "mlgate"}, "mlgate_repository 'mlgate' is not a GitHub owner/name"),
        ({"mlgate_repository": "a/b/c"}, "is not a GitHub owner/name"),
        ({"mlgate_repository": "owner/.."}, "is not a GitHub owner/name"),
        ({"mlgate_repository": "-owner/name"}, "is not a GitHub owner/name"),
        ({"project_name": ""}, "project_name must be 1-100 letters"),
        ({"project_name": "Two\nLines"}, "not allowed: '\\n'"),
        ({"project_name": 'say """hi"""'}, "not allowed: '\"'"),
        ({"project_name": "{{ 7 * 7 }}"}, "not allowed"),
        ({"task": "clustering"}, "task 'clustering' is not one of classification, regression"),
        ({"deploy_target": "azure"}, "deploy_target 'azure' is not one of local, sagemaker"),
        ({"python_version": "3.9"}, "python_version '3.9' is not one of"),
        ({"example_data": "maybe"}, "example_data 'maybe' is not a yes/no answer"),
        ({"project_slug": 7}, "project_slug must be text, got 7"),
    ],
)
def test_invalid_answers_are_rejected(extra: dict[str, Any], expected: str) -> None:
    problems = problems_of(**extra)
    assert len(problems) >= 1
    assert expected in problems[0]


@pytest.mark.parametrize("python_version", ["3.11", "3.12"])
def test_sagemaker_needs_the_python_of_its_serving_image(python_version: str) -> None:
    problems = problems_of(deploy_target="sagemaker", python_version=python_version)
    assert problems == [
        "deploy_target sagemaker needs python_version 3.10: SageMaker's scikit-learn image runs Python 3.10, "
        "and models must be trained on the Python that serves them"
    ]


def test_a_rejection_exits_1_with_one_line_per_problem(capsys: pytest.CaptureFixture[str]) -> None:
    answers = resolve_answers(project_name="Churn Model")
    answers.update(project_slug="Bad Slug", mlgate_ref="not a ref")
    assert run_pre_gen(answers) == 1
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 2
    assert lines[0].startswith("error: project_slug 'Bad Slug'")
    assert lines[1].startswith("error: mlgate_ref 'not a ref'")


@pytest.mark.parametrize("field", ["project_name", "project_slug", "package_name", "mlgate_ref", "mlgate_repository"])
@pytest.mark.parametrize(
    "payload",
    [
        INJECTION,
        'x"""); __import__("pathlib").Path("PWNED").touch(); ("""',
        "x\\\"\"\"); __import__('pathlib').Path('PWNED').touch() #",
    ],
)
def test_answers_are_data_never_code(
    field: str, payload: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    answers = resolve_answers()
    answers[field] = payload
    assert run_pre_gen(answers) == 1
    assert not (tmp_path / "PWNED").exists()
    assert field in capsys.readouterr().err
    loaded: Callable[[], dict[str, Any]] = load_hook(PRE_GEN, answers)["load_answers"]
    assert loaded()[field] == payload


def make_skeleton(root: Path) -> None:
    """The files of the template that post_gen_project arranges (contents are irrelevant to it)."""
    for task in ("classification", "regression"):
        (root / "data" / "_schemas").mkdir(parents=True, exist_ok=True)
        (root / "data" / "_schemas" / f"{task}.yaml").write_text(f"# {task} schema\n", encoding="utf-8")
        examples = root / "data" / "_examples" / task
        examples.mkdir(parents=True)
        for name in ("train.csv", "test.csv", "reference-stats.json"):
            (examples / name).write_text(f"{task} {name}\n", encoding="utf-8")
    (root / "data" / "README.md").write_text("add data\n", encoding="utf-8")
    (root / "aws").mkdir()
    (root / "aws" / "deploy-role.policy.json").write_text("{}\n", encoding="utf-8")


def listing(root: Path) -> set[str]:
    return {path.relative_to(root).as_posix() for path in root.rglob("*") if path.is_file()}


@pytest.mark.parametrize("task", ["classification", "regression"])
@pytest.mark.parametrize("deploy_target", ["local", "sagemaker"])
@pytest.mark.parametrize("example_data", [True, False])
def test_post_gen_keeps_only_what_applies(
    task: str, deploy_target: str, example_data: bool, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_skeleton(tmp_path)
    answers = resolve_answers(task=task, deploy_target=deploy_target, python_version="3.10")
    answers["example_data"] = example_data
    monkeypatch.chdir(tmp_path)
    exec(compile(render_hook(POST_GEN, answers), str(POST_GEN), "exec"), {"__name__": "__main__"})
    expected = {"data/schema.yaml"}
    expected |= {f"data/{n}" for n in ("train.csv", "test.csv", "reference-stats.json")} if example_data else set()
    expected |= set() if example_data else {"data/README.md"}
    expected |= {"aws/deploy-role.policy.json"} if deploy_target == "sagemaker" else set()
    assert listing(tmp_path) == expected
    assert (tmp_path / "data" / "schema.yaml").read_text(encoding="utf-8") == f"# {task} schema\n"
    if example_data:
        assert (tmp_path / "data" / "train.csv").read_text(encoding="utf-8") == f"{task} train.csv\n"


def test_the_answers_file_records_every_prompted_answer() -> None:
    answers = resolve_answers(task="regression", example_data="no")
    template = TEMPLATE / "{{cookiecutter.project_slug}}" / ".cookiecutter.json"
    recorded = json.loads(render_hook(template, answers))
    prompted = {
        key for key in json.loads((TEMPLATE / "cookiecutter.json").read_text(encoding="utf-8")) if key[0] != "_"
    }
    assert {key: recorded[key] for key in prompted} == {key: answers[key] for key in prompted}
    assert recorded["example_data"] is False
