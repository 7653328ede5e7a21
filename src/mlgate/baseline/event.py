"""Which commits a run is about: the PR head and the base branch, from GitHub's event or from git.

In a ``pull_request`` run the checkout is GitHub's temporary merge commit, whose merge-base with the base
branch is the base tip. The candidate is therefore ``pull_request.head.sha`` from the event file, never
``HEAD``. Outside a pull request the base branch is ``--base``, else ``baseline.base_branch``, else the
repository's default branch (``mlgate.baseline.branch``). The environment mapping is passed in; this module
does not read ``os.environ``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mlgate.baseline.branch import BaseBranch, find_base_branch
from mlgate.baseline.git import Git, is_full_sha
from mlgate.errors import InputError
from mlgate.files import read_text

PULL_REQUEST_EVENTS = frozenset({"pull_request", "pull_request_target"})


@dataclass(frozen=True)
class PullRequest:
    """The parts of a ``pull_request`` event payload mlgate uses."""

    number: int
    head_sha: str
    base_ref: str
    base_sha: str | None


@dataclass(frozen=True)
class Revisions:
    """The candidate commit and the branch its baseline comes from, with where each was read.

    ``base_branch`` None: no base branch was named and the repository has none of the usual ones;
    ``base_reason`` says why, in the words the report shows.
    """

    head: str
    base_branch: str | None
    head_source: str  # "--head", "pull_request.head.sha" or "HEAD"
    event: str | None = None
    pr_number: int | None = None
    base_sha: str | None = None
    base_source: str = "baseline.base_branch"  # or "--base", "pull_request.base.ref", "origin/HEAD", ...
    base_reason: str | None = None


def find_revisions(
    environ: Mapping[str, str],
    *,
    git: Git,
    base_branch: str | None,
    head: str | None = None,
    base: str | None = None,
    fetch: bool = True,
) -> Revisions:
    """The head and base of this run: ``--head``/``--base`` win, then the PR event, then HEAD and config.

    ``base_branch`` is the configured default (``baseline.base_branch``); None finds the repository's default
    branch (``find_base_branch``; ``fetch`` lets it ask ``origin``). A ``head`` that is a full sha is kept as
    given (it may still need fetching); any other revision must resolve in the clone.
    """
    event = environ.get("GITHUB_EVENT_NAME") or None
    pull = None
    if event in PULL_REQUEST_EVENTS and (head is None or base is None):
        pull = read_pull_request(_event_path(environ, event))
    if head is not None:
        head_sha, source = (head if is_full_sha(head) else git.rev_parse(head)), "--head"
    elif pull is not None:
        head_sha, source = pull.head_sha, "pull_request.head.sha"
    else:
        head_sha, source = git.rev_parse("HEAD"), "HEAD"
    if base is not None:
        found = BaseBranch(base, "--base")
    elif pull is not None:
        found = BaseBranch(pull.base_ref, "pull_request.base.ref")
    elif base_branch is not None:
        found = BaseBranch(base_branch, "baseline.base_branch")
    else:
        found = find_base_branch(git, fetch=fetch)
    return Revisions(
        head=head_sha,
        base_branch=found.name,
        head_source=source,
        event=event,
        pr_number=pull.number if pull is not None else None,
        base_sha=pull.base_sha if pull is not None and base is None else None,
        base_source=found.source,
        base_reason=found.reason,
    )


def read_pull_request(path: Path) -> PullRequest:
    """Parse a ``pull_request`` event file; a missing or malformed file is an InputError naming it."""
    text = read_text(path, what="GitHub event file")
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(
            f"{path}:{exc.lineno}: GitHub event file is not valid JSON: {exc.msg}",
            hint="GITHUB_EVENT_PATH must name the event payload GitHub Actions wrote",
        ) from exc
    if not isinstance(document, dict):
        raise InputError(f"{path}: GitHub event file must hold a JSON object")
    head_sha = _lookup(document, path, "pull_request.head.sha")
    base_ref = _lookup(document, path, "pull_request.base.ref")
    number = document["number"] if "number" in document else _lookup(document, path, "pull_request.number")
    if not isinstance(head_sha, str) or not is_full_sha(head_sha.lower()):
        raise InputError(f"{path}: pull_request.head.sha is not a commit sha: {head_sha!r}")
    if not isinstance(base_ref, str) or not base_ref:
        raise InputError(f"{path}: pull_request.base.ref is not a branch name: {base_ref!r}")
    if isinstance(number, bool) or not isinstance(number, int):
        raise InputError(f"{path}: the pull request number is not an integer: {number!r}")
    base_sha = document["pull_request"]["base"].get("sha")
    return PullRequest(
        number=number,
        head_sha=head_sha.lower(),
        base_ref=base_ref,
        base_sha=base_sha.lower() if isinstance(base_sha, str) and is_full_sha(base_sha.lower()) else None,
    )


def _event_path(environ: Mapping[str, str], event: str) -> Path:
    location = environ.get("GITHUB_EVENT_PATH")
    if not location:
        raise InputError(
            f"GITHUB_EVENT_NAME is {event} but GITHUB_EVENT_PATH is not set",
            hint="run inside GitHub Actions, or pass --head SHA and --base BRANCH",
        )
    return Path(location)


def _lookup(document: dict[str, Any], path: Path, dotted: str) -> Any:
    """The value at a dotted key path of the event; a missing level is an InputError naming it."""
    value: Any = document
    for key in dotted.split("."):
        if not isinstance(value, dict) or key not in value:
            raise InputError(
                f"{path}: the GitHub event has no {dotted}",
                hint="pull_request events carry pull_request.head.sha and pull_request.base.ref",
            )
        value = value[key]
    return value
