"""``report_on_issue`` (monitor): the verdict opens, updates or closes the one issue; a refusal goes to the summary."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from fakes.github_api import BOT, FakeGitHub
from mlgate.github.issues import CLOSING_NOTE, make_marker
from mlgate.github.publish import Connect
from mlgate.monitor.issue import report_on_issue
from unit.github.helpers import connected
from unit.report.monitor_results import result

KEY = "mlgate-monitor"
REPORT = "## mlgate monitor\n\ncity drifted\n"


@pytest.fixture
def connect(github_api: FakeGitHub) -> Iterator[Connect]:
    with connected(github_api) as opened:
        yield opened


def test_a_breach_opens_the_issue_named_after_the_version(github_api: FakeGitHub, connect: Connect) -> None:
    breach = result()
    assert breach.verdict == "breach"
    posted = report_on_issue(breach, REPORT, key=KEY, connect=connect, summary=None)
    assert posted is not None
    assert posted.result is not None
    assert (posted.result.action, posted.refused, posted.in_summary) == ("created", None, False)
    (issue,) = github_api.issues()
    assert (issue.title, issue.author, issue.state) == ("mlgate monitor: breach on version 3", BOT, "open")
    assert issue.body == make_marker(KEY) + "\n" + REPORT


def test_a_healthy_run_closes_the_open_issue(github_api: FakeGitHub, connect: Connect) -> None:
    report_on_issue(result(), REPORT, key=KEY, connect=connect, summary=None)
    healthy = result(schema=None, feature_drift=None, labels=None)
    assert healthy.verdict == "healthy"
    posted = report_on_issue(healthy, "all fine\n", key=KEY, connect=connect, summary=None)
    assert posted is not None
    assert posted.result is not None
    assert posted.result.action == "closed"
    (issue,) = github_api.issues()
    assert (issue.state, issue.body) == ("closed", make_marker(KEY) + "\n" + CLOSING_NOTE + "all fine\n")


def test_too_little_data_leaves_the_issue_alone(github_api: FakeGitHub, connect: Connect) -> None:
    quiet = result(min_rows=10_000)
    assert quiet.verdict == "insufficient"
    assert report_on_issue(quiet, REPORT, key=KEY, connect=connect, summary=None) is None
    assert github_api.requests == []


def test_a_token_that_may_not_write_issues_puts_the_report_in_the_summary(
    github_api: FakeGitHub, connect: Connect, tmp_path: Path
) -> None:
    github_api.forbid_writes()
    summary = tmp_path / "summary.md"
    posted = report_on_issue(result(), REPORT, key=KEY, connect=connect, summary=summary)
    assert posted is not None
    assert (posted.result, posted.in_summary) == (None, True)
    assert posted.refused is not None
    assert summary.read_text(encoding="utf-8") == REPORT
    assert github_api.issues() == []
