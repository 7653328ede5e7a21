"""Render a Comparison for a terminal (a compact table) or as GitHub workflow commands plus that table."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from tabulate import tabulate

from mlgate.compare import Comparison, Row
from mlgate.report.cells import (
    MARKS,
    change_summary,
    delta_cell,
    number,
    percent,
    quality_decimals,
    row_decimals,
    short_sha,
    value_cell,
)
from mlgate.report.context import ReportContext
from mlgate.report.data_versions import render_text_lines
from mlgate.report.drift import drift_lines_text, drift_status
from mlgate.text import terminal
from mlgate.text.actions_log import escape_data, escape_property

_RANK = {"fail": 0, "warn": 1}
ANNOTATIONS = 50


def sort_rows(rows: Sequence[Row]) -> list[Row]:
    """Failures first, then warnings, then the rest in model and metric order (stable)."""
    return sorted(rows, key=lambda r: _RANK.get(r.status, 2))


def describe_verdict(
    comparison: Comparison,
    precision: int,
    *,
    model: Callable[[str], str] = terminal.escape,
    metric: Callable[[str], str] = terminal.escape,
) -> str:
    """``1 gate failed — linear accuracy −4.48 % (tolerance 2 %)``; ``model``/``metric`` format the names."""

    def first(rows: Sequence[Row]) -> str:
        more = f", and {len(rows) - 1} more" if len(rows) > 1 else ""
        row = rows[0]
        return f"{model(row.model)} {metric(row.label)} {change_summary(row, precision)}{more}"

    failed = comparison.failed
    warned = [r for r in comparison.warned if r.kind != "timing"]  # timings reach the headline only as failures
    gates = [r for r in failed if r.status != "incomparable"]
    apart = sorted({r.model for r in comparison.incomparable})
    counts = ([f"{_count(len(gates), 'gate')} failed"] if gates else []) + (
        [f"{_count(len(apart), 'model')} not comparable"] if apart else []
    )
    if failed:
        return f"{', '.join(counts)} — {first(gates or failed)}"
    if apart:  # not comparable, with baseline.incomparable: warn
        return f"passed, but {', '.join(counts)} — {first(comparison.incomparable)}"
    if warned:
        return f"passed with {_count(len(warned), 'warning')} — {first(warned)}"
    text = "all gates passed" if comparison.has_baseline else "no baseline, current results only"
    value = comparison.best_value()
    if comparison.best_model is not None and comparison.primary is not None and value is not None:
        best, primary = model(comparison.best_model), metric(comparison.primary)
        text += f" — best model {best} ({primary} {number(value, quality_decimals(value, precision))})"
    return text


def render_text(comparison: Comparison, context: ReportContext) -> str:
    """The verdict, where the baseline came from, and every row (failures first) with its reason."""
    p = context.precision
    mark = {"fail": "✗", "warn": "⚠", "pass": "✓"}[comparison.verdict]
    out = [f"{mark} mlgate: {describe_verdict(comparison, p)}", "  " + _origin(comparison, context)]
    out += ["  " + line for line in data_lines(context)]
    if comparison.baseline is None:
        headers = ["model", "metric", "PR", "status", "reason"]
        table = [
            [
                terminal.escape(r.model, 40),
                terminal.escape(r.label, 40),
                value_cell(r.new, r.new_std, row_decimals(r, p)),
                MARKS[r.status],
                terminal.escape(r.reason),
            ]
            for r in sort_rows(comparison.rows)
        ]
    else:
        headers = ["model", "metric", "base", "PR", "Δ", "Δ%", "status", "reason"]
        table = [
            [
                terminal.escape(r.model, 40),
                terminal.escape(r.label, 40),
                value_cell(r.base, r.base_std, row_decimals(r, p)),
                value_cell(r.new, r.new_std, row_decimals(r, p)),
                delta_cell(r, p),
                percent(r.pct),
                MARKS[r.status],
                terminal.escape(r.reason),
            ]
            for r in sort_rows(comparison.rows)
        ]
    if table:
        body = tabulate(table, headers, tablefmt="plain", disable_numparse=True)
        out += ["", *("  " + line.rstrip() for line in body.splitlines()), ""]
    value = comparison.best_value()
    if comparison.best_model is not None and value is not None:
        best = f"{terminal.escape(comparison.primary)} {number(value, quality_decimals(value, p))}"
        out.append(f"  best model: {terminal.escape(comparison.best_model)} ({best})")
    if comparison.params:
        out.append(f"  changed parameters ({len(comparison.params)}):")
        out += [
            f"    {terminal.escape(c.model, 40)}  {terminal.escape(c.parameter, 60)}: {_param(c.base, c.change == 'added')} → "
            f"{_param(c.new, c.change == 'removed')}"
            for c in comparison.params
        ]
    out += [f"  note: {terminal.escape(note, 300)}" for note in comparison.notes]
    return "\n".join(out) + "\n"


def render_github(comparison: Comparison, context: ReportContext, *, limit: int = ANNOTATIONS) -> str:
    """``::error`` per failed gate and ``::warning`` per warning (at most ``limit``), then the text report."""
    lines = annotate(comparison, context, limit=limit)
    return "\n".join(lines) + ("\n" if lines else "") + render_text(comparison, context)


def annotate(comparison: Comparison, context: ReportContext, *, limit: int = ANNOTATIONS) -> list[str]:
    """The workflow commands of failed gates and warnings, at most ``limit``, then a notice of the rest."""
    flagged = sort_rows(comparison.failed + comparison.warned)
    lines = []
    for row in flagged[:limit]:
        level = "error" if row.status == "fail" else "warning"
        title = escape_property(f"mlgate gate: {row.model} {row.label}")
        p = context.precision
        d = row_decimals(row, p)
        values = f"{number(row.new, d)}" if row.base is None else f"{number(row.base, d)} → {number(row.new, d)}"
        change = "" if row.pct is None else f" ({percent(row.pct)})"
        message = f"{row.model} {row.label}: {values}{change}; {row.reason}"
        lines.append(f"::{level} title={title}::{escape_data(message)}")
    if len(flagged) > limit:
        lines.append(f"::notice::{len(flagged) - limit} more gate results were not annotated (limit {limit})")
    return lines


def data_lines(context: ReportContext) -> list[str]:
    """``data: validation ✓ · schema unchanged · drift ⚠ 1 of 6 columns``, the DVC data versions, each drifted
    column."""
    parts = []
    if context.validation is not None:
        v = context.validation
        parts.append("validation ✓" if v.valid else f"validation ✗ ({_count(v.violations, 'violation')})")
    if context.schema is not None:
        s = context.schema
        parts.append(
            "schema unchanged"
            if not s.changes
            else f"schema: {_count(s.changes, 'change')}" + (f" ({s.breaking:,} breaking)" if s.breaking else "")
        )
    if context.drift is not None:
        parts.append(drift_status(context.drift, emoji=False))
    lines = [f"data: {' · '.join(parts)}"] if parts else []
    lines += render_text_lines(context.data_versions)
    return lines + (drift_lines_text(context.drift) if context.drift is not None else [])


def _origin(comparison: Comparison, context: ReportContext) -> str:
    head = short_sha(context.head or comparison.candidate.commit)
    pr = f" · PR head {head}" if head else ""
    if comparison.baseline is None:
        return f"no baseline: {terminal.escape(context.baseline_source or comparison.baseline_note or 'none was given')}{pr}"
    sha = short_sha(context.baseline_commit or comparison.baseline.commit)
    story = context.baseline_source or comparison.baseline_note or comparison.baseline.source or "?"
    return f"baseline: {terminal.escape(story)}" + (f" ({sha})" if sha and sha not in story else "") + pr


def _param(value: object, absent: bool) -> str:
    return "(absent)" if absent else terminal.escape(repr(value) if isinstance(value, str) else value, 60)


def _count(n: int, noun: str) -> str:
    return f"{n:,} {noun}" + ("" if n == 1 else "s")
