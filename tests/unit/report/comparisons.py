"""Comparisons the report tests share: a holdout run with a failed and a warned gate, cross-validation, no
baseline, intervals from a test per model, and many models (the comment budget)."""

from __future__ import annotations

import dataclasses
from typing import Any

from mlgate.compare import Comparison, compare_results
from mlgate.config import GateConfig, MetricsConfig
from mlgate.report.context import DataFile, DriftedColumn, DriftSummary, ReportContext, SchemaSummary, ValidationSummary
from mlgate.results import Evaluation, ModelResult, ResultSet
from mlgate.training.timing_rule import PairedTiming

BASE_SHA = "d3cd69f" + "0" * 33
HEAD_SHA = "2737c6a" + "1" * 33
HOLDOUT = Evaluation("holdout", train_rows=427, test_rows=144, data_sha256="ab" * 32)
GATES = MetricsConfig(
    primary="accuracy",
    gates={"accuracy": GateConfig(rel_tol=0.02), "f1_macro": GateConfig(rel_tol=0.01, severity="warn")},
)


def model(name: str, metrics: dict[str, float], **extra: Any) -> ModelResult:
    return ModelResult(name=name, estimator="sklearn.Estimator", metrics=metrics, **extra)


def holdout_comparison() -> Comparison:
    timings = {"fit_s": 0.5, "predict_1row_p95_ms": 3.1}
    base = ResultSet(
        models={
            "linear": model("linear", {"accuracy": 0.9371, "f1_macro": 0.9322}, params={"C": 1.0}, timings=timings),
            "forest": model(
                "forest",
                {"accuracy": 0.951, "f1_macro": 0.95},
                params={"n_estimators": 100},
                timings={"fit_s": 0.5, "predict_1row_p95_ms": 3.1},
            ),
            "knn": model("knn", {"accuracy": 0.9}),
        },
        commit=BASE_SHA,
        evaluation=HOLDOUT,
    )
    new = ResultSet(
        models={
            "linear": model("linear", {"accuracy": 0.8951, "f1_macro": 0.881}, params={"C": 1e-05}, timings=timings),
            "forest": model(
                "forest",
                {"accuracy": 0.951, "f1_macro": 0.95},
                params={"n_estimators": 100},
                timings={"fit_s": 0.9, "predict_1row_p95_ms": 3.0},
            ),
            "boosting": model("boosting", {"accuracy": 0.9612, "f1_macro": 0.958}),
        },
        commit=HEAD_SHA,
        evaluation=HOLDOUT,
    )
    fit = PairedTiming(base=0.5, new=0.9, ratio=1.8, low=1.5, high=2.1, rounds=15)  # timed side by side
    return compare_results(base, [new], GATES, timings={"forest": {"fit_s": fit}})


def cv_comparison() -> Comparison:
    def side(shift: float, noise: tuple[float, ...]) -> ResultSet:
        folds = {"accuracy": tuple(0.9 + shift + n for n in noise), "rmse": (1.0, 1.1, 0.9, 1.0, 1.0)}
        means = {k: sum(v) / len(v) for k, v in folds.items()}
        return ResultSet(
            models={"m": model("m", means, folds=folds)},
            evaluation=Evaluation("cv", folds=5, train_rows=500, data_sha256="d"),
        )

    base = side(0.0, (0.0, 0.01, -0.01, 0.02, 0.0))
    new = side(-0.03, (0.0, 0.012, -0.008, 0.02, 0.001))
    return compare_results(base, [new], MetricsConfig(alpha=0.05), baseline_note="cached baseline")


def current_only_comparison() -> Comparison:
    current = ResultSet(
        models={"a": model("a", {"accuracy": 0.81, "f1": 0.8}), "b": model("b", {"accuracy": 0.93})}, commit=HEAD_SHA
    )
    metrics = MetricsConfig(gates={"accuracy": GateConfig(min=0.85)})
    return compare_results(None, [current], metrics, baseline_note="the merge-base d3cd69f has no mlgate.yaml")


def interval_comparison() -> Comparison:
    """What a comparison that ran a test per model looks like: intervals of the primary metric's change."""
    metrics = MetricsConfig(primary="accuracy", gates={"accuracy": GateConfig(abs_tol=0.01)})
    base = ResultSet(
        models={
            "linear": model(
                "linear",
                {"accuracy": 0.9871},
                params={"max_depth": None},
                timings={"model_kb": 6193.88, "predict_1row_p95_ms": 1694.8929},
            ),
            "forest": model("forest", {"accuracy": 0.9902}),
        },
        commit=BASE_SHA,
        evaluation=HOLDOUT,
    )
    new = ResultSet(
        models={
            "linear": model(
                "linear",
                {"accuracy": 0.9661},
                params={"max_depth": 10},
                timings={"model_kb": 8706.58, "predict_1row_p95_ms": 1463.0378},
            ),
            "forest": model("forest", {"accuracy": 0.991}),
            "boosting": model("boosting", {"accuracy": 0.9944}),
        },
        commit=HEAD_SHA,
        evaluation=HOLDOUT,
    )
    comparison = compare_results(base, [new], metrics)
    intervals = {"linear": (-0.048, 0.006), "forest": (-0.0041, 0.0057)}
    rows = tuple(
        dataclasses.replace(
            r, low=intervals[r.model][0], high=intervals[r.model][1], method="McNemar (exact)", mde=0.012, p_worse=0.41
        )
        if r.metric == "accuracy" and r.model in intervals
        else r
        for r in comparison.rows
    )
    return dataclasses.replace(comparison, rows=rows)


def many_rows(models: int, failing: int) -> Comparison:
    """``models`` models with 6 metrics each; every ``models // failing``-th model loses accuracy (a failed gate)."""
    names = [f"model_{m:04d}" for m in range(models)]
    step = models // failing if failing else models + 1
    scores = {f"metric_{i}": 0.5 for i in range(5)}
    base = ResultSet(models={n: model(n, {**scores, "accuracy": 0.9}) for n in names})
    new = ResultSet(
        models={
            n: model(n, {**{k: 0.6 for k in scores}, "accuracy": 0.8 if m % step == 0 else 0.9})
            for m, n in enumerate(names)
        }
    )
    return compare_results(base, [new], MetricsConfig())


CONTEXT = ReportContext(
    key="pr-check/benchmark",
    head=HEAD_SHA,
    baseline_source="merge-base d3cd69f: cached model re-scored on this PR's data",
    data_files=(DataFile("train.csv", 427), DataFile("test.csv", 144)),
    validation=ValidationSummary(valid=True),
    schema=SchemaSummary(changes=0),
    drift=DriftSummary(checked=6),
    mlgate_version="0.1.0",
    run_url="https://github.com/acme/churn/actions/runs/4242",
    full_report="the job summary and the mlgate-report artifact",
)


DRIFT = DriftSummary(
    columns=(
        DriftedColumn("tenure", "data/test.csv", 0.3121, 0.1812, 0.2, 0.15),
        DriftedColumn("region", "data/test.csv", 0.2004, None, 0.2, None),
    ),
    checked=8,
    skipped=(("data/train.csv", "the reference statistics were made from it (same SHA-256)"),),
)
TESTED_CONTEXT = dataclasses.replace(CONTEXT, drift=DRIFT)

CASES = {
    "holdout": (holdout_comparison, CONTEXT),
    "cv": (cv_comparison, ReportContext(key="cv", mlgate_version="0.1.0")),
    "no_baseline": (current_only_comparison, ReportContext(key="pr", head=HEAD_SHA, mlgate_version="0.1.0")),
    "tested": (interval_comparison, TESTED_CONTEXT),
}
