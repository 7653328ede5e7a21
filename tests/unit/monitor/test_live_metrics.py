"""Labels joined to captured predictions, scored and judged with the gates."""

from __future__ import annotations

from pathlib import Path

import pytest

from mlgate.config import GateConfig, MetricsConfig
from mlgate.errors import InputError
from mlgate.monitor.live_metrics import check_labels, join_labels, read_labels, score_live


def test_labels_from_csv_keep_ids_as_text(tmp_path: Path) -> None:
    path = tmp_path / "labels.csv"
    path.write_text("request_id,row,y\n007,0,1\n007,1,0\n8,0,\n", encoding="utf-8")
    assert read_labels(path, key="request_id", target="y") == {("007", 0): 1, ("007", 1): 0}
    with pytest.raises(InputError, match=r"no column 'label' \(columns: request_id, row, y\)"):
        read_labels(path, key="request_id", target="label")
    with pytest.raises(InputError, match="labels file not found"):
        read_labels(tmp_path / "missing.csv", key="request_id", target="y")


def test_join_needs_rows_when_a_request_has_several() -> None:
    labels = {("a", None): 1, ("b", 1): 0}
    assert join_labels(labels, ["a", "b", "b", "c"], [0, 0, 1, 0], [1, 1, 1, 1]) == ([1, 0], [1, 1])
    with pytest.raises(InputError, match="request 'a' has 2 captured rows but its label has no row"):
        join_labels(labels, ["a", "a"], [0, 1], [1, 1])


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
    check = check_labels("l.csv", {("r", None): "1"}, ["r"], [0], [1], {"accuracy": 0.5}, regression=False,
                         metrics=MetricsConfig())  # fmt: skip
    assert (check.matched, check.metrics[0].live, check.breach) == (1, 1.0, False)
    assert check_labels("l.csv", {}, ["r"], [0], [1], {"accuracy": 0.5}, regression=False,
                        metrics=MetricsConfig()).matched == 0  # fmt: skip


def test_a_registered_value_that_is_no_scorer_is_skipped() -> None:
    (scored,) = score_live([1, 0], [1, 0], {"fit_seconds": 1.0}, regression=False, metrics=MetricsConfig())
    assert (scored.status, scored.reason, scored.live) == ("skipped", "not a scikit-learn scorer", None)
