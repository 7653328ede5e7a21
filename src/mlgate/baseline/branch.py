"""The branch a run is compared with when none is named (``baseline.base_branch`` unset, no ``--base``, no PR).

Found the way git users expect, first match wins:

1. ``origin/HEAD``: the remote's default branch, recorded by ``git clone``;
2. ``git config init.defaultBranch``, when that branch exists;
3. ``main``, then ``master``;

each as a local branch or an ``origin/`` remote-tracking branch. A checkout that has none of them (a CI clone of
one commit) may ask ``origin`` for its default branch (``git ls-remote --symref``) when fetching is allowed.
Without any, there is no base branch, and ``reason`` says why in a sentence the report shows.
"""

from __future__ import annotations

from dataclasses import dataclass

from mlgate.baseline.git import Git
from mlgate.errors import InputError

FALLBACKS = ("main", "master")
CHOOSE_HINT = "set baseline.base_branch in mlgate.yaml, or pass --base BRANCH"


@dataclass(frozen=True)
class BaseBranch:
    """The base branch and where it was found (``source``); ``name`` None: there is none, ``reason`` says why."""

    name: str | None
    source: str
    reason: str | None = None


def find_base_branch(git: Git, *, fetch: bool, remote: str = "origin") -> BaseBranch:
    """The default branch of this repository (see the module docstring), or none and why."""
    tracked = git.symbolic_ref(f"refs/remotes/{remote}/HEAD")
    prefix = f"refs/remotes/{remote}/"
    if tracked is not None and tracked.startswith(prefix) and _exists(git, tracked.removeprefix(prefix), remote):
        return BaseBranch(tracked.removeprefix(prefix), f"{remote}/HEAD")
    configured = git.config_value("init.defaultBranch")
    if configured is not None and _exists(git, configured, remote):
        return BaseBranch(configured, "init.defaultBranch")
    for name in FALLBACKS:
        if _exists(git, name, remote):
            return BaseBranch(name, f"the {name} branch")
    names = list(dict.fromkeys([*FALLBACKS, *([configured] if configured else [])]))
    missing = f"this repository has no {', '.join(names[:-1])} or {names[-1]} branch"
    if not fetch or git.config_value(f"remote.{remote}.url") is None:
        return _none(f"{missing}, and no {remote}/HEAD")
    try:
        asked = git.remote_default_branch(remote)
    except InputError as exc:
        return _none(f"{missing}, and {remote} could not be asked for its default branch: {exc.message}")
    if asked is None:
        return _none(f"{missing}, and {remote} has no default branch yet")
    return BaseBranch(asked, f"{remote}'s default branch")


def _exists(git: Git, name: str, remote: str) -> bool:
    return git.has_ref(f"refs/heads/{name}") or git.has_ref(f"refs/remotes/{remote}/{name}")


def _none(why: str) -> BaseBranch:
    return BaseBranch(None, "none", f"no branch to compare with: {why} ({CHOOSE_HINT})")
