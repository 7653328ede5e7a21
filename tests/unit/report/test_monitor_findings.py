"""The monitor's findings: severity order, shifts in the field's own units, and a next step that fits."""

from __future__ import annotations

import dataclasses

from mlgate.data.drift_report import DriftReport, NumericShift
from mlgate.report.monitor_findings import describe_shift, format_p, list_findings
from unit.report.monitor_results import DRIFTED, PLAN, STABLE, result


def test_findings_are_ordered_by_severity_and_healthy_windows_have_none() -> None:
    assert [f.check for f in list_findings(result())] == ["live metrics", "schema", "feature drift"]
    predictions = DriftReport("train.csv", (dataclasses.replace(PLAN, field="prediction", new_categories=()),))
    both = list_findings(result(schema=None, prediction_drift=predictions))
    assert [f.check for f in both] == ["live metrics", "prediction drift", "feature drift"]
    assert both[1].next_step == "they follow the drifted features (age, plan): see below"
    healthy = result(schema=None, labels=None, feature_drift=DriftReport("r", (STABLE,)))
    assert list_findings(healthy) == ()


def test_the_next_step_fits_the_finding() -> None:
    stable_inputs = result(schema=None, feature_drift=DriftReport("r", (STABLE,)))
    (metric,) = list_findings(stable_inputs)
    assert metric.next_step.startswith("the inputs still look like the training data: check the labels file first")
    assert "roll back (mlgate rollback)" in metric.next_step
    predictions = DriftReport("train.csv", (dataclasses.replace(PLAN, field="prediction", new_categories=()),))
    (alone,) = list_findings(result(schema=None, labels=None, feature_drift=None, prediction_drift=predictions))
    assert alone.next_step.startswith("no checked feature drifted: look at features not monitored")
    numeric_only = list_findings(result(schema=None, labels=None, feature_drift=DriftReport("r", (DRIFTED,))))
    assert numeric_only[0].next_step.startswith("check the upstream data first (units, defaults")
    new_codes = list_findings(result(schema=None, labels=None))
    assert new_codes[0].next_step.startswith("check the upstream data first: plan carries values never seen")
    assert list_findings(result(labels=None, feature_drift=None))[0].next_step.startswith("check the upstream data:")


def test_shifts_are_in_the_fields_own_units() -> None:
    assert describe_shift(DRIFTED) == "mean 41.20 → 55.70 (sd 12.00 → 9.50), median 40.00 → 56.00"
    beyond = NumericShift(5.0, -120.5, 1.0, 3.0, 5.0, None)
    assert describe_shift(dataclasses.replace(DRIFTED, shift=beyond)) == (
        "mean 5.0 → −120.5 (sd 1.0 → 3.0), median 5.0 → above the reference's max"
    )
    assert describe_shift(PLAN) == "basic 60% → 0%, premium 40% → 75%, (other) 0% → 25%, new: gold (25% of rows)"
    many = dataclasses.replace(PLAN, new_categories=("gold", "silver", "iron", "tin"))
    assert describe_shift(many).endswith("new: gold, silver +2 more (25% of rows)")
    same = dataclasses.replace(STABLE, current_shares=STABLE.reference_shares)
    assert describe_shift(same) == "category shares unchanged"


def test_p_values_read_at_a_glance() -> None:
    assert [format_p(p) for p in (None, 0.5, 0.031, 0.0004, 1e-7)] == ["—", "0.5", "0.031", "0.0004", "< 0.0001"]
    assert list_findings(result())[0].details == (
        "accuracy 0.9000 → 0.7000 on 380 labelled rows: −0.2000 [−0.2500, −0.1500], margin 0.0180, p < 0.0001 (Holm)",
    )
