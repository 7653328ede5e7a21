"""Check the answers before the project is generated; a rejected answer exits 1 and cookiecutter removes the folder.

The answers arrive as JSON data (cookiecutter renders them into the string below with ``jsonify``), never as
Python source, so no answer can run code here.
"""

from __future__ import annotations

import json
import keyword
import re
import sys
from typing import Any

SLUG = re.compile(r"[a-z][a-z0-9-]{1,63}")
PACKAGE = re.compile(r"[a-z][a-z0-9_]{0,63}")
TAG = re.compile(r"v[0-9]+\.[0-9]+\.[0-9]+(?:-[0-9A-Za-z]+(?:\.[0-9A-Za-z]+)*)?")
SHA = re.compile(r"[0-9a-f]{40}")
VERSION_LIKE = re.compile(r"v[0-9]")
BRANCH = re.compile(r"[A-Za-z0-9][A-Za-z0-9._/-]{0,99}")
REPOSITORY = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})/[A-Za-z0-9._-]{1,100}")
NAME_PUNCTUATION = frozenset(" -_.,'()&+:!?")
CHOICES = {
    "task": ("classification", "regression"),
    "deploy_target": ("local", "sagemaker"),
    "python_version": ("3.10", "3.11", "3.12"),
}
# Third-party and tool modules a project package must not shadow (the standard library is checked separately).
TAKEN = frozenset(
    {
        "mlgate", "sklearn", "scipy", "numpy", "pandas", "pyarrow", "skops", "joblib", "threadpoolctl", "xgboost",
        "yaml", "click", "boto3", "botocore", "httpx", "starlette", "uvicorn", "tabulate", "deepdiff", "cookiecutter",
        "jinja2", "pytest", "_pytest", "pluggy", "hypothesis", "setuptools", "pkg_resources", "pip", "wheel",
        "typing_extensions", "tests", "test", "conftest", "src", "data",
    }
)  # fmt: skip
STDLIB = frozenset(getattr(sys, "stdlib_module_names", ()))  # Python 3.10+; cookiecutter may run on older
# SageMaker's scikit-learn serving image that mlgate deploys to (framework_version 1.4-2, tag 1.4-2-cpu-py3) runs
# Python 3.10. The image installs mlgate and scikit-learn with pip on that Python, so a model trained on another
# Python gets another scikit-learn release there and may not load: train where you serve.
SAGEMAKER_PYTHON = "3.10"


def check_slug(slug: str) -> str | None:
    if not SLUG.fullmatch(slug) or slug.endswith("-") or "--" in slug:
        return (
            f"project_slug {slug!r} is not a valid name: use 2-64 lowercase letters, digits and single dashes, "
            "starting with a letter (e.g. churn-model)"
        )
    return None


def check_package(name: str) -> str | None:
    if not PACKAGE.fullmatch(name):
        return (
            f"package_name {name!r} is not a valid package name: use lowercase letters, digits and underscores, "
            "starting with a letter (e.g. churn_model)"
        )
    if keyword.iskeyword(name) or keyword.issoftkeyword(name):
        return f"package_name {name!r} is a Python keyword: choose another name (e.g. {name}_model)"
    if name in STDLIB or name in TAKEN:
        return f"package_name {name!r} would shadow the module of the same name: choose another (e.g. {name}_model)"
    return None


def check_ref(ref: str) -> str | None:
    if TAG.fullmatch(ref) or SHA.fullmatch(ref):
        return None
    # A version-like ref must be a full release tag: a moving tag (v1) or a partial one (v1.2) is not a pin.
    branch_ok = BRANCH.fullmatch(ref) and not VERSION_LIKE.match(ref) and ".." not in ref and "//" not in ref
    if branch_ok and not ref.endswith(("/", ".", ".lock")):
        return None
    return (
        f"mlgate_ref {ref!r} is not a tag (v1.2.3, v1.2.3-rc.1), a 40-character commit sha "
        "or a plain branch name: pin a release tag"
    )


def check_repository(repository: str) -> str | None:
    name = repository.partition("/")[2]
    if not REPOSITORY.fullmatch(repository) or name in (".", ".."):
        return f"mlgate_repository {repository!r} is not a GitHub owner/name (e.g. mlgate/mlgate)"
    return None


def check_project_name(name: str) -> str | None:
    odd = sorted({char for char in name if not (char.isalnum() or char in NAME_PUNCTUATION)})
    if not name.strip() or len(name) > 100 or odd:
        shown = f" (not allowed: {' '.join(odd)!r})" if odd else ""
        return f"project_name must be 1-100 letters, digits, spaces or - _ . , ' ( ) & + : ! ?{shown}"
    return None


def check_choices(answers: dict[str, Any]) -> list[str]:
    problems = [
        f"{key} {answers.get(key)!r} is not one of {', '.join(options)}"
        for key, options in CHOICES.items()
        if answers.get(key) not in options
    ]
    if not isinstance(answers.get("example_data"), bool):
        problems.append(f"example_data {answers.get('example_data')!r} is not a yes/no answer")
    return problems


def check_combination(answers: dict[str, Any]) -> str | None:
    if answers.get("deploy_target") == "sagemaker" and answers.get("python_version") != SAGEMAKER_PYTHON:
        return (
            f"deploy_target sagemaker needs python_version {SAGEMAKER_PYTHON}: SageMaker's scikit-learn image runs "
            f"Python {SAGEMAKER_PYTHON}, and models must be trained on the Python that serves them"
        )
    return None


def find_problems(answers: dict[str, Any]) -> list[str]:
    """Every reason to refuse the answers, one line each (empty: the answers are fine)."""
    texts = {key: answers.get(key) for key in ("project_name", "project_slug", "package_name")}
    texts |= {key: answers.get(key) for key in ("mlgate_ref", "mlgate_repository")}
    wrong_type = [f"{key} must be text, got {value!r}" for key, value in texts.items() if not isinstance(value, str)]
    if wrong_type:
        return wrong_type
    problems = [
        check_project_name(answers["project_name"]),
        check_slug(answers["project_slug"]),
        check_package(answers["package_name"]),
        check_ref(answers["mlgate_ref"]),
        check_repository(answers["mlgate_repository"]),
    ]
    found = [problem for problem in problems if problem is not None] + check_choices(answers)
    combination = check_combination(answers) if not found else None
    return found + ([combination] if combination else [])


def load_answers() -> dict[str, Any]:
    answers: dict[str, Any] = json.loads(
        r"""
{{ cookiecutter | jsonify }}
""".strip()
    )
    return answers


def main() -> int:
    problems = find_problems(load_answers())
    for problem in problems:
        print(f"error: {problem}", file=sys.stderr)  # noqa: T201 - a hook reports on stderr
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
