"""Bake the cookiecutter template (templates/ml-project) for the e2e tests, hermetically.

Every bake runs cookiecutter's Python API with a config file whose ``cookiecutters_dir`` and ``replay_dir``
lie in the run's own folder, and with ``tempfile.tempdir`` / ``TMPDIR`` pointed at that folder too (cookiecutter
writes each rendered hook to a ``NamedTemporaryFile(delete=False)`` and never removes it), so nothing reaches
the system temp dir or ``$HOME``. ``Run`` records both, so tests can prove it.
"""

from __future__ import annotations

import itertools
import json
import os
import re
import subprocess
import sys
import tempfile
import uuid
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml
from cookiecutter.main import cookiecutter

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE = ROOT / "templates" / "ml-project"
DIRECTORY = "templates/ml-project"
# the workflows a generated project holds, each calling one of mlgate's reusable workflows
CALLERS = (
    "mlgate-pr",
    "mlgate-comment",
    "mlgate-main",
    "mlgate-approve",
    "mlgate-deploy",
    "mlgate-rollback",
    "mlgate-monitor",
    "mlgate-retrain",
    "mlgate-ab",
)
OPTIONS: dict[str, Any] = json.loads((TEMPLATE / "cookiecutter.json").read_text(encoding="utf-8"))
CHOICES = ("task", "deploy_target", "python_version")
# Jinja left over in a rendered file; allows GitHub's ${{ and bash's ${#.
LEFTOVER = re.compile(r"(?<!\$)\{\{|\{%|(?<!\$)\{#")
EXPRESSION = re.compile(r"\$\{\{.*?\}\}")
# The one combination rule the template enforces (hooks/pre_gen_project.py); test_bake_matrix checks that the hook
# agrees with it on every combination, so a new rule must be added here on purpose.
SAGEMAKER_PYTHON = "3.10"


@dataclass(frozen=True)
class Combo:
    """One choice of the template's options (names, repository and ref take their defaults)."""

    task: str
    deploy_target: str
    python_version: str
    example_data: bool

    @property
    def id(self) -> str:
        data = "data" if self.example_data else "nodata"
        return f"{self.task[:5]}-{self.deploy_target}-py{self.python_version.replace('.', '')}-{data}"

    @property
    def compatible(self) -> bool:
        return self.deploy_target != "sagemaker" or self.python_version == SAGEMAKER_PYTHON

    def answers(self, marker: str = "") -> dict[str, Any]:
        """extra_context for cookiecutter: the options plus a slug, package and name derived from the id."""
        slug = f"p-{self.id}"
        return {
            "project_name": f"Bake {self.id} {marker}".strip(),
            "project_slug": slug,
            "package_name": slug.replace("-", "_"),
            "task": self.task,
            "deploy_target": self.deploy_target,
            "python_version": self.python_version,
            "example_data": self.example_data,
        }

    def pairs(self) -> set[tuple[str, object]]:
        return {(key, getattr(self, key)) for key in (*CHOICES, "example_data")}

    def two_way(self) -> set[frozenset[tuple[str, object]]]:
        return {frozenset(pair) for pair in itertools.combinations(sorted(self.pairs(), key=str), 2)}


def list_combinations() -> list[Combo]:
    """Every combination of the choice options and example_data (valid or not), in cookiecutter.json order."""
    tasks, targets, pythons = (OPTIONS[key] for key in CHOICES)
    product = itertools.product(tasks, targets, pythons, [True, False])
    return [Combo(task, target, python, data) for task, target, python, data in product]


def list_valid() -> list[Combo]:
    return [combo for combo in list_combinations() if combo.compatible]


def find_covering_set(combos: Sequence[Combo]) -> list[Combo]:
    """A small subset (greedy) in which every option value that appears in ``combos`` appears at least once.

    Ties go to the combination that adds the most new pairs of values, then to one with example data (its
    suite trains and checks the models), so the few projects whose suites run differ as much as possible.
    """
    wanted = set().union(*(combo.pairs() for combo in combos))
    chosen: list[Combo] = []
    covered: set[tuple[str, object]] = set()
    covered_two_way: set[frozenset[tuple[str, object]]] = set()
    while covered != wanted:
        best = max(combos, key=lambda c: (len(c.pairs() - covered), len(c.two_way() - covered_two_way), c.example_data))
        chosen.append(best)
        covered |= best.pairs()
        covered_two_way |= best.two_way()
    return chosen


@dataclass
class Run:
    """One hermetic cookiecutter session: its folder, config file, temp dir and what it baked."""

    folder: Path
    marker: str = field(default_factory=lambda: f"run-{uuid.uuid4().hex[:12]}")

    @property
    def config(self) -> Path:
        return self.folder / "cookiecutter-config.yaml"

    @property
    def tmp(self) -> Path:
        return self.folder / "tmp"

    @contextmanager
    def isolated(self) -> Iterator[None]:
        """cookiecutter's temporary files and user folders go under ``folder`` while the block runs."""
        self.tmp.mkdir(parents=True, exist_ok=True)
        settings = {"cookiecutters_dir": str(self.folder / "cookiecutters"), "replay_dir": str(self.folder / "replay")}
        self.config.write_text(yaml.safe_dump(settings), encoding="utf-8")
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(tempfile, "tempdir", str(self.tmp))
            patch.setenv("TMPDIR", str(self.tmp))
            yield

    def bake(
        self,
        answers: Mapping[str, Any],
        output: Path,
        template: str = str(ROOT),
        directory: str | None = DIRECTORY,
        checkout: str | None = None,
    ) -> Path:
        """Generate one project (inside ``isolated()``) and return its folder."""
        project = cookiecutter(
            template,
            checkout=checkout,
            no_input=True,
            extra_context=dict(answers),
            output_dir=str(output),
            config_file=str(self.config),
            directory=directory,
        )
        return Path(project)

    def leaked(self) -> list[Path]:
        """Files in the system temp dir that this run's hooks wrote (found by the run's marker)."""
        system = Path(tempfile.gettempdir())
        found = []
        for path in system.glob("tmp*.py"):
            try:
                if self.marker in path.read_text(encoding="utf-8", errors="replace"):
                    found.append(path)
            except OSError:
                continue
        return found


def snapshot(folder: Path) -> set[str]:
    """Every path under ``folder`` (relative), to compare before and after."""
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*")} if folder.is_dir() else set()


def list_files(project: Path) -> list[Path]:
    return sorted(p for p in project.rglob("*") if p.is_file() and ".git" not in p.relative_to(project).parts)


def read_tree(project: Path) -> dict[str, bytes]:
    """Relative path -> content of every file of a baked project (for comparing bakes)."""
    return {p.relative_to(project).as_posix(): p.read_bytes() for p in list_files(project)}


def find_leftovers(project: Path) -> list[str]:
    """``file:line: text`` for every line of a baked project that still holds Jinja syntax."""
    problems = []
    for path in list_files(project):
        text = path.read_text(encoding="utf-8")
        for number, line in enumerate(text.splitlines(), start=1):
            if LEFTOVER.search(line):
                problems.append(f"{path.relative_to(project)}:{number}: {line.strip()}")
    return problems


def list_workflows(project: Path) -> list[Path]:
    return sorted((project / ".github" / "workflows").glob("*.y*ml"))


def load_yaml(path: Path) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def triggers(document: Mapping[Any, Any]) -> Any:
    """A workflow's ``on:`` (PyYAML reads a bare ``on`` key as True)."""
    return document.get("on", document.get(True))


def run_project_tests(project: Path) -> subprocess.CompletedProcess[str]:
    """The generated project's own test suite, run by this interpreter (mlgate from the local checkout)."""
    env = {key: value for key, value in os.environ.items() if not key.startswith(("PYTEST_", "COV_"))}
    argv = [sys.executable, "-m", "pytest", "-q", "-rs", "-p", "no:cacheprovider"]
    return subprocess.run(argv, cwd=project, env=env, capture_output=True, text=True, timeout=600, check=False)
