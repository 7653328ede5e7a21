"""The monitor report's sections: drift charts that hide no bar, live-metric tables and text lines."""

from __future__ import annotations

import dataclasses

from mlgate.data.drift_report import DriftReport
from mlgate.monitor.model import LabelCheck
from mlgate.report.monitor_sections import BAR, drift_chart, drift_status, drift_text, labels_text, order_fields
from unit.report.monitor_results import DRIFTED, PLAN, SKIPPED, STABLE, WORSE


def test_the_chart_draws_both_bars_of_every_bin_on_one_scale_from_zero() -> None:
    chart = drift_chart(DRIFTED)
    assert chart is not None
    lines = chart.splitlines()
    assert lines[:2] == ["```text", "age: % of rows per bin · ░ reference · █ live"]
    assert lines[2:8] == [
        "up to 30   30.0 %  " + "░" * round(0.3 / 0.7 * BAR),
        "           10.0 %  " + "█" * round(0.1 / 0.7 * BAR),
        "30 to 50   40.0 %  " + "░" * round(0.4 / 0.7 * BAR),
        "           20.0 %  " + "█" * round(0.2 / 0.7 * BAR),
        "over 50    30.0 %  " + "░" * round(0.3 / 0.7 * BAR),
        "           70.0 %  " + "█" * BAR,
    ]
    assert lines[8:] == ["```"]
    assert drift_chart(dataclasses.replace(DRIFTED, labels=())) is None


def test_chart_labels_cannot_break_out_of_the_block() -> None:
    hostile = dataclasses.replace(PLAN, field="x```\n# hi", labels=("```", "<b>", "ok"))
    chart = drift_chart(hostile)
    assert chart is not None
    assert chart.count("```") == 2
    assert "<b>" not in chart


def test_drift_statuses_and_order() -> None:
    small = dataclasses.replace(STABLE, p_adjusted=0.001)  # shown, but PSI and KS below their thresholds
    assert [drift_status(r, emoji=False) for r in (DRIFTED, small, STABLE)] == [
        "✗ drifted",
        "· small change",
        "✓ stable",
    ]
    report = DriftReport("train.csv", (STABLE, PLAN, DRIFTED))
    assert [r.field for r in order_fields(report)] == ["age", "plan", "city"]
    assert drift_text("feature drift", report)[0] == "  feature drift: 2 of 3 field(s) drifted vs train.csv"


def test_live_metric_lines_say_each_status_once() -> None:
    ok = dataclasses.replace(WORSE, status="better", metric="f1")
    lines = labels_text(LabelCheck("labels.csv", 400, 380, (WORSE, ok, SKIPPED)))
    assert lines[0] == "  live metrics: 380 rows matched a label (of 400)"
    assert lines[1].startswith("    ✗ worse accuracy 0.9000 → 0.7000 on 380 labelled rows")
    assert lines[2].startswith("    ✓ better f1 0.9000 → 0.7000")
    assert lines[3] == "    · skipped roc_auc: needs predicted probabilities, which capture does not keep"
