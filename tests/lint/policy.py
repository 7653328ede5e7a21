"""mlgate's own workflow rules, where the linters are looser than the security checklist.

- No ``${{ }}`` expression inside any ``run:`` at all (zizmor flags only the contexts it deems risky):
  values reach scripts through ``env:``.
- Every ``uses:`` that is not local (``./``, ``$/``) or a Docker image is pinned to a full 40-hex commit
  sha and carries a ``# vX.Y.Z`` comment naming the version.
- A workflow sets ``permissions: {}`` at the top, and every job grants its own permissions.
- A reusable workflow (``on: workflow_call``) takes a required ``mlgate-ref`` input, so it installs a
  stated mlgate version (GitHub Enterprise Server cannot infer one).
- ``fromJSON`` of anything but a literal has a fallback (``fromJSON(inputs.models || '[]')``): an empty
  input is not JSON, and a matrix is evaluated even for a job whose ``if:`` is false (act does so).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml

PINNED = re.compile(r"^[\w.-]+/[\w.-]+(/[\w./-]+)?@[0-9a-f]{40}$")
VERSION_COMMENT = re.compile(r"#\s*v\d+(\.\d+)*\b")
FROM_JSON = re.compile(r"fromJSON\(\s*(?P<argument>[^()]*?)\s*\)", re.IGNORECASE)
USES_LINE = re.compile(r"^\s*(-\s+)?uses:\s*['\"]?(?P<ref>[^'\"\s#]+)['\"]?\s*(?P<comment>#.*)?$")


def find_violations(path: Path) -> list[str]:
    """Every rule ``path`` (a workflow or an action.yml) breaks, as ``path: rule: detail`` lines."""
    text = path.read_text(encoding="utf-8")
    document: Any = yaml.safe_load(text)
    if not isinstance(document, dict):
        return [f"{path}: not a YAML mapping"]
    problems = [f"{path}: expression in run: {where}" for where in _runs_with_expressions(document)]
    problems += [f"{path}: {problem}" for problem in _check_uses_lines(text)]
    problems += [f"{path}: {problem}" for problem in _check_from_json(text)]
    if "jobs" in document:
        problems += [f"{path}: {problem}" for problem in _check_workflow(document)]
    return problems


def _steps(document: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    for job_id, job in (document.get("jobs") or {}).items():
        for index, step in enumerate((job or {}).get("steps") or []):
            yield f"jobs.{job_id}.steps[{index}]", step
    runs = document.get("runs") or {}
    for index, step in enumerate(runs.get("steps") or [] if isinstance(runs, dict) else []):
        yield f"runs.steps[{index}]", step


def _runs_with_expressions(document: dict[str, Any]) -> Iterator[str]:
    for where, step in _steps(document):
        if isinstance(step, dict) and "${{" in str(step.get("run", "")):
            yield where


def _check_uses_lines(text: str) -> Iterator[str]:
    for number, line in enumerate(text.splitlines(), start=1):
        match = USES_LINE.match(line)
        if match is None:
            continue
        ref = match["ref"]
        if ref.startswith(("./", "$/", "docker://")):
            continue
        if not PINNED.match(ref):
            yield f"line {number}: {ref} is not pinned to a full commit sha"
        elif not VERSION_COMMENT.search(match["comment"] or ""):
            yield f"line {number}: {ref} has no '# vX.Y.Z' comment naming the pinned version"


def _check_from_json(text: str) -> Iterator[str]:
    for number, line in enumerate(text.splitlines(), start=1):
        for match in FROM_JSON.finditer(line):
            argument = match["argument"]
            if "||" not in argument and not argument.startswith("'"):
                yield f"line {number}: fromJSON({argument}) fails on an empty value: give it a fallback (|| '[]')"


def _check_workflow(document: dict[Any, Any]) -> Iterator[str]:  # YAML keys: a bare `on` is True
    if document.get("permissions") != {}:
        yield "the workflow must set `permissions: {}` at the top"
    for job_id, job in (document.get("jobs") or {}).items():
        if not isinstance(job, dict) or "permissions" not in job:
            yield f"job {job_id} grants no permissions of its own"
    triggers = document.get("on", document.get(True))  # PyYAML reads a bare `on` key as True
    call = triggers.get("workflow_call") if isinstance(triggers, dict) else None
    if isinstance(triggers, dict) and "workflow_call" in triggers:
        ref = ((call or {}).get("inputs") or {}).get("mlgate-ref")
        if not isinstance(ref, dict) or ref.get("required") is not True:
            yield "a reusable workflow must take a required `mlgate-ref` input"
