"""Unit tests for mlgate.github.writes: a create is never repeated blindly, against the GitHub fake."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import httpx
import pytest

from fakes.github_api import FakeGitHub
from mlgate.github.client import GitHubClient, GitHubError
from mlgate.github.writes import create_once, may_have_written

PATH = "/repos/octo/demo/issues/7/comments"


def make_client(fake: FakeGitHub, session: httpx.Client, pauses: list[float]) -> GitHubClient:
    return GitHubClient(session, base_url=fake.url, token=fake.token, sleep=pauses.append)


def look_for(fake: FakeGitHub, body: str, looked: list[str]) -> Any:
    def look() -> Mapping[str, Any] | None:
        looked.append(body)
        found = [c for c in fake.comments(7) if c.body == body]
        return {"id": found[0].id, "body": found[0].body} if found else None

    return look


def test_a_write_that_succeeds_is_posted_once_and_never_looked_for(github_api: FakeGitHub) -> None:
    github_api.add_pull(7, head_sha="a" * 40)
    looked: list[str] = []
    with httpx.Client(timeout=10) as session:
        made = create_once(
            make_client(github_api, session, []), PATH, {"body": "hi"}, look=look_for(github_api, "hi", looked)
        )
    assert made["body"] == "hi"
    assert [c.body for c in github_api.comments(7)] == ["hi"]
    assert looked == []


def test_a_lost_answer_after_the_write_returns_what_was_made_without_posting_again(github_api: FakeGitHub) -> None:
    github_api.add_pull(7, head_sha="a" * 40)
    github_api.fail_after_write(1, 502)
    looked: list[str] = []
    with httpx.Client(timeout=10) as session:
        made = create_once(
            make_client(github_api, session, []), PATH, {"body": "once"}, look=look_for(github_api, "once", looked)
        )
    assert [c.body for c in github_api.comments(7)] == ["once"]
    assert made["id"] == github_api.comments(7)[0].id
    assert looked == ["once"]


def test_a_5xx_before_the_write_posts_again_after_a_pause(github_api: FakeGitHub) -> None:
    github_api.add_pull(7, head_sha="a" * 40)
    github_api.fail_next(1, 502, method="POST")
    pauses: list[float] = []
    looked: list[str] = []
    with httpx.Client(timeout=10) as session:
        create_once(
            make_client(github_api, session, pauses), PATH, {"body": "x"}, look=look_for(github_api, "x", looked)
        )
    assert [c.body for c in github_api.comments(7)] == ["x"]
    assert looked == ["x"]
    assert len(pauses) == 1


def test_a_refused_write_is_raised_at_once_without_looking(github_api: FakeGitHub) -> None:
    github_api.add_pull(7, head_sha="a" * 40)
    github_api.forbid_writes()
    looked: list[str] = []
    with httpx.Client(timeout=10) as session, pytest.raises(GitHubError, match="Resource not accessible"):
        create_once(make_client(github_api, session, []), PATH, {"body": "x"}, look=look_for(github_api, "x", looked))
    assert looked == []
    assert len(github_api.writes()) == 1


def test_the_last_failure_is_raised_when_every_attempt_fails_before_writing(github_api: FakeGitHub) -> None:
    github_api.add_pull(7, head_sha="a" * 40)
    github_api.fail_next(3, 503, method="POST")
    looked: list[str] = []
    with httpx.Client(timeout=10) as session, pytest.raises(GitHubError, match="503"):
        create_once(make_client(github_api, session, []), PATH, {"body": "x"}, look=look_for(github_api, "x", looked))
    assert looked == ["x", "x", "x"]
    assert github_api.comments(7) == []


@pytest.mark.parametrize(("status", "maybe"), [(None, True), (500, True), (502, True), (403, False), (422, False)])
def test_may_have_written_only_after_a_5xx_or_no_answer(status: int | None, maybe: bool) -> None:
    assert may_have_written(GitHubError("failed", status=status)) is maybe
