"""The publish flow: the body file's safety policy, the comment as posted, the stale-run guard before any write,
and the job summary as the fallback (comment cut, run stale, write refused), for the PR and the monitor issue."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from fakes.github_api import FakeGitHub
from mlgate.errors import InputError
from mlgate.github.client import GitHubClient, NotAccessibleError
from mlgate.github.issues import IssueResult, sync_monitor_issue
from mlgate.github.marker import parse_marker
from mlgate.github.publish import (
    MAX_BODY_BYTES,
    IssuePosted,
    ReportOptions,
    ReportPublished,
    compose_comment,
    post_to_issue,
    publish_comment,
    publish_report,
    read_body,
)
from mlgate.github.pulls import PullTarget
from mlgate.report.budget import with_marker
from unit.github.helpers import connected

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
    result = publish_comment(
        make(NEW, seen), "o/r", PullTarget(3, OLD, "event"), with_marker("x", key="k", head=OLD), head=OLD
    )
    assert (result.action, result.current_head) == ("stale", NEW)
    assert seen == [("GET", "/repos/o/r/pulls/3")]


def test_a_current_run_creates_the_comment() -> None:
    seen: list[tuple[str, str]] = []
    result = publish_comment(
        make(OLD, seen), "o/r", PullTarget(3, OLD, "event"), with_marker("x", key="k", head=OLD), head=OLD
    )
    assert (result.action, result.comment_id, result.url) == ("created", 77, "https://gh/77")
    assert seen[-1] == ("POST", "/repos/o/r/issues/3/comments")


def test_without_a_head_the_guard_is_skipped() -> None:
    seen: list[tuple[str, str]] = []
    result = publish_comment(
        make(NEW, seen), "o/r", PullTarget(3, None, "--pr"), with_marker("x", key="k", head=None), head=None
    )
    assert result.action == "created"
    assert ("GET", "/repos/o/r/pulls/3") not in seen


# ``read_body``: the body file may come from an untrusted artifact.


def test_a_regular_body_file_is_read_as_it_is(tmp_path: Path) -> None:
    path = tmp_path / "report.md"
    path.write_text("## report\n", encoding="utf-8")
    assert read_body(path) == "## report\n"


def test_a_symlinked_body_is_refused_even_to_a_readable_file(tmp_path: Path) -> None:
    secret = tmp_path / "runner-secret"
    secret.write_text("token\n", encoding="utf-8")
    link = tmp_path / "report.md"
    link.symlink_to(secret)
    with pytest.raises(InputError, match=r"report\.md is not a regular file"):
        read_body(link)


def test_a_folder_as_body_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="is not a regular file"):
        read_body(tmp_path)


def test_a_body_too_large_to_be_a_report_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "report.md"
    with path.open("wb") as handle:
        handle.truncate(MAX_BODY_BYTES + 1)
    with pytest.raises(InputError, match="larger than 4 MiB: not an mlgate report"):
        read_body(path)


def test_a_missing_body_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="comment body not found"):
        read_body(tmp_path / "absent.md")


# ``compose_comment``: the body as posted, its key and its head.


def test_the_options_win_over_the_pull_and_the_reports_own_marker() -> None:
    text = with_marker("## report\n", key="written", head=OLD)
    options = ReportOptions(key="given", head=NEW, key_from_report=True)
    comment = compose_comment(text, options, {}, pull_head="3" * 40, where="x", mark=with_marker)
    assert (comment.key, comment.head, comment.cut) == ("given", NEW, False)
    assert comment.body == with_marker("## report\n", key="given", head=NEW)


def test_without_options_the_pulls_head_and_the_workflows_key_apply() -> None:
    text = with_marker("## report\n", key="written", head=OLD)
    environ = {"GITHUB_WORKFLOW": "ci", "GITHUB_JOB": "check"}
    comment = compose_comment(text, ReportOptions(), environ, pull_head=NEW, where="x", mark=with_marker)
    assert (comment.key, comment.head) == ("ci/check", NEW)
    kept = compose_comment(text, ReportOptions(key_from_report=True), {}, pull_head=None, where="x", mark=with_marker)
    assert (kept.key, kept.head) == ("written", OLD)  # the report's own marker, for both


def test_a_long_report_is_cut_and_points_at_the_whole_one() -> None:
    text = "".join(f"| row {i} | {'x' * 80} |\n" for i in range(2000))
    comment = compose_comment(
        text, ReportOptions(key="k"), {}, pull_head=OLD, where="the job summary", mark=with_marker
    )
    assert comment.cut
    assert len(comment.body.encode("utf-8")) <= 65_536
    assert "the job summary" in comment.body
    assert parse_marker(comment.body) is not None


# ``publish_report``: the whole journey against the GitHub fake, and the job summary as its fallback.


def publish(fake: FakeGitHub, tmp_path: Path, text: str, *, summary: bool = True) -> ReportPublished:
    body = tmp_path / "report.md"
    body.write_text(text, encoding="utf-8")
    environ = fake.env(tmp_path, "pull_request", fake.pull_request_event(7))
    if summary:
        environ["GITHUB_STEP_SUMMARY"] = str(tmp_path / "summary.md")
    with connected(fake) as connect:
        return publish_report(body, ReportOptions(key="k"), environ, connect=connect, mark=with_marker)


def test_a_current_run_posts_the_comment_and_leaves_the_summary_alone(github_api: FakeGitHub, tmp_path: Path) -> None:
    github_api.add_pull(7, head_sha=OLD)
    published = publish(github_api, tmp_path, "## report\n")
    assert published.result is not None
    assert (published.result.action, published.head, published.in_summary) == ("created", OLD, False)
    (posted,) = github_api.comments(7)
    assert posted.body == with_marker("## report\n", key="k", head=OLD)
    assert not (tmp_path / "summary.md").exists()


def test_a_stale_run_puts_the_report_in_the_summary(github_api: FakeGitHub, tmp_path: Path) -> None:
    github_api.add_pull(7, head_sha=OLD)
    body = tmp_path / "report.md"
    body.write_text("## report\n", encoding="utf-8")
    environ = github_api.env(tmp_path, "pull_request", github_api.pull_request_event(7))
    environ["GITHUB_STEP_SUMMARY"] = str(tmp_path / "summary.md")
    github_api.move_head(7, NEW)  # the PR moved on after the event this run is for
    with connected(github_api) as connect:
        published = publish_report(body, ReportOptions(key="k"), environ, connect=connect, mark=with_marker)
    assert published.result is not None
    assert (published.result.action, published.in_summary) == ("stale", True)
    assert github_api.comments(7) == []
    assert (tmp_path / "summary.md").read_text(encoding="utf-8") == "## report\n"


def test_a_cut_comment_sends_the_whole_report_to_the_summary(github_api: FakeGitHub, tmp_path: Path) -> None:
    github_api.add_pull(7, head_sha=OLD)
    text = "".join(f"| row {i} | {'x' * 80} |\n" for i in range(2000))
    published = publish(github_api, tmp_path, text)
    assert published.in_summary
    assert (tmp_path / "summary.md").read_text(encoding="utf-8") == text
    assert "this run's job summary" in github_api.comments(7)[0].body


def test_a_refused_write_goes_to_the_summary_and_is_reported(github_api: FakeGitHub, tmp_path: Path) -> None:
    github_api.add_pull(7, head_sha=OLD)
    github_api.forbid_writes()
    published = publish(github_api, tmp_path, with_marker("## report\n", key="old", head=OLD))
    assert (published.result, published.head, published.in_summary) == (None, OLD, True)
    assert isinstance(published.refused, NotAccessibleError)
    assert (tmp_path / "summary.md").read_text(encoding="utf-8") == "## report\n"  # without the marker


def test_a_refused_write_without_a_summary_is_only_reported(github_api: FakeGitHub, tmp_path: Path) -> None:
    github_api.add_pull(7, head_sha=OLD)
    github_api.forbid_writes()
    published = publish(github_api, tmp_path, "## report\n", summary=False)
    assert (published.result, published.in_summary) == (None, False)
    assert published.refused is not None


def test_a_bad_body_fails_before_any_request(github_api: FakeGitHub, tmp_path: Path) -> None:
    (tmp_path / "report.md").mkdir()
    with connected(github_api) as connect, pytest.raises(InputError, match="is not a regular file"):
        publish_report(tmp_path / "report.md", ReportOptions(), {}, connect=connect, mark=with_marker)
    assert github_api.requests == []


# ``post_to_issue``: the same fallback for the monitor issue.


def test_post_to_issue_returns_what_the_write_did(github_api: FakeGitHub) -> None:
    def write(client: GitHubClient, repo: str) -> IssueResult:
        return sync_monitor_issue(client, repo, key="m", title="t", body="drift\n", breach=True)

    with connected(github_api) as connect:
        posted = post_to_issue(connect, write, report="drift\n", summary=None)
    assert posted == IssuePosted(IssueResult("created", 1, "https://github.com/octo/demo/issues/1"))
    assert [i.title for i in github_api.issues()] == ["t"]


def test_post_to_issue_falls_back_to_the_summary_when_refused(github_api: FakeGitHub, tmp_path: Path) -> None:
    def write(_client: GitHubClient, _repo: str) -> IssueResult:
        raise NotAccessibleError("GitHub refused: Resource not accessible by integration", status=403)

    with connected(github_api) as connect:
        posted = post_to_issue(connect, write, report="drift\n", summary=tmp_path / "summary.md")
    assert (posted.result, posted.in_summary) == (None, True)
    assert (tmp_path / "summary.md").read_text(encoding="utf-8") == "drift\n"
