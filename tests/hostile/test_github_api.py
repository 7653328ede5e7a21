"""Hostile GitHub API replies: malformed JSON, wrong shapes, HTML pages and 5xx, against ``mlgate comment``.

The replies come from the OpenAPI-validated fake (tests/fakes/github_api.py, ``garble_next`` sends a body
that breaks GitHub's description on purpose, ``fail_next`` an error status). Each case asserts exit 3 (an
external service failed: DESIGN.md), no traceback, a message naming the call and what was wrong with its
answer, that the token never appears, and what was written (nothing, where the reply came before a write).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from fakes.github_api import FakeGitHub
from mlgate.cli import main

HEAD = "a" * 40
PULL = "/repos/octo/demo/pulls/7"
COMMENTS = "/repos/octo/demo/issues/7/comments"
HTML = "<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>"


@dataclass
class Result:
    code: int
    err: str


@pytest.fixture
def gh(github_api: FakeGitHub, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> FakeGitHub:
    for key, value in github_api.env().items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(tmp_path / "summary.md"))
    github_api.add_pull(7, head_sha=HEAD)
    for key, value in github_api.env(tmp_path, "pull_request", github_api.pull_request_event(7)).items():
        monkeypatch.setenv(key, value)
    monkeypatch.setattr(time, "sleep", lambda _seconds: None)  # retries of 5xx answers, without waiting
    return github_api


def run_comment(fake: FakeGitHub, tmp_path: Path, capsys: pytest.CaptureFixture[str], *args: str) -> Result:
    body = tmp_path / "report.md"
    body.write_text("report\n", encoding="utf-8")
    capsys.readouterr()
    code = main(["comment", "--body-file", str(body), *args])
    captured = capsys.readouterr()
    assert "Traceback" not in captured.out + captured.err
    assert fake.token not in captured.out + captured.err
    return Result(code, captured.err)


# (reply, method, path, what the message must say): each reply breaks the call it answers
READS = [
    pytest.param(
        '{"number": 7, "state": "open"}',
        "GET",
        PULL,
        f"GET {PULL} returned an object with no 'head'",
        id="pull-without-head",
    ),
    pytest.param(
        '{"number": 7, "head": "main"}',
        "GET",
        PULL,
        "with a string as its 'head' (dict expected)",
        id="pull-head-is-a-string",
    ),
    pytest.param(
        '{"number": 7, "head": {"sha": 12}}',
        "GET",
        PULL,
        "with a number as its 'sha' (str expected)",
        id="pull-head-sha-is-a-number",
    ),
    pytest.param('{"number": 7, "head": null}', "GET", PULL, "an object with no 'head'", id="pull-head-is-null"),
    pytest.param(
        "[1, 2, 3]", "GET", PULL, f"GET {PULL} returned a list where an object was expected", id="pull-is-a-list"
    ),
    pytest.param('"ok"', "GET", PULL, "returned a string where an object was expected", id="pull-is-a-string"),
    pytest.param('{"number": 7, "head": {"sha": "a', "GET", PULL, "not JSON", id="pull-truncated-json"),
    pytest.param("", "GET", PULL, "answered 200 with 0 bytes of application/json", id="pull-empty-body"),
    pytest.param('{"id": 1}', "GET", COMMENTS, f"GET {COMMENTS} did not return a list", id="comments-an-object"),
    pytest.param(
        '[{"body": "x", "user": {"login": "octocat"}}]',
        "GET",
        COMMENTS,
        f"GET {COMMENTS} returned an object with no 'id'",
        id="comment-without-id",
    ),
    pytest.param(
        '[{"id": "12", "body": "x"}]',
        "GET",
        COMMENTS,
        "with a string as its 'id' (int expected)",
        id="comment-id-is-a-string",
    ),
    pytest.param(
        '[{"id": true, "body": "x"}]',
        "GET",
        COMMENTS,
        "with a boolean as its 'id' (int expected)",
        id="comment-id-is-a-boolean",
    ),
    pytest.param(
        '["just text"]', "GET", COMMENTS, "returned a string where an object was expected", id="comment-is-a-string"
    ),
    pytest.param("[" * 100_000 + "]" * 100_000, "GET", COMMENTS, "not JSON", id="comments-nested-100k-deep"),
]


@pytest.mark.parametrize(("reply", "method", "path", "message"), READS)
def test_a_malformed_reply_before_any_write_exits_3_and_writes_nothing(
    gh: FakeGitHub,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    reply: str,
    method: str,
    path: str,
    message: str,
) -> None:
    gh.garble_next(reply, method=method, path=path)
    result = run_comment(gh, tmp_path, capsys)
    assert result.code == 3, result.err
    assert message in result.err
    assert "did not answer as GitHub's REST API does" in result.err  # the hint says what to check
    assert gh.writes() == []
    assert gh.comments(7) == []


@pytest.mark.parametrize(
    ("raw", "content_type", "message"),
    [
        (HTML, "text/html; charset=utf-8", f"GET {PULL} answered 200 with {len(HTML)} bytes of text/html"),
        (
            b'{"head": {"sha": "\xff\xfe"}}',
            "application/json",
            "answered 200 with 23 bytes of application/json, not JSON",
        ),
        (HTML, 'text/html; charset="<script>@octo"', "bytes of text/html; charset=scriptocto, not JSON"),
    ],
    ids=["html-page-with-200", "not-utf8", "hostile-content-type"],
)
def test_a_page_that_is_not_json_exits_3_and_names_the_content_type(
    gh: FakeGitHub,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    raw: str | bytes,
    content_type: str,
    message: str,
) -> None:
    gh.garble_next(raw, content_type=content_type, method="GET", path=PULL)
    result = run_comment(gh, tmp_path, capsys)
    assert result.code == 3, result.err
    assert message in result.err
    assert "<html" not in result.err.lower()
    assert "\r" not in result.err
    assert gh.writes() == []


@pytest.mark.parametrize(
    ("reply", "message"),
    [
        ('{"html_url": "https://github.com/octo/demo/pull/7"}', f"POST {COMMENTS} returned an object with no 'id'"),
        ("[]", f"POST {COMMENTS} returned a list where an object was expected"),
        (HTML, f"POST {COMMENTS} answered 201 with {len(HTML)} bytes of text/html, not JSON"),
    ],
    ids=["created-comment-without-id", "created-comment-is-a-list", "created-comment-is-html"],
)
def test_a_malformed_answer_to_the_write_exits_3(
    gh: FakeGitHub, tmp_path: Path, capsys: pytest.CaptureFixture[str], reply: str, message: str
) -> None:
    content_type = "text/html" if reply == HTML else "application/json"
    gh.garble_next(reply, status=201, content_type=content_type, method="POST", path=COMMENTS)
    result = run_comment(gh, tmp_path, capsys)
    assert result.code == 3, result.err
    assert message in result.err
    assert [w.method for w in gh.writes()] == ["POST"]  # one write was tried; its answer could not be read


def test_an_html_5xx_page_is_retried_then_exits_3_without_the_page(
    gh: FakeGitHub, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    gh.garble_next(HTML, count=3, status=502, content_type="text/html", method="GET", path=PULL)
    result = run_comment(gh, tmp_path, capsys)
    assert result.code == 3, result.err
    assert f"GitHub API: GET {PULL} failed: 502 Bad Gateway after 3 tries" in result.err
    assert "nginx" not in result.err
    assert gh.writes() == []


def test_a_workflow_run_whose_pull_list_has_no_heads_exits_3(
    gh: FakeGitHub, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    for key, value in gh.env(tmp_path, "workflow_run", gh.workflow_run_event(HEAD)).items():
        monkeypatch.setenv(key, value)
    gh.garble_next('[{"number": 7}]', method="GET", path="/repos/octo/demo/pulls")
    result = run_comment(gh, tmp_path, capsys)
    assert result.code == 3, result.err
    assert "GET /repos/octo/demo/pulls returned an object with no 'head'" in result.err
    assert gh.writes() == []
