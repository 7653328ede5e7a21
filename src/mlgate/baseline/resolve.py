"""Resolving the baseline of a run: the merge-base's results folder, from the cache or trained in a worktree.

Order: when the merge-base is the very commit the caller trains its candidates from (a run on the base
branch itself), the candidates are their own baseline (``source: self``), never trained twice; else a
cached results folder of the merge-base (the caller re-scores its models on this PR's data); else, when
allowed, the merge-base is checked out in a temporary ``git worktree``, its DVC-tracked data written there at
the merge-base's hash (a ``Preparer``), trained there, and the result cached; else no baseline, with a reason
the report shows (data that cannot be had is such a reason: the baseline is never trained on other data). Stored metrics are never compared with fresh
ones: the caller always re-scores the baseline's models in the same job.
"""

from __future__ import annotations

import contextlib
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any, Literal

import yaml

from mlgate.baseline.cache import BaselineCache
from mlgate.baseline.git import Git, is_full_sha
from mlgate.baseline.locate import find_merge_base
from mlgate.config import CONFIG_NAME
from mlgate.errors import InputError, MlgateError
from mlgate.files import load_yaml
from mlgate.results import read_results

BaselineSource = Literal["self", "cache", "worktree", "none"]
# (project folder inside the worktree, output folder): runs `mlgate train --out OUT` there; raises on failure.
Trainer = Callable[[Path, Path], None]
# (worktree top, config file inside it): writes the data the commit declares but git does not hold (DVC); returns
# a note for the report ("" when there was nothing to write); raises MlgateError when the data cannot be had.
Preparer = Callable[[Path, Path], str]


class DataUnavailable(InputError):
    """The merge-base's data cannot be written into its worktree (the baseline is then none, with this reason)."""


@dataclass(frozen=True)
class Baseline:
    """Where the baseline comes from; ``reason`` is the sentence the report header shows.

    For ``source: none`` the reason says why there is none, without a "no baseline" prefix: the report
    (and the error of ``baseline.require``) adds its own. ``source: self`` has no folder: the caller's own
    candidate results are the baseline.
    """

    commit: str | None
    source: BaselineSource
    folder: Path | None
    reason: str


def resolve_baseline(
    *,
    git: Git,
    head: str,
    base_branch: str | None,
    cache: BaselineCache,
    train_in_worktree: Trainer | None,
    fetch: bool,
    require: bool,
    workdir: Path,
    config_file: Path | None = None,
    base_reason: str | None = None,
    candidate_commit: str | None = None,
    prepare: Preparer | None = None,
) -> Baseline:
    """Find the merge-base of ``head`` and ``base_branch`` and a results folder for it.

    ``base_branch`` None: the repository has no base branch, and ``base_reason`` says why (no baseline).
    ``candidate_commit``: the commit the caller's candidates are trained from, when the checkout is exactly
    that commit (None otherwise); a merge-base equal to it is not trained again (``source: self``).

    ``train_in_worktree`` None means never train (``baseline.train_if_missing: false``). ``config_file`` is
    this checkout's mlgate.yaml (default: the one at the repository top); the same path is looked up at the
    merge-base. ``workdir`` is a scratch folder for the worktree and its output. ``prepare`` writes the
    merge-base's DVC-tracked data into the worktree before training (None: nothing to write). With ``require``, no
    baseline is an InputError (exit 2) naming the reason.
    """
    if base_branch is None:
        baseline = _none(None, base_reason or "no base branch was found")
    elif (merge_base := find_merge_base(git, head, base_branch, fetch=fetch)) is None:
        baseline = _none(None, f"{head[:7]} and {base_branch} share no history")
    elif merge_base == candidate_commit:
        branch = base_branch[:7] if is_full_sha(base_branch) else base_branch
        baseline = Baseline(
            merge_base, "self", None, f"this commit is its own merge-base with {branch}: compared with itself"
        )
    else:
        config_path = _config_path(git, config_file)
        baseline = _find_folder(git, merge_base, cache, train_in_worktree, prepare, workdir, config_path)
    if require and baseline.source == "none":
        raise InputError(
            f"no baseline: {baseline.reason}", hint="a baseline is required (baseline.require / --require-baseline)"
        )
    return baseline


def _find_folder(
    git: Git,
    sha: str,
    cache: BaselineCache,
    trainer: Trainer | None,
    prepare: Preparer | None,
    workdir: Path,
    config_path: PurePosixPath,
) -> Baseline:
    short = sha[:7]
    cached = cache.get(sha)
    if cached is not None:
        return Baseline(sha, "cache", cached, f"merge-base {short}: cached model re-scored on this PR's data")
    if trainer is None:
        return _none(sha, f"no cached model for the merge-base {short} and training it is off")
    problem = _check_config(git, sha, config_path)
    if problem:
        return _none(sha, f"the merge-base {short} {problem}")
    out = workdir / f"baseline-{sha[:12]}"
    try:
        note = _train(git, sha, trainer, prepare, workdir, config_path, out)
        results = read_results(out)
    except DataUnavailable as exc:
        shutil.rmtree(out, ignore_errors=True)
        return _none(sha, f"the merge-base {short}'s data cannot be had, so it was not trained: {exc.message}")
    except (MlgateError, OSError, subprocess.SubprocessError) as exc:
        shutil.rmtree(out, ignore_errors=True)
        return _none(sha, f"training the merge-base {short} failed: {_first_line(exc)}")
    if not results.models:
        shutil.rmtree(out, ignore_errors=True)
        return _none(sha, f"training the merge-base {short} produced no models")
    reason = f"merge-base {short}: trained in a temporary worktree{note} (no cached model)"
    try:
        folder = cache.put(sha, out)
    except InputError as exc:  # still usable for this run, just not cached
        return Baseline(sha, "worktree", out, f"{reason}; not cached: {exc.message}")
    shutil.rmtree(out, ignore_errors=True)
    return Baseline(sha, "worktree", folder, reason)


def _train(
    git: Git,
    sha: str,
    trainer: Trainer,
    prepare: Preparer | None,
    workdir: Path,
    config_path: PurePosixPath,
    out: Path,
) -> str:
    """Check ``sha`` out in a temporary worktree, write its data, train there; always remove the worktree.

    Returns the preparer's note, as the reason's words (`` on its DVC data``); its failure is DataUnavailable.
    """
    tree = workdir / f"worktree-{sha[:12]}"
    for leftover in (tree, out):
        shutil.rmtree(leftover, ignore_errors=True)
    workdir.mkdir(parents=True, exist_ok=True)
    try:
        git.worktree_add(tree, sha, detach=True)
        note = ""
        if prepare is not None:
            try:
                note = prepare(tree, tree.joinpath(*config_path.parts))
            except MlgateError as exc:
                hint = f"; {exc.hint}" if exc.hint else ""
                raise DataUnavailable(f"{exc.message}{hint}") from exc
        trainer(tree.joinpath(*config_path.parent.parts), out)
    finally:
        _remove_worktree(git, tree)
    return f" {note}" if note else ""


def _remove_worktree(git: Git, tree: Path) -> None:
    """Best effort: a leftover folder is deleted and its registration pruned; neither hides the real outcome."""
    with contextlib.suppress(InputError):
        git.worktree_remove(tree, force=True)
    shutil.rmtree(tree, ignore_errors=True)
    with contextlib.suppress(InputError):
        git.worktree_prune()


def _check_config(git: Git, sha: str, config_path: PurePosixPath) -> str | None:
    """Why the merge-base cannot be trained (no config, no models), or None when it can be tried."""
    text = git.read_file(sha, str(config_path))
    if text is None:
        return f"has no {config_path}"
    try:
        document: Any = load_yaml(text)
    except yaml.YAMLError:
        return None  # training reports the exact problem
    if isinstance(document, dict) and not document.get("models"):
        return f"declares no models in {config_path}"
    return None


def _config_path(git: Git, config_file: Path | None) -> PurePosixPath:
    """The config's path relative to the repository top (``mlgate.yaml`` when not given)."""
    if config_file is None:
        return PurePosixPath(CONFIG_NAME)
    top = git.toplevel().resolve()
    try:
        return PurePosixPath(config_file.resolve().relative_to(top).as_posix())
    except ValueError as exc:
        raise InputError(f"the config {config_file} is outside the git repository {top}") from exc


def _none(sha: str | None, reason: str) -> Baseline:
    return Baseline(sha, "none", None, reason)


def _first_line(exc: BaseException) -> str:
    text = exc.message if isinstance(exc, MlgateError) else str(exc)
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[0] if lines else type(exc).__name__
