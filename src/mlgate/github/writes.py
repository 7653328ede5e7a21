"""Creating something on GitHub exactly once, when an answer can be lost after the write was done.

A 5xx from GitHub or a proxy, or a dropped connection, may come after GitHub created the comment or issue.
Posting again would make a second one, so ``create_once`` never repeats a POST blindly: after such a
failure it looks for what it meant to create (``look``), and posts again only when it is not there.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from mlgate.github.client import GitHubClient, GitHubError


def create_once(
    client: GitHubClient, path: str, document: Mapping[str, Any], *, look: Callable[[], Mapping[str, Any] | None]
) -> Mapping[str, Any]:
    """POST ``document`` to ``path`` and return the created item; ``look`` returns it if it already exists."""
    for attempt in range(1, client.tries + 1):
        try:
            made: Mapping[str, Any] = client.post(path, document, retry=False)
            return made
        except GitHubError as exc:
            if not may_have_written(exc):
                raise
            found = look()
            if found is not None:
                return found
            if attempt == client.tries:
                raise
        client.pause(attempt)
    raise AssertionError("unreachable: the last attempt returns or raises")


def may_have_written(error: GitHubError) -> bool:
    """Whether the failed write may still have been done: a 5xx, or no answer at all."""
    return error.status is None or error.status >= 500
