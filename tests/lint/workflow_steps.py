"""Read mlgate's reusable workflows and run their pieces the way GitHub would, for the workflow tests.

``load`` parses a workflow of .github/workflows (once per test session); ``JobContext`` evaluates a job-level
``if:`` over ``needs.*`` and typed inputs; ``run_step`` runs one step's ``run:`` script with bash
(``-eo pipefail``, as GitHub does) against stand-ins for ``mlgate`` and ``curl`` (and ``python`` on request) that
record their arguments and the ``MLGATE_*`` / ``MLFLOW_*`` / ``GITHUB_TOKEN`` variables they were given, and exit
with ``FAKE_EXIT``.
"""

from __future__ import annotations

import functools
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from actions_harness import BASH, Context, Value
from lint.linters import load as read_yaml

ROOT = Path(__file__).resolve().parents[2]
WORKFLOWS = ROOT / ".github" / "workflows"
# mlgate's reusable workflows (`on: workflow_call`), each documented with a caller in docs/workflows.md
REUSABLE = (
    "pr-check.yml",
    "main-results.yml",
    "pr-comment.yml",
    "register.yml",
    "approve.yml",
    "deploy.yml",
    "rollback.yml",
    "monitor.yml",
    "retrain.yml",
    "ab.yml",
)
# the run's ``github`` context
GITHUB = {"actor": "octocat", "token": "ghs_token", "ref_name": "main", "server_url": "https://ghe.example"}
TOOLS = ("mlgate", "curl")
RECORDER = """#!/usr/bin/env bash
printf '%s\\n' "$@" > "$FAKE_LOG/$(basename "$0").args"
env | grep -E '^(MLGATE_|MLFLOW_|GITHUB_TOKEN=)' | sort > "$FAKE_LOG/$(basename "$0").env"
if [ -n "${FAKE_OUTCOME:-}" ]; then echo "outcome=$FAKE_OUTCOME" >> "$GITHUB_OUTPUT"; fi
exit "${FAKE_EXIT:-0}"
"""


@functools.cache
def load_document(path: Path) -> dict[Any, Any]:
    """A YAML file that must hold a mapping (a workflow or an action's metadata), parsed once."""
    document = read_yaml(path)
    assert isinstance(document, dict), path
    return document


def load(name: str) -> dict[Any, Any]:
    """The workflow .github/workflows/NAME."""
    return load_document(WORKFLOWS / name)


def triggers_of(workflow: Mapping[Any, Any]) -> Any:
    """The ``on:`` mapping (PyYAML reads a bare ``on`` key as True)."""
    return workflow["on"] if "on" in workflow else workflow[True]


def inputs_of(name: str) -> dict[str, dict[str, Any]]:
    """The ``workflow_call`` inputs of a workflow, by name."""
    return dict(triggers_of(load(name))["workflow_call"]["inputs"])


def default_inputs(name: str) -> dict[str, str]:
    """Every input's default as the string a ``${{ }}`` renders."""
    return {key: to_text(spec.get("default", "")) for key, spec in inputs_of(name).items()}


def to_text(value: Any) -> str:
    return ("true" if value else "false") if isinstance(value, bool) else str(value)


class JobContext(Context):
    """A job-level ``if:``: ``needs.<job>.result`` / ``needs.<job>.outputs.<name>`` and typed ``inputs.<name>``.

    ``needs`` maps a job to its result and outputs; ``inputs`` keep their YAML type (GitHub passes a boolean input
    as a boolean). ``success()`` holds when every needed job succeeded. ``secrets.<name>`` is the caller's secret,
    empty when it passed none (as GitHub renders it); ``matrix.<name>`` the matrix leg's value.
    """

    def __init__(
        self,
        needs: Mapping[str, tuple[str, Mapping[str, str]]],
        inputs: Mapping[str, Value] | None = None,
        *,
        secrets: Mapping[str, str] | None = None,
        matrix: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(github={}, runner={}, env={})
        self.needs, self.typed_inputs = needs, dict(inputs or {})
        self.secrets, self.matrix = dict(secrets or {}), dict(matrix or {})
        self.succeeded = all(result == "success" for result, _ in needs.values())

    def _lookup(self, reference: str) -> Value:
        parts = reference.split(".")
        if parts[0] == "secrets" and len(parts) == 2:
            return self.secrets.get(parts[1], "")
        if parts[0] == "matrix" and len(parts) == 2 and parts[1] in self.matrix:
            return self.matrix[parts[1]]
        if parts[0] == "inputs" and len(parts) == 2 and parts[1] in self.typed_inputs:
            return self.typed_inputs[parts[1]]
        if parts[0] == "needs" and len(parts) >= 3 and parts[1] in self.needs:
            result, outputs = self.needs[parts[1]]
            if parts[2:] == ["result"]:
                return result
            if parts[2] == "outputs" and len(parts) == 4:
                return outputs.get(parts[3], "")
        return super()._lookup(reference)


@dataclass(frozen=True)
class StepRun:
    """One ``run:`` step's exit status, GITHUB_OUTPUT and stdout; ``log`` holds what each stand-in recorded."""

    status: int
    outputs: dict[str, str]
    stdout: str
    log: Path

    def args(self, tool: str) -> list[str]:
        """The arguments of the stand-in's last call (none if it was not called)."""
        path = self.log / f"{tool}.args"
        return path.read_text(encoding="utf-8").splitlines() if path.exists() else []

    def env(self, tool: str) -> dict[str, str]:
        """The ``MLGATE_*``, ``MLFLOW_*`` and ``GITHUB_TOKEN`` variables of the stand-in's last call."""
        path = self.log / f"{tool}.env"
        lines = path.read_text(encoding="utf-8").splitlines() if path.exists() else []
        return dict(line.split("=", 1) for line in lines)


def run_step(
    workflow: str,
    job: str,
    step_key: str,
    inputs: Mapping[str, str],
    tmp_path: Path,
    *,
    needs: Mapping[str, Mapping[str, str]] | None = None,
    secrets: Mapping[str, str] | None = None,
    matrix: Mapping[str, str] | None = None,
    tools: tuple[str, ...] = TOOLS,
    **fake: str,
) -> StepRun:
    """Run the step of ``job`` whose id or name is ``step_key`` as GitHub does (bash -eo pipefail).

    The job's and the step's ``env:`` are rendered from ``inputs`` over the inputs' defaults, from ``needs``
    (a needed job's outputs), ``secrets`` (the caller's; a missing one is empty) and ``matrix`` (the leg's values);
    ``tools`` are the commands replaced by stand-ins; each ``fake`` keyword becomes a variable for the stand-ins
    (``fake_exit="1"`` -> ``FAKE_EXIT=1``; ``fake_outcome`` makes them write ``outcome=`` to GITHUB_OUTPUT).
    """
    spec = load(workflow)["jobs"][job]
    [step] = [s for s in spec["steps"] if step_key in (s.get("id"), s.get("name"))]
    needed = {name: ("failure", outputs) for name, outputs in (needs or {}).items()}
    context: Context = JobContext(needed, secrets=secrets, matrix=matrix)
    context.github = dict(GITHUB)
    context.runner = {"temp": str(tmp_path / "temp"), "os": "Linux", "arch": "X64"}
    context.inputs = {**default_inputs(workflow), **inputs}
    log, bin_dir = tmp_path / "log", tmp_path / "bin"
    for folder in (log, bin_dir):
        folder.mkdir(exist_ok=True)
    for tool in tools:
        (bin_dir / tool).write_text(RECORDER, encoding="utf-8")
        (bin_dir / tool).chmod(0o755)
        for suffix in ("args", "env"):
            (log / f"{tool}.{suffix}").unlink(missing_ok=True)  # a second step in the same test starts clean
    output, script = tmp_path / "output", tmp_path / "script.sh"
    output.write_text("", encoding="utf-8")
    script.write_text(step["run"], encoding="utf-8")
    env = {
        "PATH": f"{bin_dir}:/usr/bin:/bin",
        "GITHUB_OUTPUT": str(output),
        "GITHUB_STEP_SUMMARY": str(tmp_path / "summary"),
        "GITHUB_API_URL": "https://ghe.example/api/v3",
        "GITHUB_REPOSITORY": "octo/demo",
        "RUNNER_TEMP": str(tmp_path / "temp"),
        "FAKE_LOG": str(log),
        **{name.upper(): value for name, value in fake.items()},
        **{key: context.render(value) for key, value in {**(spec.get("env") or {}), **(step.get("env") or {})}.items()},
    }
    done = subprocess.run([*BASH, str(script)], cwd=tmp_path, env=env, capture_output=True, text=True, check=False)
    outputs = dict(line.split("=", 1) for line in output.read_text(encoding="utf-8").splitlines())
    return StepRun(done.returncode, outputs, done.stdout, log)
