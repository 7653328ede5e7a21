"""The publish flow: the stale-run guard runs before any write."""

from __future__ import annotations

import httpx

from mlgate.github.client import GitHubClient
from mlgate.github.publish import publish_comment
from mlgate.github.pulls import PullTarget
from mlgate.report.budget import with_marker

OLD, NEW = "1" * 40, "2" * 40


def make(head_now: str, seen: list[tuple[str, str]]) -> GitHubClient:
    def handler(request: httpx.Request) -> httpx.Response:
        seen.append((request.method, request.url.path))
        if request.url.path.endswith("/pulls/3"):
            return httpx.Response(200, json={"number": 3, "head": {"sha": head_now}})
        if request.method == "GET":
            return httpx.Response(200, json=[])
        return httpx.Response(201, json={"id": 77, "html_url": "https://gh/77"})

    return GitHubClient(httpx.Client(transport=httpx.MockTransport(handler)), base_url="https://api.test", token="t")


def test_a_stale_run_writes_nothing() -> None:
    seen: list[tuple[str, str]] = []
    result = publish_comment(make(NEW, seen), "o/r", PullTarget(3, OLD, "event"), with_marker("x", key="k", head=OLD), head=OLD)  # fmt: skip
    assert (result.action, result.current_head) == ("stale", NEW)
    assert seen == [("GET", "/repos/o/r/pulls/3")]


def test_a_current_run_creates_the_comment() -> None:
    seen: list[tuple[str, str]] = []
    result = publish_comment(make(OLD, seen), "o/r", PullTarget(3, OLD, "event"), with_marker("x", key="k", head=OLD), head=OLD)  # fmt: skip
    assert (result.action, result.comment_id, result.url) == ("created", 77, "https://gh/77")
    assert seen[-1] == ("POST", "/repos/o/r/issues/3/comments")


def test_without_a_head_the_guard_is_skipped() -> None:
    seen: list[tuple[str, str]] = []
    result = publish_comment(make(NEW, seen), "o/r", PullTarget(3, None, "--pr"), with_marker("x", key="k", head=None), head=None)  # fmt: skip
    assert result.action == "created"
    assert ("GET", "/repos/o/r/pulls/3") not in seen
