"""docs/actions.md matches the action.yml files, and every action follows mlgate's metadata rules."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "actions.md"
ACTIONS = ["action.yml", *sorted(str(p.relative_to(ROOT)) for p in (ROOT / "actions").glob("*/action.yml"))]
HEADING = re.compile(r"^## .*`(?P<path>(?:actions/[\w-]+/)?action\.yml)`$", re.MULTILINE)
COLORS = {"white", "black", "yellow", "blue", "green", "orange", "red", "purple", "gray-dark"}
# Names a step may give its variables: INPUT_<INPUT NAME>, plus what mlgate and GitHub read. Any other
# MLGATE_* variable would be read by mlgate as a config override (and rejected as an unknown key).
RUNTIME_VARS = {"MLGATE_CONFIG", "GITHUB_TOKEN"}


def load(path: str) -> dict[str, Any]:
    document = yaml.safe_load((ROOT / path).read_text(encoding="utf-8"))
    assert isinstance(document, dict), path
    return document


def doc_sections() -> dict[str, str]:
    """The text under each ``## ... `path/action.yml``` heading, by path."""
    text = DOC.read_text(encoding="utf-8")
    marks = list(HEADING.finditer(text))
    ends = [m.start() for m in marks[1:]] + [len(text)]
    return {m["path"]: text[m.end() : end].split("\n## ", 1)[0] for m, end in zip(marks, ends, strict=True)}


def table(section: str, title: str) -> list[list[str]]:
    """The rows (cells stripped) of the table under ``### title``."""
    body = section.split(f"### {title}\n", 1)[1].split("\n### ", 1)[0]
    rows = [line for line in body.splitlines() if line.startswith("|")]
    return [[cell.strip() for cell in re.split(r"(?<!\\)\|", row)[1:-1]] for row in rows[2:]]


def unquote(cell: str) -> str:
    assert re.fullmatch(r"`[^`]+`", cell), f"expected `code`: {cell!r}"
    return cell[1:-1]


def test_the_doc_has_one_section_per_action() -> None:
    assert sorted(doc_sections()) == sorted(ACTIONS)


@pytest.mark.parametrize("path", ACTIONS)
def test_the_inputs_table_matches_the_action(path: str) -> None:
    inputs = load(path)["inputs"]
    documented = {
        unquote(name): (required, default, description)
        for name, required, default, description in table(doc_sections()[path], "Inputs")
    }
    expected = {
        name: (
            "yes" if spec.get("required") else "no",
            "—" if "default" not in spec else f"`{spec['default']}`" if spec["default"] != "" else '`""`',
            spec["description"],
        )
        for name, spec in inputs.items()
    }
    assert documented == expected


@pytest.mark.parametrize("path", ACTIONS)
def test_the_outputs_table_matches_the_action(path: str) -> None:
    outputs = load(path)["outputs"]
    documented = {unquote(name): description for name, description in table(doc_sections()[path], "Outputs")}
    assert documented == {name: spec["description"] for name, spec in outputs.items()}


@pytest.mark.parametrize("path", ACTIONS)
def test_the_action_metadata_is_complete(path: str) -> None:
    action = load(path)
    assert action["name"].startswith("mlgate")
    assert action["description"]
    assert action["branding"]["icon"]
    assert action["branding"]["color"] in COLORS
    assert action["runs"]["using"] == "composite"
    for name, spec in action["inputs"].items():
        assert spec["description"].endswith((".", ")")), name
        assert spec.get("required") is True or isinstance(spec.get("default"), str), f"{name}: needs a string default"
    for name, spec in action["outputs"].items():
        assert spec["description"], name
        assert spec["value"].startswith("${{ steps."), name


@pytest.mark.parametrize("path", ACTIONS)
def test_inputs_reach_scripts_only_through_named_env_vars(path: str) -> None:
    action = load(path)
    used: set[str] = set()
    for step in action["runs"]["steps"]:
        for var, value in (step.get("env") or {}).items():
            assert var.startswith("INPUT_") or var in RUNTIME_VARS, (
                f"{path}: env {var} is not INPUT_* or {RUNTIME_VARS}"
            )
            match = re.fullmatch(r"\$\{\{ inputs\.([\w-]+) \}\}", str(value))
            if match and var.startswith("INPUT_"):
                assert var == "INPUT_" + match[1].upper().replace("-", "_"), f"{path}: {var} carries {match[1]}"
        used |= set(re.findall(r"inputs\.([\w-]+)", yaml.safe_dump(step)))
    assert used == set(action["inputs"]), f"{path}: declared but unused, or used but undeclared"
