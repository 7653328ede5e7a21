"""The DVC-tracked data of another commit, in its temporary git worktree (the baseline trained at the merge-base).

A linked git worktree has the commit's ``.dvc`` files and ``dvc.lock`` but not the data, and DVC looks for its
cache in the worktree's own ``.dvc/cache``, which is empty. So each DVC repository of the worktree is pointed at
the main checkout's cache (``dvc config --local cache.dir``, after copying the main checkout's
``.dvc/config.local``, which may hold the remote's credentials) and ``dvc checkout`` writes the commit's data from
it. What the cache lacks is pulled from the remote when ``pull`` is allowed (into the same shared cache), else the
error says so. Nothing here touches the main checkout's workspace.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from mlgate.config import load_config
from mlgate.dvc.failures import explain_failure
from mlgate.dvc.pull import Target, checkout_targets, find_targets, pull_targets
from mlgate.dvc.run import DvcRunner
from mlgate.dvc.settings import find_remote
from mlgate.dvc.tracking import find_cache_dir
from mlgate.errors import InputError


def materialise_worktree_data(
    tree: Path,
    config_file: Path,
    *,
    main_top: Path,
    pull: bool,
    make_runner: Callable[[], DvcRunner],
) -> tuple[Target, ...]:
    """Write the DVC-tracked datasets of ``config_file`` (in the worktree ``tree``) from the main checkout's cache.

    ``main_top`` is the main checkout's top folder; ``make_runner`` is called only when there is data to write
    (a missing ``dvc`` is then an InputError). Returns the datasets written; raises the explained DVC failure.
    """
    try:
        config = load_config(config_file, environ={})
    except InputError:
        return ()  # training the commit reports its config's problem, as without DVC
    found = find_targets(config)
    targets = tuple(replace(t, dataset=(t.root / t.tracked.path).relative_to(tree).as_posix()) for t in found)
    if not targets:
        return ()
    runner = make_runner()
    for root in dict.fromkeys(t.root for t in targets):
        group = [t for t in targets if t.root == root]
        _share_cache(root, main_top / root.relative_to(tree), runner)
        try:
            checkout_targets(group, runner)
        except InputError as exc:
            if not pull or "not in the DVC cache" not in exc.message:
                raise
            pull_targets(group, runner)
    return targets


def _share_cache(root: Path, main_root: Path, runner: DvcRunner) -> None:
    """Point the worktree's DVC repository ``root`` at the cache (and local settings) of ``main_root``."""
    if not (main_root / ".dvc").is_dir():
        return  # the main checkout has no DVC repository there any more: the worktree keeps its own cache
    local = main_root / ".dvc" / "config.local"
    if local.is_file():
        shutil.copyfile(local, root / ".dvc" / "config.local")
    run = runner(["config", "--local", "cache.dir", str(find_cache_dir(main_root))], root)
    if run.returncode != 0:
        raise explain_failure(run, datasets=[str(root)], remote=find_remote(root), root=root, verb="config")
