"""The decision on the primary metric: direction, margin (min_improvement, gate tolerance, none), ties."""

from __future__ import annotations

import pytest

from mlgate.config import GateConfig, MetricsConfig, RetrainConfig
from mlgate.errors import ConfigError, InputError
from mlgate.retrain.decide import decide, find_margin


def run(metric: str, new: float, old: float, *, gates: dict[str, GateConfig] | None = None,
        min_improvement: float | None = None) -> tuple[bool, float, float, str]:  # fmt: skip
    decision = decide(
        metric=metric, candidate="forest", candidate_metrics={metric: new}, live_version="3",
        live_metrics={metric: old}, metrics=MetricsConfig(gates=gates or {}),
        retrain=RetrainConfig(min_improvement=min_improvement),
    )  # fmt: skip
    return decision.wins, round(decision.gain, 6), decision.margin, decision.margin_source


def test_higher_is_better_wins_on_any_gain_without_a_margin() -> None:
    assert run("roc_auc", 0.81, 0.80) == (True, 0.01, 0.0, "none")
    assert run("roc_auc", 0.80, 0.80) == (False, 0.0, 0.0, "none")  # a tie is no improvement
    assert run("roc_auc", 0.70, 0.80) == (False, -0.1, 0.0, "none")


def test_lower_is_better_metrics_gain_when_they_fall() -> None:
    assert run("rmse", 1.5, 2.0) == (True, 0.5, 0.0, "none")
    assert run("rmse", 2.5, 2.0)[:2] == (False, -0.5)


def test_min_improvement_overrides_the_gate_tolerance() -> None:
    gates = {"roc_auc": GateConfig(abs_tol=0.05)}
    assert run("roc_auc", 0.83, 0.80, gates=gates) == (False, 0.03, 0.05, "gate tolerance")
    assert run("roc_auc", 0.86, 0.80, gates=gates) == (True, 0.06, 0.05, "gate tolerance")
    assert run("roc_auc", 0.83, 0.80, gates=gates, min_improvement=0.02) == (
        True,
        0.03,
        0.02,
        "retrain.min_improvement",
    )


def test_a_relative_tolerance_is_taken_from_the_live_value() -> None:
    margin, source = find_margin("accuracy", 0.5, MetricsConfig(gates={"accuracy": GateConfig(rel_tol=0.1)}),
                                 RetrainConfig())  # fmt: skip
    assert (margin, source) == (pytest.approx(0.05), "gate tolerance")


def test_a_negative_min_improvement_is_refused() -> None:
    with pytest.raises(ConfigError, match=r"retrain\.min_improvement is -0\.1; it cannot be negative"):
        run("roc_auc", 0.9, 0.8, min_improvement=-0.1)


def test_a_metric_without_direction_cannot_decide() -> None:
    with pytest.raises(ConfigError, match="'mystery' has no known direction"):
        run("mystery", 1.0, 0.0)


def test_a_missing_score_names_the_side() -> None:
    with pytest.raises(InputError, match="live version 3 has no roc_auc score"):
        decide(metric="roc_auc", candidate="forest", candidate_metrics={"roc_auc": 0.9}, live_version="3",
               live_metrics={}, metrics=MetricsConfig(), retrain=RetrainConfig())  # fmt: skip


def test_the_description_names_both_sides_and_the_gain() -> None:
    decision = decide(metric="roc_auc", candidate="forest", candidate_metrics={"roc_auc": 0.9}, live_version="3",
                      live_metrics={"roc_auc": 0.8}, metrics=MetricsConfig(), retrain=RetrainConfig())  # fmt: skip
    assert decision.describe() == (
        "forest beats live version 3 on roc_auc: 0.9000 vs 0.8000 (gain +0.1000, needed > 0)"
    )
