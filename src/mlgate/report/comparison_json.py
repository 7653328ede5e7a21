"""``mlgate compare --format json``: the comparison as data (JSON Schema: docs/schemas/compare.schema.json).

``metrics`` has the shape of ``dvc metrics diff --json`` ({model: {metric: {old, new, diff}}}) plus mlgate's
fields per value; ``params`` the shape of ``dvc params diff --json``. Verdict fields sit at the top.
"""

from __future__ import annotations

import json
import math
from typing import Any

from mlgate.compare import Comparison, Row
from mlgate.report.context import ReportContext

SCHEMA_VERSION = 1


def to_json(comparison: Comparison, context: ReportContext) -> dict[str, Any]:
    """The JSON document (every value JSON-safe; parameter values of other types become strings)."""
    metrics: dict[str, dict[str, Any]] = {}
    for r in comparison.rows:
        metrics.setdefault(r.model, {})[r.metric] = {
            "old": r.base,
            "new": r.new,
            "diff": r.diff,
            "pct": r.pct,
            "status": r.status,
            "severity": r.severity,
            "reason": r.reason,
            "kind": r.kind,
            "label": r.label,
            "direction": r.direction,
            "old_std": r.base_std,
            "new_std": r.new_std,
            **{key: value for key, value in _tested(r) if value is not None},
        }
    params: dict[str, dict[str, Any]] = {}
    for c in comparison.params:
        params.setdefault(c.model, {})[c.parameter] = {
            "old": None if c.change == "added" else _jsonable(c.base),
            "new": None if c.change == "removed" else _jsonable(c.new),
            "change": c.change,
        }
    baseline = comparison.baseline
    return {
        "schema_version": SCHEMA_VERSION,
        "mlgate_version": context.mlgate_version,
        "key": context.key,
        "verdict": comparison.verdict,
        "failed": len(comparison.failed),
        "warned": len(comparison.warned),
        "incomparable": len(comparison.incomparable),
        "baseline": {
            "available": baseline is not None,
            "source": context.baseline_source or comparison.baseline_note,
            "commit": context.baseline_commit or (baseline.commit if baseline else None),
            "path": baseline.source if baseline else None,
        },
        "candidate": {
            "commit": context.head or comparison.candidate.commit,
            "path": comparison.candidate.source,
        },
        "primary": comparison.primary,
        "best_model": comparison.best_model,
        "baseline_best_model": comparison.baseline_best,
        "alpha": comparison.alpha,
        "methods": list(comparison.methods),
        "data_changed": comparison.data_changed,
        "metrics": metrics,
        "params": params,
        "notes": list(comparison.notes),
    }


def _tested(r: Row) -> tuple[tuple[str, float | str | None], ...]:
    """The fields of a statistical test, present in the JSON only when the comparison ran one."""
    return (
        ("low", r.low),
        ("high", r.high),
        ("method", r.method),
        ("mde", r.mde),
        ("p_worse", r.p_worse),
        ("old_own", r.base_own),
    )


def render_json(comparison: Comparison, context: ReportContext) -> str:
    return json.dumps(to_json(comparison, context), indent=2, ensure_ascii=False, allow_nan=False) + "\n"


def _jsonable(value: Any) -> Any:
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    return str(value)
