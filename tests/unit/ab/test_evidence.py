"""The evidence of a split: labels joined to each variant's answers, per-row values signed so higher is better."""

from __future__ import annotations

from pathlib import Path

import pytest

from mlgate.ab.answers import Answers
from mlgate.ab.evidence import choose_metrics, gather_evidence
from mlgate.config import AbConfig, Config, GateConfig, MetricsConfig
from mlgate.deploy.experiment import Split, VariantHealth
from mlgate.errors import ConfigError, InputError

SPLIT = Split("1", "2", 50.0, "header:X", "2026-12-07T09:00:00Z")
HEALTH = {"1": VariantHealth("1", 10, 0, 5.0, "log"), "2": VariantHealth("2", 8, 1, None, "log")}


def answers(rows: list[tuple[str, str, object]]) -> Answers:
    found = Answers(source="the test's answers")
    for rid, version, prediction in rows:
        found.request_id.append(rid)
        found.row.append(0)
        found.version.append(version)
        found.prediction.append(prediction)
    return found


def labels(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "labels.csv"
    path.write_text(text, encoding="utf-8")
    return path


def test_classification_gains_are_right_or_wrong_per_variant(tmp_path: Path) -> None:
    config = Config(target="label")
    found = answers([("a", "1", "yes"), ("b", "1", "no"), ("c", "2", "yes"), ("d", "3", "yes")])
    path = labels(tmp_path, "request_id,label\na,yes\nb,yes\nc,yes\nd,no\nzz,no\n")
    evidence = gather_evidence(config, SPLIT, found, HEALTH, path, regression=False)
    assert (evidence.metric, evidence.labels, evidence.matched) == ("accuracy", 5, 3)
    assert (evidence.champion.gains, evidence.challenger.gains) == ((1.0, 0.0), (1.0,))
    assert (evidence.challenger.requests, evidence.challenger.errors, evidence.champion.p99_ms) == (8, 1, 5.0)


def test_regression_gains_are_signed_errors_and_guards_follow_the_gates(tmp_path: Path) -> None:
    metrics = MetricsConfig(primary="neg_mean_absolute_error", gates={"neg_root_mean_squared_error": GateConfig()})
    config = Config(target="y", task="regression", metrics=metrics)
    found = answers([("a", "1", 1.0), ("b", "2", 4.0)])
    path = labels(tmp_path, "request_id,y\na,3\nb,1\n")
    evidence = gather_evidence(config, SPLIT, found, HEALTH, path, regression=True)
    assert (evidence.metric, evidence.champion.gains, evidence.challenger.gains) == (
        "mean_absolute_error",
        (-2.0,),
        (-3.0,),
    )
    assert dict(evidence.challenger.guards) == {"root_mean_squared_error": (-9.0,)}


def test_metrics_that_are_not_a_mean_over_rows_fall_back_with_a_note() -> None:
    config = Config(metrics=MetricsConfig(primary="roc_auc"), ab=AbConfig(guard_metrics=("f1_macro", "accuracy")))
    primary, guards, notes = choose_metrics(config, regression=False)
    assert (primary, guards) == ("accuracy", ())
    assert notes == (
        "roc_auc is not a mean over rows: the test judges accuracy instead",
        "guard metric f1_macro is not a mean over rows: not guarded",
    )


def test_labels_that_match_no_answer_are_an_input_error(tmp_path: Path) -> None:
    path = labels(tmp_path, "request_id,label\nnobody,yes\n")
    with pytest.raises(InputError, match=r"none of its 1 label\(s\) matches a request answered in the A/B test"):
        gather_evidence(Config(target="label"), SPLIT, answers([("a", "1", "yes")]), HEALTH, path, regression=False)
    with pytest.raises(ConfigError, match="--labels needs the target column's name"):
        gather_evidence(Config(), SPLIT, answers([]), HEALTH, path, regression=False)


def test_a_regression_label_that_is_not_a_number_is_an_input_error(tmp_path: Path) -> None:
    path = labels(tmp_path, "request_id,y\na,3\n")
    found = answers([("a", "1", "high")])
    with pytest.raises(InputError, match="a label or an answer is not a number"):
        gather_evidence(Config(target="y", task="regression"), SPLIT, found, HEALTH, path, regression=True)
