"""Render a drift report as text or markdown, with a sparkline of reference → current bin shares; and the
drift lines of the PR report (``DriftSummary``): status, each drifted column with its PSI and KS, annotations.

The renderers take ``mlgate.data.drift_report.DriftReport`` but type it structurally (the protocols below):
importing mlgate.data.drift would pull in the readers and, through them, the AWS gateway, which the
layer contract keeps out of mlgate.report.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from tabulate import tabulate

from mlgate.report.context import DriftedColumn, DriftSummary
from mlgate.text import terminal
from mlgate.text.actions_log import escape_data, escape_property
from mlgate.text.markdown import code, md


class FieldDriftResult(Protocol):
    @property
    def field(self) -> str: ...
    @property
    def kind(self) -> str: ...
    @property
    def psi(self) -> float: ...
    @property
    def ks(self) -> float | None: ...
    @property
    def new_categories(self) -> Sequence[str]: ...
    @property
    def missing_categories(self) -> Sequence[str]: ...
    @property
    def new_share(self) -> float: ...
    @property
    def threshold_psi(self) -> float: ...
    @property
    def threshold_ks(self) -> float | None: ...
    @property
    def drifted(self) -> bool: ...
    @property
    def severity(self) -> str: ...
    @property
    def reference_shares(self) -> tuple[float, ...]: ...
    @property
    def current_shares(self) -> tuple[float, ...]: ...
    @property
    def note(self) -> str: ...


class DriftReport(Protocol):
    @property
    def reference(self) -> str: ...
    @property
    def fields(self) -> Sequence[FieldDriftResult]: ...
    @property
    def skipped(self) -> Sequence[tuple[str, str]]: ...
    @property
    def drifted(self) -> Sequence[FieldDriftResult]: ...
    @property
    def share(self) -> float: ...
    @property
    def share_threshold(self) -> float: ...
    @property
    def dataset_drift(self) -> bool: ...


BLOCKS = "·▁▂▃▄▅▆▇█"
NEW_SHOWN = 3


def sparkline(reference: tuple[float, ...], current: tuple[float, ...]) -> str:
    """Two bar strips on one scale, e.g. ``▃▃▃▃▃ → ▁▂▃▅█``; an empty bin is a dot."""
    top = max((*reference, *current, 0.0))
    if top <= 0:
        return ""

    def strip(shares: tuple[float, ...]) -> str:
        return "".join(BLOCKS[0 if s <= 0 else max(1, round(s / top * (len(BLOCKS) - 1)))] for s in shares)

    return f"{strip(reference)} → {strip(current)}"


def _number(value: float | None) -> str:
    return "—" if value is None else f"{value:.3f}"


def _new(r: FieldDriftResult) -> str:
    if r.kind == "numeric":
        return "—"
    if not r.new_categories:
        return "none" if not r.note else "?"
    more = len(r.new_categories) - NEW_SHOWN
    return ", ".join(r.new_categories[:NEW_SHOWN]) + (f" (+{more})" if more > 0 else "") + f" ({r.new_share:.1%})"


def _status(r: FieldDriftResult, *, emoji: bool) -> str:
    if not r.drifted:
        return "✅ stable" if emoji else "✓ stable"
    failing = [f"PSI > {r.threshold_psi:g}"] if r.psi > r.threshold_psi else []
    if r.ks is not None and r.threshold_ks is not None and r.ks > r.threshold_ks:
        failing.append(f"KS > {r.threshold_ks:g}")
    mark = ("❌" if r.severity == "error" else "⚠️") if emoji else ("✗" if r.severity == "error" else "⚠")
    return f"{mark} drifted ({', '.join(failing)})"


def _verdict(report: DriftReport) -> str:
    checked, drifted = len(report.fields), len(report.drifted)
    counts = f"{drifted} of {checked} field{'s' * (checked != 1)} drifted"
    if report.dataset_drift:
        return f"dataset drift: {counts} ({report.share:.0%} ≥ {report.share_threshold:.0%})"
    return f"{counts} ({report.share:.0%})" if drifted else f"no drift: {counts}"


def render_drift_text(report: DriftReport) -> str:
    line = terminal.escape
    mark = "✗" if report.dataset_drift else ("⚠" if report.drifted else "✓")
    out = [f"{mark} Drift vs {line(report.reference)}: {_verdict(report)}"]
    if report.fields:
        rows = [
            [
                line(r.field, 60),
                r.kind,
                _number(r.psi),
                _number(r.ks),
                line(_new(r), 80),
                sparkline(r.reference_shares, r.current_shares),
                _status(r, emoji=False),
            ]
            for r in report.fields
        ]
        headers = ["field", "kind", "PSI", "KS", "new categories", "reference → current", "status"]
        body = tabulate(rows, headers, tablefmt="plain", disable_numparse=True)
        out += ["", *("  " + row for row in body.splitlines()), ""]
    out += [f"  note: {line(r.field)}: {line(r.note, None)}" for r in report.fields if r.note]
    out += [
        f"  note: {line(r.field)}: missing categories: {line(', '.join(r.missing_categories[:5]), None)}"
        for r in report.fields
        if r.missing_categories
    ]
    if report.skipped:
        out.append("  not checked: " + "; ".join(f"{line(name)} ({line(reason)})" for name, reason in report.skipped))
    return "\n".join(out) + "\n"


def drift_verdict(report: DriftReport) -> str:
    """``⚠️ 2 of 8 fields drifted (25%)``: the icon and the verdict of a drift report."""
    icon = "❌" if report.dataset_drift else ("⚠️" if report.drifted else "✅")
    verdict = _verdict(report)
    return f"{icon} {verdict[0].upper()}{verdict[1:]}"


def render_drift_markdown(report: DriftReport, *, heading: bool = True) -> str:
    """The verdict as a heading (unless the caller shows it, e.g. in a ``<summary>``), then the table."""
    out = [f"#### {drift_verdict(report)}", ""] if heading else []
    out += [f"Reference: `{code(report.reference, 120)}`", ""]
    if report.fields:
        rows = [
            [
                md(r.field),
                r.kind,
                _number(r.psi),
                _number(r.ks),
                md(_new(r), 80),
                sparkline(r.reference_shares, r.current_shares),
                _status(r, emoji=True),
            ]
            for r in report.fields
        ]
        headers = ["Field", "Kind", "PSI", "KS", "New categories", "Reference → current", "Status"]
        out += [tabulate(rows, headers, tablefmt="github", disable_numparse=True), ""]
    missing = [
        f"`{code(r.field)}`: {md(', '.join(r.missing_categories[:5]), 100)}"
        for r in report.fields
        if r.missing_categories
    ]
    if missing:
        out += ["Categories seen in the reference but absent now: " + "; ".join(missing), ""]
    notes = [f"`{code(r.field)}`: {md(r.note, 120)}" for r in report.fields if r.note]
    notes += [f"`{code(name)}` not checked ({md(reason)})" for name, reason in report.skipped]
    if notes:
        out += ["<sub>" + " · ".join(notes) + "</sub>", ""]
    return "\n".join(out)


def describe_measures(column: DriftedColumn) -> str:
    """``PSI 0.312 > 0.2, KS 0.181 > 0.15``: each measure, with its threshold when it crossed it."""
    parts = [f"PSI {_against(column.psi, column.threshold_psi)}"]
    if column.ks is not None:
        parts.append(f"KS {_against(column.ks, column.threshold_ks)}")
    return ", ".join(parts)


def drift_status(summary: DriftSummary, *, emoji: bool) -> str:
    """``drift ⚠️ 2 of 8 columns``, ``drift ✅``, or ``drift not checked`` (every file was the reference's own)."""
    if summary.columns:
        error = any(c.severity == "error" for c in summary.columns)
        mark = ("❌" if error else "⚠️") if emoji else ("✗" if error else "⚠")
        counted = f"{summary.drifted:,} of {summary.checked:,}" if summary.checked else f"{summary.drifted:,}"
        last = summary.checked or summary.drifted
        text = f"drift {mark} {counted} column{'s' * (last != 1)}"
    elif summary.checked == 0 and summary.skipped:
        text = "drift not checked"
    else:
        text = "drift ✅" if emoji else "drift ✓"
    return text


def drift_lines_markdown(summary: DriftSummary, *, shown: int | None = None) -> list[str]:
    """One bullet per file naming each drifted column with its PSI and KS (the first ``shown`` columns), and
    one per file not checked, saying why."""
    columns = summary.columns if shown is None else summary.columns[:shown]
    lines = []
    for file, group in _by_file(columns):
        icon = "❌" if any(c.severity == "error" for c in group) else "⚠️"
        named = " · ".join(f"`{code(c.field, 60)}` {describe_measures(c)}" for c in group)
        lines.append(f"- {icon} drift in `{code(file, 120)}`: {named}")
    if len(columns) < len(summary.columns):
        lines.append(f"- … and {len(summary.columns) - len(columns):,} more drifted columns (see the job summary)")
    lines += [f"- drift not checked in `{code(file, 120)}`: {md(why, 200)}" for file, why in summary.skipped]
    return lines


def drift_lines_text(summary: DriftSummary) -> list[str]:
    """``drift: data/test.csv: tenure PSI 0.312 > 0.2, KS 0.181 > 0.15; region PSI 0.250 > 0.2``, per file."""
    lines = [
        f"drift: {terminal.escape(file, 120)}: "
        + "; ".join(f"{terminal.escape(c.field, 60)} {describe_measures(c)}" for c in group)
        for file, group in _by_file(summary.columns)
    ]
    return lines + [
        f"drift not checked in {terminal.escape(file, 120)}: {terminal.escape(why, 200)}"
        for file, why in summary.skipped
    ]


def drift_annotations(summary: DriftSummary) -> list[str]:
    """A warning (or error) on the file per drifted column; a notice per file not checked."""
    lines = []
    for c in summary.columns:
        level = "error" if c.severity == "error" else "warning"
        message = f"{c.field} drifted against the reference statistics: {describe_measures(c)}"
        title = escape_property(f"mlgate drift: {c.field}")
        lines.append(f"::{level} file={escape_property(c.file)},title={title}::{escape_data(message)}")
    for file, why in summary.skipped:
        message = f"not checked for drift: {why}"
        lines.append(f"::notice file={escape_property(file)},title=mlgate drift::{escape_data(message)}")
    return lines


def _against(value: float, limit: float | None) -> str:
    """``0.312 > 0.2`` when over ``limit`` (more decimals when three would round it down to it), else ``0.051``."""
    if limit is None or value <= limit:
        return f"{value:.3f}"
    shown = next((f"{value:.{d}f}" for d in (3, 4, 5, 6) if float(f"{value:.{d}f}") > limit), f"{value:.10g}")
    return f"{shown} > {limit:g}"


def _by_file(columns: Sequence[DriftedColumn]) -> list[tuple[str, list[DriftedColumn]]]:
    groups: dict[str, list[DriftedColumn]] = {}
    for c in columns:
        groups.setdefault(c.file, []).append(c)
    return list(groups.items())
