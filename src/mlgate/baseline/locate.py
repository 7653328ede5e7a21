"""Finding the merge-base of the PR head and the base branch, fetching history a shallow clone lacks.

``actions/checkout`` fetches one commit by default (the PR's merge commit), so neither the PR head's
parents nor the base branch are present. With fetching allowed, mlgate fetches the head and the base
branch, then deepens the history step by step (doubling) and finally unshallows, until the merge-base
appears. Without it, the error says how to provide the history.
"""

from __future__ import annotations

from mlgate.baseline.git import Git, is_full_sha
from mlgate.errors import InputError

FIRST_DEPTH = 64
MAX_DEPTH = 1024
FETCH_HINT = "set `fetch-depth: 0` on actions/checkout, or let mlgate fetch it (baseline.fetch: true)"


def find_merge_base(
    git: Git,
    head: str,
    base_branch: str,
    *,
    fetch: bool,
    remote: str = "origin",
    first_depth: int = FIRST_DEPTH,
    max_depth: int = MAX_DEPTH,
) -> str | None:
    """The full sha of merge-base(head, base branch); None when the complete histories share no commit.

    The base branch is the local branch, else ``<remote>/<branch>``, else any revision of that name.
    Missing commits in a shallow clone are fetched when ``fetch`` is true; otherwise, or when fetching
    fails, an InputError (exit 2) says how to fix it.
    """
    head_sha = ensure_commit(git, head, fetch=fetch, remote=remote, depth=first_depth)
    base_ref = find_base_ref(git, base_branch, fetch=fetch, remote=remote, depth=first_depth)
    found = git.merge_base(head_sha, base_ref)
    if found is not None or not git.is_shallow():
        return found
    what = f"the merge-base of {head_sha[:7]} and {base_branch}"
    if not fetch:
        raise InputError(f"{what} is not in this shallow clone (baseline.fetch is off)", hint=FETCH_HINT)
    refspec = _branch_refspec(base_branch, remote)
    depth = first_depth
    while git.is_shallow():
        if depth > max_depth:
            _fetch(git, remote, refspec, what=what, unshallow=True)
        else:
            _fetch(git, remote, refspec, what=what, deepen=depth)
        found = git.merge_base(head_sha, base_ref)
        if found is not None:
            return found
        depth *= 2
    return None


def ensure_commit(git: Git, revision: str, *, fetch: bool, remote: str = "origin", depth: int = FIRST_DEPTH) -> str:
    """The full sha of ``revision``, fetching a full sha from ``remote`` when the clone lacks it."""
    sha = git.resolve(revision)
    if sha is not None:
        return sha
    if not is_full_sha(revision):
        raise InputError(
            f"git: unknown revision '{revision}'",
            hint="pass a full commit sha or a branch that exists in this clone",
        )
    what = f"the PR head {revision[:7]}"
    if not fetch:
        raise InputError(f"{what} is not in this clone (baseline.fetch is off)", hint=FETCH_HINT)
    _fetch(git, remote, revision, what=what, depth=depth if git.is_shallow() else None)
    return git.rev_parse(revision)


def find_base_ref(git: Git, branch: str, *, fetch: bool, remote: str = "origin", depth: int = FIRST_DEPTH) -> str:
    """The ref naming the base branch: local branch, remote-tracking branch, any revision, else fetched."""
    for ref in (f"refs/heads/{branch}", f"refs/remotes/{remote}/{branch}"):
        if git.has_ref(ref):
            return ref
    if git.resolve(branch) is not None:
        return branch
    what = f"the base branch '{branch}'"
    if not fetch:
        raise InputError(
            f"{what} is not in this clone (no {branch} or {remote}/{branch}; baseline.fetch is off)",
            hint=f"`git fetch {remote} {branch}` first, or {FETCH_HINT}",
        )
    _fetch(git, remote, _branch_refspec(branch, remote), what=what, depth=depth if git.is_shallow() else None)
    return f"refs/remotes/{remote}/{branch}"


def _branch_refspec(branch: str, remote: str) -> str:
    return f"+refs/heads/{branch}:refs/remotes/{remote}/{branch}"


def _fetch(
    git: Git,
    remote: str,
    refspec: str,
    *,
    what: str,
    depth: int | None = None,
    deepen: int | None = None,
    unshallow: bool = False,
) -> None:
    try:
        git.fetch(remote, refspec, depth=depth, deepen=deepen, unshallow=unshallow)
    except InputError as exc:
        raise InputError(f"cannot fetch {what} from '{remote}': {exc.message}", hint=FETCH_HINT) from exc
