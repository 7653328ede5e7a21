from __future__ import annotations

import pytest

from mlgate.metric_names import TIMING_LABELS, known_metric_names, stored_name

TIMINGS = ("fit_s", "predict_1row_p50_ms", "predict_1row_p95_ms", "predict_batch_ms", "model_kb")


@pytest.mark.parametrize(
    ("scorer", "stored"),
    [("neg_mean_absolute_error", "mean_absolute_error"), ("accuracy", "accuracy"), ("test.neg_x", "test.neg_x")],
)
def test_only_a_leading_neg_is_dropped(scorer: str, stored: str) -> None:
    assert stored_name(scorer) == stored


def test_configured_names_replace_the_defaults() -> None:
    assert known_metric_names(["accuracy", "neg_log_loss"], "classification") == ("accuracy", "log_loss", *TIMINGS)


def test_the_defaults_of_a_task_include_their_multiclass_variant() -> None:
    assert known_metric_names([], "classification") == ("accuracy", "f1_macro", "roc_auc", "roc_auc_ovr", *TIMINGS)
    assert known_metric_names([], "regression") == (
        "r2",
        "root_mean_squared_error",
        "mean_absolute_error",
        *TIMINGS,
    )


def test_without_a_task_both_tasks_defaults_are_known() -> None:
    known = known_metric_names([], None)
    assert set(known) == {*known_metric_names([], "classification"), *known_metric_names([], "regression")}
    assert tuple(TIMING_LABELS) == TIMINGS
