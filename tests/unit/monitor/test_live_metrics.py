"""Labels joined to captured predictions, scored and judged with the gates."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from mlgate.config import GateConfig, MetricsConfig, MonitorConfig
from mlgate.monitor.labels import LabelFile
from mlgate.monitor.live_metrics import check_labels, score_live


def test_classification_metrics_are_tested_against_the_registered_values() -> None:
    y_true = ["a", "b", "a", "a", "b", "a", "a", "b"] * 25
    y_pred = ["a", "b", "b", "a", "b", "a", "a", "a"] * 25  # 6 of 8 right
    scored = score_live(
        y_true,
        y_pred,
        {"accuracy": 0.76, "roc_auc": 0.9, "f1_macro": 0.5},
        regression=False,
        metrics=MetricsConfig(),
        monitor=MonitorConfig(alpha=0.05, margin=0.02),
    )
    assert [(m.metric, m.live, m.status) for m in scored] == [
        ("accuracy", 0.75, "ok"),
        ("roc_auc", None, "skipped"),
        ("f1_macro", pytest.approx(0.7333, abs=1e-4), "better"),
    ]
    assert scored[1].reason == "needs predicted probabilities, which capture does not keep"
    accuracy = scored[0]
    assert (accuracy.n, accuracy.direction) == (200, "higher")
    assert accuracy.margin == pytest.approx(0.0152)
    assert accuracy.registered_se is None  # the version recorded none: the live se alone, and the method says so
    assert accuracy.test is not None
    assert accuracy.test.method.endswith("registered se unknown: live se alone")
    share = (150 + 1) / 202
    z = (-0.01 + 0.0152) / np.sqrt(share * (1 - share) / 202)
    assert accuracy.test.p_worse == pytest.approx(stats.norm.cdf(z))


def test_the_registered_standard_error_widens_the_test() -> None:
    y_true, y_pred = [1] * 100 + [0] * 100, [1] * 90 + [0] * 10 + [0] * 90 + [1] * 10  # 90 % right
    alone = score_live(y_true, y_pred, {"accuracy": 0.97}, regression=False, metrics=MetricsConfig())[0]
    both = score_live(
        y_true,
        y_pred,
        {"accuracy": 0.97},
        regression=False,
        metrics=MetricsConfig(),
        uncertainty={"accuracy": {"n": 150, "se": 0.018}},
    )[0]
    assert alone.test is not None
    assert both.test is not None
    assert alone.test.se is not None
    assert both.test.se == pytest.approx(np.hypot(alone.test.se, 0.018))
    # a drop of 0.07 is clear only if the registered value is exact
    assert (alone.status, both.status) == ("fail", "ok")
    assert (both.registered_n, both.registered_se) == (150, 0.018)


def test_regression_metrics_and_mixed_label_types() -> None:
    rng = np.random.default_rng(0)
    truth = rng.normal(size=400)
    scored = score_live(
        list(truth),
        list(truth + rng.normal(0, 0.6, 400)),
        {"root_mean_squared_error": 0.5},
        regression=True,
        metrics=MetricsConfig(),
    )
    assert (scored[0].live, scored[0].status, scored[0].direction) == pytest.approx((0.6, "fail", "lower"), abs=0.05)
    assert scored[0].test is not None
    assert scored[0].test.method.startswith("two-sample Welch t (delta method on per-row squared error)")
    check = check_labels(
        LabelFile("l.csv", {("r", None): "1"}, 1),
        ["r"],
        [0],
        [1],
        {"accuracy": 0.5},
        regression=False,
        metrics=MetricsConfig(),
    )
    assert (check.matched, check.metrics[0].live, check.breach) == (1, 1.0, False)
    assert (
        check_labels(
            LabelFile("l.csv", {}, 0), ["r"], [0], [1], {"accuracy": 0.5}, regression=False, metrics=MetricsConfig()
        ).matched
        == 0
    )


def test_a_registered_value_that_is_no_scorer_or_has_no_direction_is_skipped() -> None:
    (scored,) = score_live([1, 0], [1, 0], {"fit_seconds": 1.0}, regression=False, metrics=MetricsConfig())
    assert (scored.status, scored.reason, scored.live) == ("skipped", "not a scikit-learn scorer", None)
    (neutral,) = score_live(
        [1.0, 2.0],
        [1.0, 2.5],
        {"max_error": 0.5},
        regression=True,
        metrics=MetricsConfig(gates={"max_error": GateConfig(direction="none")}),
    )
    assert (neutral.status, neutral.reason) == ("skipped", "no direction is known for this metric (metrics.gates)")
