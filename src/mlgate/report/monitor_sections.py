"""The monitor report's sections per check: drift tables and charts, live-metric tables, in markdown and text.

A drifted field's chart shows the reference (░) and live (█) share of rows per bin as two bars each, on one
scale starting at 0, in a fenced ``text`` block: Mermaid's ``xychart-beta`` draws bar series at the same x, so
one hides the other (the problem ``mlgate.report.chart`` solved for the PR chart). Labels keep to the chart's
safe alphabet, so a field or category name cannot end the block.
"""

from __future__ import annotations

from tabulate import tabulate

from mlgate.data.drift_report import DriftReport, FieldDriftResult
from mlgate.monitor.model import LabelCheck, LiveMetric
from mlgate.report.chart import label
from mlgate.report.monitor_findings import describe_evidence, describe_metric, describe_shift, format_p
from mlgate.text import terminal
from mlgate.text.markdown import code, md

BAR = 30  # columns of the longest bar of a drift chart
_METRIC_ICONS = {"fail": "❌ worse", "ok": "✅ ok", "better": "✅ better", "skipped": "· skipped"}
_METRIC_MARKS = {"fail": "✗ worse", "ok": "✓ ok", "better": "✓ better", "skipped": "· skipped"}


def drift_markdown(report: DriftReport) -> list[str]:
    """The reference, a table of every field (drifted first) and notes."""
    out = [
        f"Reference: `{code(report.reference, 120)}` · {len(report.drifted)} of {len(report.fields)} "
        f"field{'s' * (len(report.fields) != 1)} drifted",
        "",
    ]
    if report.fields:
        rows = [
            [
                md(r.field),
                md(describe_shift(r), 120),
                f"{r.psi:.3f}",
                "—" if r.ks is None else f"{r.ks:.3f}",
                _p_cell(r),
                drift_status(r, emoji=True),
            ]
            for r in order_fields(report)
        ]
        out += [
            tabulate(
                rows,
                ["Field", "Shift (reference → live)", "PSI", "KS", "p (test)", "Status"],
                tablefmt="github",
                disable_numparse=True,
            ),
            "",
        ]
    notes = [f"`{code(r.field)}`: {md(r.note, 120)}" for r in report.fields if r.note]
    notes += [f"`{code(name)}` not checked ({md(reason)})" for name, reason in report.skipped]
    if notes:
        out += ["<sub>" + " · ".join(notes) + "</sub>", ""]
    return out


def drift_text(title: str, report: DriftReport) -> list[str]:
    line = terminal.escape
    out = [f"  {title}: {len(report.drifted)} of {len(report.fields)} field(s) drifted vs {line(report.reference)}"]
    out += [
        f"    {drift_status(r, emoji=False)} {line(r.field)}: {line(describe_shift(r), None)}; "
        f"{line(describe_evidence(r), None)}"
        for r in order_fields(report)
    ]
    if report.skipped:
        out.append("    not checked: " + "; ".join(f"{line(name)} ({line(reason)})" for name, reason in report.skipped))
    return out


def order_fields(report: DriftReport) -> list[FieldDriftResult]:
    """Drifted fields first, then by the strength of the evidence."""
    return sorted(report.fields, key=lambda r: (not r.drifted, _p(r), -r.psi))


def drift_status(r: FieldDriftResult, *, emoji: bool) -> str:
    """Drifted (a breach), a change shown but too small to matter, or stable."""
    if r.drifted:
        return "❌ drifted" if emoji else "✗ drifted"
    if r.alpha is not None and r.p_adjusted is not None and r.p_adjusted < r.alpha:
        return "➖ small change" if emoji else "· small change"
    return "✅ stable" if emoji else "✓ stable"


def drift_chart(r: FieldDriftResult) -> str | None:
    """The reference (░) and live (█) shares per bin, two bars each on one scale from 0, in a text block."""
    if not r.labels or len(r.labels) != len(r.reference_shares) or len(r.labels) != len(r.current_shares):
        return None
    top = max((*r.reference_shares, *r.current_shares, 0.0))
    if top <= 0:
        return None
    names = [_bin(b) for b in r.labels]
    width = max(len(n) for n in names) + 2
    lines = ["```text", f"{label(r.field)}: % of rows per bin · ░ reference · █ live"]
    for name, before, after in zip(names, r.reference_shares, r.current_shares, strict=True):
        lines.append(f"{name:<{width}}{before * 100:5.1f} %  {'░' * round(before / top * BAR)}".rstrip())
        lines.append(f"{'':<{width}}{after * 100:5.1f} %  {'█' * round(after / top * BAR)}".rstrip())
    return "\n".join([*lines, "```", ""])


def labels_markdown(check: LabelCheck) -> list[str]:
    out = [
        "#### Live metrics",
        "",
        f"{check.matched:,} captured rows matched a label in `{code(check.source, 120)}` ({check.labels:,} labels)",
        "",
    ]
    if check.metrics:
        rows = [
            [
                md(m.metric),
                _registered(m),
                _live(m),
                _change(m),
                "—" if m.test is None else f"{m.margin:.4g}",
                format_p(m.p_adjusted) if m.p_adjusted is not None else "—",
                _METRIC_ICONS.get(m.status, m.status),
                md(m.reason, 100),
            ]
            for m in check.metrics
        ]
        headers = [
            "Metric",
            "Registered (rows)",
            "Live (rows)",
            "Live − registered",
            "Margin",
            "p (Holm)",
            "Status",
            "Note",
        ]
        out += [tabulate(rows, headers, tablefmt="github", disable_numparse=True), ""]
        out += [
            "<sub>Live − registered, with its interval (each end a one-sided 1 − α bound). Worse: the drop "
            "beyond the margin is shown at the run's level. Registered rows —: the version recorded no standard "
            "error, so the live one is used alone.</sub>",
            "",
        ]
    return out


def labels_text(check: LabelCheck) -> list[str]:
    out = [f"  live metrics: {check.matched:,} rows matched a label (of {check.labels:,})"]
    return out + [
        f"    {_METRIC_MARKS.get(m.status, m.status)} {terminal.escape(describe_metric(m), None)}"
        for m in check.metrics
    ]


def _p(r: FieldDriftResult) -> float:
    p = r.p_adjusted if r.p_adjusted is not None else r.p_value
    return 1.0 if p is None else p


def _p_cell(r: FieldDriftResult) -> str:
    if r.p_value is None:
        return "—"
    shown = format_p(r.p_adjusted if r.p_adjusted is not None else r.p_value)
    return f"{shown} ({r.test}{', Holm' if r.p_adjusted is not None else ''})"


def _registered(m: LiveMetric) -> str:
    return _number(m.registered) + (f" ({m.registered_n:,})" if m.registered_n else " (—)")


def _live(m: LiveMetric) -> str:
    return _number(m.live) + (f" ({m.n:,})" if m.n else "")


def _change(m: LiveMetric) -> str:
    """``−0.059 [−0.085, −0.033]`` from the metric's one-line description."""
    if m.test is None:
        return "—"
    text = describe_metric(m)
    return text[text.index("rows: ") + len("rows: ") :].split(", margin")[0]


def _number(value: float | None) -> str:
    return "—" if value is None else f"{value:.4f}"


def _bin(text: str) -> str:
    """A bin label in the chart's safe alphabet: ``≤1.5`` -> ``up to 1.5``, ``1–2`` -> ``1 to 2``."""
    return label(text.replace("≤", "up to ").replace(">", "over ").replace("–", " to "), 24)
