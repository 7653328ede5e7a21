"""The monitor issue against the OpenAPI-validated fake GitHub: open, update, leave, close, duplicates, retrain."""

from __future__ import annotations

import re
from collections.abc import Iterator

import httpx
import pytest

from fakes.github_api import BOT, FakeGitHub
from mlgate.errors import InputError
from mlgate.github.client import GitHubClient, GitHubError, NotAccessibleError
from mlgate.github.issues import (
    CLOSING_NOTE,
    Issue,
    IssueResult,
    build_issue_body,
    find_monitor_issues,
    make_marker,
    note_retrain,
    sync_monitor_issue,
)
from mlgate.github.marker import parse_marker

KEY = "mlgate-monitor"


@pytest.fixture
def client(github_api: FakeGitHub) -> Iterator[GitHubClient]:
    with httpx.Client(timeout=10) as session:
        yield GitHubClient(session, base_url=github_api.url, token=github_api.token, sleep=lambda _: None)


def sync(client: GitHubClient, fake: FakeGitHub, body: str, *, breach: bool, key: str = KEY) -> IssueResult:
    return sync_monitor_issue(client, fake.repository, key=key, title="Drift: price", body=body, breach=breach)


def test_the_marker_is_the_first_line_and_readable_by_the_body_parser() -> None:
    body = build_issue_body("nightly/eu", "## Drift\n")
    assert body == "<!-- mlgate:monitor v=1 key=nightly/eu -->\n## Drift\n"
    marker = parse_marker(body, kind="monitor")
    assert marker is not None
    assert (marker.version, marker.key) == (1, "nightly/eu")
    assert parse_marker(body) is None  # not a report marker
    assert build_issue_body("k", make_marker("old") + "\nreport") == make_marker("k") + "\nreport"


@pytest.mark.parametrize("key", ["", "a b", "x-->y", "a--b", "k" * 101, "é"])
def test_a_key_that_cannot_live_in_the_marker_is_refused(key: str) -> None:
    with pytest.raises(InputError, match="cannot go in the issue's marker line"):
        make_marker(key)


def test_find_needs_marker_key_and_author() -> None:
    issues = [
        Issue(9, BOT, "t", build_issue_body(KEY, "later")),
        Issue(3, "octocat", "t", build_issue_body(KEY, "a human copy")),
        Issue(4, BOT, "t", "quoted:\n" + build_issue_body(KEY, "x")),
        Issue(5, BOT, "t", build_issue_body("other", "x")),
        Issue(7, "GitHub-Actions[bot]", "t", build_issue_body(KEY, "ours")),
    ]
    assert [i.number for i in find_monitor_issues(issues, key=KEY, author=BOT)] == [7, 9]
    assert find_monitor_issues(issues, key=KEY, author="my-app[bot]") == []


def test_issue_from_api_tolerates_a_deleted_user_and_a_null_body() -> None:
    assert Issue.from_api({"number": 2, "user": None, "body": None, "title": "t"}) == Issue(2, "", "t", "")


def test_breach_opens_one_issue_then_updates_it_then_writes_nothing(
    github_api: FakeGitHub, client: GitHubClient
) -> None:
    github_api.add_pull(1, head_sha="a" * 40)  # the issues list returns pulls too: never a candidate
    created = sync(client, github_api, "price drifted\n", breach=True)
    (issue,) = github_api.issues()
    assert (created.action, created.number, issue.number, issue.author, issue.state) == ("created", 2, 2, BOT, "open")
    assert created.url == "https://github.com/octo/demo/issues/2"
    assert issue.body == make_marker(KEY) + "\nprice drifted\n"
    updated = sync(client, github_api, "price and qty drifted\n", breach=True)
    assert (updated.action, updated.number) == ("updated", 2)
    assert github_api.issues()[0].body == make_marker(KEY) + "\nprice and qty drifted\n"
    writes = len(github_api.writes())
    assert sync(client, github_api, "price and qty drifted\n", breach=True).action == "unchanged"
    assert len(github_api.writes()) == writes
    assert len(github_api.issues()) == 1


def test_healthy_closes_the_issue_with_a_note_and_a_later_breach_opens_a_new_one(
    github_api: FakeGitHub, client: GitHubClient
) -> None:
    first = sync(client, github_api, "drift\n", breach=True)
    closed = sync(client, github_api, "all columns within bounds\n", breach=False)
    assert (closed.action, closed.number) == ("closed", first.number)
    (issue,) = github_api.issues()
    assert (issue.state, issue.state_reason) == ("closed", "completed")
    assert issue.body == make_marker(KEY) + "\n" + CLOSING_NOTE + "all columns within bounds\n"
    assert sync(client, github_api, "still fine\n", breach=False) == IssueResult("none", None, None)
    again = sync(client, github_api, "drift again\n", breach=True)
    assert again.action == "created"
    assert again.number != first.number
    assert [i.state for i in github_api.issues()] == ["closed", "open"]


def test_healthy_with_no_issue_writes_nothing(github_api: FakeGitHub, client: GitHubClient) -> None:
    assert sync(client, github_api, "fine\n", breach=False) == IssueResult("none", None, None)
    assert github_api.writes() == []


def test_found_on_page_two_among_other_peoples_issues_and_keys(github_api: FakeGitHub, client: GitHubClient) -> None:
    mine = github_api.add_issue("old alert", build_issue_body(KEY, "old\n"))
    for i in range(105):
        github_api.add_issue(f"bug {i}", f"text {i}", author="octocat")
    github_api.add_issue("a human copy", build_issue_body(KEY, "copied\n"), author="octocat")
    github_api.add_issue("other key", build_issue_body("other", "x\n"))
    github_api.add_issue("closed one", build_issue_body(KEY, "x\n"), state="closed")
    result = sync(client, github_api, "new\n", breach=True)
    assert (result.action, result.number) == ("updated", mine.number)
    gets = [r for r in github_api.requests if r.method == "GET"]
    assert len(gets) == 2
    assert gets[0].query == {"per_page": "100", "state": "open"}
    assert [(w.method, w.path) for w in github_api.writes()] == [("PATCH", f"/repos/octo/demo/issues/{mine.number}")]


def test_racing_runs_converge_on_the_oldest_issue(github_api: FakeGitHub, client: GitHubClient) -> None:
    oldest = github_api.add_issue("Drift: price", build_issue_body(KEY, "a\n"))
    later = github_api.add_issue("Drift: price", build_issue_body(KEY, "b\n"))
    result = sync(client, github_api, "c\n", breach=True)
    assert (result.action, result.number, result.duplicates) == ("updated", oldest.number, (later.number,))
    assert [(i.number, i.state, i.state_reason) for i in github_api.issues()] == [
        (oldest.number, "open", None),
        (later.number, "closed", "duplicate"),
    ]


def test_a_long_report_and_title_are_cut_to_githubs_limits(github_api: FakeGitHub, client: GitHubClient) -> None:
    body = "".join(f"| col{i} | drifted |\n" for i in range(6000))
    result = sync_monitor_issue(
        client, github_api.repository, key=KEY, title="x " * 200, body=body, breach=True, author=BOT
    )
    (issue,) = github_api.issues()
    assert result.action == "created"
    assert issue.body is not None
    assert len(issue.body) <= 65_536
    assert "left out" in issue.body
    assert len(issue.title) == 256
    assert issue.title.endswith("…")


def test_a_read_only_token_raises_not_accessible(github_api: FakeGitHub, client: GitHubClient) -> None:
    github_api.forbid_writes()
    with pytest.raises(NotAccessibleError, match="Resource not accessible by integration") as raised:
        sync(client, github_api, "drift\n", breach=True)
    assert raised.value.hint is not None
    assert "issues: write" in raised.value.hint
    github_api.add_issue("Drift", build_issue_body(KEY, "old\n"))
    with pytest.raises(NotAccessibleError, match="Resource not accessible by integration") as again:
        note_retrain(client, github_api.repository, key=KEY, title="t", body="b", registered=False)
    assert again.value.hint is not None
    assert "issues: write" in again.value.hint


def test_retrain_comments_on_the_open_issue(github_api: FakeGitHub, client: GitHubClient) -> None:
    issue = github_api.add_issue("Drift: price", build_issue_body(KEY, "drift\n"))
    result = note_retrain(
        client, github_api.repository, key=KEY, title="unused", body="registered v7 (pending)\n", registered=True
    )
    assert (result.action, result.number) == ("commented", issue.number)
    assert result.url is not None
    assert result.url.startswith(f"https://github.com/octo/demo/issues/{issue.number}#")
    assert [(c.author, c.body) for c in github_api.comments(issue.number)] == [(BOT, "registered v7 (pending)\n")]
    assert len(github_api.issues()) == 1


def test_retrain_without_an_open_issue_opens_one_only_when_it_registered(
    github_api: FakeGitHub, client: GitHubClient
) -> None:
    repo = github_api.repository
    nothing = note_retrain(client, repo, key=KEY, title="Retrain", body="no better model\n", registered=False)
    assert nothing == IssueResult("none", None, None)
    assert github_api.writes() == []
    made = note_retrain(client, repo, key=KEY, title="Retrain: v8 pending", body="v8 wins\n", registered=True)
    (issue,) = github_api.issues()
    assert (made.action, made.number, issue.title) == ("created", issue.number, "Retrain: v8 pending")
    assert issue.body == make_marker(KEY) + "\nv8 wins\n"
    assert sync(client, github_api, "fine\n", breach=False).number == issue.number  # the monitor closes it later


def test_retrain_refuses_a_bad_key_before_any_request(github_api: FakeGitHub, client: GitHubClient) -> None:
    with pytest.raises(InputError, match="cannot go in the issue's marker line"):
        note_retrain(client, github_api.repository, key="a b", title="t", body="b", registered=True)
    assert github_api.requests == []


@pytest.mark.parametrize(
    ("reply", "message"),
    [
        ('[{"title": "Drift", "user": {"login": "github-actions[bot]"}}]', "returned an object with no 'number'"),
        ('[{"number": "3", "title": "Drift"}]', "with a string as its 'number' (int expected)"),
        ('["an issue"]', "returned a string where an object was expected"),
        ("<html>rate limited</html>", "answered 200 with 25 bytes of application/json; charset=utf-8, not JSON"),
    ],
)
def test_a_malformed_issues_list_is_a_github_error_not_a_crash(
    client: GitHubClient, github_api: FakeGitHub, reply: str, message: str
) -> None:
    github_api.garble_next(reply, method="GET", path="/issues")
    with pytest.raises(GitHubError, match=re.escape(message)):
        sync(client, github_api, "## Drift\n", breach=True)
    assert github_api.writes() == []


def test_a_created_issue_without_a_number_is_a_github_error(client: GitHubClient, github_api: FakeGitHub) -> None:
    github_api.garble_next('{"title": "Drift"}', status=201, method="POST", path="/issues")
    with pytest.raises(GitHubError, match=r"POST issues returned an object with no 'number'"):
        sync(client, github_api, "## Drift\n", breach=True)


def test_an_issue_whose_answer_is_lost_is_opened_once(github_api: FakeGitHub, client: GitHubClient) -> None:
    github_api.fail_after_write(1, 502)
    result = sync(client, github_api, "drift\n", breach=True)
    (issue,) = github_api.issues()
    assert (result.action, result.number) == ("created", issue.number)
    assert [w.method for w in github_api.writes()] == ["POST"]


def test_a_retrain_note_whose_connection_drops_is_posted_once(github_api: FakeGitHub, client: GitHubClient) -> None:
    issue = github_api.add_issue("Drift: price", build_issue_body(KEY, "drift\n"))
    github_api.fail_after_write(1, 0)
    result = note_retrain(client, github_api.repository, key=KEY, title="t", body="v9 wins\n", registered=True)
    assert (result.action, result.number) == ("commented", issue.number)
    assert [c.body for c in github_api.comments(issue.number)] == ["v9 wins\n"]


def test_a_retrain_note_refused_with_502_before_the_write_is_posted_again(
    github_api: FakeGitHub, client: GitHubClient
) -> None:
    issue = github_api.add_issue("Drift: price", build_issue_body(KEY, "drift\n"))
    github_api.fail_next(1, 502, method="POST")
    note_retrain(client, github_api.repository, key=KEY, title="t", body="v9 wins\n", registered=True)
    assert [c.body for c in github_api.comments(issue.number)] == ["v9 wins\n"]
    assert [w.method for w in github_api.writes()] == ["POST", "POST"]
