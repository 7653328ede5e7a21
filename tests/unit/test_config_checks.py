"""Checks across keys at load: gates naming no metric or holding unusable values, model names, seeds, data paths."""

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


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("m" * 300, r"models\.m{40}… is 300 characters long; a model name has at most 100"),
        ("a/b", r"models\.a/b \('a/b'\) cannot be used as a folder name"),
        ("..", r"models\.\.\. \('\.\.'\) cannot be used as a folder name"),
        ("model.", r"models\.model\. \('model\.'\) cannot be used as a folder name"),
        ("modèle", r"models\.modèle \('modèle'\) cannot be used as a folder name"),
        ("NUL", r"models\.NUL \('NUL'\) is a reserved device name on Windows"),
        ("com1.v2", r"models\.com1\.v2 \('com1\.v2'\) is a reserved device name on Windows"),
    ],
)
def test_model_names_that_make_no_folder_name_are_refused_at_load(tmp_path: Path, name: str, message: str) -> None:
    path = write(tmp_path, f"models:\n  '{name}': {{estimator: sklearn.linear_model.LogisticRegression}}\n")
    with pytest.raises(ConfigError, match=rf"mlgate\.yaml:2: {message}") as info:
        load_config(path, environ={})
    assert "ASCII letters, digits" in (info.value.hint or "")


def test_a_name_of_100_characters_is_fine(tmp_path: Path) -> None:
    path = write(tmp_path, f"models:\n  {'m' * 100}: {{estimator: sklearn.linear_model.LogisticRegression}}\n")
    assert list(load_config(path, environ={}).models) == ["m" * 100]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("train: {seed: 4294967296}", r":1: train\.seed is 4294967296; a seed is a whole number from 0 to 4294967295"),
        ("train: {seed: -1}", r":1: train\.seed is -1; a seed"),
        ("data: {split: {seed: 5000000000}}", r":1: data\.split\.seed is 5000000000; a seed"),
    ],
)
def test_seeds_numpy_refuses_are_named_by_their_key(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message) as info:
        load_config(write(tmp_path, text + "\n"), environ={})
    assert "models." not in str(info.value)


def test_the_largest_seed_is_fine(tmp_path: Path) -> None:
    assert load_config(write(tmp_path, "train: {seed: 4294967295}\n"), environ={}).train.seed == 2**32 - 1


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    """A file outside the project folder ``tmp_path/p``."""
    secret = tmp_path / "secret.csv"
    secret.write_text("token\nabc\n", encoding="utf-8")
    (tmp_path / "p" / "data").mkdir(parents=True)
    return secret


@pytest.mark.parametrize("key", ["train", "test", "schema"])
def test_a_symlink_out_of_the_project_is_refused_saying_where_it_points(
    tmp_path: Path, outside: Path, key: str
) -> None:
    (tmp_path / "p" / "data" / "link.csv").symlink_to(outside)
    path = write(tmp_path / "p", f"data: {{{key}: data/link.csv}}\n")
    with pytest.raises(
        ConfigError,
        match=rf"mlgate\.yaml:1: data\.{key}: data/link\.csv is a symlink to {re.escape(str(outside))}, "
        rf"outside the project {re.escape(str(tmp_path / 'p'))}",
    ) as info:
        load_config(path, environ={})
    assert "data.allow_outside: true" in (info.value.hint or "")


def test_a_symlinked_folder_out_of_the_project_is_refused(tmp_path: Path, outside: Path) -> None:
    (tmp_path / "p" / "shared").symlink_to(tmp_path)
    path = write(tmp_path / "p", "data: {datasets: [data/a.csv, shared/secret.csv]}\n")
    with pytest.raises(ConfigError, match=r"data\.datasets\.1: shared/secret\.csv is a symlink to "):
        load_config(path, environ={})


def test_absolute_and_dotdot_paths_out_of_the_project_are_refused(tmp_path: Path, outside: Path) -> None:
    path = write(tmp_path / "p", f"data: {{train: {outside}}}\n")
    with pytest.raises(ConfigError, match=rf"data\.train: {re.escape(str(outside))} is outside the project"):
        load_config(path, environ={})
    write(tmp_path / "p", "data: {test: data/../../secret.csv}\n")
    with pytest.raises(
        ConfigError, match=rf"data\.test: data/\.\./\.\./secret\.csv is {re.escape(str(outside))}, outside"
    ):
        load_config(path, environ={})
    with pytest.raises(ConfigError, match=r"data\.schema: /dev/zero is outside the project"):
        load_config(path, environ={"MLGATE_DATA__SCHEMA": "/dev/zero"})


def test_allow_outside_reads_them_and_inside_paths_need_nothing(tmp_path: Path, outside: Path) -> None:
    (tmp_path / "p" / "data" / "link.csv").symlink_to(outside)
    path = write(tmp_path / "p", f"data: {{train: data/link.csv, test: {outside}, allow_outside: true}}\n")
    assert load_config(path, environ={}).as_written("data.train") == "data/link.csv"
    inside = tmp_path / "p" / "data" / "real.csv"
    inside.write_text("a\n1\n", encoding="utf-8")
    (tmp_path / "p" / "data" / "alias.csv").symlink_to(inside)
    write(tmp_path / "p", f"data: {{train: data/alias.csv, test: {inside}, schema: 's3://b/s.yaml'}}\n")
    assert load_config(path, environ={}).data.test == str(inside)


def test_the_project_is_the_git_work_tree_that_holds_the_config(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / "shared").mkdir()
    (tmp_path / "models" / "churn").mkdir(parents=True)
    path = write(tmp_path / "models" / "churn", "data: {train: ../../shared/train.csv}\n")
    assert load_config(path, environ={}).as_written("data.train") == "../../shared/train.csv"
