"""Render a monitor result as markdown, text, JSON (docs/schemas/monitor.schema.json) or GitHub annotations
followed by the text report.

Markdown and text read top-down: the verdict; how sure it is (the level every test was judged at); the
findings, most severe first, each with its evidence in the field's own units and what to check next
(``mlgate.report.monitor_findings``); then a section per check (``mlgate.report.monitor_sections``), with a
chart of each drifted field's reference and live shares.
"""

from __future__ import annotations

from typing import Any

from tabulate import tabulate

from mlgate.monitor.model import MonitorResult, SchemaCheck
from mlgate.report import monitor_json
from mlgate.report.monitor_findings import Finding, list_findings
from mlgate.report.monitor_sections import drift_chart, drift_markdown, drift_text, labels_markdown, labels_text
from mlgate.text import terminal
from mlgate.text.actions_log import escape_data
from mlgate.text.markdown import code, md
from mlgate.text.terminal import example

__all__ = ["drift_chart", "headline", "render_github", "render_json", "render_markdown", "render_text", "to_data"]

KIND = monitor_json.KIND
CHARTS = 5  # drifted fields charted at most; the tables list them all
_ICONS = {"healthy": "✅", "breach": "❌", "insufficient": "⚠️"}
_MARKS = {"healthy": "✓", "breach": "✗", "insufficient": "⚠"}


def headline(result: MonitorResult) -> str:
    """One line: the verdict, the version and the window."""
    rows = f"{result.read.rows:,} captured row{'s' * (result.read.rows != 1)}"
    scope = f"version {result.version}, {result.span} ({rows})"
    if result.verdict == "insufficient":
        return f"not enough data: {scope}; at least {result.min_rows:,} rows are needed to judge"
    if result.verdict == "breach":
        return f"breach: {scope}: " + "; ".join(result.breaches)
    return f"healthy: {scope}"


def level(result: MonitorResult) -> str | None:
    """How sure a breach is: the level and the number of tests judged together."""
    if result.alpha is None or not result.tests:
        return None
    return (
        f"drift and live metrics: {result.tests} test{'s' * (result.tests != 1)} judged together at "
        f"α = {result.alpha:g} (Holm), so a healthy window breaches on them at most {result.alpha:.0%} of the time"
    )


def render_markdown(result: MonitorResult) -> str:
    out = [f"### {_ICONS[result.verdict]} mlgate monitor — {md(headline(result), 400)}", ""]
    read = result.read
    out += [
        f"Live version **{md(result.version)}** (from {result.version_source}) · window "
        f"{result.window_start} → {result.window_end} · {read.rows:,} rows judged of {read.rows_read:,} read "
        f"from {read.files} file{'s' * (read.files != 1)} in `{code(read.location, 120)}`",
        "",
    ]
    if (sure := level(result)) is not None:
        out += [f"<sub>{md(sure[0].upper() + sure[1:], 300)}</sub>", ""]
    for number, finding in enumerate(list_findings(result), start=1):
        out += _finding_markdown(number, finding)
    out += [f"- ⚠️ {md(w, 300)}" for w in result.warnings] + ([""] if result.warnings else [])
    if result.schema is not None:
        out += _schema_markdown(result.schema)
    for title, report in (("Feature drift", result.feature_drift), ("Prediction drift", result.prediction_drift)):
        if report is not None:
            out += [f"#### {title}", "", *drift_markdown(report)]
            out += [chart for r in report.drifted[:CHARTS] if (chart := drift_chart(r))]
    if result.labels is not None:
        out += labels_markdown(result.labels)
    problems = [f"`{code(p.path, 100)}:{p.line}` {md(p.reason, 120)}" for p in read.problems]
    notes = list(result.notes) + _read_notes(result)
    if notes or problems:
        out += ["<sub>" + " · ".join([md(n, 300) for n in notes] + problems) + "</sub>", ""]
    return "\n".join(out).rstrip("\n") + "\n"


def _finding_markdown(number: int, finding: Finding) -> list[str]:
    out = [f"**{number}. {md(finding.summary, 300)}**", ""]
    out += [f"- {md(line, 300)}" for line in finding.details]
    return [*out, f"- **Next:** {md(finding.next_step, 400)}", ""]


def _schema_markdown(check: SchemaCheck) -> list[str]:
    icon = "❌" if check.breach else "✅"
    out = [
        "#### Captured rows vs the schema",
        "",
        f"{icon} {check.invalid_rows:,} of {check.rows:,} rows violate the schema ({check.invalid_fraction:.2%}; "
        f"at most {check.max_invalid_fraction:.2%} allowed)",
        "",
    ]
    if check.violations:
        rows = [
            [
                md(v.field or "—"),
                v.check,
                v.severity,
                f"{v.count:,}",
                md(v.message, 80),
                md(", ".join(example(e) for e in v.examples[:3]), 80),
            ]
            for v in check.violations
        ]
        out += [
            tabulate(
                rows,
                ["Field", "Check", "Severity", "Rows", "Problem", "Examples"],
                tablefmt="github",
                disable_numparse=True,
            ),
            "",
        ]
    if check.invalid_requests:
        out += ["First invalid requests: " + ", ".join(f"`{code(r, 40)}`" for r in check.invalid_requests), ""]
    if check.skipped:
        out += ["Not checked: " + "; ".join(f"`{code(n)}` ({md(r)})" for n, r in check.skipped), ""]
    return out


def render_text(result: MonitorResult) -> str:
    """The report for a terminal; every piece that carries data is one inert line (:func:`terminal.escape`)."""
    out = [f"{_MARKS[result.verdict]} mlgate monitor: {_line(headline(result))}"]
    read = result.read
    out.append(
        f"  window {result.window_start} → {result.window_end}; {read.rows:,} rows judged of "
        f"{read.rows_read:,} read from {read.files} file(s) in {_line(read.location)}"
    )
    if (sure := level(result)) is not None:
        out.append(f"  {sure}")
    for number, finding in enumerate(list_findings(result), start=1):
        out += [
            f"  {number}. {_line(finding.summary)}",
            *(f"     {_line(line)}" for line in finding.details),
            f"     next: {_line(finding.next_step)}",
        ]
    out += [f"  ⚠ {_line(w)}" for w in result.warnings]
    if result.schema is not None:
        check = result.schema
        out.append(
            f"  schema: {check.invalid_rows:,} of {check.rows:,} rows invalid ({check.invalid_fraction:.2%}; "
            f"max {check.max_invalid_fraction:.2%})"
        )
        out += [f"    {_line(v.field or '—')}: {v.check}: {v.count:,} × {_line(v.message)}" for v in check.violations]
        if check.invalid_requests:
            out.append("    first invalid requests: " + ", ".join(_line(r, 80) for r in check.invalid_requests))
    for title, report in (("feature drift", result.feature_drift), ("prediction drift", result.prediction_drift)):
        if report is not None:
            out += drift_text(title, report)
    if result.labels is not None:
        out += labels_text(result.labels)
    out += [f"  note: {_line(n)}" for n in (*result.notes, *_read_notes(result))]
    out += [f"  malformed: {_line(p.path)}:{p.line}: {_line(p.reason)}" for p in read.problems]
    return "\n".join(out) + "\n"


def _line(value: object, limit: int | None = None) -> str:
    return terminal.escape(value, limit)


def render_github(result: MonitorResult) -> str:
    """``::error`` per breach, ``::warning`` per warning (and for too little data), then the text report."""
    out = [f"::error title=mlgate monitor::{escape_data(b)}" for b in result.breaches if result.verdict == "breach"]
    if result.verdict == "insufficient":
        out.append(f"::warning title=mlgate monitor::{escape_data(headline(result))}")
    out += [f"::warning title=mlgate monitor::{escape_data(w)}" for w in result.warnings]
    return "\n".join(out) + ("\n" if out else "") + render_text(result)


def to_data(result: MonitorResult) -> dict[str, Any]:
    """The JSON-ready form (docs/schemas/monitor.schema.json)."""
    return monitor_json.to_data(result, headline(result))


def render_json(result: MonitorResult) -> str:
    return monitor_json.render_json(result, headline(result))


def _read_notes(result: MonitorResult) -> list[str]:
    read = result.read
    notes = []
    if read.partial_files:
        notes.append(
            f"{len(read.partial_files)} capture file(s) still being written (or left by a crash) were read "
            f"up to their last complete line"
        )
    if read.truncated_lines:
        notes.append(f"{read.truncated_lines} incomplete last line(s) of partial files skipped")
    if read.skipped_files:
        notes.append(f"{read.skipped_files} file(s) in folders older than the window were not read")
    if read.smoke_rows:
        notes.append(
            f"{read.smoke_rows:,} smoke-test row{'s' * (read.smoke_rows != 1)} left out "
            "(deploy and rollback smoke tests are not production traffic)"
        )
    return notes
