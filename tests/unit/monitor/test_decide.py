"""decide_run: every test of a run judged together (Holm), drift needing both evidence and a relevant size."""

from __future__ import annotations

import dataclasses
from typing import Literal

import pytest

from mlgate.data.drift_report import DriftReport, FieldDriftResult
from mlgate.monitor.decide import decide_run, relevant
from mlgate.monitor.model import LabelCheck, LiveMetric, MonitorResult, ReadSummary
from mlgate.stats import PairedTest, adjust_holm


def field(name: str, p: float | None, psi: float, ks: float | None = None) -> FieldDriftResult:
    kind: Literal["numeric", "categorical"] = "numeric" if ks is not None else "categorical"
    return FieldDriftResult(
        name,
        kind,
        psi,
        ks,
        None,
        (),
        (),
        0.2,
        0.1 if ks is not None else None,
        True,
        "warning",
        100,
        1000,
        p_value=p,
        test="KS" if ks is not None else "chi-square",
    )


def metric(name: str, p_worse: float, p_better: float = 1.0) -> LiveMetric:
    test = PairedTest("two-sample z (binomial)", -0.05, -0.08, -0.02, p_worse, p_better, 0.02, None, 300)
    return LiveMetric(name, 0.9, 0.85, "fail" if p_worse < 0.01 else "ok", "", n=300, direction="higher", test=test)


def run(features: tuple[FieldDriftResult, ...], metrics: tuple[LiveMetric, ...]) -> MonitorResult:
    return MonitorResult(
        version="1",
        version_source="--version",
        since="24h",
        window_start="a",
        window_end="b",
        min_rows=100,
        read=ReadSummary("cap", rows=300),
        feature_drift=DriftReport("train.csv", features),
        prediction_drift=DriftReport("train.csv", (field("prediction", 0.5, 0.01),)),
        labels=LabelCheck("labels.csv", 300, 300, metrics),
    )


def test_every_p_value_of_the_run_is_adjusted_together() -> None:
    features = (field("big", 1e-6, 0.9, 0.4), field("noise", 0.004, 0.25, 0.12), field("tiny", 1e-9, 0.05, 0.04))
    metrics = (metric("accuracy", 0.003), metric("f1_macro", 0.6, p_better=0.001), metric("auc", 1.0))
    skipped = LiveMetric("roc_auc", 0.95, None, "skipped", "needs predicted probabilities")
    decided = decide_run(run(features, (*metrics, skipped)), alpha=0.01)
    expected = adjust_holm([1e-6, 0.004, 1e-9, 0.5, 0.003, 0.6, 1.0])
    assert decided.feature_drift is not None
    assert decided.prediction_drift is not None
    assert decided.labels is not None
    adjusted = [f.p_adjusted for f in (*decided.feature_drift.fields, *decided.prediction_drift.fields)]
    adjusted += [m.p_adjusted for m in decided.labels.metrics[:3]]
    assert adjusted == pytest.approx(expected)
    assert (decided.alpha, decided.tests) == (0.01, 7)
    # big: shown and large; noise: 0.004 × 6 is no longer below 0.01; tiny: shown but below both thresholds
    assert [f.drifted for f in decided.feature_drift.fields] == [True, False, False]
    assert all(f.alpha == 0.01 for f in decided.feature_drift.fields)
    # accuracy: 0.003 × 5 = 0.015 ≥ 0.01 after Holm; f1_macro is better before the adjustment (never a breach)
    assert [m.status for m in decided.labels.metrics] == ["ok", "better", "ok", "skipped"]
    assert decided.labels.metrics[3].p_adjusted is None
    assert decided.breaches == ("drifted features: big",)


def test_a_field_without_a_test_never_drifts_and_relevance_reads_psi_or_ks() -> None:
    untested = dataclasses.replace(field("x", None, 0.9, 0.5), p_value=None)
    decided = decide_run(run((untested,), ()), alpha=0.05)
    assert decided.feature_drift is not None
    assert decided.feature_drift.fields[0].drifted is False
    assert decided.tests == 1  # the prediction's test only
    assert relevant(field("a", 0.0, 0.21))
    assert relevant(field("b", 0.0, 0.1, 0.11))
    assert not relevant(field("c", 0.0, 0.2, 0.1))


def test_nothing_to_test_is_a_family_of_none() -> None:
    empty = dataclasses.replace(run((), ()), feature_drift=None, prediction_drift=None, labels=None)
    decided = decide_run(empty, alpha=0.01)
    assert (decided.tests, decided.verdict) == (0, "healthy")
