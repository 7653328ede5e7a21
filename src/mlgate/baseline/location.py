"""Where a PR's baseline lives, before anything is trained (``mlgate baseline locate``, for workflows).

A workflow restores the Actions cache with the merge-base's key before ``mlgate check``, so the baseline's
models are re-scored instead of retrained. ``locate_baseline`` finds the head, the merge-base and that
commit's cache key and folder; ``describe_cache_path`` writes the folder as actions/cache needs it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from mlgate import __version__
from mlgate.baseline.cache import BaselineCache
from mlgate.baseline.event import find_revisions
from mlgate.baseline.git import Git
from mlgate.baseline.locate import find_merge_base
from mlgate.config import Config
from mlgate.errors import InputError


@dataclass(frozen=True)
class BaselineLocation:
    """Where a PR's baseline lives, before anything is trained: for workflows restoring the Actions cache."""

    head: str
    base_branch: str | None
    merge_base: str | None
    cache_key: str | None
    cache_path: Path | None
    cached: bool


def locate_baseline(
    config: Config,
    environ: Mapping[str, str],
    *,
    head: str | None = None,
    base: str | None = None,
    git: Git | None = None,
) -> BaselineLocation:
    """The PR head, its merge-base with the base branch, and that commit's cache key and folder.

    ``git``: the repository (default: the one the config's folder is in).
    """
    git = git if git is not None else open_git(config.root)
    if git is None:
        raise InputError(f"{config.root} is not in a git repository", hint="run inside the project's repository")
    revisions = find_revisions(
        environ, git=git, base_branch=config.baseline.base_branch, head=head, base=base, fetch=config.baseline.fetch
    )
    if revisions.base_branch is None:
        return BaselineLocation(revisions.head, None, None, None, None, False)
    merge_base = find_merge_base(git, revisions.head, revisions.base_branch, fetch=config.baseline.fetch)
    cache = BaselineCache(config.root / config.baseline.cache_dir, __version__)
    if merge_base is None:
        return BaselineLocation(revisions.head, revisions.base_branch, None, None, None, False)
    return BaselineLocation(
        head=revisions.head,
        base_branch=revisions.base_branch,
        merge_base=merge_base,
        cache_key=cache.actions_key(merge_base),
        cache_path=cache.entry(merge_base),
        cached=cache.get(merge_base) is not None,
    )


def open_git(root: Path) -> Git | None:
    """A ``Git`` for the repository ``root`` is in; None when it is not in one."""
    git = Git(root)
    try:
        git.toplevel()
    except InputError:
        return None
    return git


def describe_cache_path(path: Path | None, environ: Mapping[str, str]) -> str:
    """``path`` relative to the workspace (``$GITHUB_WORKSPACE``, else the current folder), in ``/`` form.

    actions/cache hashes the text of its ``path`` into the entry's version, so an absolute path would tie an
    entry to one workspace folder: a PR checked on another runner (or in a renamed repository) would never
    restore main's entry. A folder outside the workspace (an absolute ``baseline.cache_dir``) stays absolute.
    """
    if path is None:
        return ""
    workspace = Path(environ.get("GITHUB_WORKSPACE") or Path.cwd()).resolve()
    try:
        return path.resolve().relative_to(workspace).as_posix()
    except ValueError:
        return str(path)


def location_outputs(found: BaselineLocation, environ: Mapping[str, str]) -> dict[str, str]:
    """The location as the step outputs (and the command's key=value lines) name it."""
    return {
        "head": found.head,
        "base-branch": found.base_branch or "",
        "merge-base": found.merge_base or "",
        "cache-key": found.cache_key or "",
        "cache-path": describe_cache_path(found.cache_path, environ),
        "cached": "true" if found.cached else "false",
    }
