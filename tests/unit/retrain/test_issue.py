"""``report_on_issue`` (retrain): a note on the open monitor issue, a new issue only for a registration."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path

import pytest

from fakes.github_api import BOT, FakeGitHub
from mlgate.deploy.live import LiveVersion
from mlgate.github.issues import make_marker
from mlgate.github.publish import Connect
from mlgate.retrain.fetch import FetchResult
from mlgate.retrain.issue import issue_title, report_on_issue
from mlgate.retrain.run import Outcome, RetrainResult
from unit.github.helpers import connected
from unit.registry.helpers import version

KEY = "mlgate-monitor"
REPORT = "## mlgate retrain\n\nforest beats version 3\n"
LIVE = LiveVersion(dataclasses.replace(version("a" * 64), version="3"), "registry history")
FETCH = FetchResult("none", None, (), 0.0, "--no-fetch: data in place")


def result(outcome: Outcome) -> RetrainResult:
    new = dataclasses.replace(version("c" * 64), version="4") if outcome != "not-better" else None
    return RetrainResult(outcome, LIVE, FETCH, version=new)


@pytest.fixture
def connect(github_api: FakeGitHub) -> Iterator[Connect]:
    with connected(github_api) as opened:
        yield opened


def test_the_title_names_the_pending_version_or_the_outcome() -> None:
    assert issue_title(result("registered")) == "mlgate retrain: version 4 is pending approval"
    assert issue_title(result("already-registered")) == "mlgate retrain: already-registered"
    assert issue_title(result("not-better")) == "mlgate retrain: not-better"


def test_a_registration_without_an_open_issue_opens_one(github_api: FakeGitHub, connect: Connect) -> None:
    posted = report_on_issue(result("registered"), REPORT, key=KEY, connect=connect, summary=None)
    assert posted.result is not None
    assert posted.result.action == "created"
    (issue,) = github_api.issues()
    assert (issue.title, issue.author) == ("mlgate retrain: version 4 is pending approval", BOT)
    assert issue.body == make_marker(KEY) + "\n" + REPORT


def test_no_registration_and_no_open_issue_writes_nothing(github_api: FakeGitHub, connect: Connect) -> None:
    posted = report_on_issue(result("not-better"), REPORT, key=KEY, connect=connect, summary=None)
    assert posted.result is not None
    assert posted.result.action == "none"
    assert github_api.writes() == []


def test_any_run_comments_on_the_open_monitor_issue(github_api: FakeGitHub, connect: Connect) -> None:
    issue = github_api.add_issue("mlgate monitor: breach on version 3", make_marker(KEY) + "\ndrift\n", author=BOT)
    posted = report_on_issue(result("not-better"), REPORT, key=KEY, connect=connect, summary=None)
    assert posted.result is not None
    assert (posted.result.action, posted.result.number) == ("commented", issue.number)
    assert [c.body for c in github_api.comments(issue.number)] == [REPORT]


def test_a_refused_write_puts_the_report_in_the_summary(
    github_api: FakeGitHub, connect: Connect, tmp_path: Path
) -> None:
    github_api.forbid_writes()
    summary = tmp_path / "summary.md"
    posted = report_on_issue(result("registered"), REPORT, key=KEY, connect=connect, summary=summary)
    assert (posted.result, posted.in_summary) == (None, True)
    assert posted.refused is not None
    assert summary.read_text(encoding="utf-8") == REPORT
