"""The run's decisions: every test of one ``mlgate monitor`` run judged together at ``monitor.alpha``.

One run asks many questions of one window: has each feature drifted, have the predictions, is each live
metric worse than registered. Asked separately at level alpha each, a healthy window of 30 features would
breach far more often than alpha. So the p-values of all of them (each field's two-sample drift test, each
live metric's ``p_worse``) form one family, adjusted with Holm's step-down method (``mlgate.stats``): the
chance that a healthy window breaches at all stays at most alpha, whatever the window's size.

A field drifts when its test rejects after the adjustment **and** its change is large enough to matter:
PSI or KS above the schema's thresholds (``x-mlgate.drift``, defaults PSI 0.2, KS 0.1). The test guards small
windows against noise (a PSI of 0.2 is common in 100 healthy rows); the thresholds guard large windows
against trivia (any difference is significant in a million rows). A live metric fails when its adjusted
``p_worse`` is below alpha; ``better`` is read before the adjustment and never breaches.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

from mlgate.data.drift_report import DriftReport, FieldDriftResult
from mlgate.monitor.model import LiveMetric, MonitorResult
from mlgate.stats import adjust_holm


def decide_run(result: MonitorResult, *, alpha: float) -> MonitorResult:
    """``result`` with drift and live metrics decided by Holm's adjustment over all of its tests."""
    p_values = [f.p_value for f in _tested(result.feature_drift) + _tested(result.prediction_drift)]
    metrics = result.labels.metrics if result.labels is not None else ()
    p_values += [m.test.p_worse for m in metrics if m.test is not None]
    adjusted = iter(adjust_holm([p for p in p_values if p is not None]))
    features = _decide_drift(result.feature_drift, adjusted, alpha)
    predictions = _decide_drift(result.prediction_drift, adjusted, alpha)
    labels = result.labels
    if labels is not None:
        decided = tuple(_decide_metric(m, next(adjusted), alpha) if m.test is not None else m for m in labels.metrics)
        labels = dataclasses.replace(labels, metrics=decided)
    return dataclasses.replace(
        result, feature_drift=features, prediction_drift=predictions, labels=labels, alpha=alpha, tests=len(p_values)
    )


def relevant(field: FieldDriftResult) -> bool:
    """Whether the change is large enough to matter: PSI or KS above its threshold."""
    over_ks = field.ks is not None and field.threshold_ks is not None and field.ks > field.threshold_ks
    return field.psi > field.threshold_psi or over_ks


def _tested(report: DriftReport | None) -> list[FieldDriftResult]:
    return [f for f in report.fields if f.p_value is not None] if report is not None else []


def _decide_drift(report: DriftReport | None, adjusted: Iterator[float], alpha: float) -> DriftReport | None:
    if report is None:
        return None
    fields = []
    for field in report.fields:
        if field.p_value is None:  # no test: nothing shows it drifted
            fields.append(dataclasses.replace(field, drifted=False, alpha=alpha))
            continue
        p = next(adjusted)
        fields.append(dataclasses.replace(field, p_adjusted=p, alpha=alpha, drifted=p < alpha and relevant(field)))
    return dataclasses.replace(report, fields=tuple(fields))


def _decide_metric(metric: LiveMetric, p: float, alpha: float) -> LiveMetric:
    better = metric.test is not None and metric.test.p_better < alpha
    return dataclasses.replace(metric, status="fail" if p < alpha else "better" if better else "ok", p_adjusted=p)
