"""What an on-call engineer reads first: the monitor's findings, most severe first, each with what to check next.

Severity follows how directly a finding says users get worse answers: a live metric worse than registered
(measured harm), then rows that violate the schema (broken inputs: drift and metrics on them mislead), then
drifted predictions, then drifted features. Each finding names what moved in the field's own units (a
number's mean, spread and median before → after; a category's shares) and one next step that fits it:
upstream data when inputs broke or moved, roll back when the live version got worse on inputs that still
look like its training data, retrain when the population itself changed.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from mlgate.data.drift_report import DriftReport, FieldDriftResult
from mlgate.monitor.model import LiveMetric, MonitorResult
from mlgate.report.cells import MINUS, decimals_for, number, signed

CATEGORIES_SHOWN = 3  # category share changes named per drifted field


@dataclass(frozen=True)
class Finding:
    """One failed check: what it is, the evidence line by line, and the next step."""

    check: str  # "live metrics" | "schema" | "prediction drift" | "feature drift"
    summary: str
    details: tuple[str, ...]
    next_step: str


def list_findings(result: MonitorResult) -> tuple[Finding, ...]:
    """The breaches of ``result``, most severe first (see the module docstring); none for a healthy window."""
    if result.verdict != "breach":
        return ()
    drifted = [r.field for r in result.feature_drift.drifted] if result.feature_drift else []
    found = []
    failed = [m for m in result.labels.metrics if m.status == "fail"] if result.labels else []
    if failed:
        found.append(
            Finding(
                "live metrics",
                "live metrics worse than registered: " + ", ".join(m.metric for m in failed),
                tuple(describe_metric(m) for m in failed),
                _metric_step(drifted),
            )
        )
    schema = result.schema
    if schema is not None and schema.breach:
        first = f" (first: {', '.join(schema.invalid_requests[:3])})" if schema.invalid_requests else ""
        details = tuple(f"{v.field or '—'}: {v.count:,} × {v.message}" for v in schema.violations[:5])
        found.append(
            Finding(
                "schema",
                f"{schema.invalid_fraction:.1%} of captured rows violate the schema{first}",
                details,
                "check the upstream data: a producer sends values the model was never trained "
                "on; fix it before reading drift or live metrics, which these rows distort",
            )
        )
    if result.prediction_drift is not None and result.prediction_drift.drifted:
        step = (
            f"they follow the drifted features ({', '.join(drifted)}): see below"
            if drifted
            else "no checked feature drifted: look at features not monitored (dropped, hashed or not captured) "
            "and confirm the endpoint serves the version judged"
        )
        found.append(
            Finding(
                "prediction drift",
                "the predictions drifted",
                tuple(describe_field(r) for r in result.prediction_drift.drifted),
                step,
            )
        )
    if result.feature_drift is not None and result.feature_drift.drifted:
        found.append(
            Finding(
                "feature drift",
                "drifted features: " + ", ".join(drifted),
                tuple(describe_field(r) for r in _by_strength(result.feature_drift)),
                _drift_step(result.feature_drift),
            )
        )
    return tuple(found)


def describe_field(r: FieldDriftResult) -> str:
    """``tenure: mean 32.1 → 68.0 (sd 24.5 → 22.9), median 29 → 66; PSI 2.41, KS 0.62, p < 0.0001``."""
    return f"{r.field}: {describe_shift(r)}; {describe_evidence(r)}"


def describe_shift(r: FieldDriftResult) -> str:
    """The change in the field's own units: numbers' mean, spread and median; categories' largest share moves."""
    if r.shift is not None:
        s = r.shift
        digits = _digits(s.reference_mean, s.current_mean, s.reference_std, s.current_std)
        text = (
            f"mean {_value(s.reference_mean, digits)} → {_value(s.current_mean, digits)} "
            f"(sd {_value(s.reference_std, digits)} → {_value(s.current_std, digits)})"
        )
        if s.reference_median is not None:
            after = _value(s.current_median, digits) if s.current_median is not None else "above the reference's max"
            text += f", median {_value(s.reference_median, digits)} → {after}"
        return text
    moves = sorted(
        zip(r.labels, r.reference_shares, r.current_shares, strict=False), key=lambda m: abs(m[2] - m[1]), reverse=True
    )
    parts = [
        f"{name} {before:.0%} → {after:.0%}" for name, before, after in moves[:CATEGORIES_SHOWN] if after != before
    ]
    if r.new_categories:
        more = f" +{len(r.new_categories) - 2} more" if len(r.new_categories) > 2 else ""
        parts.append(f"new: {', '.join(r.new_categories[:2])}{more} ({r.new_share:.0%} of rows)")
    return ", ".join(parts) or "category shares unchanged"


def describe_evidence(r: FieldDriftResult) -> str:
    """``PSI 0.41, KS 0.22, p 0.0003 (Holm)``: the measures and, when a test decided, its adjusted p-value."""
    parts = [f"PSI {r.psi:.2f}"] + ([f"KS {r.ks:.2f}"] if r.ks is not None else [])
    p, label = (r.p_adjusted, "Holm") if r.p_adjusted is not None else (r.p_value, r.test)
    if p is not None:
        parts.append(f"p {format_p(p)}" + (f" ({label})" if label else ""))
    return ", ".join(parts)


def describe_metric(m: LiveMetric) -> str:
    """``accuracy 0.912 → 0.853 on 410 labelled rows: −0.059 [−0.085, −0.033], margin 0.018, p 0.0002 (Holm)``."""
    if m.live is None or m.registered is None or m.test is None:
        return f"{m.metric}: {m.reason or m.status}"
    t = m.test
    decimals = max(decimals_for(max(abs(m.registered), abs(m.live)), 4, 6), decimals_for(abs(t.estimate), 2, 6))
    interval = f" [{signed(t.low, decimals)}, {signed(t.high, decimals)}]" if math.isfinite(t.low) else ""
    p = f", p {format_p(m.p_adjusted)} (Holm)" if m.p_adjusted is not None else f", p {format_p(t.p_worse)}"
    return (
        f"{m.metric} {number(m.registered, decimals)} → {number(m.live, decimals)} on {m.n:,} labelled rows: "
        f"{signed(t.estimate, decimals)}{interval}, margin {number(m.margin, decimals)}{p}"
    )


def format_p(p: float | None) -> str:
    """``0.031``, ``0.0004``, ``< 0.0001``."""
    if p is None:
        return "—"
    return "< 0.0001" if p < 1e-4 else f"{p:.2g}" if p < 0.01 else f"{p:.3f}".rstrip("0").rstrip(".")


def _metric_step(drifted: list[str]) -> str:
    if drifted:
        return (
            f"the inputs drifted too ({', '.join(drifted)}): the population changed; retrain on recent labelled "
            "data (mlgate retrain), or roll back (mlgate rollback) if the previous version suits it better"
        )
    return (
        "the inputs still look like the training data: check the labels file first (encoding, join), then roll "
        "back (mlgate rollback) if the previous version did better; if the labels hold, the relation between "
        "inputs and outcome changed: retrain on recent labelled data (mlgate retrain)"
    )


def _drift_step(report: DriftReport) -> str:
    new = [r.field for r in report.drifted if r.new_categories]
    if new:
        return (
            f"check the upstream data first: {', '.join(new)} carr{'ies' if len(new) == 1 else 'y'} values never "
            "seen in training (a renamed code, a new source?); if the population really changed, retrain on "
            "recent data (mlgate retrain)"
        )
    return (
        "check the upstream data first (units, defaults, a changed producer or join); if the population really "
        "changed, retrain on recent data (mlgate retrain) and watch the live metrics with --labels"
    )


def _by_strength(report: DriftReport) -> list[FieldDriftResult]:
    return sorted(report.drifted, key=lambda r: (r.p_adjusted if r.p_adjusted is not None else 1.0, -r.psi))


def _digits(*values: float) -> int:
    return decimals_for(max((abs(v) for v in values if math.isfinite(v)), default=0.0), 4, 6)


def _value(value: float | None, decimals: int) -> str:
    """A value in the field's units, with a true minus sign."""
    return "—" if value is None else number(value, decimals).replace("-", MINUS, 1)
