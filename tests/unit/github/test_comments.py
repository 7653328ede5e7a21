"""The sticky comment: the pure plan, and applying it over httpx.MockTransport."""

from __future__ import annotations

import json

import httpx
import pytest

from mlgate.errors import InternalError
from mlgate.github.client import GitHubClient
from mlgate.github.comments import BOT_LOGIN, Comment, StickyPlan, apply_plan, find_ours, plan_sticky
from mlgate.report.budget import with_marker

HEAD = "c" * 40


def body(text: str, key: str = "pr/bench") -> str:
    return with_marker(text, key=key, head=HEAD)


def test_no_comment_of_ours_means_create() -> None:
    comments = [Comment(1, "octocat", "hi"), Comment(2, BOT_LOGIN, body("x", key="other"))]
    assert plan_sticky(comments, body("new"), author=BOT_LOGIN) == StickyPlan("create")


def test_the_oldest_match_is_updated_and_later_ones_deleted() -> None:
    comments = [
        Comment(30, BOT_LOGIN, body("b")),
        Comment(10, BOT_LOGIN, body("a"), "u10"),
        Comment(20, BOT_LOGIN, body("c")),
    ]
    assert plan_sticky(comments, body("new"), author=BOT_LOGIN) == StickyPlan("update", 10, "u10", (20, 30))


def test_same_hash_means_unchanged() -> None:
    comments = [Comment(5, BOT_LOGIN, body("same"))]
    assert plan_sticky(comments, body("same"), author=BOT_LOGIN).action == "unchanged"


def test_author_and_marker_position_both_matter() -> None:
    comments = [
        Comment(1, "octocat", body("a human quoting the report")),
        Comment(2, BOT_LOGIN, "see:\n" + body("quoted further down")),
        Comment(3, BOT_LOGIN, "  " + body("indented")),
        Comment(4, "GitHub-Actions[bot]", body("ours, any case")),
    ]
    assert [c.id for c in find_ours(comments, key="pr/bench", author=BOT_LOGIN)] == [4]
    assert find_ours(comments, key="pr/bench", author="my-app[bot]") == []


def test_a_body_without_marker_is_a_bug() -> None:
    with pytest.raises(InternalError, match="must start with its mlgate marker"):
        plan_sticky([], "no marker", author=BOT_LOGIN)


def test_comment_from_api_tolerates_a_deleted_user() -> None:
    assert Comment.from_api({"id": 3, "user": None, "body": None}) == Comment(3, "", "")


def test_apply_plan_patches_then_deletes_and_tolerates_a_404() -> None:
    seen: list[tuple[str, str, object]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        payload = json.loads(request.content) if request.content else None
        seen.append((request.method, request.url.path, payload))
        if request.method == "PATCH":
            return httpx.Response(200, json={"id": 10, "html_url": "https://gh/c/10"})
        return httpx.Response(404 if request.url.path.endswith("/21") else 204, json=None)

    client = GitHubClient(httpx.Client(transport=httpx.MockTransport(handler)), base_url="https://api.test", token="t")
    result = apply_plan(client, "o/r", 4, StickyPlan("update", 10, "", (20, 21)), "new body")
    assert (result.action, result.comment_id, result.url, result.deleted) == (
        "updated",
        10,
        "https://gh/c/10",
        (20, 21),
    )
    assert seen == [
        ("PATCH", "/repos/o/r/issues/comments/10", {"body": "new body"}),
        ("DELETE", "/repos/o/r/issues/comments/20", None),
        ("DELETE", "/repos/o/r/issues/comments/21", None),
    ]
