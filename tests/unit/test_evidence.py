from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np
import pytest

from mlgate.evidence import Evidence, Settings, describe_tests, find_evidence
from mlgate.gates import Gate
from mlgate.results import Evaluation, ModelResult, ResultSet
from mlgate.stats import Predictions
from mlgate.training.predictions import PredictionSet

SETTINGS = Settings(alpha=0.05, samples=200)
HIGHER = Gate("higher", "fail")
Y = np.asarray([0, 1] * 50)
KEYS = np.asarray([f"k{i}" for i in range(100)], dtype=object)


def side(pred: Any, *, y: Any = Y, keys: Any = None, **extra: Any) -> ResultSet:
    return ResultSet(
        models={"m": ModelResult("m", "est", metrics={"accuracy": float(np.mean(pred == y))})},
        predictions=PredictionSet(y=y, keys=keys, models={"m": Predictions(pred=pred)}),
        **extra,
    )


def flipped(count: int) -> Any:
    pred = Y.copy()
    pred[:count] ^= 1
    return pred


def evidence(base: ResultSet, new: ResultSet, gate: Gate = HIGHER) -> Evidence:
    return find_evidence("m", "accuracy", base, new, gate, 0.0, SETTINGS)


def test_the_same_rows_are_tested_row_by_row() -> None:
    found = evidence(side(Y.copy()), side(flipped(10)))
    assert found.test is not None
    assert (found.why_not, found.shared) == (None, None)
    assert found.test.method == "McNemar (exact)"
    assert found.test.estimate == pytest.approx(-0.1)
    assert found.test.p_worse == pytest.approx(2.0**-10)  # 10 discordant rows, all against the PR
    assert found.test.n == 100


def test_without_a_direction_there_is_no_test() -> None:
    assert evidence(side(Y), side(Y), Gate("none", "fail")) == Evidence(why_not="no direction is known for this metric")


def test_without_predictions_on_both_sides_there_is_no_test() -> None:
    bare = ResultSet(models={"m": ModelResult("m", "est", metrics={"accuracy": 0.9})})
    assert evidence(bare, side(Y)).why_not == "no per-row predictions on both sides"


def test_a_metric_the_predictions_cannot_score_says_why() -> None:
    found = find_evidence("m", "roc_auc", side(Y), side(flipped(3)), HIGHER, 0.0, SETTINGS)
    assert found.test is None
    assert found.why_not == "metric 'roc_auc' needs decision_function or predict_proba, which the predictions lack"


def test_other_rows_without_keys_cannot_be_matched() -> None:
    assert evidence(side(Y[10:], y=Y[10:]), side(Y)).why_not == (
        "the evaluation rows differ and have no primary key to match them"
    )


def test_other_rows_with_keys_are_matched_by_key_with_the_same_target() -> None:
    base = side(Y[10:].copy(), y=Y[10:], keys=KEYS[10:])
    found = evidence(base, side(flipped(20), keys=KEYS))
    assert found.shared == "on the 90 of 100 rows matched by key"
    assert found.test is not None
    assert found.test.n == 90
    assert found.test.estimate == pytest.approx(-10 / 90)  # rows 10-19 of the 20 flipped are shared


def test_keys_without_a_match_or_with_other_targets_give_no_test() -> None:
    other = np.asarray([f"x{i}" for i in range(100)], dtype=object)
    assert evidence(side(Y, keys=other), side(Y, keys=KEYS)).why_not == (
        "no evaluation row of the baseline matches one of the PR by key"
    )
    relabelled = 1 - Y
    base = side(relabelled, y=relabelled, keys=KEYS)  # the same keys, every target different
    assert evidence(base, side(Y, keys=KEYS)).why_not == "fewer than two rows match by key with the same target value"


def folds(values: tuple[float, ...], sha: str = "d", *, train_rows: int = 500) -> ResultSet:
    scores = {"accuracy": sum(values) / len(values)}
    return ResultSet(
        models={"m": ModelResult("m", "est", metrics=scores, folds={"accuracy": values})},
        evaluation=Evaluation("cv", folds=len(values), train_rows=train_rows, data_sha256=sha),
    )


def test_folds_of_the_same_rows_get_the_corrected_t_test() -> None:
    found = evidence(folds((0.90, 0.91, 0.89, 0.92, 0.90)), folds((0.87, 0.88, 0.86, 0.90, 0.87)))
    assert found.test is not None
    assert found.test.estimate == pytest.approx(-0.028)
    assert found.test.n == 5


def test_folds_that_cannot_be_paired_say_why() -> None:
    assert evidence(folds((0.9, 0.9, 0.9)), folds((0.9, 0.9, 0.9, 0.9, 0.9))).why_not == "fold counts differ (3 vs 5)"
    assert evidence(folds((0.9, 0.8)), folds((0.9, 0.8), "e")).why_not == "the two sides' folds are not the same rows"
    no_data = replace(folds((0.9, 0.8)), evaluation=None)
    assert evidence(no_data, folds((0.9, 0.8))).why_not == "the two sides' folds are not the same rows"


def test_the_footer_counts_each_method() -> None:
    assert describe_tests({"McNemar (exact)": 3, "DeLong": 1}) == "McNemar (exact) ×3, DeLong"
    assert describe_tests({}) == ""
