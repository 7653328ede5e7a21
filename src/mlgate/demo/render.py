"""The demo as text (narrated step by step) and as JSON (``docs/schemas/demo.schema.json``)."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mlgate import __version__
from mlgate.demo.steps import DemoResult, Step

if TYPE_CHECKING:
    from mlgate.report.context import ReportContext

SCHEMA_VERSION = 1
# Steps whose full report is part of the story (the others say it in their one-line summary).
SHOWN = frozenset(
    {
        "validate-corrupted",
        "pull-request",
        "comment",
        "deploy",
        "predict",
        "deploy-failing",
        "monitor",
        "ab-start",
        "ab-decide",
        "history",
        "stop",
    }
)
COMMENT_RULE = "─" * 30


def render_begin(number: int, total: int, title: str) -> str:
    """The heading of a step as it starts."""
    return f"\n[{number}/{total}] {title}\n"


def render_step(step: Step) -> str:
    """A finished step: its mark, summary and timing, and its report when it is part of the story.

    The mark is the outcome's: ✓ for a pass, ✗ for a failure shown as designed (invalid data caught, a PR
    blocked, a deploy rolled back), ``✗ NOT AS DESIGNED:`` when the step itself went wrong.
    """
    if not step.ok:
        line = f"✗ NOT AS DESIGNED: {step.summary}"
    else:
        line = f"✗ {step.summary} (as designed)" if step.failed else f"✓ {step.summary}"
    lines = [f"  {line}  ({step.seconds:.1f} s)"]
    if step.detail and (step.name in SHOWN or not step.ok):
        if step.name == "comment":
            lines += [
                "",
                f"{COMMENT_RULE} PR comment (markdown, as posted) {COMMENT_RULE}",
                step.detail.rstrip("\n"),
                COMMENT_RULE * 3,
            ]
        else:
            lines += ["", *("    " + line if line else "" for line in step.detail.rstrip("\n").splitlines())]
    return "\n".join(lines) + "\n"


def render_text(result: DemoResult) -> str:
    """The text output once the steps have been narrated: the summary lines."""
    return render_summary(result, kept=result.kept)


def render_summary(result: DemoResult, *, kept: bool) -> str:
    """The last lines: did the lifecycle go as designed, in how long, and where the folder is."""
    where = f"everything is in {result.folder}" if kept else f"{result.folder} is removed now (pass --keep to keep it)"
    if result.ok:
        return f"\nmlgate demo: the whole lifecycle went as designed in {result.seconds:.1f} s; {where}\n"
    failed = next((s for s in result.steps if not s.ok), None)
    what = f"step '{failed.title}' did not behave as designed: {failed.summary}" if failed else "it stopped early"
    return f"\nmlgate demo: {what} ({len(result.steps)} of {result.planned} steps ran); {where}\n"


def with_project_paths(context: ReportContext, project: Path) -> ReportContext:
    """``context`` with its data files named relative to ``project`` (as a CI run in the repository names them).

    The demo runs from wherever the user is, so its paths resolve to the temporary folder; the comment should
    read as it would on a pull request.
    """

    def relative(path: str) -> str:
        if "://" in path:
            return path
        try:
            return Path(path).resolve().relative_to(project.resolve()).as_posix()
        except ValueError:
            return path

    files = tuple(dataclasses.replace(f, name=relative(f.name)) for f in context.data_files)
    drift = context.drift
    if drift is not None:
        columns = tuple(dataclasses.replace(c, file=relative(c.file)) for c in drift.columns)
        drift = dataclasses.replace(
            drift, columns=columns, skipped=tuple((relative(f), why) for f, why in drift.skipped)
        )
    return dataclasses.replace(context, data_files=files, drift=drift)


def to_data(result: DemoResult) -> dict[str, Any]:
    """The JSON document of a run."""
    return {
        "schema_version": SCHEMA_VERSION,
        "mlgate_version": __version__,
        "ok": result.ok,
        "folder": str(result.folder),
        "seconds": result.seconds,
        "planned_steps": result.planned,
        "steps": [
            {
                "name": s.name,
                "title": s.title,
                "ok": s.ok,
                "failed": s.failed,
                "seconds": s.seconds,
                "summary": s.summary,
                "facts": s.facts,
            }
            for s in result.steps
        ],
        "locations": dict(result.locations),
    }


def render_json(result: DemoResult) -> str:
    return json.dumps(to_data(result), indent=2, ensure_ascii=False, default=str) + "\n"
