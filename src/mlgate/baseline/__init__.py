"""The baseline: merge-base discovery, cached results and models, git worktree fallback.

- ``event``: which commits a run is about (PR head from GitHub's event, base branch);
- ``branch``: the repository's default branch, when no base branch is named;
- ``locate``: the merge-base, fetching history a shallow clone lacks;
- ``location``: where a PR's baseline lives before anything is trained (``mlgate baseline locate``);
- ``cache``: results folders keyed by commit sha and mlgate version;
- ``resolve``: the baseline of a run (cache, else trained in a temporary worktree, else none and why);
- ``git``: the wrapper around the ``git`` executable;
- ``reuse``: the fit times and scores a cached baseline spares the PR check.
"""

from __future__ import annotations

from mlgate.baseline.cache import BaselineCache, save_baseline
from mlgate.baseline.event import PullRequest, Revisions, find_revisions, read_pull_request
from mlgate.baseline.git import Git, GitError, make_runner
from mlgate.baseline.locate import find_merge_base
from mlgate.baseline.resolve import Baseline, DataUnavailable, Preparer, Trainer, resolve_baseline
from mlgate.baseline.reuse import Reuse, find_reuse

__all__ = [
    "Baseline",
    "BaselineCache",
    "DataUnavailable",
    "Git",
    "GitError",
    "Preparer",
    "PullRequest",
    "Reuse",
    "Revisions",
    "Trainer",
    "find_merge_base",
    "find_reuse",
    "find_revisions",
    "make_runner",
    "read_pull_request",
    "resolve_baseline",
    "save_baseline",
]
