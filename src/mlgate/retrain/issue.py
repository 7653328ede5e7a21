"""``mlgate retrain --issue``: a note on the open monitor issue (a new issue only when a version was registered).

A token that may not write issues puts the report in the job summary instead
(``mlgate.github.publish.post_to_issue``), as ``mlgate comment`` does.
"""

from __future__ import annotations

from functools import partial
from pathlib import Path

from mlgate.github.issues import note_retrain
from mlgate.github.publish import Connect, IssuePosted, post_to_issue
from mlgate.retrain.run import RetrainResult


def report_on_issue(
    result: RetrainResult, report: str, *, key: str, connect: Connect, summary: Path | None
) -> IssuePosted:
    """Note ``result`` (``report``: its markdown) on the monitor issue; ``summary``: the fallback, None for none."""
    registered = result.outcome == "registered"
    write = partial(note_retrain, key=key, title=issue_title(result), body=report, registered=registered)
    return post_to_issue(connect, write, report=report, summary=summary)


def issue_title(result: RetrainResult) -> str:
    """The title of an issue opened for ``result``."""
    if result.version is not None and result.outcome == "registered":
        return f"mlgate retrain: version {result.version.version} is pending approval"
    return f"mlgate retrain: {result.outcome}"
