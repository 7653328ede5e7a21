"""The sticky PR comment: find ours, decide what to do (pure), then do it.

A comment is ours only if its body starts with a report marker for the same key AND its author is the
token's identity (``github-actions[bot]`` for ``GITHUB_TOKEN``; an App or PAT posts as someone else, so
the author is configurable). A human quoting the report is therefore never touched. Of several matches
(two runs raced) the oldest is updated and the later ones deleted, so the PR converges on one comment.
When the marker's hash equals the new body's, nothing is written.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from mlgate.errors import InternalError
from mlgate.github.body import is_ours
from mlgate.github.client import GitHubClient, GitHubError, read_field, read_object
from mlgate.github.marker import parse_marker
from mlgate.github.writes import create_once

BOT_LOGIN = "github-actions[bot]"

Action = Literal["create", "update", "unchanged"]


@dataclass(frozen=True)
class Comment:
    """The parts of an issue comment the sticky logic reads."""

    id: int
    author: str
    body: str
    url: str = ""

    @classmethod
    def from_api(cls, item: Any, where: str = "GET issue comments") -> Comment:
        """From a GitHub ``issue-comment`` object (a deleted user has no ``user``); a malformed one is a GitHubError."""
        user = read_object(item, where).get("user") or {}
        login = user.get("login") if isinstance(user, dict) else None
        url = item.get("html_url")
        return cls(
            read_field(item, "id", int, where),
            str(login or ""),
            str(item.get("body") or ""),
            url if isinstance(url, str) else "",
        )


@dataclass(frozen=True)
class StickyPlan:
    """What to write: create, update ``comment_id``, or leave it; and the duplicates to delete."""

    action: Action
    comment_id: int | None = None
    url: str = ""
    delete: tuple[int, ...] = ()


@dataclass(frozen=True)
class StickyResult:
    """What was done: ``created``, ``updated`` or ``unchanged``, on which comment, and what was deleted."""

    action: Literal["created", "updated", "unchanged"]
    comment_id: int
    url: str
    deleted: tuple[int, ...] = ()


def find_ours(comments: Iterable[Comment], *, key: str, author: str) -> list[Comment]:
    """Our comments for ``key``, oldest first: the marker starts the body and ``author`` wrote it."""
    ours = [c for c in comments if is_ours(c.body, c.author, key=key, author=author)]
    return sorted(ours, key=lambda c: c.id)


def plan_sticky(comments: Sequence[Comment], body: str, *, author: str) -> StickyPlan:
    """Decide how to make ``body`` (which starts with its marker) the one sticky comment for its key."""
    marker = parse_marker(body)
    if marker is None:
        raise InternalError("a sticky comment body must start with its mlgate marker line")
    ours = find_ours(comments, key=marker.key, author=author)
    if not ours:
        return StickyPlan("create")
    keep, duplicates = ours[0], tuple(c.id for c in ours[1:])
    existing = parse_marker(keep.body)
    unchanged = existing is not None and marker.hash is not None and existing.hash == marker.hash
    return StickyPlan("unchanged" if unchanged else "update", keep.id, keep.url, duplicates)


def list_comments(client: GitHubClient, repo: str, number: int) -> list[Comment]:
    """Every comment on issue/PR ``number`` (all pages)."""
    path = f"/repos/{repo}/issues/{number}/comments"
    return [Comment.from_api(item, f"GET {path}") for item in client.paginate(path)]


def apply_plan(
    client: GitHubClient, repo: str, number: int, plan: StickyPlan, body: str, *, author: str = BOT_LOGIN
) -> StickyResult:
    """Carry out ``plan``: one write at most, then delete duplicates (one already gone is fine).

    A create whose answer is lost (5xx, dropped connection) is not posted again before the comments are
    listed again: if it was made, it is the result (``mlgate.github.writes.create_once``).
    """
    if plan.action == "create":
        path = f"/repos/{repo}/issues/{number}/comments"
        made = read_object(
            create_once(client, path, {"body": body}, look=lambda: _look_again(client, repo, number, body, author)),
            f"POST {path}",
        )
        result = StickyResult("created", read_field(made, "id", int, f"POST {path}"), str(made.get("html_url") or ""))
    elif plan.action == "update":
        assert plan.comment_id is not None
        path = f"/repos/{repo}/issues/comments/{plan.comment_id}"
        done = read_object(client.patch(path, {"body": body}), f"PATCH {path}")
        url = done.get("html_url")
        result = StickyResult("updated", plan.comment_id, url if isinstance(url, str) and url else plan.url)
    else:
        assert plan.comment_id is not None
        result = StickyResult("unchanged", plan.comment_id, plan.url)
    deleted = []
    for comment_id in plan.delete:
        try:
            client.delete(f"/repos/{repo}/issues/comments/{comment_id}")
        except GitHubError as exc:
            if exc.status != 404:  # another run deleted it first
                raise
        deleted.append(comment_id)
    return StickyResult(result.action, result.comment_id, result.url, tuple(deleted))


def _look_again(client: GitHubClient, repo: str, number: int, body: str, author: str) -> dict[str, Any] | None:
    """The comment a lost create made, if it was made: ours for the same key with the same body."""
    marker = parse_marker(body)
    for comment in find_ours(list_comments(client, repo, number), key=marker.key if marker else "", author=author):
        if comment.body == body:
            return {"id": comment.id, "html_url": comment.url}
    return None


def upsert_sticky(client: GitHubClient, repo: str, number: int, body: str, *, author: str = BOT_LOGIN) -> StickyResult:
    """Create or update the sticky comment for ``body``'s key on ``number``; delete later duplicates."""
    plan = plan_sticky(list_comments(client, repo, number), body, author=author)
    return apply_plan(client, repo, number, plan, body, author=author)
