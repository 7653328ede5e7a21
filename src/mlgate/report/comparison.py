"""Render a Comparison as the PR comment: markdown (tabulate ``github``), verdict first, within a size budget.

Layout: marker line, verdict, a line naming the baseline and the data checks, notes, ONE table of every
model and metric (failures first), the reasons of failures and warnings, the best model, a Mermaid chart of
the primary metric, then collapsible changed parameters, unchanged rows and data details, and a footer.

Budget (``limit`` bytes, marker included): when the body is too large, drop in order the unchanged rows,
the parameters, the other details (reasons, chart, data), then non-failing rows of the table; the verdict
and every failing row stay (only if failing rows alone overflow are some cut), and a note says what went.
Text, workflow-command and JSON renderers live in ``comparison_text`` / ``comparison_json``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from mlgate.compare import Comparison, ParamChange, Row
from mlgate.report.budget import fit_prefix, marker_line, size, with_marker
from mlgate.report.cells import (
    ICONS,
    LEGEND,
    Align,
    delta_cell,
    github_table,
    number,
    percent,
    python_value,
    quality_decimals,
    row_decimals,
    run_link,
    short_sha,
    tracked_links,
    value_cell,
)
from mlgate.report.chart import render_chart
from mlgate.report.comparison_json import render_json, to_json
from mlgate.report.comparison_text import describe_verdict, render_github, render_text, sort_rows
from mlgate.report.context import ReportContext
from mlgate.report.data_versions import render_markdown_lines
from mlgate.report.details import describe_tests, render_breakdown, render_own_scores
from mlgate.report.drift import drift_lines_markdown, drift_status
from mlgate.text.markdown import code, md

__all__ = ["render_github", "render_json", "render_markdown", "render_text", "split_rows", "to_json"]

REASONS_SHOWN = 20
DRIFT_SHOWN = 10  # drifted columns named once the comment must be trimmed (all of them otherwise)
_STAGES = ((True, True, True), (False, True, True), (False, False, True), (False, False, False))


@dataclass(frozen=True)
class _Cut:
    unchanged: bool = True
    params: bool = True
    extras: bool = True
    shown: int | None = None  # rows of the main table kept (None: all)


def render_markdown(comparison: Comparison, context: ReportContext, *, limit: int) -> str:
    """The comment body, marker line first, at most ``limit`` UTF-8 bytes (see the module docstring)."""
    head = context.head or comparison.candidate.commit
    room = limit - size(marker_line("", key=context.key, head=head)) - 1
    main, folded = split_rows(comparison)
    cache: dict[tuple[bool, int], str] = {}

    def table(is_main: bool, count: int) -> str:  # tables are the costly part: render each one once
        if (is_main, count) not in cache:
            cache[is_main, count] = _rows_table(comparison, context, (main if is_main else folded)[:count])
        return cache[is_main, count]

    body = ""
    for keep_unchanged, keep_params, keep_extras in _STAGES:
        body = _compose(comparison, context, main, folded, _Cut(keep_unchanged, keep_params, keep_extras), table)
        if size(body) <= room:
            return with_marker(body, key=context.key, head=head)
    empty = _compose(comparison, context, main, folded, _Cut(False, False, False, shown=0), table)
    lines = table(True, len(main)).split("\n")
    widening = size("\n".join(lines[:2])) - size(table(True, 0))
    shown = fit_prefix(lines[2:], room - size(empty) - max(widening, 0))
    while shown > 0:
        body = _compose(comparison, context, main, folded, _Cut(False, False, False, shown=shown), table)
        if size(body) <= room:
            break
        shown -= 1
    else:
        body = empty if size(empty) <= room else _truncate(empty, room)
    return with_marker(body, key=context.key, head=head)


def split_rows(comparison: Comparison) -> tuple[list[Row], list[Row]]:
    """(main table rows, failures first; rows folded away as unchanged or within a timing tolerance)."""
    main: list[Row] = []
    folded: list[Row] = []
    for r in comparison.rows:
        quiet = (
            r.status in ("same", "unjudged")
            and r.metric != comparison.primary
            and (r.kind == "timing" or r.reason.startswith("unchanged"))
        )
        (folded if quiet else main).append(r)
    return sort_rows(main), folded


def _compose(
    comparison: Comparison,
    context: ReportContext,
    main: list[Row],
    folded: list[Row],
    cut: _Cut,
    table: Callable[[bool, int], str],
) -> str:
    p = context.precision
    shown = main if cut.shown is None else main[: cut.shown]
    out = [_verdict(comparison, p), "", _context_line(comparison, context)]
    out += ["", *render_markdown_lines(context.data_versions)] if context.data_versions else []
    drifted = drift_lines_markdown(context.drift, shown=None if cut.extras else DRIFT_SHOWN) if context.drift else []
    if comparison.notes or drifted:
        out += ["", *drifted, *(f"- ⚠️ {md(note, 300)}" for note in comparison.notes)]
    out += ["", table(True, len(shown)) if main else "These results hold no metrics."]  # primary rows are never folded
    if comparison.folds:
        out.append(f"\n<sub>Cross-validation over {comparison.folds} folds: mean ± std.</sub>")
    tests = describe_tests(comparison.rows, comparison.alpha, comparison.methods)
    out += ["", tests] if tests else []
    if cut.extras:
        out += _reasons(shown, p)
    out += ["", _best_line(comparison, p)] if comparison.best_model else []
    chart = render_chart(comparison, p) if cut.extras else None
    out += ["", chart] if chart else []
    if cut.params and comparison.params:
        out += _details(f"Changed parameters ({len(comparison.params)})", _params_table(comparison.params))
    if cut.unchanged and folded:
        title = f"Unchanged, within tolerance or not judged ({len(folded)})"
        out += _details(title, table(False, len(folded)))
    if cut.extras:
        own = render_own_scores(comparison, p)
        out += _details("Scores on the merge-base's data and on this PR's data", own) if own else []
        if context.breakdown:
            out += _details("Where the models err (per class or residuals)", render_breakdown(context.breakdown, p))
        out += _data_details(comparison, context)
    out += _omitted(comparison, context, main, folded, cut)
    out += ["", _footer(context)]
    return "\n".join(out) + "\n"


def _verdict(comparison: Comparison, precision: int) -> str:
    icon = {"fail": "❌", "warn": "⚠️", "pass": "✅"}[comparison.verdict]
    return f"### {icon} mlgate: {describe_verdict(comparison, precision, model=_bold, metric=md)}"


def _context_line(comparison: Comparison, context: ReportContext) -> str:
    parts = []
    if comparison.baseline is not None:
        sha = short_sha(context.baseline_commit or comparison.baseline.commit)
        story = context.baseline_source or comparison.baseline_note
        if story:
            parts.append(f"Baseline: {md(story, 200)}" + (f" (`{sha}`)" if sha and sha not in story else ""))
        else:
            parts.append(f"Baseline: `{sha}`" if sha else f"Baseline: `{code(comparison.baseline.source or '?')}`")
    else:
        parts.append(
            f"**No baseline**: {md(context.baseline_source or comparison.baseline_note or 'none was given', 200)}"
        )
    head = short_sha(context.head or comparison.candidate.commit)
    if head:
        parts.append(f"PR head `{head}`")
    if context.data_files:
        files = [f"`{code(f.name, 60)}`" + ("" if f.rows is None else f" {f.rows:,} rows") for f in context.data_files]
        parts.append("data " + ", ".join(files))
    if context.schema is not None:
        s = context.schema
        parts.append(
            "schema unchanged"
            if not s.changes
            else f"schema ❌ {_count(s.breaking, 'breaking change')}"
            if s.breaking
            else f"schema: {_count(s.changes, 'compatible change')}"
        )
    if context.validation is not None:
        v = context.validation
        parts.append("validation ✅" if v.valid else f"validation ❌ ({_count(v.violations, 'violation')})")
    if context.drift is not None:
        parts.append(drift_status(context.drift, emoji=True))
    return " · ".join(parts)


def _rows_table(comparison: Comparison, context: ReportContext, rows: Sequence[Row]) -> str:
    p = context.precision
    head = short_sha(context.head or comparison.candidate.commit)
    pr = f"PR `{head}`" if head else "PR"
    if comparison.baseline is None:
        current = [
            [md(r.model), md(r.label), value_cell(r.new, r.new_std, row_decimals(r, p)), ICONS[r.status]] for r in rows
        ]
        return github_table(current, ["Model", "Metric", pr, "Status"], ["left", "left", "right", "center"])
    base_sha = short_sha(context.baseline_commit or comparison.baseline.commit)
    headers = ["Model", "Metric", f"Base `{base_sha}`" if base_sha else "Base", pr, "Δ", "Δ%", "Status"]
    align: list[Align] = ["left", "left", "right", "right", "right", "right", "center"]
    table = []
    for r in rows:
        d = row_decimals(r, p)
        table.append(
            [
                md(r.model),
                md(r.label),
                value_cell(r.base, r.base_std, d),
                value_cell(r.new, r.new_std, d),
                delta_cell(r, p),
                percent(r.pct),
                ICONS[r.status],
            ]
        )
    return github_table(table, headers, align)


def _reasons(rows: Sequence[Row], precision: int) -> list[str]:
    flagged = [r for r in rows if r.status in ("fail", "warn", "incomparable")]
    if not flagged:
        return []
    out = [""] + [
        f"- {ICONS[r.status]} **{md(r.model)}** {md(r.label)}: {md(r.reason, 200)}" for r in flagged[:REASONS_SHOWN]
    ]
    if len(flagged) > REASONS_SHOWN:
        out.append(f"- … and {len(flagged) - REASONS_SHOWN} more (see the table)")
    return out


def _best_line(comparison: Comparison, precision: int) -> str:
    best, primary, value = comparison.best_model, comparison.primary or "", comparison.best_value()
    text = f"Best model: **{md(best)}** ({md(primary)} {number(value, quality_decimals(value, precision))})."
    previous = comparison.baseline_best
    if previous and previous != best:
        text += f" At the baseline it was **{md(previous)}**."
    return text


def _params_table(changes: Sequence[ParamChange]) -> str:
    rows = [
        [md(c.model), md(c.parameter, 80), _param(c.base, c.change == "added"), _param(c.new, c.change == "removed")]
        for c in changes
    ]
    return github_table(rows, ["Model", "Parameter", "Base", "PR"], ["left", "left", "left", "left"])


def _param(value: Any, absent: bool) -> str:
    if absent:
        return "(absent)"
    return md(python_value(value), 80)


def _data_details(comparison: Comparison, context: ReportContext) -> list[str]:
    lines = [f"- `{code(f.name)}`" + ("" if f.rows is None else f": {f.rows:,} rows") for f in context.data_files]
    for side, results in (("PR", comparison.candidate), ("baseline", comparison.baseline)):
        e = results.evaluation if results is not None else None
        if e is None:
            continue
        if e.kind == "cv":
            how = f"{e.folds or '?'}-fold cross-validation on {e.train_rows:,} rows"
        else:
            how = f"{e.kind}: {e.train_rows:,} train rows, {e.test_rows:,} test rows"
        sha = f", data SHA-256 `{code(e.data_sha256[:12])}`" if e.data_sha256 else ""
        lines.append(f"- {side}: {how}{sha}")
    return _details("Data and evaluation", "\n".join(lines)) if lines else []


def _omitted(
    comparison: Comparison, context: ReportContext, main: list[Row], folded: list[Row], cut: _Cut
) -> list[str]:
    parts = []
    if cut.shown is not None and cut.shown < len(main):
        failing = sum(r.status == "fail" for r in main[cut.shown :])
        parts.append(
            f"{len(main) - cut.shown:,} of {len(main):,} table rows" + (f" ({failing:,} failing)" if failing else "")
        )
    if not cut.unchanged and folded:
        parts.append(f"{len(folded):,} unchanged rows")
    if not cut.params and comparison.params:
        parts.append(f"{len(comparison.params):,} changed parameters")
    if not cut.extras:
        parts.append("the reasons, chart and data details")
    if not parts:
        return []
    where = f" The full report is in {md(context.full_report, 200)}." if context.full_report else ""
    return ["", f"✂️ **Trimmed to fit the comment size limit**: omitted {', '.join(parts)}.{where}"]


def _truncate(body: str, room: int) -> str:
    """Last resort when even the skeleton overflows (thousands of data files, say): whole lines that fit."""
    note = "\n✂️ **Truncated to fit the comment size limit.**\n"
    lines = body.split("\n")
    return "\n".join(lines[: fit_prefix(lines, room - size(note))]) + note


def _footer(context: ReportContext) -> str:
    parts = [f"mlgate {md(context.mlgate_version, 20)}"]
    link = run_link(context.run_url)
    parts += [link] if link else []
    tracked = tracked_links([(run.model, run.url) for run in context.tracked if run.url])
    parts += [tracked] if tracked else []
    parts.append(LEGEND)
    return "<sub>" + " · ".join(parts) + "</sub>"


def _details(summary: str, content: str) -> list[str]:
    return ["", f"<details><summary>{summary}</summary>", "", content, "", "</details>"]


def _bold(text: str) -> str:
    return f"**{md(text)}**"


def _count(n: int, noun: str) -> str:
    return f"{n:,} {noun}" + ("" if n == 1 else "s")
