"""Render a drift report as text or markdown, with a sparkline of reference → current bin shares.

The renderers take ``mlgate.data.drift_report.DriftReport`` but type it structurally (the protocols below):
importing mlgate.data.drift would pull in the readers and, through them, the AWS gateway, which the
layer contract keeps out of mlgate.report.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from tabulate import tabulate

from mlgate.report.escape import md


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
    mark = "✗" if report.dataset_drift else ("⚠" if report.drifted else "✓")
    out = [f"{mark} Drift vs {report.reference}: {_verdict(report)}"]
    if report.fields:
        rows = [
            [r.field, r.kind, _number(r.psi), _number(r.ks), _new(r), sparkline(r.reference_shares, r.current_shares),
             _status(r, emoji=False)]
            for r in report.fields
        ]  # fmt: skip
        headers = ["field", "kind", "PSI", "KS", "new categories", "reference → current", "status"]
        body = tabulate(rows, headers, tablefmt="plain", disable_numparse=True)
        out += ["", *("  " + line for line in body.splitlines()), ""]
    out += [f"  note: {r.field}: {r.note}" for r in report.fields if r.note]
    out += [f"  note: {r.field}: missing categories: {', '.join(r.missing_categories[:5])}"
            for r in report.fields if r.missing_categories]  # fmt: skip
    if report.skipped:
        out.append("  not checked: " + "; ".join(f"{name} ({reason})" for name, reason in report.skipped))
    return "\n".join(out) + "\n"


def render_drift_markdown(report: DriftReport) -> str:
    icon = "❌" if report.dataset_drift else ("⚠️" if report.drifted else "✅")
    verdict = _verdict(report)
    out = [f"#### {icon} {verdict[0].upper()}{verdict[1:]}", "", f"Reference: `{md(report.reference, 120)}`", ""]
    if report.fields:
        rows = [
            [md(r.field), r.kind, _number(r.psi), _number(r.ks), md(_new(r), 80),
             sparkline(r.reference_shares, r.current_shares), _status(r, emoji=True)]
            for r in report.fields
        ]  # fmt: skip
        headers = ["Field", "Kind", "PSI", "KS", "New categories", "Reference → current", "Status"]
        out += [tabulate(rows, headers, tablefmt="github", disable_numparse=True), ""]
    missing = [f"`{md(r.field)}`: {md(', '.join(r.missing_categories[:5]), 100)}" for r in report.fields
               if r.missing_categories]  # fmt: skip
    if missing:
        out += ["Categories seen in the reference but absent now: " + "; ".join(missing), ""]
    notes = [f"`{md(r.field)}`: {md(r.note, 120)}" for r in report.fields if r.note]
    notes += [f"`{md(name)}` not checked ({md(reason)})" for name, reason in report.skipped]
    if notes:
        out += ["<sub>" + " · ".join(notes) + "</sub>", ""]
    return "\n".join(out)
