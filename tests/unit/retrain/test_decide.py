"""The decision: paired tests of each candidate against the live version, the margin, Holm over candidates,
the metrics monitor watches, and what is recorded with the version."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest
from scipy import stats

from mlgate.config import MetricsConfig, RetrainConfig
from mlgate.errors import ConfigError, InputError
from mlgate.retrain.decide import Decision, decide, find_margin, watched_metrics
from mlgate.retrain.paired import FreshRows
from mlgate.stats import Predictions

N = 400
# a fixed pattern with mean 0 and standard deviation 1 exactly: per-row differences with a known t statistic
Z = np.tile([-1.0, 1.0], N // 2)


def regression(gains: dict[str, float], spread: float = 1.0) -> tuple[FreshRows, dict[str, dict[str, float]], float]:
    """y = 0; the live version's absolute errors are 3, each candidate's 3 − (gain + spread·Z) row by row."""
    y = np.zeros(N)
    live = Predictions(pred=np.full(N, 3.0))
    models = {name: Predictions(pred=3.0 - (gain + spread * Z)) for name, gain in gains.items()}
    scores = {name: {"mean_absolute_error": float(np.mean(np.abs(p.pred)))} for name, p in models.items()}
    return FreshRows(y=y, live=live, candidates=models), scores, 3.0


def run(rows: FreshRows, scores: dict[str, dict[str, float]], live: dict[str, float], **retrain: Any) -> Decision:
    return decide(
        metric=next(iter(live)),
        candidates=scores,
        live_version="3",
        live_metrics=live,
        rows=rows,
        metrics=MetricsConfig(),
        retrain=RetrainConfig(**retrain),
        evaluation="ab" * 32,
    )


def t_p(gain: float, margin: float, spread: float) -> float:
    """The one-sided paired t p-value of H0: gain ≤ margin for the rows ``regression`` builds."""
    se = spread * math.sqrt(N / (N - 1)) / math.sqrt(N)  # Z's sample standard deviation is √(N / (N − 1))
    return float(stats.t.sf((gain - margin) / se, N - 1))


def test_a_gain_beyond_the_margin_with_confidence_wins() -> None:
    rows, scores, live = regression({"forest": 0.2})
    decision = run(rows, scores, {"mean_absolute_error": live}, min_improvement=0.05)
    result = decision.result
    assert (decision.wins, decision.chosen, decision.direction) == (True, "forest", "lower")
    assert result.comparison is not None
    assert result.comparison.method.startswith("paired t")
    assert result.comparison.estimate == pytest.approx(-0.2)  # candidate − live: the error fell
    assert result.comparison.high < -0.05  # the whole interval is beyond the margin
    assert result.p_adjusted == pytest.approx(t_p(0.2, 0.05, 1.0))
    assert decision.gain == pytest.approx(0.2)


def test_a_gain_inside_the_noise_does_not_win() -> None:
    rows, scores, live = regression({"forest": 0.06}, spread=2.0)  # gain 0.06, se 0.1: not shown beyond 0.05
    decision = run(rows, scores, {"mean_absolute_error": live}, min_improvement=0.05)
    assert not decision.wins
    assert decision.result.p_adjusted == pytest.approx(t_p(0.06, 0.05, 2.0))
    assert decision.result.p_adjusted > 0.05


def test_the_default_margin_is_retrains_own_share_of_the_live_value() -> None:
    assert find_margin(0.8, RetrainConfig()) == pytest.approx((0.008, "retrain.min_rel_improvement"))
    assert find_margin(-2.0, RetrainConfig(min_rel_improvement=0.05)) == pytest.approx(
        (0.1, "retrain.min_rel_improvement")
    )
    assert find_margin(0.8, RetrainConfig(min_improvement=0.02)) == (0.02, "retrain.min_improvement")
    assert find_margin(0.8, RetrainConfig(min_improvement=0.0)) == (0.0, "retrain.min_improvement")
    rows, scores, live = regression({"forest": 0.2})
    decision = run(rows, scores, {"mean_absolute_error": live})
    assert (decision.margin, decision.margin_source) == pytest.approx((0.03, "retrain.min_rel_improvement"))


def test_best_of_several_is_accounted_for_with_holm() -> None:
    gain = 0.05 + 1.9 * math.sqrt(N / (N - 1)) / math.sqrt(N)  # t = 1.9: p ≈ 0.03 alone
    alone = run(*regression({"forest": gain})[:2], {"mean_absolute_error": 3.0}, min_improvement=0.05)
    assert alone.wins
    assert alone.result.p_adjusted == pytest.approx(t_p(gain, 0.05, 1.0))
    three = run(
        *regression({"forest": gain, "boosting": gain, "logistic": gain})[:2],
        {"mean_absolute_error": 3.0},
        min_improvement=0.05,
    )
    assert not three.wins  # three tries at 0.03 each are no longer significant
    assert three.result.p_adjusted == pytest.approx(min(1.0, 3 * t_p(gain, 0.05, 1.0)))
    assert [r.confidence for r in three.results] == pytest.approx([1 - 0.05 / 3, 1 - 0.05 / 2, 1 - 0.05])


def test_the_winner_is_the_best_winning_candidate_by_value() -> None:
    rows, scores, live = regression({"small": 0.3, "large": 0.5, "noise": 0.0})
    decision = run(rows, scores, {"mean_absolute_error": live}, min_improvement=0.05)
    assert (decision.wins, decision.chosen) == (True, "large")
    assert [decision.wins_primary(r) for r in decision.results] == [True, True, False]


def test_no_winner_names_the_best_candidate_by_value() -> None:
    rows, scores, live = regression({"a": 0.0, "b": 0.01})
    decision = run(rows, scores, {"mean_absolute_error": live}, min_improvement=0.05)
    assert (decision.wins, decision.chosen) == (False, "b")
    assert decision.describe().startswith(
        "b does not beat live version 3 on mean_absolute_error: 2.9900 vs 3.0000, Δ -0.0100 ["
    )
    assert "not beyond the margin 0.05 (p = 1, Holm over 2 candidates, alpha 0.05)" in decision.describe()


def classification(candidate_right: int) -> tuple[FreshRows, dict[str, dict[str, float]], dict[str, float]]:
    """The candidate ranks every row perfectly (ROC AUC 1) but labels only ``candidate_right`` of 400 rows right;
    the live version ranks with noise and labels 360 rows right."""
    rng = np.random.default_rng(0)
    y = np.repeat([0, 1], N // 2)
    live_score = np.clip(y * 0.3 + rng.uniform(0, 0.7, N), 0, 1)
    live_pred = y.copy()
    live_pred[:40] = 1 - live_pred[:40]
    ours_pred = y.copy()
    ours_pred[: N - candidate_right] = 1 - ours_pred[: N - candidate_right]
    ours_score = y * 0.5 + 0.25

    def preds(pred: Any, score: Any) -> Predictions:
        return Predictions(pred=pred, proba=np.column_stack([1 - score, score]), classes=(0, 1))

    from sklearn.metrics import accuracy_score, roc_auc_score

    live = {"roc_auc": float(roc_auc_score(y, live_score)), "accuracy": float(accuracy_score(y, live_pred))}
    ours = {"roc_auc": 1.0, "accuracy": float(accuracy_score(y, ours_pred))}
    rows = FreshRows(y=y, live=preds(live_pred, live_score), candidates={"forest": preds(ours_pred, ours_score)})
    return rows, {"forest": ours}, live


def test_a_winner_may_not_be_worse_on_what_monitor_watches() -> None:
    rows, scores, live = classification(candidate_right=300)
    decision = run(rows, scores, {"roc_auc": live["roc_auc"], "accuracy": live["accuracy"]})
    result = decision.result
    assert decision.wins_primary(result)  # far better on ROC AUC…
    assert [g.metric for g in decision.worse_on(result)] == ["accuracy"]  # …but monitor would see accuracy fall
    assert not decision.wins
    assert decision.watched == ("accuracy",)
    assert "; but worse on accuracy (Δ -0.1500)" in decision.describe()
    rows, scores, live = classification(candidate_right=370)
    fine = run(rows, scores, {"roc_auc": live["roc_auc"], "accuracy": live["accuracy"]})
    assert fine.wins
    assert [g.metric for g in fine.result.guards] == ["accuracy"]


def test_the_metrics_monitor_watches_need_predicted_labels_only() -> None:
    names = ["accuracy", "roc_auc", "f1_macro", "log_loss", "mean_absolute_error", "r2", "no_such_metric"]
    assert watched_metrics(names) == ("accuracy", "f1_macro", "mean_absolute_error", "r2")


def test_folds_are_compared_with_the_corrected_resampled_t() -> None:
    live = (0.80, 0.82, 0.81, 0.79, 0.80)
    ours = (0.90, 0.91, 0.92, 0.90, 0.89)
    rows = FreshRows(live_folds={"roc_auc": live}, candidate_folds={"forest": {"roc_auc": ours}}, train_rows=500)
    decision = run(rows, {"forest": {"roc_auc": float(np.mean(ours))}}, {"roc_auc": float(np.mean(live))})
    c = decision.result.comparison
    assert c is not None
    assert (c.method, c.n, c.unit) == ("corrected resampled t (Nadeau–Bengio)", 5, "folds")
    assert decision.wins
    assert decision.record()["unit"] == "folds"


def test_a_candidate_without_a_paired_test_cannot_win() -> None:
    rows = FreshRows(y=np.zeros(4), live=None)
    decision = run(rows, {"forest": {"mean_absolute_error": 0.1}}, {"mean_absolute_error": 3.0})
    assert not decision.wins
    assert decision.result.why_not == "no per-row predictions or per-fold scores on both sides"
    assert decision.describe().endswith("no paired test (no per-row predictions or per-fold scores on both sides)")
    assert decision.record()["low"] is None


def test_the_record_keeps_the_interval_and_where_it_comes_from() -> None:
    rows, scores, live = regression({"forest": 0.2})
    decision = run(rows, scores, {"mean_absolute_error": live}, min_improvement=0.05)
    record = decision.record()
    c = decision.result.comparison
    assert c is not None
    assert record == {
        "metric": "mean_absolute_error",
        "direction": "lower",
        "live_version": "3",
        "live": 3.0,
        "new": scores["forest"]["mean_absolute_error"],
        "low": c.low,
        "high": c.high,
        "method": c.method,
        "n": N,
        "unit": "rows",
        "alpha": 0.05,
        "confidence": 0.95,
        "margin": 0.05,
        "margin_source": "retrain.min_improvement",
        "p_value": decision.result.p_adjusted,
        "candidates": 1,
        "evaluation": "ab" * 32,
    }


@pytest.mark.parametrize(
    ("retrain", "message"),
    [
        ({"min_improvement": -0.1}, r"retrain\.min_improvement is -0\.1; it cannot be negative"),
        ({"min_rel_improvement": -0.01}, r"retrain\.min_rel_improvement is -0\.01; it must be a finite number ≥ 0"),
        ({"alpha": 0.5}, r"retrain\.alpha is 0\.5; it must lie between 0 and 0\.5"),
        ({"alpha": 0.0}, r"retrain\.alpha is 0; it must lie between 0 and 0\.5"),
    ],
)
def test_bad_settings_are_config_errors(retrain: dict[str, Any], message: str) -> None:
    rows, scores, live = regression({"forest": 0.2})
    with pytest.raises(ConfigError, match=message):
        run(rows, scores, {"mean_absolute_error": live}, **retrain)


def test_a_metric_without_direction_cannot_decide() -> None:
    with pytest.raises(ConfigError, match="'mystery' has no known direction"):
        run(FreshRows(), {"forest": {"mystery": 1.0}}, {"mystery": 0.0})


def test_a_missing_score_names_the_side() -> None:
    with pytest.raises(InputError, match="live version 3 has no roc_auc score"):
        decide(
            metric="roc_auc",
            candidates={"forest": {"roc_auc": 0.9}},
            live_version="3",
            live_metrics={},
            rows=FreshRows(),
            metrics=MetricsConfig(),
            retrain=RetrainConfig(),
        )
    with pytest.raises(InputError, match="forest has no roc_auc score"):
        decide(
            metric="roc_auc",
            candidates={"forest": {}},
            live_version="3",
            live_metrics={"roc_auc": 0.8},
            rows=FreshRows(),
            metrics=MetricsConfig(),
            retrain=RetrainConfig(),
        )
