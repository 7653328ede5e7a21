"""Labels joined to captured predictions, scored and judged with the gates."""

from __future__ import annotations

import pytest

from mlgate.config import GateConfig, MetricsConfig
from mlgate.monitor.labels import LabelFile
from mlgate.monitor.live_metrics import check_labels, score_live


def test_classification_metrics_are_judged_against_the_registered_values() -> None:
    y_true = ["a", "b", "a", "a", "b", "a", "a", "b"]
    y_pred = ["a", "b", "b", "a", "b", "a", "a", "a"]  # 6 of 8 right
    gates = MetricsConfig(gates={"accuracy": GateConfig(abs_tol=0.02)})
    scored = score_live(y_true, y_pred, {"accuracy": 0.76, "roc_auc": 0.9, "f1_macro": 0.5}, regression=False,
                        metrics=gates)  # fmt: skip
    assert [(m.metric, m.live, m.status) for m in scored] == [
        ("accuracy", 0.75, "same"), ("roc_auc", None, "skipped"), ("f1_macro", pytest.approx(0.7333, abs=1e-4), "better"),
    ]  # fmt: skip
    assert scored[1].reason == "needs predicted probabilities, which capture does not keep"


def test_regression_metrics_and_mixed_label_types() -> None:
    scored = score_live([1.0, 2.0, 3.0], [1.0, 2.0, 4.0], {"root_mean_squared_error": 0.1}, regression=True,
                        metrics=MetricsConfig())  # fmt: skip
    assert (scored[0].live, scored[0].status) == (pytest.approx(0.57735, abs=1e-5), "fail")
    check = check_labels(LabelFile("l.csv", {("r", None): "1"}, 1), ["r"], [0], [1], {"accuracy": 0.5},
                         regression=False, metrics=MetricsConfig())  # fmt: skip
    assert (check.matched, check.metrics[0].live, check.breach) == (1, 1.0, False)
    assert check_labels(LabelFile("l.csv", {}, 0), ["r"], [0], [1], {"accuracy": 0.5}, regression=False,
                        metrics=MetricsConfig()).matched == 0  # fmt: skip


def test_a_registered_value_that_is_no_scorer_is_skipped() -> None:
    (scored,) = score_live([1, 0], [1, 0], {"fit_seconds": 1.0}, regression=False, metrics=MetricsConfig())
    assert (scored.status, scored.reason, scored.live) == ("skipped", "not a scikit-learn scorer", None)
