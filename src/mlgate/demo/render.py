"""The demo as text (narrated step by step) and as JSON (``docs/schemas/demo.schema.json``)."""

from __future__ import annotations

import json
from typing import Any

from mlgate import __version__
from mlgate.demo.steps import DemoResult, Step

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
        "history",
        "stop",
    }
)
COMMENT_RULE = "─" * 30


def render_begin(number: int, total: int, title: str) -> str:
    """The heading of a step as it starts."""
    return f"\n[{number}/{total}] {title}\n"


def render_step(step: Step) -> str:
    """A finished step: ✓ or ✗, its summary and timing, and its report when it is part of the story."""
    mark = "✓" if step.ok else "✗ NOT AS DESIGNED:"
    lines = [f"  {mark} {step.summary}  ({step.seconds:.1f} s)"]
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


def render_summary(result: DemoResult, *, kept: bool) -> str:
    """The last lines: did the lifecycle go as designed, in how long, and where the folder is."""
    where = f"everything is in {result.folder}" if kept else f"{result.folder} is removed now (pass --keep to keep it)"
    if result.ok:
        return f"\nmlgate demo: the whole lifecycle went as designed in {result.seconds:.1f} s; {where}\n"
    failed = next((s for s in result.steps if not s.ok), None)
    what = f"step '{failed.title}' did not behave as designed: {failed.summary}" if failed else "it stopped early"
    return f"\nmlgate demo: {what} ({len(result.steps)} of {result.planned} steps ran); {where}\n"


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
