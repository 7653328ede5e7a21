"""The ``mlgate comment`` flow: guard against stale runs, then make the sticky comment say ``body``.

A run never overwrites a newer one: right before writing it compares the PR's current head with the
commit it is about. A stale run writes nothing here; the caller puts the report in the job summary.
Requests: one GET for the PR, ceil(comments / 100) GETs for the list, at most one write (plus deletes of
duplicates).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from mlgate.github.client import GitHubClient
from mlgate.github.comments import BOT_LOGIN, upsert_sticky
from mlgate.github.pulls import PullTarget, current_head


@dataclass(frozen=True)
class PublishResult:
    """What happened on the PR: ``created``, ``updated``, ``unchanged`` or ``stale`` (nothing written)."""

    action: Literal["created", "updated", "unchanged", "stale"]
    number: int
    head: str | None
    current_head: str | None = None
    comment_id: int | None = None
    url: str = ""
    deleted: tuple[int, ...] = ()


def publish_comment(
    client: GitHubClient, repo: str, target: PullTarget, body: str, *, head: str | None, author: str = BOT_LOGIN
) -> PublishResult:
    """Make ``body`` the sticky comment on ``target`` unless the PR's head is no longer ``head``.

    ``head`` None skips the guard (the caller says so: nothing tells which commit the report is about).
    """
    now = None
    if head is not None:
        now = current_head(client, repo, target.number)
        if now != head.lower():
            return PublishResult("stale", target.number, head, now)
    done = upsert_sticky(client, repo, target.number, body, author=author)
    return PublishResult(done.action, target.number, head, now, done.comment_id, done.url, done.deleted)
