"""Render a ValidationResult as text, markdown, JSON or GitHub workflow commands."""

from __future__ import annotations

import json
from typing import Any

from mlgate import __version__
from mlgate.data.results import FileResult, ValidationResult, Violation
from mlgate.text import terminal
from mlgate.text.actions_log import escape_data, escape_property
from mlgate.text.markdown import code, md
from mlgate.text.terminal import example

SCHEMA_VERSION = 1
_DATASET_CHECKS = ("row-count", "null-fraction", "drift")
ROWS_SHOWN = 5


def _rows(v: Violation, shown: int = ROWS_SHOWN) -> str:
    if not v.rows:
        return "—" if v.check in _DATASET_CHECKS else "header"
    head = ", ".join(str(r) for r in v.rows[:shown])
    return head + (" …" if len(v.rows) > shown else "")


def _examples(v: Violation) -> str:
    if v.check == "null-fraction" or not v.examples:
        return v.message if v.check in _DATASET_CHECKS else ""
    text = ", ".join(example(e) for e in v.examples[:3])
    if v.first_rows:
        text += f" (first at row {v.first_rows[0]})"
    return text


def describe_file(f: FileResult) -> str:
    """``600 rows, 9 fields: 2 violations in 2 fields``: the same words in every format."""
    fields = len({v.field for v in f.violations if v.field})
    total = sum(v.count for v in f.violations)
    found = (
        "valid"
        if not f.violations
        else f"{total:,} violation{'s' * (total != 1)} in {fields} field{'s' * (fields != 1)}"
        + ("" if f.errors else " (warnings only)")
    )
    return f"{f.rows:,} rows, {f.fields} fields: {found}"


def _summary(f: FileResult) -> str:
    return f"{'✓' if f.valid else '✗'} {terminal.escape(f.path, None)} — {describe_file(f)} ({f.seconds:.1f} s)"


def render_text(result: ValidationResult) -> str:
    from tabulate import tabulate

    from mlgate.report.drift import render_drift_text

    out: list[str] = []
    for f in result.files:
        out.append(_summary(f))
        if f.violations:
            table = [
                [
                    terminal.escape(v.field or "(file)", 80),
                    v.check + (" ⚠" if v.severity == "warning" else ""),
                    f"{v.count:,}",
                    _rows(v),
                    terminal.escape(_examples(v), None),
                ]
                for v in f.violations
            ]
            headers = ["field", "check", "count", f"rows (first {ROWS_SHOWN})", "examples"]
            body = tabulate(table, headers, tablefmt="plain", colalign=("left", "left", "right", "left", "left"))
            out += ["", *("  " + line for line in body.splitlines()), ""]
        out += [f"  note: {terminal.escape(note, None)}" for note in f.notes]
        out += [f"  note: drift not checked: {terminal.escape(f.drift_skipped, None)}"] if f.drift_skipped else []
        if f.drift is not None:
            out += ["", *(f"  {line}".rstrip() for line in render_drift_text(f.drift).splitlines())]
    if any(f.violations for f in result.files):
        out.append(f"  Full list: --format json.  Schema: {terminal.escape(result.schema, None)}")
    return "\n".join(out) + "\n"


def render_markdown(result: ValidationResult) -> str:
    files = len(result.files)
    if result.valid:
        verdict = f"### ✅ Data valid: {files} file{'s' * (files != 1)}, {result.rows:,} rows"
        if result.warnings:
            verdict += f" ({result.warnings:,} warning{'s' * (result.warnings != 1)})"
    else:
        bad = sum(not f.valid for f in result.files)
        verdict = (
            f"### ❌ Data invalid: {result.errors:,} error{'s' * (result.errors != 1)} in {bad} of {files} "
            f"file{'s' * (files != 1)}"
        )
    footer = f"<sub>mlgate {__version__} · schema `{code(result.schema, 120)}`</sub>\n"
    return f"{verdict}\n\n{render_files_markdown(result)}{footer}"


def render_files_markdown(result: ValidationResult) -> str:
    """Each file: its counts, its violations and its drift (the body of a report, without heading or footer)."""
    from tabulate import tabulate

    from mlgate.report.drift import drift_verdict, render_drift_markdown

    out = []
    for f in result.files:
        out.append(f"{'✅' if f.valid else '❌'} **`{code(f.path, 120)}`** — {md(describe_file(f), 200)}")
        if f.drift_skipped:
            out += ["", f"Drift not checked: {md(f.drift_skipped, 200)}."]
        if f.violations:
            table = [
                [
                    md(v.field or "(file)"),
                    md(v.check),
                    "❌" if v.severity == "error" else "⚠️",
                    f"{v.count:,}",
                    md(_rows(v)),
                    md(_examples(v), 80),
                ]
                for v in f.violations
            ]
            out += ["", tabulate(table, ["Field", "Check", "", "Count", "Rows", "Examples"], tablefmt="github")]
        out.append("")
        if f.drift is not None:
            out += [
                f"<details><summary>Drift against the reference: {drift_verdict(f.drift)}</summary>",
                "",
                render_drift_markdown(f.drift, heading=False),
                "</details>",
                "",
            ]
    return "\n".join(out) + "\n"


def to_data(result: ValidationResult) -> dict[str, Any]:
    return {
        "schema_version": SCHEMA_VERSION,
        "mlgate_version": __version__,
        "valid": result.valid,
        "schema": result.schema,
        "totals": {
            "files": len(result.files),
            "rows": result.rows,
            "errors": result.errors,
            "warnings": result.warnings,
        },
        "files": [
            {
                "path": f.path,
                "format": f.format,
                "rows": f.rows,
                "fields": f.fields,
                "valid": f.valid,
                "seconds": round(f.seconds, 4),
                "errors": f.errors,
                "warnings": f.warnings,
                "notes": list(f.notes),
                "violations": [
                    {
                        "field": v.field,
                        "check": v.check,
                        "severity": v.severity,
                        "count": v.count,
                        "message": v.message,
                        "rows": list(v.rows),
                        "lines": None if v.lines is None else list(v.lines),
                        "first_rows": None if v.first_rows is None else list(v.first_rows),
                        "examples": list(v.examples),
                    }
                    for v in f.violations
                ],
                **({"drift": f.drift_data} if f.drift_data is not None else {}),
                **({"drift_skipped": f.drift_skipped} if f.drift_skipped else {}),
            }
            for f in result.files
        ],
    }


def render_json(result: ValidationResult) -> str:
    return json.dumps(to_data(result), indent=2, default=str, ensure_ascii=False) + "\n"


def render_github(result: ValidationResult, *, limit: int = 50) -> str:
    """Annotations (on the CSV line where known), capped at ``limit``, then the text summary."""
    out = annotate(result, limit=limit)
    return "\n".join(out) + ("\n" if out else "") + render_text(result)


def annotate(result: ValidationResult, *, limit: int = 50, without: tuple[str, ...] = ()) -> list[str]:
    """The annotations of every violation (checks in ``without`` left out), at most ``limit``, then a notice."""
    out: list[str] = []
    emitted = skipped = 0
    for f in result.files:
        for v in f.violations:
            if v.check in without:
                continue
            level = "error" if v.severity == "error" else "warning"
            title = escape_property(f"{v.field}: {v.check}" if v.field else v.check)
            where = f"file={escape_property(f.path)}"
            pairs = list(zip(v.lines, v.rows, strict=True)) if v.lines else []
            if pairs:
                for i, (line, row) in enumerate(pairs):
                    if emitted >= limit:
                        skipped += len(pairs) - i
                        break
                    out.append(f"::{level} {where},line={line},title={title}::{escape_data(_annotation(v, i, row))}")
                    emitted += 1
            elif emitted < limit:
                message = f"{v.count:,} × {v.message}; rows {_rows(v)}" + (
                    f"; e.g. {_examples(v)}" if v.examples else ""
                )
                out.append(f"::{level} {where},title={title}::{escape_data(message)}")
                emitted += 1
            else:
                skipped += v.count
    if skipped:
        out.append(f"::notice::{skipped:,} more violations were not annotated (limit {limit}); see --format json")
    return out


def _annotation(v: Violation, i: int, row: int) -> str:
    text = f"row {row}: {v.message}"
    if v.first_rows and i < len(v.first_rows):
        text = f"row {row}: repeats row {v.first_rows[i]}"
    if i == 0 and v.examples and v.check != "unique":  # examples are distinct values: only the first is this row's
        text += f" (value {example(v.examples[0])})"
    return text
