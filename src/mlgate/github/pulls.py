"""Which pull request a run belongs to, and whether that PR has moved on since.

- ``pull_request`` / ``pull_request_target``: the event's ``pull_request.number`` and ``head.sha``.
- ``workflow_run`` (the fork-safe poster): ``workflow_run.pull_requests`` is empty for forks, so the PR is
  looked up by head: ``GET /repos/{o}/{r}/pulls?state=open&head=<head owner>:<head branch>``, and refused
  unless an open PR's ``head.sha`` equals ``workflow_run.head_sha``.
- ``--pr N`` names the PR directly (its head then comes from ``--head`` or the report's marker).

The stale-run guard reads the PR's current head (``GET /pulls/{n}``) right before writing.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mlgate.errors import InputError
from mlgate.files import read_text
from mlgate.github.client import GitHubClient, read_field

PULL_REQUEST_EVENTS = frozenset({"pull_request", "pull_request_target"})


@dataclass(frozen=True)
class PullTarget:
    """The PR to comment on, the commit this run is about (if known) and where that came from."""

    number: int
    head_sha: str | None
    source: str


@dataclass(frozen=True)
class RunHead:
    """The head of a ``workflow_run``: repository owner, branch and commit."""

    owner: str
    branch: str
    sha: str


def read_event(environ: Mapping[str, str]) -> tuple[str | None, dict[str, Any]]:
    """``GITHUB_EVENT_NAME`` and the payload at ``GITHUB_EVENT_PATH`` (empty when there is none)."""
    name = environ.get("GITHUB_EVENT_NAME") or None
    location = environ.get("GITHUB_EVENT_PATH")
    if name is None or not location:
        return name, {}
    path = Path(location)
    try:
        payload = json.loads(read_text(path, what="GitHub event file"))
    except json.JSONDecodeError as exc:
        raise InputError(f"{path}:{exc.lineno}: GitHub event file is not valid JSON: {exc.msg}") from exc
    if not isinstance(payload, dict):
        raise InputError(f"{path}: GitHub event file must hold a JSON object")
    return name, payload


def pull_from_event(name: str | None, payload: Mapping[str, Any]) -> PullTarget | RunHead | None:
    """What the event says: a PR (pull_request events), a run head (workflow_run), or nothing."""
    if name in PULL_REQUEST_EVENTS:
        pull = _dig(payload, "pull_request", name)
        number = pull.get("number", payload.get("number"))
        if isinstance(number, bool) or not isinstance(number, int):
            raise InputError(f"the {name} event has no pull request number")
        sha = _dig(pull, "head", name).get("sha")
        return PullTarget(number, sha.lower() if isinstance(sha, str) else None, f"{name} event")
    if name == "workflow_run":
        run = _dig(payload, "workflow_run", name)
        owner = _dig(_dig(run, "head_repository", name), "owner", name).get("login")
        branch, sha = run.get("head_branch"), run.get("head_sha")
        if not (isinstance(owner, str) and isinstance(branch, str) and isinstance(sha, str)):
            raise InputError("the workflow_run event lacks head_repository.owner.login, head_branch or head_sha")
        return RunHead(owner, branch, sha.lower())
    return None


def resolve_pull(
    client: GitHubClient, repo: str, *, event: PullTarget | RunHead | None, number: int | None
) -> PullTarget:
    """The PR to comment on: ``--pr`` (checked against a workflow_run's head), else the event's PR."""
    if isinstance(event, RunHead):
        target = find_pull_for_head(client, repo, event)
        if number is not None and number != target.number:
            raise InputError(
                f"--pr {number} does not match the workflow_run: commit {event.sha[:7]} is the head of PR "
                f"#{target.number}; refusing to comment",
            )
        return target
    if number is not None:
        head = event.head_sha if isinstance(event, PullTarget) and event.number == number else None
        return PullTarget(number, head, "--pr")
    if isinstance(event, PullTarget):
        return event
    raise InputError(
        "no pull request to comment on",
        hint="pass --pr N, or run on a pull_request or workflow_run event",
    )


def find_pull_for_head(client: GitHubClient, repo: str, head: RunHead) -> PullTarget:
    """The open PR whose head is ``head`` (owner:branch at that sha); InputError when there is none."""
    label = f"{head.owner}:{head.branch}"
    where = f"GET /repos/{repo}/pulls"
    pulls = [
        (read_field(p, "number", int, where), head_of(p, where))
        for p in client.paginate(where[4:], {"state": "open", "head": label})
    ]
    for number, sha in pulls:
        if sha == head.sha:
            return PullTarget(number, head.sha, f"open PR with head {label}")
    if not pulls:
        raise InputError(
            f"no open pull request has head {label}: refusing to comment for workflow_run {head.sha[:7]}",
            hint="the PR may have been closed; a push to a branch without a PR has nothing to comment on",
        )
    found = ", ".join(f"#{number} at {sha[:7]}" for number, sha in pulls)
    raise InputError(
        f"no open pull request from {label} has head {head.sha[:7]} ({found}): refusing to comment",
        hint="the PR moved on since this run started; the run for its new head will comment",
    )


def current_head(client: GitHubClient, repo: str, number: int) -> str:
    """The PR's head commit right now."""
    path = f"/repos/{repo}/pulls/{number}"
    return head_of(client.get(path), f"GET {path}")


def head_of(pull: Any, where: str) -> str:
    """A pull request object's ``head.sha``, lower case; a malformed object is a GitHubError."""
    return read_field(read_field(pull, "head", dict, where), "sha", str, where).lower()


def _dig(document: Mapping[str, Any], key: str, event: str) -> Mapping[str, Any]:
    value = document.get(key)
    if not isinstance(value, dict):
        raise InputError(f"the {event} event has no {key} object", hint="GITHUB_EVENT_PATH must be GitHub's payload")
    return value
