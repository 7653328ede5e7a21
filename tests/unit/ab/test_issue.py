"""``mlgate ab decide --issue``: a comment on the open monitor issue; a new issue only when traffic changed."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from fakes.github_api import BOT, FakeGitHub
from mlgate.ab.decision import AbDecision
from mlgate.ab.issue import report_on_issue
from mlgate.ab.model import AbResult
from mlgate.deploy.experiment import Split
from mlgate.github.issues import make_marker
from mlgate.github.publish import Connect
from unit.github.helpers import connected

KEY = "mlgate-monitor"
REPORT = "### mlgate ab: version 2 vs 1: promote\n"
SPLIT = Split("1", "2", 50.0, "header:X", "2026-12-07T09:00:00Z")


def result(outcome: str, acted: str) -> AbResult:
    decision = AbDecision(outcome, "why", None, (), None)
    return AbResult(SPLIT, "local", "2026-12-07T10:00:00Z", (), None, decision, acted, "done")


@pytest.fixture
def connect(github_api: FakeGitHub) -> Iterator[Connect]:
    with connected(github_api) as opened:
        yield opened


def test_a_promotion_without_an_open_issue_opens_one(github_api: FakeGitHub, connect: Connect) -> None:
    posted = report_on_issue(result("promote", "promoted"), REPORT, key=KEY, connect=connect, summary=None)
    assert posted.result is not None
    assert posted.result.action == "created"
    (issue,) = github_api.issues()
    assert (issue.title, issue.author) == ("mlgate ab: version 2 vs 1: promote", BOT)


def test_a_continue_without_an_open_issue_writes_nothing(github_api: FakeGitHub, connect: Connect) -> None:
    posted = report_on_issue(result("continue", "continued"), REPORT, key=KEY, connect=connect, summary=None)
    assert (posted.result.action if posted.result else None, github_api.writes()) == ("none", [])


def test_every_decision_comments_on_the_open_monitor_issue(github_api: FakeGitHub, connect: Connect) -> None:
    issue = github_api.add_issue("mlgate monitor: breach on version 1", make_marker(KEY) + "\ndrift\n", author=BOT)
    posted = report_on_issue(result("continue", "continued"), REPORT, key=KEY, connect=connect, summary=None)
    assert posted.result is not None
    assert (posted.result.action, posted.result.number) == ("commented", issue.number)
    assert [c.body for c in github_api.comments(issue.number)] == [REPORT]


def test_a_refused_write_puts_the_report_in_the_summary(
    github_api: FakeGitHub, connect: Connect, tmp_path: Path
) -> None:
    github_api.forbid_writes()
    summary = tmp_path / "summary.md"
    posted = report_on_issue(result("stop", "stopped"), REPORT, key=KEY, connect=connect, summary=summary)
    assert (posted.result, posted.in_summary) == (None, True)
    assert REPORT in summary.read_text(encoding="utf-8")
