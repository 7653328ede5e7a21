"""compare_results: directions, tolerances, bounds, severities, new/removed, CV significance, merging, params."""

from __future__ import annotations

import statistics
from typing import Any

import pytest
from scipy import stats

from mlgate.compare import Comparison, Row, compare_results, diff_params, infer_direction, merge_candidates
from mlgate.config import GateConfig, MetricsConfig
from mlgate.errors import ConfigError, InputError
from mlgate.gates import paired_p_value
from mlgate.results import Evaluation, ModelResult, ResultSet


def model(name: str = "m", metrics: dict[str, float] | None = None, **extra: Any) -> ModelResult:
    return ModelResult(name=name, estimator="est", metrics=metrics or {}, **extra)


def results(*models: ModelResult, **extra: Any) -> ResultSet:
    return ResultSet(models={m.name: m for m in models}, **extra)


def one_row(metric: str, base: float, new: float, gate: GateConfig | None = None, *, timing: bool = False) -> Row:
    field = "timings" if timing else "metrics"
    gates = {} if gate is None else {metric: gate}
    comparison = compare_results(
        results(ModelResult("m", "est", **{field: {metric: base}})),
        [results(ModelResult("m", "est", **{field: {metric: new}}))],
        MetricsConfig(gates=gates),
    )
    (row,) = comparison.rows
    return row


@pytest.mark.parametrize(
    ("name", "direction"),
    [
        ("accuracy", "higher"), ("balanced_accuracy", "higher"), ("top_k_accuracy", "higher"), ("f1", "higher"),
        ("f1_macro", "higher"), ("roc_auc", "higher"), ("roc_auc_ovr", "higher"), ("r2", "higher"),
        ("precision_weighted", "higher"), ("recall", "higher"), ("average_precision", "higher"),
        ("matthews_corrcoef", "higher"), ("test.f1", "higher"), ("neg_log_loss", "higher"),
        ("neg_mean_absolute_error", "higher"), ("mean_squared_error", "lower"), ("root_mean_squared_error", "lower"),
        ("mae", "lower"), ("rmse", "lower"), ("log_loss", "lower"), ("brier_score_loss", "lower"),
        ("train.loss", "lower"), ("max_error", "lower"), ("fit_s", "lower"), ("predict_1row_p95_ms", "lower"),
        ("model_kb", "lower"), ("latency_ms", "lower"), ("model size", "lower"), ("support", "none"),
        ("n_features", "none"), ("score", "none"), ("neg_score", "none"), ("api_calls", "none"),
        ("d2_absolute_error_score", "higher"), ("pr_auc", "higher"), ("map", "higher"), ("r2_score", "higher"),
    ],
)  # fmt: skip
def test_directions_are_inferred_from_names(name: str, direction: str) -> None:
    assert infer_direction(name) == direction


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


@pytest.mark.parametrize(
    ("base", "new", "gate", "status"),
    [
        (1.0, 1.2, None, "same"),  # timings: 25 % tolerance by default
        (1.0, 1.5, None, "warn"),  # ... and warn, never fail, by default: runners differ
        (1.0, 1.5, GateConfig(severity="fail"), "fail"),
        (1.0, 1.1, GateConfig(rel_tol=0.05), "warn"),
        (1.0, 0.5, None, "better"),
    ],
)
def test_timings_gate_at_warn_with_a_tolerance(base: float, new: float, gate: GateConfig | None, status: str) -> None:
    row = one_row("fit_s", base, new, gate, timing=True)
    assert (row.kind, row.status, row.label) == ("timing", status, "fit time (s)")


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


def cv_row(new_folds: tuple[float, ...], gate: GateConfig | None = None, **config: Any) -> Row:
    def side(folds: tuple[float, ...]) -> ResultSet:
        return results(model("m", {"accuracy": statistics.fmean(folds)}, folds={"accuracy": folds}))

    metrics = MetricsConfig(gates={} if gate is None else {"accuracy": gate}, **config)
    (row,) = compare_results(side(BASE_FOLDS), [side(new_folds)], metrics).rows
    return row


def test_cv_significance_matches_scipy_on_the_same_numbers() -> None:
    row = cv_row(DROPPED_FOLDS)
    expected = stats.ttest_rel(DROPPED_FOLDS, BASE_FOLDS).pvalue
    assert row.p_value == pytest.approx(expected)
    assert row.meaningful is True
    assert row.base_std == pytest.approx(statistics.stdev(BASE_FOLDS))
    assert row.new_std == pytest.approx(statistics.stdev(DROPPED_FOLDS))
    noisy = cv_row(NOISY_FOLDS)
    assert noisy.p_value == pytest.approx(stats.ttest_rel(NOISY_FOLDS, BASE_FOLDS).pvalue)
    assert noisy.meaningful is False


@pytest.mark.parametrize(
    ("folds", "gate", "config", "status"),
    [
        (NOISY_FOLDS, None, {}, "fail"),  # gated on the mean alone by default
        (NOISY_FOLDS, None, {"meaningful_only": True}, "same"),
        (DROPPED_FOLDS, None, {"meaningful_only": True}, "fail"),
        (NOISY_FOLDS, GateConfig(meaningful_only=True), {}, "same"),  # per-gate switch
        (NOISY_FOLDS, GateConfig(meaningful_only=False), {"meaningful_only": True}, "fail"),
        (NOISY_FOLDS, None, {"meaningful_only": True, "alpha": 0.99}, "fail"),  # a lax level makes it meaningful
    ],
)
def test_meaningful_only_gates_on_significant_differences(
    folds: tuple[float, ...], gate: GateConfig | None, config: dict[str, Any], status: str
) -> None:
    row = cv_row(folds, gate, **config)
    assert row.status == status, row.reason


def test_degenerate_folds_have_defined_p_values() -> None:
    assert paired_p_value(BASE_FOLDS, BASE_FOLDS) == 1.0
    assert paired_p_value(BASE_FOLDS, tuple(x - 0.01 for x in BASE_FOLDS)) == 0.0
    assert paired_p_value(BASE_FOLDS, BASE_FOLDS[:3]) is None
    assert paired_p_value((0.9,), (0.8,)) is None


def test_unequal_fold_counts_skip_the_test_and_say_so() -> None:
    row = cv_row(DROPPED_FOLDS[:4])
    assert row.p_value is None
    base = results(model("m", {"accuracy": 0.9}, folds={"accuracy": BASE_FOLDS}))
    new = results(model("m", {"accuracy": 0.85}, folds={"accuracy": DROPPED_FOLDS[:4]}))
    comparison = compare_results(base, [new], MetricsConfig(meaningful_only=True))
    assert any("fold counts differ" in n for n in comparison.notes)
    assert any("meaningful_only is set" in n for n in comparison.notes)


def test_merge_candidates_joins_matrix_legs() -> None:
    legs = [
        results(model("a", {"accuracy": 0.9}), commit="abc", source="leg-a", primary="accuracy"),
        results(model("b", {"accuracy": 0.8}), commit="abc", source="leg-b"),
    ]
    merged = merge_candidates(legs)
    assert (list(merged.models), merged.commit, merged.source, merged.primary) == (
        ["a", "b"], "abc", "leg-a, leg-b", "accuracy",
    )  # fmt: skip
    assert merge_candidates(legs[:1]) is legs[0]


@pytest.mark.parametrize(
    ("legs", "message"),
    [
        ([results(model("a"), source="x"), results(model("a"), source="y")], "model 'a' is in two candidate sets: x and y"),
        ([results(model("a"), commit="c1", source="x"), results(model("b"), commit="c2", source="y")],
         "candidate sets disagree on commit: 'c1' .x. vs 'c2' .y."),
        ([results(model("a"), evaluation=Evaluation("holdout", data_sha256="d1")),
          results(model("b"), evaluation=Evaluation("holdout", data_sha256="d2"))], "disagree on evaluation data"),
        ([], "no candidate results to compare"),
    ],
)  # fmt: skip
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
