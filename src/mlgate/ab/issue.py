"""``mlgate ab decide --issue``: every decision is a comment on the open monitor issue; a promotion or a stop opens
one when none is open (a decision that changed what clients get is worth a thread). A token that may not write
issues puts the report in the job summary instead (``mlgate.github.publish.post_to_issue``)."""

from __future__ import annotations

from functools import partial
from pathlib import Path

from mlgate.ab.model import AbResult
from mlgate.github.issues import note_retrain
from mlgate.github.publish import Connect, IssuePosted, post_to_issue


def report_on_issue(result: AbResult, report: str, *, key: str, connect: Connect, summary: Path | None) -> IssuePosted:
    """Note ``result`` (``report``: its markdown) on the monitor issue; ``summary``: the fallback, None for none."""
    changed = result.acted in ("promoted", "stopped")
    split = result.split
    outcome = result.decision.outcome if result.decision is not None else "status"
    title = f"mlgate ab: version {split.challenger} vs {split.champion}: {outcome}"
    write = partial(note_retrain, key=key, title=title, body=report, registered=changed)
    return post_to_issue(connect, write, report=report, summary=summary)
