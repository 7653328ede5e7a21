"""Run a composite action's steps the way the GitHub runner does, without a runner.

``run_action(action_dir, inputs=..., workspace=..., runner_temp=...)`` reads ``action_dir/action.yml`` with
``yaml.safe_load`` and, step by step:

- renders the expression subset mlgate's actions use: ``inputs.X``, ``github.action_path`` / ``workspace`` /
  ``token`` (and other keys the test passes in ``github=``), ``runner.temp`` / ``os`` / ``arch``, ``env.X``,
  ``steps.ID.outputs.X`` / ``outcome``, string/number/boolean literals, ``== != && || !``, parentheses and the
  status functions ``success() failure() always() cancelled()``. Anything else (an unknown context, an
  undefined input or step, a function) raises ``HarnessError``: the harness refuses what it does not
  understand instead of guessing. ``==`` follows GitHub's rules: strings compare case-insensitively, mixed
  types compare as numbers (so ``'true' == true`` is false, as on GitHub);
- evaluates ``if:`` (implicitly ``success() && (...)`` unless it calls a status function);
- runs ``run:`` steps as ``bash --noprofile --norc -eo pipefail {0}`` in ``working-directory`` (relative to
  the workspace), with the environment merged: the runner's variables (``GITHUB_ACTIONS``, ``RUNNER_TEMP``,
  ``GITHUB_WORKSPACE``, ``GITHUB_ACTION_PATH``...) < the job/caller ``env=`` < earlier steps' ``GITHUB_ENV``
  < the step's ``env:``; ``GITHUB_PATH`` entries go first on ``PATH``;
- gives every step fresh ``GITHUB_OUTPUT`` / ``GITHUB_ENV`` / ``GITHUB_PATH`` / ``GITHUB_STEP_SUMMARY``
  files and parses them afterwards (``name=value`` and ``name<<DELIMITER`` heredocs; a malformed line or an
  unterminated heredoc raises ``HarnessError``, as the runner fails the step);
- skips ``uses:`` steps (recorded with status ``"uses"``) but lints them: pinned to a 40-hex commit SHA with a
  ``# vX.Y.Z`` comment, ``with:``/``env:`` expressions rendered;
- refuses any ``${{ }}`` inside ``run:`` (inputs must reach scripts through ``env:``), unknown step keys, a
  ``run:`` without ``shell: bash``, unexpected or missing required inputs;
- renders the action's ``outputs.*.value`` after the last step, as the runner does even when a step failed.

Nothing here talks to the network; mlgate must already be installed (the actions' ``install: false``, or a
``python`` shim that records the install command).
"""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

BASH = ("bash", "--noprofile", "--norc", "-eo", "pipefail")
STEP_KEYS = frozenset({"id", "name", "if", "run", "shell", "env", "working-directory", "uses", "with"})
PINNED_USES = re.compile(r"^[\w.-]+/[\w.-]+(/[\w./-]+)?@[0-9a-f]{40}$")
EXPRESSION = re.compile(r"\$\{\{(.*?)\}\}", re.DOTALL)
TOKEN = re.compile(
    r"\s*(?:(?P<str>'(?:[^']|'')*')|(?P<num>\d+(?:\.\d+)?)|(?P<op>==|!=|&&|\|\||[!(),])|(?P<name>[A-Za-z_][\w.-]*))"
)
STATUS_FUNCTIONS = ("success", "failure", "always", "cancelled")
Value = str | float | bool | None


class HarnessError(AssertionError):
    """The action cannot run as written: unknown expression, undefined input or step, malformed file, unsafe step."""


@dataclass(frozen=True)
class StepResult:
    """One step as the runner would report it; ``status`` is success, failure, skipped or uses (not executed)."""

    index: int
    id: str | None
    name: str
    status: str
    exit_code: int | None = None
    outputs: dict[str, str] = field(default_factory=dict)
    log: str = ""


@dataclass(frozen=True)
class ActionRun:
    """What the action produced: its outputs, every step, the job summary text and the combined log."""

    outputs: dict[str, str]
    steps: tuple[StepResult, ...]
    summary: str

    @property
    def failed(self) -> bool:
        return any(step.status == "failure" for step in self.steps)

    @property
    def log(self) -> str:
        return "".join(step.log for step in self.steps)

    def step(self, key: str) -> StepResult:
        """The step with this id or name."""
        found = [s for s in self.steps if key in (s.id, s.name)]
        if not found:
            raise KeyError(f"no step {key!r}: {[s.id or s.name for s in self.steps]}")
        return found[0]


def load_action(action_dir: Path) -> tuple[dict[str, Any], str]:
    """The parsed action.yml of a composite action and its raw text; refuses anything else."""
    path = action_dir / "action.yml"
    text = path.read_text(encoding="utf-8")
    action = yaml.safe_load(text)
    if not isinstance(action, dict) or not action.get("name"):
        raise HarnessError(f"{path}: not an action (no name)")
    runs = action.get("runs") or {}
    if runs.get("using") != "composite" or not isinstance(runs.get("steps"), list) or not runs["steps"]:
        raise HarnessError(f"{path}: runs.using must be composite, with steps")
    for name, output in (action.get("outputs") or {}).items():
        if not isinstance(output, dict) or "value" not in output:
            raise HarnessError(f"{path}: output {name!r} has no value (required in composite actions)")
    return action, text


def run_action(
    action_dir: Path,
    *,
    inputs: Mapping[str, str],
    workspace: Path,
    runner_temp: Path,
    env: Mapping[str, str] | None = None,
    github: Mapping[str, str] | None = None,
    path: Sequence[Path] = (),
    timeout: float = 600,
) -> ActionRun:
    """Run the composite action in ``action_dir`` with ``inputs`` (see the module docstring).

    ``env`` is the job's (and the calling step's) environment, ``github`` extra ``github.*`` context values
    (e.g. ``token``), ``path`` folders put first on ``PATH`` (where ``python3`` / ``mlgate`` are found).
    """
    action, text = load_action(action_dir)
    runner_temp.mkdir(parents=True, exist_ok=True)
    machine = {
        **os.environ,
        "CI": "true",
        "GITHUB_ACTIONS": "true",
        "GITHUB_WORKSPACE": str(workspace),
        "GITHUB_ACTION_PATH": str(action_dir),
        "RUNNER_TEMP": str(runner_temp),
        "RUNNER_OS": "Linux",
        "RUNNER_ARCH": "X64",
    }
    context = Context(
        github={"action_path": str(action_dir), "workspace": str(workspace), **(github or {})},
        runner={"temp": str(runner_temp), "os": "Linux", "arch": "X64"},
        env=dict(env or {}),
    )
    context.inputs = resolve_inputs(action, inputs, context)
    paths = [str(p) for p in path]
    results: list[StepResult] = []
    summary: list[str] = []
    for index, step in enumerate(action["runs"]["steps"]):
        check_step_shape(step, index, text)
        name = str(step.get("name") or step.get("id") or f"step {index + 1}")
        if not evaluate_condition(step.get("if"), context):
            result = StepResult(index, step.get("id"), name, "skipped")
        elif "uses" in step:
            for value in {**(step.get("with") or {}), **(step.get("env") or {})}.values():
                context.render(value)  # linted: every expression must be understood
            result = StepResult(index, step.get("id"), name, "uses")
        else:
            folder = runner_temp / "_runner_file_commands" / f"step-{index}"
            result, step_summary = run_step(step, index, name, context, machine, paths, workspace, folder, timeout)
            summary.append(step_summary)
        results.append(result)
        context.record(result)
    outputs = {key: context.render(spec["value"]) for key, spec in (action.get("outputs") or {}).items()}
    return ActionRun(outputs, tuple(results), "".join(summary))


def run_step(
    step: Mapping[str, Any],
    index: int,
    name: str,
    context: Context,
    machine: Mapping[str, str],
    paths: list[str],
    workspace: Path,
    folder: Path,
    timeout: float,
) -> tuple[StepResult, str]:
    """Run one ``run:`` step with bash; apply its file commands to ``context`` and ``paths``; return its summary."""
    step_env = {key: context.render(value) for key, value in (step.get("env") or {}).items()}
    cwd = workspace / context.render(step.get("working-directory", "."))
    if not cwd.is_dir():
        raise HarnessError(f"step {name!r}: working-directory {cwd} does not exist")
    folder.mkdir(parents=True, exist_ok=True)
    files = {var: folder / var.lower() for var in ("GITHUB_OUTPUT", "GITHUB_ENV", "GITHUB_PATH", "GITHUB_STEP_SUMMARY")}
    for file in files.values():
        file.write_text("", encoding="utf-8")
    script = folder / "script.sh"
    script.write_text(str(step["run"]), encoding="utf-8")
    merged = {**machine, **context.env, **step_env, **{var: str(file) for var, file in files.items()}}
    merged["PATH"] = os.pathsep.join([*paths, merged.get("PATH", "")])
    try:
        done = subprocess.run(
            [*BASH, str(script)], cwd=cwd, env=merged, capture_output=True, text=True, timeout=timeout, check=False
        )
    except subprocess.TimeoutExpired as exc:
        raise HarnessError(f"step {name!r} did not finish within {timeout} s") from exc

    def read(var: str) -> str:
        return files[var].read_text(encoding="utf-8")

    outputs = parse_file_commands(read("GITHUB_OUTPUT"), f"{name}: GITHUB_OUTPUT")
    context.env.update(parse_file_commands(read("GITHUB_ENV"), f"{name}: GITHUB_ENV"))
    paths[:0] = reversed([line for line in read("GITHUB_PATH").splitlines() if line])
    status = "success" if done.returncode == 0 else "failure"
    result = StepResult(index, step.get("id"), name, status, done.returncode, outputs, done.stdout + done.stderr)
    return result, read("GITHUB_STEP_SUMMARY")


def resolve_inputs(action: Mapping[str, Any], given: Mapping[str, str], context: Context) -> dict[str, str]:
    """Every declared input: the given value, else its (rendered) default; unknown or missing required refused."""
    declared = action.get("inputs") or {}
    unexpected = sorted(set(given) - set(declared))
    if unexpected:
        raise HarnessError(f"unexpected input(s) {unexpected}; valid inputs are {sorted(declared)}")
    values: dict[str, str] = {}
    for name, spec in declared.items():
        if name in given:
            values[name] = str(given[name])
        elif "default" in spec:
            values[name] = context.render(spec["default"])
        elif spec.get("required"):
            raise HarnessError(f"required input {name!r} not given and has no default")
        else:
            values[name] = ""
    return values


def check_step_shape(step: Mapping[str, Any], index: int, text: str) -> None:
    """Refuse what the runner would reject, and what mlgate's security rules forbid."""
    where = f"step {index + 1} ({step.get('name') or step.get('id') or 'unnamed'})"
    unknown = sorted(set(step) - STEP_KEYS)
    if unknown or ("run" in step) == ("uses" in step):
        raise HarnessError(f"{where}: needs exactly one of run/uses and only known keys; unknown: {unknown}")
    if "uses" in step:
        uses = str(step["uses"])
        if not PINNED_USES.match(uses):
            raise HarnessError(f"{where}: uses {uses!r} is not pinned to a full 40-hex commit SHA")
        if not re.search(rf"uses:\s*{re.escape(uses)}\s+#\s*v\d+(\.\d+)*\s*$", text, re.MULTILINE):
            raise HarnessError(f"{where}: uses {uses!r} needs a '# vX.Y.Z' version comment on its line")
        return
    if step.get("shell") != "bash":
        raise HarnessError(f"{where}: run steps need 'shell: bash' (got {step.get('shell')!r})")
    if "${{" in str(step["run"]):
        raise HarnessError(f"{where}: expression inside run: pass it through env: instead")


def parse_file_commands(text: str, what: str) -> dict[str, str]:
    """``name=value`` lines and ``name<<DELIMITER`` ... ``DELIMITER`` blocks, as the runner reads them."""
    values: dict[str, str] = {}
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        line = lines[i]
        i += 1
        if not line:
            continue
        equals, heredoc = line.find("="), line.find("<<")
        if equals >= 0 and (heredoc < 0 or equals < heredoc):
            name, value = line[:equals], line[equals + 1 :]
        elif heredoc >= 0:
            name, delimiter = line[:heredoc], line[heredoc + 2 :]
            try:
                end = lines.index(delimiter, i)
            except ValueError:
                raise HarnessError(f"{what}: no line {delimiter!r} ends the value of {name!r}") from None
            value, i = "\n".join(lines[i:end]), end + 1
        else:
            raise HarnessError(f"{what}: invalid line {line!r} (expected name=value or name<<DELIMITER)")
        if not name:
            raise HarnessError(f"{what}: empty name in {line!r}")
        values[name] = value
    return values


def evaluate_condition(condition: Any, context: Context) -> bool:
    """A step's ``if:``: wrapped in ``success() && (...)`` unless it calls a status function itself."""
    if condition is None:
        return context.succeeded
    if isinstance(condition, bool):
        return condition and context.succeeded
    expression = str(condition).strip()
    whole = EXPRESSION.fullmatch(expression)
    if whole:
        expression = whole.group(1)
    if not re.search(rf"\b({'|'.join(STATUS_FUNCTIONS)})\s*\(", expression):
        expression = f"success() && ({expression})"
    return truthy(context.evaluate(expression))


def truthy(value: Value) -> bool:
    if isinstance(value, float):
        return value == value and value != 0
    return bool(value)


def to_string(value: Value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return value


def to_number(value: Value) -> float:
    if value is None:
        return 0.0
    if isinstance(value, bool | float):
        return float(value)
    text = value.strip()
    if not text:
        return 0.0
    try:
        return float(int(text, 0)) if text.lower().startswith("0x") else float(text)
    except ValueError:
        return float("nan")


def equal(left: Value, right: Value) -> bool:
    """GitHub's ``==``: case-insensitive for two strings, numeric coercion for mixed types (NaN equals nothing)."""
    if isinstance(left, str) and isinstance(right, str):
        return left.casefold() == right.casefold()
    if type(left) is type(right):
        return left == right
    return to_number(left) == to_number(right)


class Context:
    """The contexts an expression may read, and a tiny recursive-descent evaluator over them."""

    def __init__(self, *, github: dict[str, str], runner: dict[str, str], env: dict[str, str]) -> None:
        self.github, self.runner, self.env = github, runner, env
        self.inputs: dict[str, str] = {}
        self.steps: dict[str, StepResult] = {}
        self.succeeded = True

    def record(self, result: StepResult) -> None:
        if result.id:
            self.steps[result.id] = result
        self.succeeded = self.succeeded and result.status != "failure"

    def render(self, value: Any) -> str:
        """A YAML scalar with every ``${{ }}`` replaced by its value (YAML booleans and numbers as GitHub shows them)."""
        if isinstance(value, bool | int | float) or value is None:
            return to_string(float(value) if isinstance(value, int) and not isinstance(value, bool) else value)
        if not isinstance(value, str):
            raise HarnessError(f"expected a string, got {value!r}")
        return EXPRESSION.sub(lambda m: to_string(self.evaluate(m.group(1))), value)

    def evaluate(self, expression: str) -> Value:
        tokens = self._tokenize(expression)
        value, rest = self._or(tokens)
        if rest:
            raise HarnessError(f"unexpected {rest[0][1]!r} in expression {expression!r}")
        return value

    def _tokenize(self, expression: str) -> list[tuple[str, str]]:
        tokens: list[tuple[str, str]] = []
        position, text = 0, expression.rstrip()
        while position < len(text):
            match = TOKEN.match(text, position)
            if not match or match.end() == position:
                raise HarnessError(f"cannot read expression {expression!r} at {text[position:]!r}")
            kind = match.lastgroup or ""
            tokens.append((kind, match.group(kind)))
            position = match.end()
        return tokens

    def _or(self, tokens: list[tuple[str, str]]) -> tuple[Value, list[tuple[str, str]]]:
        value, tokens = self._and(tokens)
        while tokens and tokens[0] == ("op", "||"):
            right, tokens = self._and(tokens[1:])
            value = value if truthy(value) else right
        return value, tokens

    def _and(self, tokens: list[tuple[str, str]]) -> tuple[Value, list[tuple[str, str]]]:
        value, tokens = self._not(tokens)
        while tokens and tokens[0] == ("op", "&&"):
            right, tokens = self._not(tokens[1:])
            value = right if truthy(value) else value
        return value, tokens

    def _not(self, tokens: list[tuple[str, str]]) -> tuple[Value, list[tuple[str, str]]]:
        if tokens and tokens[0] == ("op", "!"):
            value, rest = self._not(tokens[1:])
            return not truthy(value), rest
        left, tokens = self._atom(tokens)
        if tokens and tokens[0] in (("op", "=="), ("op", "!=")):
            right, rest = self._atom(tokens[1:])
            same = equal(left, right)
            return (same if tokens[0][1] == "==" else not same), rest
        return left, tokens

    def _atom(self, tokens: list[tuple[str, str]]) -> tuple[Value, list[tuple[str, str]]]:
        if not tokens:
            raise HarnessError("expression ends too early")
        (kind, text), rest = tokens[0], tokens[1:]
        if (kind, text) == ("op", "("):
            value, rest = self._or(rest)
            if not rest or rest[0] != ("op", ")"):
                raise HarnessError("missing ')' in expression")
            return value, rest[1:]
        if kind == "str":
            return text[1:-1].replace("''", "'"), rest
        if kind == "num":
            return float(text), rest
        if kind == "name" and rest[:2] == [("op", "("), ("op", ")")] and text in STATUS_FUNCTIONS:
            return {"success": self.succeeded, "failure": not self.succeeded, "always": True}.get(text, False), rest[2:]
        if kind == "name" and rest[:1] == [("op", "(")]:
            raise HarnessError(f"unsupported function {text}() in expression")
        if kind == "name":
            literals: dict[str, Value] = {"true": True, "false": False, "null": None}
            return (literals[text] if text in literals else self._lookup(text)), rest
        raise HarnessError(f"unexpected {text!r} in expression")

    def _lookup(self, reference: str) -> Value:
        head, _, tail = reference.partition(".")
        flat: dict[str, Mapping[str, str]] = {"inputs": self.inputs, "github": self.github, "runner": self.runner}
        if head in flat and tail in flat[head]:
            return flat[head][tail]
        if head == "env" and tail:
            return self.env.get(tail, "")
        parts = tail.split(".")
        if head == "steps" and len(parts) in (2, 3) and parts[0] in self.steps:
            step = self.steps[parts[0]]
            if parts[1:] == ["outcome"]:
                return step.status if step.status in ("success", "failure", "skipped") else "success"
            if parts[1] == "outputs" and len(parts) == 3:
                return step.outputs.get(parts[2], "")
        what = {"inputs": "undefined input", "steps": "unknown step or property"}.get(head, "unsupported expression")
        raise HarnessError(f"{what} {reference!r}")
