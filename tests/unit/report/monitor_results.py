"""Hand-built monitor results shared by the monitor report tests (imported as ``unit.report.monitor_results``)."""

from __future__ import annotations

from typing import Any

from mlgate.data.drift_report import DriftReport, FieldDriftResult, NumericShift
from mlgate.data.results import Violation
from mlgate.monitor.model import LabelCheck, LiveMetric, MonitorResult, Problem, ReadSummary, SchemaCheck
from mlgate.stats import PairedTest

AGE_SHIFT = NumericShift(
    reference_mean=41.2,
    current_mean=55.7,
    reference_std=12.0,
    current_std=9.5,
    reference_median=40.0,
    current_median=56.0,
)
DRIFTED = FieldDriftResult(
    "age",
    "numeric",
    0.9,
    0.4,
    0.0,
    (),
    (),
    0.2,
    0.1,
    True,
    "warning",
    500,
    1000,
    labels=("≤30", "30–50", ">50"),
    reference_shares=(0.3, 0.4, 0.3),
    current_shares=(0.1, 0.2, 0.7),
    test="KS",
    p_value=1e-9,
    shift=AGE_SHIFT,
    p_adjusted=5e-9,
    alpha=0.01,
)
PLAN = FieldDriftResult(
    "plan",
    "categorical",
    0.5,
    None,
    None,
    ("gold",),
    ("basic",),
    0.2,
    None,
    True,
    "warning",
    500,
    1000,
    0.25,
    labels=("basic", "premium", "(other)"),
    reference_shares=(0.6, 0.4, 0.0),
    current_shares=(0.0, 0.75, 0.25),
    test="chi-square",
    p_value=1e-6,
    p_adjusted=4e-6,
    alpha=0.01,
)
STABLE = FieldDriftResult(
    "city",
    "categorical",
    0.01,
    None,
    None,
    (),
    (),
    0.2,
    None,
    False,
    "warning",
    500,
    1000,
    labels=("a", "b"),
    reference_shares=(0.5, 0.5),
    current_shares=(0.52, 0.48),
    test="chi-square",
    p_value=0.4,
    p_adjusted=0.8,
    alpha=0.01,
)
WORSE = LiveMetric(
    "accuracy",
    0.9,
    0.7,
    "fail",
    "",
    n=380,
    registered_n=1200,
    registered_se=0.0087,
    direction="higher",
    margin=0.018,
    test=PairedTest("two-sample z (binomial (Agresti–Caffo))", -0.2, -0.25, -0.15, 1e-12, 1.0, 0.024, None, 380),
    p_adjusted=4e-12,
)
SKIPPED = LiveMetric("roc_auc", 0.95, None, "skipped", "needs predicted probabilities, which capture does not keep")
READ = ReadSummary(
    location="cap",
    files=2,
    rows_read=520,
    rows=500,
    malformed=1,
    problems=(Problem("cap/a.jsonl", 7, "not valid JSON: Expecting value"),),
    partial_files=("cap/b.jsonl.partial",),
    truncated_lines=1,
)


def result(**changes: Any) -> MonitorResult:
    base = MonitorResult(
        version="3",
        version_source="deploy state",
        since="24h",
        window_start="2026-11-21T12:00:00.000000Z",
        window_end="2026-11-22T12:00:00.000000Z",
        min_rows=100,
        read=READ,
        schema=SchemaCheck(
            rows=500,
            invalid_rows=10,
            max_invalid_fraction=0.01,
            fields=("age", "city"),
            violations=(Violation("city", "enum", "error", 10, (2, 3), "not one of a, b", examples=("x|y",)),),
            invalid_requests=("req-9",),
        ),
        feature_drift=DriftReport(reference="train.csv", fields=(STABLE, DRIFTED, PLAN)),
        labels=LabelCheck("labels.csv", 400, 380, (WORSE, SKIPPED)),
        alpha=0.01,
        tests=5,
    )
    return MonitorResult(**{**base.__dict__, **changes})
