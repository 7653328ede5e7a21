"""Render a SchemaDiff as text, markdown, JSON or GitHub workflow commands: strings only, never printed.

Values come from the schemas under review (field names, patterns, enum members), so every renderer
escapes them for its medium: table cells cannot be broken or inject HTML, log lines cannot smuggle
workflow commands or terminal control sequences.
"""

from __future__ import annotations

import dataclasses
import json
from typing import Any

from tabulate import tabulate

from mlgate.data.schema_diff import SchemaChange, SchemaDiff
from mlgate.text import terminal
from mlgate.text.actions_log import escape_data, escape_property
from mlgate.text.markdown import md

SCHEMA_VERSION = 1
MAX_CELL = 80  # characters of one value in a table cell; longer values end in an ellipsis
MAX_LINE = 500  # characters of a label or an explanation in markdown

_TEXT_MARKS = {"breaking": "✗", "model": "!", "other": "·"}
_CONTRACT = {"breaking": "❌ breaking", "compatible": "✅ compatible", "none": "—"}
_MODEL = {"retrain": "🔁 retrain", "risk": "⚠️ risk", "none": "—"}


def render_text(diff: SchemaDiff, old_label: str, new_label: str) -> str:
    """A verdict line and one line per change, for a terminal."""
    icon = {"breaking": "✗", "model": "!", "ok": "✓"}[_grade(diff)]
    lines = [
        f"{icon} {describe_verdict(diff)}: {terminal.escape(old_label, None)} -> {terminal.escape(new_label, None)}"
    ]
    lines += [f"  {_TEXT_MARKS[_level(c)]} {terminal.escape(c.message, None)}  [{c.kind}]" for c in diff.changes]
    return "\n".join(lines) + "\n"


def render_markdown(diff: SchemaDiff, old_label: str, new_label: str) -> str:
    """The verdict first, then a GitHub table of the changes and their explanations."""
    icon = {"breaking": "❌", "model": "⚠️", "ok": "✅"}[_grade(diff)]
    parts = [
        f"{icon} {describe_verdict(diff)}",
        "",
        f"{md(old_label, MAX_LINE)} → {md(new_label, MAX_LINE)}",
    ]
    if diff.changes:
        rows = [
            [
                md(c.field or "(schema)", MAX_CELL),
                c.kind,
                _cell(c.old),
                _cell(c.new),
                _CONTRACT[c.contract],
                _MODEL[c.model],
            ]
            for c in diff.changes
        ]
        headers = ["Field", "Change", "Old", "New", "Contract", "Model"]
        table = tabulate(rows, headers=headers, tablefmt="github", disable_numparse=True)
        notes = [f"- {md(c.message, MAX_LINE)}" for c in diff.changes]
        parts += ["", table, "", "<details><summary>Why</summary>", "", *notes, "", "</details>"]
    return "\n".join(parts) + "\n"


def render_json(diff: SchemaDiff, old_label: str, new_label: str) -> str:
    """Machine-readable output; its JSON Schema is docs/schemas/schema-diff.schema.json."""
    document: dict[str, Any] = {
        "schema_version": SCHEMA_VERSION,
        "old": old_label,
        "new": new_label,
        "breaking": diff.breaking,
        "needs_retrain": diff.needs_retrain,
        "summary": {
            "changes": len(diff.changes),
            "breaking": len(diff.breaking_changes),
            "retrain": sum(c.model == "retrain" for c in diff.changes),
            "risk": sum(c.model == "risk" for c in diff.changes),
        },
        "changes": [dataclasses.asdict(c) for c in diff.changes],
    }
    return json.dumps(document, indent=2, ensure_ascii=False, allow_nan=False) + "\n"


def render_github(diff: SchemaDiff, old_label: str, new_label: str) -> str:
    """Workflow commands: ``::error`` per breaking change, ``::warning`` per model risk, plain lines else."""
    lines = [render_text(diff, old_label, new_label).splitlines()[0]]
    for change in diff.changes:
        level = _level(change)
        if level == "other":  # a mark first: the runner strips leading blanks before looking for "::"
            lines.append(f"  {_TEXT_MARKS['other']} {terminal.escape(change.message, None)}")
            continue
        command = "error" if level == "breaking" else "warning"
        title = escape_property(f"schema: {change.kind}")
        lines.append(f"::{command} title={title}::{escape_data(change.message)}")
    return "\n".join(lines) + "\n"


def describe_verdict(diff: SchemaDiff) -> str:
    """One phrase for the whole diff, e.g. '2 breaking schema changes' or 'schema unchanged'."""
    if not diff.changes:
        return "schema unchanged"
    if diff.breaking:
        return _count(len(diff.breaking_changes), "breaking schema change")
    if diff.model_changes:
        count = len(diff.model_changes)
        verb = "affects" if count == 1 else "affect"
        return f"{_count(count, 'schema change')} {verb} the fitted model"
    return _count(len(diff.changes), "schema change") + ", none breaking"


def _grade(diff: SchemaDiff) -> str:
    return "breaking" if diff.breaking else "model" if diff.model_changes else "ok"


def _level(change: SchemaChange) -> str:
    return "breaking" if change.contract == "breaking" else "model" if change.model != "none" else "other"


def _count(count: int, noun: str) -> str:
    return f"{count} {noun}" + ("" if count == 1 else "s")


def _cell(value: Any) -> str:
    return md(_format_value(value), MAX_CELL)


def _format_value(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (tuple, list)):
        return ", ".join(_format_member(v) for v in value)
    if isinstance(value, dict):
        return json.dumps(value, sort_keys=True, ensure_ascii=False)
    return str(value)


def _format_member(value: Any) -> str:
    return f"({_format_value(value)})" if isinstance(value, (tuple, list)) else _format_value(value)
