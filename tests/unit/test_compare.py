"""compare_results: directions, tolerances, bounds, severities, new/removed, CV significance, merging, params."""

from __future__ import annotations

import math
import statistics
from dataclasses import replace
from typing import Any

import numpy as np
import pytest
from scipy import stats

from mlgate.compare import Comparison, Row, compare_results, diff_params, merge_candidates
from mlgate.config import GateConfig, MetricsConfig
from mlgate.errors import ConfigError, InputError
from mlgate.results import Evaluation, ModelResult, ResultSet
from mlgate.stats import Predictions, score_predictions
from mlgate.training.predictions import PredictionSet
from mlgate.training.timing_rule import PairedTiming


def model(name: str = "m", metrics: dict[str, float] | None = None, **extra: Any) -> ModelResult:
    return ModelResult(name=name, estimator="est", metrics=metrics or {}, **extra)


def results(*models: ModelResult, **extra: Any) -> ResultSet:
    return ResultSet(models={m.name: m for m in models}, **extra)


def one_row(metric: str, base: float, new: float, gate: GateConfig | None = None, *, timing: bool = False) -> Row:
    def side(value: float) -> ResultSet:
        scores = {metric: value}
        return results(ModelResult("m", "est", timings=scores) if timing else ModelResult("m", "est", metrics=scores))

    gates = {} if gate is None else {metric: gate}
    comparison = compare_results(
        side(base),
        [side(new)],
        MetricsConfig(gates=gates),
    )
    (row,) = comparison.rows
    return row


@pytest.mark.parametrize(
    ("metric", "base", "new", "gate", "status"),
    [
        ("accuracy", 0.90, 0.89, None, "fail"),  # no tolerance by default
        ("accuracy", 0.90, 0.91, None, "better"),
        ("accuracy", 0.90, 0.90, None, "same"),
        ("accuracy", 0.90, 0.885, GateConfig(abs_tol=0.02), "same"),
        ("accuracy", 0.90, 0.87, GateConfig(abs_tol=0.02), "fail"),
        ("accuracy", 0.90, 0.915, GateConfig(abs_tol=0.02), "same"),  # small gains are within tolerance too
        ("accuracy", 0.90, 0.885, GateConfig(rel_tol=0.02), "same"),  # −1.67 %
        ("accuracy", 0.90, 0.88, GateConfig(rel_tol=0.02), "fail"),  # −2.2 %
        ("accuracy", 0.90, 0.87, GateConfig(abs_tol=0.05, rel_tol=0.01), "same"),  # the larger tolerance applies
        ("accuracy", 0.90, 0.85, GateConfig(severity="warn"), "warn"),
        ("accuracy", 0.95, 0.89, GateConfig(min=0.9, abs_tol=1.0), "fail"),  # bounds beat tolerance
        ("accuracy", 0.95, 0.93, GateConfig(min=0.9, severity="warn"), "warn"),
        ("rmse", 1.0, 1.1, None, "fail"),
        ("rmse", 1.0, 0.9, None, "better"),
        ("rmse", 1.0, 0.9, GateConfig(max=0.5), "fail"),
        ("custom", 1.0, 2.0, None, "changed"),  # no direction: shown, not judged
        ("custom", 1.0, 2.0, GateConfig(direction="lower"), "fail"),
        ("accuracy", 0.9, 0.95, GateConfig(direction="lower"), "fail"),  # an override wins over the name
        ("custom", 1.0, 9.0, GateConfig(max=5.0), "fail"),  # bounds apply without a direction
    ],
)
def test_gate_table(metric: str, base: float, new: float, gate: GateConfig | None, status: str) -> None:
    row = one_row(metric, base, new, gate)
    assert row.status == status, row.reason
    assert row.diff == pytest.approx(new - base)
    assert row.pct == pytest.approx((new - base) / abs(base) * 100)


def test_reasons_and_rules_name_what_was_broken() -> None:
    dropped = one_row("accuracy", 0.90, 0.88, GateConfig(rel_tol=0.02))
    assert (dropped.reason, dropped.rule, dropped.severity) == ("worse beyond tolerance 2 %", "tolerance 2 %", "fail")
    below = one_row("accuracy", 0.95, 0.85, GateConfig(min=0.9))
    assert (below.reason, below.rule) == ("below min 0.9", "min 0.9")
    untouched = one_row("custom", 1.0, 2.0)
    assert untouched.severity is None
    assert "not judged" in untouched.reason


def paired_timing(base: float, new: float, low: float | None, high: float | None) -> PairedTiming:
    return PairedTiming(base=base, new=new, ratio=new / base, low=low, high=high, rounds=15)


@pytest.mark.parametrize(
    ("timing", "gate", "status"),
    [
        (None, None, "unjudged"),  # not measured side by side: no status, whatever the numbers say
        (paired_timing(10.0, 15.0, 1.3, 1.7), None, "warn"),  # the whole interval beyond 25 %: warn by default
        (paired_timing(10.0, 15.0, 1.3, 1.7), GateConfig(severity="fail"), "fail"),
        (paired_timing(10.0, 15.0, 1.1, 1.9), None, "same"),  # the interval reaches into the tolerance
        (paired_timing(0.2, 0.5, 2.0, 3.0), None, "same"),  # below the 1 ms floor
        (paired_timing(10.0, 11.5, 1.08, 1.2), GateConfig(rel_tol=0.05), "warn"),
        (paired_timing(10.0, 5.0, 0.4, 0.6), None, "better"),
        (paired_timing(10.0, 15.0, None, None), None, "unjudged"),  # too few rounds for an interval
    ],
)
def test_a_timing_gets_a_status_only_from_a_side_by_side_interval(
    timing: PairedTiming | None, gate: GateConfig | None, status: str
) -> None:
    gates = {} if gate is None else {"predict_batch_ms": gate}
    comparison = compare_results(
        results(ModelResult("m", "est", timings={"predict_batch_ms": 10.0})),
        [results(ModelResult("m", "est", timings={"predict_batch_ms": 15.0}))],
        MetricsConfig(gates=gates),
        timings={} if timing is None else {"m": {"predict_batch_ms": timing}},
    )
    (row,) = comparison.rows
    assert (row.kind, row.status, row.label) == ("timing", status, "predict (ms, batch)"), row.reason
    if timing is not None:
        assert (row.base, row.new) == (timing.base, timing.new)
    assert comparison.verdict != "warn"  # timings never make the verdict a warning: only a failure counts


def test_new_and_removed_models_and_metrics() -> None:
    base = results(model("kept", {"accuracy": 0.9, "old_metric": 1.0}), model("gone", {"accuracy": 0.8}))
    new = results(model("kept", {"accuracy": 0.9, "recall": 0.7}), model("fresh", {"accuracy": 0.95}))
    comparison = compare_results(base, [new], MetricsConfig(gates={"recall": GateConfig(min=0.8)}))
    table = {(r.model, r.metric): (r.status, r.base, r.new, r.reason) for r in comparison.rows}
    assert table == {
        ("kept", "accuracy"): ("same", 0.9, 0.9, "unchanged"),
        ("kept", "recall"): ("fail", None, 0.7, "below min 0.8"),  # new metrics still meet their bounds
        ("kept", "old_metric"): ("removed", 1.0, None, "metric removed"),
        ("fresh", "accuracy"): ("new", None, 0.95, "new"),
        ("gone", "accuracy"): ("removed", 0.8, None, "model removed"),
    }
    assert [r.model for r in comparison.rows] == ["kept", "kept", "kept", "fresh", "gone"]
    assert comparison.verdict == "fail"


def test_without_baseline_only_bounds_are_applied() -> None:
    current = results(model("a", {"accuracy": 0.7, "f1": 0.9}))
    metrics = MetricsConfig(gates={"accuracy": GateConfig(min=0.8, severity="warn")})
    comparison = compare_results(None, [current], metrics, baseline_note="the first run")
    assert [(r.metric, r.status) for r in comparison.rows] == [("accuracy", "warn"), ("f1", "current")]
    assert (comparison.verdict, comparison.has_baseline, comparison.baseline_note) == (
        "warn",
        False,
        "the first run",
    )
    assert comparison.params == ()


BASE_FOLDS = (0.90, 0.91, 0.89, 0.92, 0.90)
DROPPED_FOLDS = (0.85, 0.87, 0.86, 0.86, 0.85)
NOISY_FOLDS = (0.95, 0.84, 0.93, 0.83, 0.92)
CV = Evaluation("cv", train_rows=500, folds=5, data_sha256="same")


def cv_row(new_folds: tuple[float, ...], gate: GateConfig | None = None, **config: Any) -> Row:
    def side(folds: tuple[float, ...]) -> ResultSet:
        return results(model("m", {"accuracy": statistics.fmean(folds)}, folds={"accuracy": folds}), evaluation=CV)

    metrics = MetricsConfig(gates={} if gate is None else {"accuracy": gate}, **config)
    (row,) = compare_results(side(BASE_FOLDS), [side(new_folds)], metrics).rows
    return row


def test_cv_uses_the_corrected_resampled_t_test_on_the_fold_deltas() -> None:
    row = cv_row(DROPPED_FOLDS, GateConfig(abs_tol=0.0))
    deltas = [n - b for b, n in zip(BASE_FOLDS, DROPPED_FOLDS, strict=True)]
    se = math.sqrt((1 / 5 + 100 / 400) * statistics.variance(deltas))  # Nadeau & Bengio: 1/k + n_test/n_train
    expected = stats.t.cdf(statistics.fmean(deltas) / se, 4)  # one-sided: evidence of a drop
    assert row.method is not None
    assert "Nadeau" in row.method
    assert row.p_worse == pytest.approx(expected)
    assert (row.status, row.base_std) == pytest.approx(("fail", statistics.stdev(BASE_FOLDS)))
    assert cv_row(NOISY_FOLDS, GateConfig(abs_tol=0.0)).status == "same"  # a noisy drop is not significant


def test_folds_of_other_rows_or_counts_are_compared_as_points_and_say_so() -> None:
    base = results(model("m", {"accuracy": 0.9}, folds={"accuracy": BASE_FOLDS}), evaluation=CV)
    new = results(model("m", {"accuracy": 0.85}, folds={"accuracy": DROPPED_FOLDS[:4]}), evaluation=CV)
    comparison = compare_results(base, [new], MetricsConfig())
    assert comparison.rows[0].method is None
    assert any("compared as point values" in n for n in comparison.notes)


def test_meaningful_only_is_accepted_but_deprecated() -> None:
    comparison = compare_results(
        results(model("m", {"accuracy": 0.9})),
        [results(model("m", {"accuracy": 0.9}))],
        MetricsConfig(meaningful_only=True),
    )
    assert any("meaningful_only is deprecated" in n for n in comparison.notes)


def paired_sets(
    y: np.ndarray, base_pred: np.ndarray, new_pred: np.ndarray, **new_extra: Any
) -> tuple[ResultSet, ResultSet]:
    def side(pred: np.ndarray, **extra: Any) -> ResultSet:
        rows = Predictions(pred=pred, classes=(0, 1))
        value = score_predictions("accuracy", y, rows)
        evaluation = Evaluation("holdout", test_rows=len(y), data_sha256="d")
        return results(
            model("m", {"accuracy": value}),
            evaluation=evaluation,
            predictions=PredictionSet(y=y, models={"m": rows}),
            **extra,
        )

    return side(base_pred), side(new_pred, **new_extra)


def test_a_holdout_drop_beyond_the_margin_fails_with_its_interval_and_a_small_one_does_not() -> None:
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 2000)
    base = np.where(rng.random(2000) < 0.9, y, 1 - y)  # 90 % right
    worse = base.copy()
    worse[np.flatnonzero(base == y)[:200]] ^= 1  # 200 more wrong rows: −0.10
    base_set, new_set = paired_sets(y, base, worse)
    row = compare_results(base_set, [new_set], MetricsConfig()).rows[0]
    assert row.method == "McNemar (exact)" or (row.method or "").startswith("Tango")
    assert row.status == "fail"
    assert row.low is not None
    assert row.high is not None
    assert row.high < -0.009
    assert "worse beyond default margin 1 %" in row.reason
    slight = base.copy()
    slight[np.flatnonzero(base == y)[:3]] ^= 1  # three rows: noise, not a drop beyond the margin
    base_set, new_set = paired_sets(y, base, slight)
    row = compare_results(base_set, [new_set], MetricsConfig()).rows[0]
    assert row.status == "same"
    assert row.low is not None
    assert row.diff is not None
    assert row.high is not None
    assert row.low < row.diff < row.high


def test_holm_adjusts_the_p_values_over_the_reports_gated_rows() -> None:
    rng = np.random.default_rng(1)
    y = rng.integers(0, 2, 400)
    base = np.where(rng.random(400) < 0.85, y, 1 - y)
    worse = base.copy()
    worse[np.flatnonzero(base == y)[:14]] ^= 1
    base_set, new_set = paired_sets(y, base, worse)
    one = compare_results(base_set, [new_set], MetricsConfig()).rows[0]
    assert one.p_worse is not None  # a single gated row: the unadjusted p-value
    raw = one.p_worse
    twins = [
        replace(
            base_set,
            models={n: replace(base_set.models["m"], name=n) for n in "abc"},
            predictions=PredictionSet(y=y, models={n: base_set.predictions.models["m"] for n in "abc"}),
        )
    ]
    new_twins = replace(
        new_set,
        models={n: replace(new_set.models["m"], name=n) for n in "abc"},
        predictions=PredictionSet(y=y, models={n: new_set.predictions.models["m"] for n in "abc"}),
    )
    rows = compare_results(twins[0], [new_twins], MetricsConfig()).rows
    assert [r.p_worse for r in rows] == pytest.approx([min(1.0, 3 * raw)] * 3)


def test_a_baseline_model_that_cannot_be_scored_is_compared_on_its_own_data_or_not_at_all() -> None:
    y = np.asarray([0, 1] * 50)
    base_set, new_set = paired_sets(y, y.copy(), y.copy())
    stored = base_set
    empty = replace(base_set, models={}, predictions=PredictionSet(y=y, models={}))
    same_rows = compare_results(empty, [new_set], MetricsConfig(), stored=stored, skipped={"m": "column x is gone"})
    (row,) = same_rows.rows
    assert row.status == "same"
    assert "merge-base's version" in row.reason
    unmatched = replace(stored, predictions=PredictionSet(y=y[:60], models={"m": Predictions(pred=y[:60])}))
    apart = compare_results(empty, [new_set], MetricsConfig(), stored=unmatched, skipped={"m": "column x is gone"})
    (row,) = apart.rows
    assert row.status == "incomparable"
    assert "column x is gone" in row.reason
    assert "no primary key" in row.reason
    assert apart.verdict == "fail"
    assert apart.failed == (row,)
    lenient = compare_results(
        empty, [new_set], MetricsConfig(), stored=unmatched, skipped={"m": "gone"}, incomparable="warn"
    )
    assert lenient.verdict == "warn"
    assert lenient.warned == lenient.incomparable


def test_rows_are_matched_by_key_when_the_evaluation_rows_differ() -> None:
    y = np.asarray([0, 1] * 50)
    keys = np.asarray([f"k{i}" for i in range(100)], dtype=object)
    base_set, new_set = paired_sets(y, y.copy(), y.copy())
    stored = replace(
        base_set, predictions=PredictionSet(y=y[10:], keys=keys[10:], models={"m": Predictions(pred=y[10:])})
    )
    new_set = replace(new_set, predictions=replace(new_set.predictions, keys=keys))
    empty = replace(base_set, models={}, predictions=PredictionSet(y=y, models={}))
    (row,) = compare_results(empty, [new_set], MetricsConfig(), stored=stored, skipped={"m": "gone"}).rows
    assert row.status == "same"
    assert "on the 90 of 100 rows matched by key" in row.reason


def test_merge_candidates_joins_matrix_legs() -> None:
    legs = [
        results(model("a", {"accuracy": 0.9}), commit="abc", source="leg-a", primary="accuracy"),
        results(model("b", {"accuracy": 0.8}), commit="abc", source="leg-b"),
    ]
    merged = merge_candidates(legs)
    assert (list(merged.models), merged.commit, merged.source, merged.primary) == (
        ["a", "b"],
        "abc",
        "leg-a, leg-b",
        "accuracy",
    )
    assert merge_candidates(legs[:1]) is legs[0]


@pytest.mark.parametrize(
    ("legs", "message"),
    [
        (
            [results(model("a"), source="x"), results(model("a"), source="y")],
            "model 'a' is in two candidate sets: x and y",
        ),
        (
            [results(model("a"), commit="c1", source="x"), results(model("b"), commit="c2", source="y")],
            "candidate sets disagree on commit: 'c1' .x. vs 'c2' .y.",
        ),
        (
            [
                results(model("a"), evaluation=Evaluation("holdout", data_sha256="d1")),
                results(model("b"), evaluation=Evaluation("holdout", data_sha256="d2")),
            ],
            "disagree on evaluation data",
        ),
        ([], "no candidate results to compare"),
    ],
)
def test_merge_candidates_refuses_ambiguous_sets(legs: list[ResultSet], message: str) -> None:
    with pytest.raises(InputError, match=message):
        merge_candidates(legs)


def best(metrics: dict[str, dict[str, float]], config: MetricsConfig, primary: str | None = None) -> Comparison:
    current = results(*(model(name, values) for name, values in metrics.items()), primary=primary)
    return compare_results(None, [current], config)


def test_primary_and_best_model() -> None:
    scores = {"a": {"rmse": 2.0, "r2": 0.5}, "b": {"rmse": 1.0, "r2": 0.4}}
    assert (best(scores, MetricsConfig()).primary, best(scores, MetricsConfig()).best_model) == ("rmse", "b")
    assert best(scores, MetricsConfig(primary="r2")).best_model == "a"
    assert best(scores, MetricsConfig(primary="r2"), primary="rmse").best_model == "b"  # the result set's own wins
    assert best(scores, MetricsConfig(names=("r2", "rmse"))).primary == "r2"
    assert best({"a": {"custom": 1.0}}, MetricsConfig()).best_model is None  # no direction, no winner
    assert best({"a": {}}, MetricsConfig()).primary is None


def test_params_diff_reports_changed_added_removed_and_nested_values() -> None:
    base = results(model("m", params={"C": 1.0, "max_iter": 100, "gone": "x", "grid": {"depth": [1, 2]}}))
    new = results(model("m", params={"C": 1e-05, "max_iter": 100.0, "added": None, "grid": {"depth": [1, 3]}}))
    changes = {(c.parameter, c.change, c.base, c.new) for c in diff_params(base, new)}
    assert changes == {
        ("C", "changed", 1.0, 1e-05),
        ("added", "added", None, None),
        ("gone", "removed", "x", None),
        ("grid.depth[1]", "changed", 2, 3),
    }


@pytest.mark.parametrize(
    ("config", "message"),
    [
        (MetricsConfig(alpha=0.0), "metrics.alpha is 0"),
        (MetricsConfig(alpha=1.5), "metrics.alpha is 1.5"),
        (MetricsConfig(gates={"accuracy": GateConfig(abs_tol=-0.1)}), "metrics.gates.accuracy.abs_tol is -0.1"),
        (MetricsConfig(gates={"accuracy": GateConfig(min=0.9, max=0.8)}), "min 0.9 is above max 0.8"),
    ],
)
def test_unusable_gate_settings_are_config_errors(config: MetricsConfig, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        compare_results(None, [results(model("m", {"accuracy": 0.9}))], config)


def test_notes_flag_gates_without_metrics_and_baselines_on_other_data() -> None:
    base = results(model("m", {"accuracy": 0.9}), evaluation=Evaluation("holdout", data_sha256="old"))
    new = results(model("m", {"accuracy": 0.9}), evaluation=Evaluation("cv", folds=5, data_sha256="new"))
    comparison = compare_results(base, [new], MetricsConfig(gates={"acuracy": GateConfig(min=0.5)}))
    assert comparison.notes == (
        "metrics.gates.acuracy matches no metric in these results",
        "the baseline was evaluated on different data than the PR: deltas mix model and data changes",
        "the baseline was evaluated by holdout, the PR by cv: scores may not be comparable",
    )


def test_verdict_counts() -> None:
    base = results(model("m", {"accuracy": 0.9, "f1": 0.9, "recall": 0.9}))
    new = results(model("m", {"accuracy": 0.8, "f1": 0.8, "recall": 0.95}))
    gates = {"f1": GateConfig(severity="warn")}
    comparison = compare_results(base, [new], MetricsConfig(gates=gates))
    assert ([r.metric for r in comparison.failed], [r.metric for r in comparison.warned]) == (["accuracy"], ["f1"])
    assert comparison.verdict == "fail"
    only_warn = compare_results(base, [new], MetricsConfig(gates={**gates, "accuracy": GateConfig(severity="warn")}))
    assert only_warn.verdict == "warn"
    assert compare_results(base, [base], MetricsConfig()).verdict == "pass"
