from __future__ import annotations

import pytest

from mlgate.config import GateConfig, MetricsConfig
from mlgate.errors import ConfigError
from mlgate.gates import (
    QUALITY_REL_MARGIN,
    TIMING_REL_TOL,
    Gate,
    Judgement,
    check_bounds,
    check_metrics_config,
    infer_direction,
    judge_change,
    judge_tested,
    judge_value,
    paired_p_value,
    resolve_gate,
    spread,
)
from mlgate.stats import PairedTest

HIGHER = Gate("higher", "fail", abs_tol=0.01)


@pytest.mark.parametrize(
    ("name", "direction"),
    [
        ("accuracy", "higher"),
        ("balanced_accuracy", "higher"),
        ("top_k_accuracy", "higher"),
        ("f1", "higher"),
        ("f1_macro", "higher"),
        ("roc_auc", "higher"),
        ("roc_auc_ovr", "higher"),
        ("r2", "higher"),
        ("precision_weighted", "higher"),
        ("recall", "higher"),
        ("average_precision", "higher"),
        ("matthews_corrcoef", "higher"),
        ("test.f1", "higher"),
        ("neg_log_loss", "higher"),
        ("neg_mean_absolute_error", "higher"),
        ("mean_squared_error", "lower"),
        ("root_mean_squared_error", "lower"),
        ("mae", "lower"),
        ("rmse", "lower"),
        ("log_loss", "lower"),
        ("brier_score_loss", "lower"),
        ("train.loss", "lower"),
        ("max_error", "lower"),
        ("fit_s", "lower"),
        ("predict_1row_p95_ms", "lower"),
        ("model_kb", "lower"),
        ("latency_ms", "lower"),
        ("model size", "lower"),
        ("support", "none"),
        ("n_features", "none"),
        ("score", "none"),
        ("neg_score", "none"),
        ("api_calls", "none"),
        ("d2_absolute_error_score", "higher"),
        ("pr_auc", "higher"),
        ("map", "higher"),
        ("r2_score", "higher"),
    ],
)
def test_directions_are_inferred_from_names(name: str, direction: str) -> None:
    assert infer_direction(name) == direction


def test_a_quality_gate_without_tolerance_gets_the_default_margin_and_a_timing_gate_its_own() -> None:
    assert resolve_gate("accuracy", "quality", MetricsConfig()) == Gate(
        "higher", "fail", rel_tol=QUALITY_REL_MARGIN, default_margin=True
    )
    assert resolve_gate("accuracy", "quality", MetricsConfig(), default_margin=False) == Gate("higher", "fail")
    assert resolve_gate("fit_s", "timing", MetricsConfig()) == Gate("lower", "warn", rel_tol=TIMING_REL_TOL)
    assert resolve_gate("support", "quality", MetricsConfig()).judged is False


def test_a_configured_gate_wins_over_the_defaults() -> None:
    config = MetricsConfig(gates={"score": GateConfig(direction="lower", abs_tol=0.5, severity="warn", max=10)})
    assert resolve_gate("score", "quality", config) == Gate("lower", "warn", max=10, abs_tol=0.5)
    only_abs = MetricsConfig(gates={"accuracy": GateConfig(abs_tol=0.02)})
    assert resolve_gate("accuracy", "quality", only_abs).rel_tol == 0.0  # a set tolerance replaces the margin


@pytest.mark.parametrize(
    ("gate", "message"),
    [
        (GateConfig(abs_tol=-0.1), r"metrics\.gates\.m\.abs_tol is -0\.1; a tolerance must be a finite number ≥ 0"),
        (GateConfig(rel_tol=float("inf")), r"metrics\.gates\.m\.rel_tol is inf"),
        (GateConfig(min=0.9, max=0.8), r"metrics\.gates\.m: min 0\.9 is above max 0\.8"),
    ],
)
def test_unusable_gates_are_refused_when_resolved(gate: GateConfig, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        resolve_gate("m", "quality", MetricsConfig(gates={"m": gate}))


@pytest.mark.parametrize(
    ("config", "message"),
    [
        (MetricsConfig(alpha=0.0), r"metrics\.alpha is 0; it must lie between 0 and 0\.5"),
        (MetricsConfig(alpha=0.5), r"metrics\.alpha is 0\.5"),
        (MetricsConfig(bootstrap_samples=99), r"metrics\.bootstrap_samples is 99; use at least 100"),
    ],
)
def test_metrics_settings_no_gate_can_use_are_refused(config: MetricsConfig, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        check_metrics_config(config)


@pytest.mark.parametrize(
    ("gate", "text"),
    [
        (Gate("higher", "fail", rel_tol=0.02), "tolerance 2 %"),
        (Gate("higher", "fail", abs_tol=0.01), "tolerance 0.01"),
        (Gate("higher", "fail", abs_tol=0.01, rel_tol=0.02), "tolerance 0.01 or 2 %"),
        (Gate("higher", "fail"), "no tolerance"),
        (Gate("higher", "fail", rel_tol=0.01, default_margin=True), "default margin 1 %"),
    ],
)
def test_tolerances_are_described_in_their_own_units(gate: Gate, text: str) -> None:
    assert gate.describe_tolerance() == text


def test_the_larger_of_the_absolute_and_relative_tolerance_applies() -> None:
    gate = Gate("higher", "fail", abs_tol=0.01, rel_tol=0.02)
    assert gate.tolerance(0.9) == pytest.approx(0.018)
    assert gate.tolerance(0.1) == 0.01
    assert gate.tolerance(-2.0) == pytest.approx(0.04)


def test_bounds_name_the_one_broken() -> None:
    gate = Gate("none", "warn", min=0.5, max=2)
    assert (check_bounds(gate, 0.4), check_bounds(gate, 2.5), check_bounds(gate, 0.5), check_bounds(gate, 2)) == (
        "min 0.5",
        "max 2",
        None,
        None,
    )


@pytest.mark.parametrize(
    ("base", "new", "p_value", "judgement"),
    [
        (0.9, 0.85, None, Judgement("fail", "worse beyond tolerance 0.01", "tolerance 0.01")),
        (0.9, 0.85, 0.2, Judgement("fail", "worse beyond tolerance 0.01 (p = 0.2, not significant)", "tolerance 0.01")),
        (0.9, 0.85, 0.001, Judgement("fail", "worse beyond tolerance 0.01 (p = 0.001)", "tolerance 0.01")),
        (0.9, 0.895, None, Judgement("same", "within tolerance 0.01")),
        (0.9, 0.95, None, Judgement("better", "better beyond tolerance 0.01")),
        (0.9, 0.9, None, Judgement("same", "unchanged")),
    ],
)
def test_a_change_is_judged_by_direction_tolerance_and_significance(
    base: float, new: float, p_value: float | None, judgement: Judgement
) -> None:
    assert judge_change(HIGHER, base, new, p_value=p_value, alpha=0.05) == judgement


def test_bounds_come_before_direction_and_no_direction_is_not_judged() -> None:
    bounded = Gate("higher", "warn", min=0.92)
    assert judge_change(bounded, 0.9, 0.91, p_value=None, alpha=0.05) == Judgement("warn", "below min 0.92", "min 0.92")
    free = Gate("none", "fail")
    assert judge_change(free, 1.0, 2.0, p_value=None, alpha=0.05).status == "changed"
    lower = Gate("lower", "fail")
    assert judge_change(lower, 1.0, 0.5, p_value=None, alpha=0.05) == Judgement("better", "better")
    assert judge_change(lower, 1.0, 1.5, p_value=None, alpha=0.05) == Judgement(
        "fail", "worse; no tolerance is set", "no tolerance"
    )


def test_a_value_without_baseline_is_judged_by_its_bounds_only() -> None:
    bounded = Gate("higher", "fail", min=0.85)
    assert judge_value(bounded, 0.81, status="current") == Judgement("fail", "below min 0.85", "min 0.85")
    assert judge_value(bounded, 0.9, status="current") == Judgement("current", "within bounds")
    assert judge_value(bounded, 0.9, status="new") == Judgement("new", "new; within bounds")
    assert judge_value(HIGHER, 0.1, status="current") == Judgement("current", "no baseline value")
    assert judge_value(HIGHER, 0.1, status="new") == Judgement("new", "new")


def interval_test(low: float, high: float, mde: float | None = None) -> PairedTest:
    return PairedTest("McNemar (exact)", (low + high) / 2, low, high, 0.5, 0.5, None, mde, 200)


def test_a_tested_change_fails_only_on_a_significant_drop_beyond_the_margin() -> None:
    gate = Gate("higher", "fail", rel_tol=0.01, default_margin=True)
    test = interval_test(-0.05, -0.01)
    assert judge_tested(gate, 0.9, 0.87, test, p_worse=0.003, p_better=1.0, alpha=0.05) == Judgement(
        "fail", "worse beyond default margin 1 % (p = 0.003 < 0.05, McNemar (exact))", "default margin 1 %"
    )
    assert judge_tested(gate, 0.9, 0.93, test, p_worse=1.0, p_better=0.01, alpha=0.05) == Judgement(
        "better", "better (p = 0.01 < 0.05, McNemar (exact))"
    )
    assert judge_tested(gate, 0.9, 0.89, test, p_worse=0.3, p_better=0.9, alpha=0.05) == Judgement(
        "same", "no significant drop beyond default margin 1 %"
    )
    assert judge_tested(Gate("higher", "fail"), 0.9, 0.89, test, p_worse=0.01, p_better=1, alpha=0.05).reason == (
        "worse significantly (p = 0.01 < 0.05, McNemar (exact))"
    )


def test_a_tested_change_says_when_the_data_are_too_few_or_the_predictions_the_same() -> None:
    gate = Gate("higher", "fail", abs_tol=0.01)
    weak = judge_tested(gate, 0.9, 0.89, interval_test(-0.08, 0.06, mde=0.05), p_worse=0.3, p_better=0.9, alpha=0.05)
    assert (
        weak.reason
        == "no significant drop beyond tolerance 0.01; too few rows to detect a drop below 0.05 (80 % power)"
    )
    same = judge_tested(gate, 0.9, 0.9, interval_test(0.0, 0.0), p_worse=1.0, p_better=1.0, alpha=0.05)
    assert same == Judgement("same", "unchanged: the same predictions")
    bounded = Gate("higher", "warn", max=0.95)
    assert (
        judge_tested(bounded, 0.9, 0.97, interval_test(0.05, 0.09), p_worse=1.0, p_better=0.0, alpha=0.05).rule
        == "max 0.95"
    )


def test_the_paired_p_value_over_folds() -> None:
    # differences 0.01, 0.03, 0.02: mean 0.02, sd 0.01, t = 0.02 / (0.01 / √3) = 3.464 on 2 df: p = 0.0742
    p = paired_p_value([0.80, 0.81, 0.82], [0.81, 0.84, 0.84])
    assert p == pytest.approx(0.0742, abs=1e-4)
    assert paired_p_value([0.8, 0.8], [0.8, 0.8]) == 1.0  # no change in any fold
    assert paired_p_value([0.8, 0.9], [0.81, 0.91]) == 0.0  # the same shift in every fold
    assert paired_p_value([0.8], [0.9]) is None
    assert paired_p_value([0.8, 0.9], [0.8]) is None


def test_the_spread_is_the_sample_standard_deviation() -> None:
    assert spread([1.0, 2.0, 3.0]) == 1.0
    assert spread([1.0]) is None
