"""The monitor issue of ``mlgate monitor --issue``: the verdict opens, updates or closes the ONE issue.

Too little data leaves the issue as it is (a quiet window proves nothing either way); a token that may not
write issues puts the report in the job summary instead (``mlgate.github.publish.post_to_issue``).
"""

from __future__ import annotations

from functools import partial
from pathlib import Path

from mlgate.github.issues import sync_monitor_issue
from mlgate.github.publish import Connect, IssuePosted, post_to_issue
from mlgate.monitor.model import MonitorResult


def report_on_issue(
    result: MonitorResult, report: str, *, key: str, connect: Connect, summary: Path | None
) -> IssuePosted | None:
    """Reflect ``result``'s verdict in the monitor issue (``report``: its markdown); None when it was left alone."""
    if result.verdict == "insufficient":
        return None
    title = f"mlgate monitor: breach on version {result.version}"
    write = partial(sync_monitor_issue, key=key, title=title, body=report, breach=result.verdict == "breach")
    return post_to_issue(connect, write, report=report, summary=summary)
