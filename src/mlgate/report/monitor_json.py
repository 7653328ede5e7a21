"""The JSON form of a monitor result (docs/schemas/monitor.schema.json, ``schema_version`` 1)."""

from __future__ import annotations

import json
import math
from typing import Any

from mlgate.data.drift_report import DriftReport
from mlgate.data.drift_report import to_data as drift_data
from mlgate.monitor.model import SCHEMA_VERSION, LiveMetric, MonitorResult, SchemaCheck
from mlgate.report.monitor_findings import list_findings

KIND = "mlgate-monitor"


def to_data(result: MonitorResult, headline: str) -> dict[str, Any]:
    """The JSON-ready form, with the report's one-line ``headline``."""
    read = result.read
    return {
        "schema_version": SCHEMA_VERSION,
        "kind": KIND,
        "verdict": result.verdict,
        "headline": headline,
        "version": result.version,
        "version_source": result.version_source,
        "since": result.since,
        "until": result.until,
        "window": {"start": result.window_start, "end": result.window_end},
        "min_rows": result.min_rows,
        "breaches": list(result.breaches),
        "warnings": list(result.warnings),
        "notes": list(result.notes),
        "alpha": result.alpha,
        "tests": result.tests,
        "findings": [
            {"check": f.check, "summary": f.summary, "details": list(f.details), "next": f.next_step}
            for f in list_findings(result)
        ],
        "capture": {
            "location": read.location,
            "files": read.files,
            "skipped_files": read.skipped_files,
            "rows_read": read.rows_read,
            "rows": read.rows,
            "partial_files": list(read.partial_files),
            "truncated_lines": read.truncated_lines,
            "malformed": read.malformed,
            "unreadable": list(read.unreadable),
            "smoke_rows": read.smoke_rows,
            "problems": [{"path": p.path, "line": p.line, "reason": p.reason} for p in read.problems],
        },
        "schema": _schema_data(result.schema),
        "feature_drift": _drift(result.feature_drift),
        "prediction_drift": _drift(result.prediction_drift),
        "labels": None
        if result.labels is None
        else {
            "source": result.labels.source,
            "labels": result.labels.labels,
            "matched": result.labels.matched,
            "breach": result.labels.breach,
            "issues": [{"code": i.code, "message": i.message} for i in result.labels.issues],
            "metrics": [metric_data(m) for m in result.labels.metrics],
        },
    }


def render_json(result: MonitorResult, headline: str) -> str:
    return json.dumps(to_data(result, headline), indent=2, default=str, ensure_ascii=False) + "\n"


def metric_data(m: LiveMetric) -> dict[str, Any]:
    """One live metric: values, rows, margin and the test of live − registered (null when skipped)."""
    t = m.test
    bounded = t is not None and math.isfinite(t.low) and math.isfinite(t.high)
    return {
        "metric": m.metric,
        "registered": m.registered,
        "live": m.live,
        "status": m.status,
        "reason": m.reason,
        "n": m.n,
        "registered_n": m.registered_n,
        "registered_se": m.registered_se,
        "direction": m.direction or None,
        "margin": None if t is None else m.margin,
        "test": None
        if t is None
        else {
            "method": t.method,
            "estimate": t.estimate,
            "low": t.low if bounded else None,
            "high": t.high if bounded else None,
            "se": t.se,
            "p_worse": t.p_worse,
            "p_better": t.p_better,
            "p_adjusted": m.p_adjusted,
        },
    }


def _schema_data(check: SchemaCheck | None) -> dict[str, Any] | None:
    if check is None:
        return None
    return {
        "rows": check.rows,
        "invalid_rows": check.invalid_rows,
        "invalid_fraction": check.invalid_fraction,
        "max_invalid_fraction": check.max_invalid_fraction,
        "breach": check.breach,
        "fields": list(check.fields),
        "skipped": [{"field": n, "reason": r} for n, r in check.skipped],
        "invalid_requests": list(check.invalid_requests),
        "violations": [
            {
                "field": v.field,
                "check": v.check,
                "severity": v.severity,
                "count": v.count,
                "message": v.message,
                "examples": list(v.examples),
            }
            for v in check.violations
        ],
    }


def _drift(report: DriftReport | None) -> dict[str, Any] | None:
    return None if report is None else drift_data(report)
