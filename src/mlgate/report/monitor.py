"""Render a monitor result as markdown (verdict first, a table per check, Mermaid charts of drifted fields),
text, JSON (docs/schemas/monitor.schema.json) or GitHub annotations followed by the text report."""

from __future__ import annotations

import json
from typing import Any

from tabulate import tabulate

from mlgate.data.drift_report import DriftReport, FieldDriftResult
from mlgate.data.drift_report import to_data as drift_data
from mlgate.monitor.model import SCHEMA_VERSION, LabelCheck, MonitorResult, SchemaCheck
from mlgate.report.chart import label
from mlgate.report.drift import render_drift_markdown, render_drift_text
from mlgate.report.escape import command_data, example, md

KIND = "mlgate-monitor"
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


def render_markdown(result: MonitorResult) -> str:
    out = [f"### {_ICONS[result.verdict]} mlgate monitor — {md(headline(result), 400)}", ""]
    read = result.read
    out += [f"Live version **{md(result.version)}** (from {result.version_source}) · window "
            f"{result.window_start} → {result.window_end} · {read.rows:,} rows judged of {read.rows_read:,} read "
            f"from {read.files} file{'s' * (read.files != 1)} in `{md(read.location, 120)}`", ""]  # fmt: skip
    out += [f"- ⚠️ {md(w, 300)}" for w in result.warnings] + ([""] if result.warnings else [])
    if result.schema is not None:
        out += _schema_markdown(result.schema)
    if result.feature_drift is not None:
        out += ["#### Feature drift", "", render_drift_markdown(result.feature_drift)]
        out += [chart for r in result.feature_drift.drifted[:CHARTS] if (chart := drift_chart(r))]
    if result.prediction_drift is not None:
        out += ["#### Prediction drift", "", render_drift_markdown(result.prediction_drift)]
        out += [chart for r in result.prediction_drift.drifted if (chart := drift_chart(r))]
    if result.labels is not None:
        out += _labels_markdown(result.labels)
    problems = [f"`{md(p.path, 100)}:{p.line}` {md(p.reason, 120)}" for p in read.problems]
    notes = list(result.notes) + _read_notes(result)
    if notes or problems:
        out += ["<sub>" + " · ".join([md(n, 300) for n in notes] + problems) + "</sub>", ""]
    return "\n".join(out).rstrip("\n") + "\n"


def _schema_markdown(check: SchemaCheck) -> list[str]:
    icon = "❌" if check.breach else "✅"
    out = ["#### Captured rows vs the schema", "",
           f"{icon} {check.invalid_rows:,} of {check.rows:,} rows violate the schema ({check.invalid_fraction:.2%}; "
           f"at most {check.max_invalid_fraction:.2%} allowed)", ""]  # fmt: skip
    if check.violations:
        rows = [[md(v.field or "—"), v.check, v.severity, f"{v.count:,}", md(v.message, 80),
                 md(", ".join(example(e) for e in v.examples[:3]), 80)] for v in check.violations]  # fmt: skip
        out += [tabulate(rows, ["Field", "Check", "Severity", "Rows", "Problem", "Examples"], tablefmt="github",
                         disable_numparse=True), ""]  # fmt: skip
    if check.invalid_requests:
        out += ["First invalid requests: " + ", ".join(f"`{md(r, 40)}`" for r in check.invalid_requests), ""]
    if check.skipped:
        out += ["Not checked: " + "; ".join(f"`{md(n)}` ({md(r)})" for n, r in check.skipped), ""]
    return out


def _labels_markdown(check: LabelCheck) -> list[str]:
    out = ["#### Live metrics", "", f"{check.matched:,} captured rows matched a label in `{md(check.source, 120)}` "
           f"({check.labels:,} labels)", ""]  # fmt: skip
    if check.metrics:
        rows = [[md(m.metric), _number(m.registered), _number(m.live), _status(m.status), md(m.reason, 100)]
                for m in check.metrics]  # fmt: skip
        out += [tabulate(rows, ["Metric", "Registered", "Live", "Status", "Why"], tablefmt="github",
                         disable_numparse=True), ""]  # fmt: skip
    return out


def drift_chart(r: FieldDriftResult) -> str | None:
    """A Mermaid bar chart of the reference (first bar) and live (second bar) shares per bin, in percent."""
    if not r.labels or len(r.labels) != len(r.reference_shares) or len(r.labels) != len(r.current_shares):
        return None
    top = max((*r.reference_shares, *r.current_shares, 0.0)) * 100
    high = min(100.0, max(10.0, (int(top / 10) + 1) * 10.0))

    def series(shares: tuple[float, ...]) -> str:
        return "[" + ", ".join(f"{s * 100:.1f}" for s in shares) + "]"

    return "\n".join([
        "```mermaid", "xychart-beta",
        f'  title "{label(r.field)}: reference (first bar) vs live, % of rows"',
        "  x-axis [" + ", ".join(f'"{_bin(b)}"' for b in r.labels) + "]",
        f'  y-axis "% of rows" 0 --> {high:.0f}',
        f"  bar {series(r.reference_shares)}", f"  bar {series(r.current_shares)}", "```", "",
    ])  # fmt: skip


def _bin(text: str) -> str:
    """A bin label in the chart's safe alphabet: ``≤1.5`` -> ``up to 1.5``, ``1–2`` -> ``1 to 2``."""
    return label(text.replace("≤", "up to ").replace(">", "over ").replace("–", " to "), 24)


def render_text(result: MonitorResult) -> str:
    out = [f"{_MARKS[result.verdict]} mlgate monitor: {headline(result)}"]
    read = result.read
    out.append(f"  window {result.window_start} → {result.window_end}; {read.rows:,} rows judged of "
               f"{read.rows_read:,} read from {read.files} file(s) in {read.location}")  # fmt: skip
    out += [f"  ⚠ {w}" for w in result.warnings]
    if result.schema is not None:
        check = result.schema
        out.append(f"  schema: {check.invalid_rows:,} of {check.rows:,} rows invalid ({check.invalid_fraction:.2%}; "
                   f"max {check.max_invalid_fraction:.2%})")  # fmt: skip
        out += [f"    {v.field or '—'}: {v.check}: {v.count:,} × {v.message}" for v in check.violations]
        if check.invalid_requests:
            out.append("    first invalid requests: " + ", ".join(check.invalid_requests))
    for title, report in (("feature drift", result.feature_drift), ("prediction drift", result.prediction_drift)):
        if report is not None:
            out += [f"  {title}:", *("  " + line for line in render_drift_text(report).rstrip("\n").splitlines())]
    if result.labels is not None:
        out.append(f"  live metrics: {result.labels.matched:,} rows matched a label (of {result.labels.labels:,})")
        out += [f"    {m.metric}: registered {_number(m.registered)}, live {_number(m.live)}: {m.status} ({m.reason})"
                for m in result.labels.metrics]  # fmt: skip
    out += [f"  note: {n}" for n in (*result.notes, *_read_notes(result))]
    out += [f"  malformed: {p.path}:{p.line}: {p.reason}" for p in read.problems]
    return "\n".join(out) + "\n"


def render_github(result: MonitorResult) -> str:
    """``::error`` per breach, ``::warning`` per warning (and for too little data), then the text report."""
    out = [f"::error title=mlgate monitor::{command_data(b)}" for b in result.breaches if result.verdict == "breach"]
    if result.verdict == "insufficient":
        out.append(f"::warning title=mlgate monitor::{command_data(headline(result))}")
    out += [f"::warning title=mlgate monitor::{command_data(w)}" for w in result.warnings]
    return "\n".join(out) + ("\n" if out else "") + render_text(result)


def to_data(result: MonitorResult) -> dict[str, Any]:
    """The JSON-ready form (docs/schemas/monitor.schema.json)."""
    read = result.read
    return {
        "schema_version": SCHEMA_VERSION, "kind": KIND, "verdict": result.verdict, "headline": headline(result),
        "version": result.version, "version_source": result.version_source, "since": result.since,
        "until": result.until,
        "window": {"start": result.window_start, "end": result.window_end}, "min_rows": result.min_rows,
        "breaches": list(result.breaches), "warnings": list(result.warnings), "notes": list(result.notes),
        "capture": {
            "location": read.location, "files": read.files, "skipped_files": read.skipped_files,
            "rows_read": read.rows_read, "rows": read.rows, "partial_files": list(read.partial_files),
            "truncated_lines": read.truncated_lines, "malformed": read.malformed, "unreadable": list(read.unreadable),
            "smoke_rows": read.smoke_rows,
            "problems": [{"path": p.path, "line": p.line, "reason": p.reason} for p in read.problems],
        },
        "schema": _schema_data(result.schema),
        "feature_drift": _drift(result.feature_drift),
        "prediction_drift": _drift(result.prediction_drift),
        "labels": None if result.labels is None else {
            "source": result.labels.source, "labels": result.labels.labels, "matched": result.labels.matched,
            "breach": result.labels.breach,
            "issues": [{"code": i.code, "message": i.message} for i in result.labels.issues],
            "metrics": [{"metric": m.metric, "registered": m.registered, "live": m.live, "status": m.status,
                         "reason": m.reason} for m in result.labels.metrics],
        },
    }  # fmt: skip


def render_json(result: MonitorResult) -> str:
    return json.dumps(to_data(result), indent=2, default=str, ensure_ascii=False) + "\n"


def _schema_data(check: SchemaCheck | None) -> dict[str, Any] | None:
    if check is None:
        return None
    return {
        "rows": check.rows, "invalid_rows": check.invalid_rows, "invalid_fraction": check.invalid_fraction,
        "max_invalid_fraction": check.max_invalid_fraction, "breach": check.breach, "fields": list(check.fields),
        "skipped": [{"field": n, "reason": r} for n, r in check.skipped],
        "invalid_requests": list(check.invalid_requests),
        "violations": [{"field": v.field, "check": v.check, "severity": v.severity, "count": v.count,
                        "message": v.message, "examples": list(v.examples)} for v in check.violations],
    }  # fmt: skip


def _drift(report: DriftReport | None) -> dict[str, Any] | None:
    return None if report is None else drift_data(report)


def _read_notes(result: MonitorResult) -> list[str]:
    read = result.read
    notes = []
    if read.partial_files:
        notes.append(f"{len(read.partial_files)} capture file(s) still being written (or left by a crash) were read "
                     f"up to their last complete line")  # fmt: skip
    if read.truncated_lines:
        notes.append(f"{read.truncated_lines} incomplete last line(s) of partial files skipped")
    if read.skipped_files:
        notes.append(f"{read.skipped_files} file(s) in folders older than the window were not read")
    if read.smoke_rows:
        notes.append(f"{read.smoke_rows:,} smoke-test row{'s' * (read.smoke_rows != 1)} left out "
                     "(deploy and rollback smoke tests are not production traffic)")  # fmt: skip
    return notes


def _number(value: float | None) -> str:
    return "—" if value is None else f"{value:.4f}"


def _status(status: str) -> str:
    return {"fail": "❌ fail", "warn": "⚠️ warn", "better": "✅ better", "same": "✅ same"}.get(status, status)
