"""The REST client over httpx.MockTransport: headers, pagination, retries, error translation."""

from __future__ import annotations

import json
from collections.abc import Callable

import httpx
import pytest

from mlgate.errors import ExitCode
from mlgate.github.client import API_VERSION, GitHubClient, GitHubError, NotAccessibleError

TOKEN = "ghs_secret_value_42"
BASE = "https://api.example.test"


class Recorder:
    """A MockTransport handler that answers from a queue and records the requests."""

    def __init__(self, *answers: httpx.Response | Callable[[httpx.Request], httpx.Response]) -> None:
        self.answers = list(answers)
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        answer = self.answers.pop(0)
        return answer(request) if callable(answer) else answer


def make(recorder: Recorder, *, now: float = 1_000.0) -> tuple[GitHubClient, list[float]]:
    waits: list[float] = []
    session = httpx.Client(transport=httpx.MockTransport(recorder))
    client = GitHubClient(session, base_url=BASE + "/", token=TOKEN, sleep=waits.append, clock=lambda: now)
    return client, waits


def error(status: int, message: str, **headers: str) -> httpx.Response:
    return httpx.Response(status, json={"message": message}, headers=headers)


def test_sends_auth_version_and_accept_headers() -> None:
    recorder = Recorder(httpx.Response(200, json={"ok": True}))
    client, _ = make(recorder)
    assert client.get("/repos/o/r/pulls/1") == {"ok": True}
    sent = recorder.requests[0]
    assert str(sent.url) == f"{BASE}/repos/o/r/pulls/1"
    assert sent.headers["authorization"] == f"Bearer {TOKEN}"
    assert sent.headers["x-github-api-version"] == API_VERSION
    assert sent.headers["accept"] == "application/vnd.github+json"
    assert TOKEN not in repr(client)


def test_paginate_follows_link_with_per_page_100() -> None:
    next_page = f'<{BASE}/repositories/9/issues/1/comments?per_page=100&page=2>; rel="next"'
    recorder = Recorder(
        httpx.Response(200, json=[1, 2], headers={"Link": next_page}),
        httpx.Response(200, json=[3]),
    )
    client, _ = make(recorder)
    assert list(client.paginate("/repos/o/r/issues/1/comments")) == [1, 2, 3]
    assert recorder.requests[0].url.params["per_page"] == "100"
    assert recorder.requests[1].url.params["page"] == "2"


def test_paginate_refuses_a_link_to_another_host() -> None:
    recorder = Recorder(httpx.Response(200, json=[1], headers={"Link": '<https://evil.test/x?page=2>; rel="next"'}))
    client, _ = make(recorder)
    with pytest.raises(GitHubError, match=r"refusing to follow a pagination link to evil\.test"):
        list(client.paginate("/repos/o/r/issues/1/comments"))
    assert len(recorder.requests) == 1


def test_retry_after_is_honoured_on_a_secondary_rate_limit() -> None:
    recorder = Recorder(
        error(403, "You have exceeded a secondary rate limit", **{"retry-after": "7"}),
        httpx.Response(201, json={"id": 1}),
    )
    client, waits = make(recorder)
    assert client.post("/repos/o/r/issues/1/comments", {"body": "x"}) == {"id": 1}
    assert waits == [7.0]
    assert json.loads(recorder.requests[1].content) == {"body": "x"}


def test_primary_rate_limit_waits_until_the_reset() -> None:
    limited = error(403, "API rate limit exceeded", **{"x-ratelimit-remaining": "0", "x-ratelimit-reset": "1030"})
    client, waits = make(Recorder(limited, httpx.Response(200, json=[])), now=1_000.0)
    assert client.get("/x") == []
    assert waits == [31.0]


def test_a_reset_far_away_gives_up_at_once() -> None:
    limited = error(429, "rate limited", **{"x-ratelimit-remaining": "0", "x-ratelimit-reset": "4600"})
    recorder = Recorder(limited)
    client, waits = make(recorder, now=1_000.0)
    with pytest.raises(GitHubError, match=r"rate limited \(429\) for 3601 s more"):
        client.get("/x")
    assert waits == []


def test_5xx_is_retried_with_backoff_and_then_exit_3() -> None:
    recorder = Recorder(*[error(502, "Server Error")] * 3)
    client, waits = make(recorder)
    with pytest.raises(GitHubError, match=r"GET /x failed: 502 Server Error after 3 tries") as caught:
        client.get("/x")
    assert waits == [1.0, 2.0]
    assert caught.value.exit_code == ExitCode.SERVICE_FAILED
    assert TOKEN not in str(caught.value)


def test_connection_errors_are_retried() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    client, waits = make(Recorder(refuse, refuse, httpx.Response(200, json={"n": 1})))
    assert client.get("/x") == {"n": 1}
    assert waits == [1.0, 2.0]
    client, _ = make(Recorder(refuse, refuse, refuse))
    with pytest.raises(GitHubError, match="ConnectError after 3 tries"):
        client.get("/x")


def test_resource_not_accessible_is_its_own_error_and_not_retried() -> None:
    recorder = Recorder(error(403, "Resource not accessible by integration"))
    client, waits = make(recorder)
    with pytest.raises(NotAccessibleError, match="403 Resource not accessible by integration") as caught:
        client.patch("/repos/o/r/issues/comments/5", {"body": "x"})
    assert caught.value.hint is not None
    assert "pull-requests: write" in caught.value.hint
    assert waits == []


@pytest.mark.parametrize(
    ("status", "hint"), [(401, "GITHUB_TOKEN is invalid"), (404, "check GITHUB_REPOSITORY"), (422, "refused")]
)
def test_client_errors_fail_at_once_with_a_hint(status: int, hint: str) -> None:
    client, waits = make(
        Recorder(
            httpx.Response(
                status, json={"message": "nope", "errors": [{"code": "custom", "message": "body is too long"}]}
            )
        )
    )
    with pytest.raises(GitHubError, match=f"{status} nope; body is too long") as caught:
        client.delete("/x")
    assert caught.value.hint is not None
    assert hint in caught.value.hint
    assert waits == []
