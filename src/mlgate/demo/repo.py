"""The demo project's git history: ``main`` with the generated project, and a pull-request branch.

Commits are made with a fixed demo identity and without the user's git settings (no signing prompts, no
hooks), through the same ``Git`` wrapper mlgate's baseline code uses.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from mlgate.baseline.git import Git, make_runner
from mlgate.errors import InputError

IDENTITY = {
    "GIT_AUTHOR_NAME": "mlgate demo",
    "GIT_AUTHOR_EMAIL": "demo@mlgate.invalid",
    "GIT_COMMITTER_NAME": "mlgate demo",
    "GIT_COMMITTER_EMAIL": "demo@mlgate.invalid",
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_CONFIG_GLOBAL": os.devnull,
}
BRANCH = "demo/tune-model"


def open_repo(project: Path, environ: Mapping[str, str]) -> Git:
    """A ``Git`` for ``project`` that commits as the demo identity, ignoring system and global settings."""
    return Git(project, runner=make_runner(environ={**environ, **IDENTITY}))


def commit_all(git: Git, message: str) -> str:
    """Stage everything (``.gitignore`` applies) and commit; returns the new commit's sha."""
    git.run("add", "--all")
    git.run("-c", "commit.gpgsign=false", "commit", "--quiet", "--no-verify", "-m", message)
    return git.rev_parse("HEAD")


def start_repository(git: Git, branch: str = "main") -> str:
    """``git init`` on ``branch`` and the first commit of everything; returns its sha."""
    git.run("init", "--quiet", f"--initial-branch={branch}")
    return commit_all(git, "Start from the mlgate project template")


@dataclass(frozen=True)
class ParamChange:
    """A change of one model parameter in mlgate.yaml."""

    model: str
    param: str
    old: Any
    new: Any

    def describe(self) -> str:
        return f"models.{self.model}.params.{self.param}: {self.old} → {self.new}"


def plan_param_change(document: Mapping[str, Any]) -> ParamChange:
    """A small, real tuning change: the first numeric parameter of the first model that has one.

    Floats are divided by ten (a stronger regularisation ``C``, a smaller learning rate); integers are
    halved (fewer trees, a shallower depth), so the change stays cheap to train.
    """
    models = document.get("models") if isinstance(document, Mapping) else None
    for name, model in (models or {}).items():
        params = model.get("params") if isinstance(model, Mapping) else None
        for key, value in (params or {}).items():
            if isinstance(value, bool) or not isinstance(value, (int, float)) or key == "random_state":
                continue
            new: Any = round(value / 10, 6) if isinstance(value, float) else max(1, value // 2)
            if new != value:
                return ParamChange(str(name), str(key), value, new)
    raise InputError("mlgate.yaml has no numeric model parameter to change for the pull request")


def apply_param_change(text: str, change: ParamChange) -> str:
    """``text`` (mlgate.yaml) with ``change`` made on its own line, comments kept; re-parsed to be sure."""
    lines = text.splitlines(keepends=True)
    start = next(
        (i for i, line in enumerate(lines) if re.match(rf"\s+{re.escape(change.model)}:\s*(#.*)?$", line)), None
    )
    pattern = re.compile(rf"(\b{re.escape(change.param)}:\s*){re.escape(str(change.old))}\b")
    if start is not None:
        for i in range(start + 1, len(lines)):
            if pattern.search(lines[i]):
                lines[i] = pattern.sub(lambda m: f"{m.group(1)}{change.new}", lines[i], count=1)
                break
    updated = "".join(lines)
    document = yaml.safe_load(updated)
    if document["models"][change.model]["params"][change.param] != change.new:
        raise InputError(f"could not change {change.describe()} in mlgate.yaml", hint="is the file hand-edited?")
    return updated
