"""Render a SchemaDiff as text, markdown, JSON or GitHub workflow commands: strings only, never printed.

Values come from the schemas under review (field names, patterns, enum members), so every renderer
escapes them for its medium: table cells cannot be broken or inject HTML, log lines cannot smuggle
workflow commands or terminal control sequences.
"""

from __future__ import annotations

import dataclasses
import json
import re
from typing import Any

from tabulate import tabulate

from mlgate.data.schema_diff import SchemaChange, SchemaDiff

SCHEMA_VERSION = 1
MAX_CELL = 80  # characters of one value in a table cell; longer values end in an ellipsis

_TEXT_MARKS = {"breaking": "✗", "model": "!", "other": "·"}
_CONTRACT = {"breaking": "❌ breaking", "compatible": "✅ compatible", "none": "—"}
_MODEL = {"retrain": "🔁 retrain", "risk": "⚠️ risk", "none": "—"}
_MARKDOWN_ESCAPES = {"&": "&amp;", "<": "&lt;", ">": "&gt;", "\\": "&#92;", "`": "&#96;", "|": "\\|"}


def render_text(diff: SchemaDiff, old_label: str, new_label: str) -> str:
    """A verdict line and one line per change, for a terminal."""
    icon = {"breaking": "✗", "model": "!", "ok": "✓"}[_grade(diff)]
    lines = [f"{icon} {describe_verdict(diff)}: {_one_line(old_label)} -> {_one_line(new_label)}"]
    lines += [f"  {_TEXT_MARKS[_level(c)]} {_one_line(c.message)}  [{c.kind}]" for c in diff.changes]
    return "\n".join(lines) + "\n"


def render_markdown(diff: SchemaDiff, old_label: str, new_label: str) -> str:
    """The verdict first, then a GitHub table of the changes and their explanations."""
    icon = {"breaking": "❌", "model": "⚠️", "ok": "✅"}[_grade(diff)]
    parts = [
        f"{icon} {describe_verdict(diff)}",
        "",
        f"{_escape_markdown(old_label)} → {_escape_markdown(new_label)}",
    ]
    if diff.changes:
        rows = [
            [_escape_markdown(c.field or "(schema)"), c.kind, _cell(c.old), _cell(c.new),
             _CONTRACT[c.contract], _MODEL[c.model]]
            for c in diff.changes
        ]  # fmt: skip
        headers = ["Field", "Change", "Old", "New", "Contract", "Model"]
        table = tabulate(rows, headers=headers, tablefmt="github", disable_numparse=True)
        notes = [f"- {_escape_markdown(c.message)}" for c in diff.changes]
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
        if level == "other":
            lines.append(f"  {_one_line(change.message)}")
            continue
        command = "error" if level == "breaking" else "warning"
        title = _escape_property(f"schema: {change.kind}")
        lines.append(f"::{command} title={title}::{_escape_data(change.message)}")
    return "\n".join(lines) + "\n"


def describe_verdict(diff: SchemaDiff) -> str:
    """One phrase for the whole diff, e.g. '2 breaking schema changes' or 'schema unchanged'."""
    if not diff.changes:
        return "schema unchanged"
    if diff.breaking:
        return _count(len(diff.breaking_changes), "breaking schema change")
    if diff.model_changes:
        count = len(diff.model_changes)
        return (
            _count(count, "schema change") + (" affects" if count == 1 else " affect") + " the fitted model"
        )
    return _count(len(diff.changes), "schema change") + ", none breaking"


def _grade(diff: SchemaDiff) -> str:
    return "breaking" if diff.breaking else "model" if diff.model_changes else "ok"


def _level(change: SchemaChange) -> str:
    return "breaking" if change.contract == "breaking" else "model" if change.model != "none" else "other"


def _count(count: int, noun: str) -> str:
    return f"{count} {noun}" + ("" if count == 1 else "s")


def _cell(value: Any) -> str:
    text = _format_value(value)
    return _escape_markdown(text if len(text) <= MAX_CELL else text[: MAX_CELL - 1] + "…")


def _format_value(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (tuple, list)):
        return ", ".join(
            f"({_format_value(v)})" if isinstance(v, (tuple, list)) else _format_value(v) for v in value
        )
    if isinstance(value, dict):
        return json.dumps(value, sort_keys=True, ensure_ascii=False)
    return str(value)


def _escape_markdown(text: str) -> str:
    """Escape text for a GitHub table cell: no cell breaks, no HTML, no code spans, one line."""
    escaped = "".join(_MARKDOWN_ESCAPES.get(char, char) for char in text)
    return re.sub(r"\r\n|\r|\n", "<br>", escaped)


def _one_line(text: str) -> str:
    """Control characters (newlines, escape sequences) shown as ``\\xNN``, so a value stays on its line."""
    return re.sub(r"[\x00-\x1f\x7f]", lambda m: f"\\x{ord(m.group()):02x}", text)


def _escape_data(text: str) -> str:
    """Escape a workflow command's message (GitHub's rules for command data)."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    """Escape a workflow command property value: as data, plus ``:`` and ``,``."""
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")
