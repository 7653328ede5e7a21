"""Resolving the PR of a run from events, --pr and the head lookup for workflow_run."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from mlgate.errors import InputError
from mlgate.github.client import GitHubClient
from mlgate.github.pulls import PullTarget, RunHead, pull_from_event, read_event, resolve_pull

SHA = "d" * 40


def client_with(pulls: list[dict[str, Any]], seen: list[httpx.Request] | None = None) -> GitHubClient:
    def handler(request: httpx.Request) -> httpx.Response:
        if seen is not None:
            seen.append(request)
        return httpx.Response(200, json=pulls)

    return GitHubClient(httpx.Client(transport=httpx.MockTransport(handler)), base_url="https://api.test", token="t")


def test_read_event_loads_the_payload(tmp_path: Path) -> None:
    path = tmp_path / "event.json"
    path.write_text(json.dumps({"number": 3}), encoding="utf-8")
    assert read_event({"GITHUB_EVENT_NAME": "push", "GITHUB_EVENT_PATH": str(path)}) == ("push", {"number": 3})
    assert read_event({}) == (None, {})


def test_read_event_names_a_broken_file(tmp_path: Path) -> None:
    path = tmp_path / "event.json"
    path.write_text("{", encoding="utf-8")
    with pytest.raises(InputError, match=r"event.json:1: GitHub event file is not valid JSON"):
        read_event({"GITHUB_EVENT_NAME": "pull_request", "GITHUB_EVENT_PATH": str(path)})


def test_pull_request_event_gives_number_and_head() -> None:
    payload = {"number": 5, "pull_request": {"number": 5, "head": {"sha": SHA.upper()}}}
    assert pull_from_event("pull_request", payload) == PullTarget(5, SHA, "pull_request event")


def test_workflow_run_event_gives_the_run_head() -> None:
    run = {
        "head_sha": SHA,
        "head_branch": "fix",
        "head_repository": {"owner": {"login": "forker"}},
        "pull_requests": [],
    }
    assert pull_from_event("workflow_run", {"workflow_run": run}) == RunHead("forker", "fix", SHA)
    assert pull_from_event("push", {}) is None


def test_a_malformed_event_is_an_input_error() -> None:
    with pytest.raises(InputError, match="the workflow_run event has no head_repository object"):
        pull_from_event("workflow_run", {"workflow_run": {"head_sha": SHA}})


def test_workflow_run_is_resolved_by_head_and_sha() -> None:
    seen: list[httpx.Request] = []
    client = client_with([{"number": 8, "head": {"sha": "e" * 40}}, {"number": 9, "head": {"sha": SHA}}], seen)
    target = resolve_pull(client, "o/r", event=RunHead("forker", "fix", SHA), number=None)
    assert target == PullTarget(9, SHA, "open PR with head forker:fix")
    assert dict(seen[0].url.params) == {"per_page": "100", "state": "open", "head": "forker:fix"}


def test_workflow_run_refuses_a_pr_number_that_is_not_the_heads() -> None:
    client = client_with([{"number": 9, "head": {"sha": SHA}}])
    with pytest.raises(InputError, match="--pr 4 does not match the workflow_run"):
        resolve_pull(client, "o/r", event=RunHead("forker", "fix", SHA), number=4)


def test_workflow_run_without_an_open_pr_is_refused() -> None:
    with pytest.raises(InputError, match="no open pull request has head forker:fix"):
        resolve_pull(client_with([]), "o/r", event=RunHead("forker", "fix", SHA), number=None)


def test_pr_option_takes_the_event_head_only_for_the_same_pr() -> None:
    event = PullTarget(5, SHA, "pull_request event")
    client = client_with([])
    assert resolve_pull(client, "o/r", event=event, number=5) == PullTarget(5, SHA, "--pr")
    assert resolve_pull(client, "o/r", event=event, number=6) == PullTarget(6, None, "--pr")
    assert resolve_pull(client, "o/r", event=event, number=None) == event


def test_nothing_to_comment_on() -> None:
    with pytest.raises(InputError, match="no pull request to comment on"):
        resolve_pull(client_with([]), "o/r", event=None, number=None)
