"""Gates that name no metric, or hold values no gate can use, are refused when mlgate.yaml is loaded."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from mlgate.config import load_config
from mlgate.errors import ConfigError


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "mlgate.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_misspelt_gate_names_its_line_and_the_metric_meant(tmp_path: Path) -> None:
    path = write(tmp_path, "task: classification\nmetrics:\n  gates:\n    acuracy: {abs_tol: 0.01}\n")
    with pytest.raises(ConfigError, match=r"mlgate.yaml:4: metrics.gates.acuracy matches no metric\n") as info:
        load_config(path, environ={})
    assert info.value.hint == "did you mean 'accuracy'?"


@pytest.mark.parametrize(
    ("config", "gate"),
    [
        ("metrics: {names: [accuracy, neg_log_loss]}", "log_loss"),  # stored without neg_
        ("task: classification", "roc_auc_ovr"),  # the default's multi-class variant
        ("task: regression", "root_mean_squared_error"),
        ("{}", "r2"),  # task unset: either task's defaults
        ("{}", "f1_macro"),
        ("metrics: {names: [balanced_accuracy]}", "predict_1row_p95_ms"),  # timings are always there
        ("metrics: {names: [test.f1]}", "test.f1"),  # a DVC metric, listed in metrics.names
    ],
)
def test_a_gate_may_name_every_metric_the_config_produces(tmp_path: Path, config: str, gate: str) -> None:
    path = write(tmp_path, f"{config}\n")
    environ = {"MLGATE_METRICS__GATES": f"{{{gate}: {{rel_tol: 0.05}}}}"}
    assert load_config(path, environ=environ).metrics.gates[gate].rel_tol == 0.05


@pytest.mark.parametrize(
    ("config", "gate", "hint"),
    [
        (
            "task: regression",
            "accuracy",
            r"^a gate names a metric of the regression defaults \(r2, root_mean_squared_"
            r"error, mean_absolute_error\) or a timing; add other metrics to metrics.names$",
        ),
        ("metrics: {names: [accuracy]}", "f1_macro", r"^a gate names a metric of metrics.names \(accuracy\)"),
        ("metrics: {names: [neg_log_loss]}", "neg_log_loss", r"stored name 'log_loss' \(scikit-learn's neg_ prefix"),
    ],
)
def test_a_gate_outside_the_configured_metrics_is_refused(tmp_path: Path, config: str, gate: str, hint: str) -> None:
    path = write(tmp_path, f"{config}\n")
    with pytest.raises(ConfigError, match=rf"metrics.gates.{gate} matches no metric") as info:
        load_config(path, environ={"MLGATE_METRICS__GATES": f"{{{gate}: {{severity: warn}}}}"})
    assert re.search(hint, info.value.hint or "")


@pytest.mark.parametrize(
    ("gate", "message"),
    [
        ("{abs_tol: -0.01}", r":3: metrics.gates.accuracy.abs_tol is -0.01; a tolerance must be a finite number ≥ 0"),
        ("{rel_tol: .inf}", r":3: metrics.gates.accuracy.rel_tol is inf; it must be a finite number"),
        ("{rel_tol: .nan}", r":3: metrics.gates.accuracy.rel_tol is nan; it must be a finite number"),
        ("{min: .nan}", r":3: metrics.gates.accuracy.min is nan; it must be a finite number"),
        ("{min: 0.9, max: 0.8}", r":3: metrics.gates.accuracy: min 0.9 is above max 0.8"),
    ],
)
def test_tolerances_and_bounds_no_gate_can_use_are_refused(tmp_path: Path, gate: str, message: str) -> None:
    path = write(tmp_path, f"metrics:\n  gates:\n    accuracy: {gate}\n")
    with pytest.raises(ConfigError, match=message):
        load_config(path, environ={})


def test_an_unknown_key_under_a_gate_is_refused_by_the_loader(tmp_path: Path) -> None:
    path = write(tmp_path, "metrics:\n  gates:\n    accuracy:\n      abs_toll: 0.01\n")
    with pytest.raises(ConfigError, match=r"mlgate.yaml:4: metrics.gates.accuracy.abs_toll is not a known key") as info:
        load_config(path, environ={})
    assert info.value.hint == "did you mean 'abs_tol'?"


def test_valid_gates_load(tmp_path: Path) -> None:
    text = "task: classification\nmetrics:\n  gates:\n    accuracy: {abs_tol: 0, rel_tol: 0.02, min: 0.5, max: 1}\n"
    gate = load_config(write(tmp_path, text), environ={}).metrics.gates["accuracy"]
    assert (gate.abs_tol, gate.rel_tol, gate.min, gate.max) == (0.0, 0.02, 0.5, 1.0)
