"""The outcome of a drift check and its JSON form: ``FieldDriftResult`` per compared field and
``DriftReport`` for the dataset (which fields drifted, which were skipped and why, and whether the
dataset as a whole drifted), built by ``mlgate.data.drift.DriftCollector`` and rendered by
``mlgate.report.drift``; ``to_data`` gives the JSON-ready form used by ``mlgate validate``'s output.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any, Literal

from mlgate.data.schema import Severity

SCHEMA_VERSION = 1
DATASET_DRIFT_SHARE = 0.5


@dataclass(frozen=True)
class NumericShift:
    """A numeric field before (reference) and after (current), in the field's own units.

    Means and standard deviations are exact; medians are read off the reference cut points
    (``drift_math.quantile_at``), and the current median is None when it lies beyond the reference's maximum.
    """

    reference_mean: float
    current_mean: float
    reference_std: float
    current_std: float
    reference_median: float | None
    current_median: float | None


@dataclass(frozen=True)
class FieldDriftResult:
    field: str
    kind: Literal["numeric", "categorical"]
    psi: float
    ks: float | None
    ks_pvalue: float | None
    new_categories: tuple[str, ...]  # most frequent first, at most drift.NEW_CATEGORIES_KEPT
    missing_categories: tuple[str, ...]  # reference categories absent now, most frequent first
    threshold_psi: float
    threshold_ks: float | None
    drifted: bool
    severity: Severity
    count: int  # current values compared
    reference_count: int
    new_share: float = 0.0  # share of current values outside the reference categories
    labels: tuple[str, ...] = ()  # chart bins (at most drift_math.CHART_BINS)
    reference_shares: tuple[float, ...] = ()
    current_shares: tuple[float, ...] = ()
    note: str = ""
    test: str = ""  # the two-sample test behind ``p_value``: "KS" (numeric) or "chi-square" (categorical)
    p_value: float | None = None
    shift: NumericShift | None = None
    # set when a test decided ``drifted`` (mlgate monitor): Holm-adjusted p-value and the level it was judged at
    p_adjusted: float | None = None
    alpha: float | None = None


@dataclass(frozen=True)
class DriftReport:
    reference: str
    fields: tuple[FieldDriftResult, ...]
    skipped: tuple[tuple[str, str], ...] = ()  # (field, reason)
    share_threshold: float = DATASET_DRIFT_SHARE

    @property
    def drifted(self) -> tuple[FieldDriftResult, ...]:
        return tuple(f for f in self.fields if f.drifted)

    @property
    def share(self) -> float:
        return len(self.drifted) / len(self.fields) if self.fields else 0.0

    @property
    def dataset_drift(self) -> bool:
        return bool(self.fields) and self.share >= self.share_threshold


def to_data(report: DriftReport) -> dict[str, Any]:
    """The JSON-ready form of a drift report."""
    return {
        "schema_version": SCHEMA_VERSION,
        "reference": report.reference,
        "checked": len(report.fields),
        "drifted": len(report.drifted),
        "share": report.share,
        "share_threshold": report.share_threshold,
        "dataset_drift": report.dataset_drift,
        "fields": [
            {
                "field": r.field,
                "kind": r.kind,
                "psi": r.psi,
                "ks": r.ks,
                "ks_pvalue": r.ks_pvalue,
                "new_categories": list(r.new_categories),
                "missing_categories": list(r.missing_categories),
                "new_share": r.new_share,
                "threshold_psi": r.threshold_psi,
                "threshold_ks": r.threshold_ks,
                "drifted": r.drifted,
                "severity": r.severity,
                "count": r.count,
                "reference_count": r.reference_count,
                "bins": {
                    "labels": list(r.labels),
                    "reference": list(r.reference_shares),
                    "current": list(r.current_shares),
                },
                "note": r.note,
                "test": r.test,
                "p_value": r.p_value,
                "p_adjusted": r.p_adjusted,
                "alpha": r.alpha,
                "shift": None if r.shift is None else dataclasses.asdict(r.shift),
            }
            for r in report.fields
        ],
        "skipped": [{"field": name, "reason": reason} for name, reason in report.skipped],
    }
