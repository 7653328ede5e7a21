"""rescore: the saved models of a results folder scored on the current evaluation data."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pytest

from mlgate.config import load_config
from mlgate.errors import InputError
from mlgate.results import TIMING_LABELS
from mlgate.training.rescore import rescore
from mlgate.training.run import train_models
from unit.training.project import F_CLASSIF, PICKY, write_project

MODELS = """
logistic: {estimator: sklearn.linear_model.LogisticRegression}
tree: {estimator: sklearn.tree.DecisionTreeClassifier, params: {max_depth: 3}}
"""
TRUST = "artifacts: {trusted_types: [sklearn.tree._tree.Tree]}\n"


def fake_git(argv: Sequence[str], cwd: Path) -> tuple[int, str, str]:
    return 0, "b" * 40 + "\n", ""


def test_holdout_rescore_reproduces_the_metrics_on_the_same_data(tmp_path: Path) -> None:
    config = load_config(write_project(tmp_path / "p", models=MODELS, extra=TRUST))
    trained = train_models(config, out=tmp_path / "out", runner=fake_git).results
    messages: list[str] = []
    again = rescore(tmp_path / "out", config, progress=messages.append)
    assert again.skipped == {}
    assert again.results.commit == "b" * 40
    assert again.results.source == str(tmp_path / "out")
    for name, model in trained.models.items():
        assert again.results.models[name].metrics == model.metrics
        assert again.results.models[name].params == model.params
        assert list(again.results.models[name].timings) == list(TIMING_LABELS)
        assert again.results.models[name].artifact == model.artifact
    assert messages[0] == "[1/2] logistic: re-scoring the saved model"


def test_rescore_uses_the_current_test_rows(tmp_path: Path) -> None:
    path = write_project(tmp_path / "p", models=MODELS, extra=TRUST)
    train_models(load_config(path), out=tmp_path / "out", runner=fake_git)
    write_project(tmp_path / "p", models=MODELS, extra=TRUST, test_rows=25)  # the PR changed the test file
    config = load_config(path)
    again = rescore(tmp_path / "out", config)
    fresh = train_models(config, out=tmp_path / "fresh", runner=fake_git).results
    assert again.results.evaluation == fresh.evaluation
    assert again.results.evaluation is not None
    assert again.results.evaluation.test_rows == 25


def test_cross_validation_refits_clones_per_fold(tmp_path: Path) -> None:
    data = "{schema: schema.yaml, train: data/train.csv, split: {folds: 3}}"
    config = load_config(write_project(tmp_path / "p", models=MODELS, data=data, extra=TRUST))
    trained = train_models(config, out=tmp_path / "out", runner=fake_git).results
    again = rescore(tmp_path / "out", config).results
    for name, model in trained.models.items():
        assert again.models[name].folds == model.folds
        assert again.models[name].metrics == model.metrics


def test_model_that_needs_a_removed_column_is_skipped_with_its_reason(tmp_path: Path) -> None:
    path = write_project(tmp_path / "p", models=MODELS, extra=TRUST)
    train_models(load_config(path), out=tmp_path / "out", runner=fake_git)
    write_project(tmp_path / "p", models=MODELS, extra=TRUST + "features: [x2, color, flag, day]\n")
    again = rescore(tmp_path / "out", load_config(path))
    assert again.results.models == {}
    assert set(again.skipped) == {"logistic", "tree"}
    assert "x1" in again.skipped["logistic"]


def test_tampered_artifact_stops_the_rescore(tmp_path: Path) -> None:
    config = load_config(write_project(tmp_path / "p", models=MODELS, extra=TRUST))
    train_models(config, out=tmp_path / "out", runner=fake_git)
    model_file = tmp_path / "out" / "models" / "tree" / "model.skops"
    model_file.write_bytes(model_file.read_bytes() + b"\0")
    with pytest.raises(InputError, match="tampered artifact"):
        rescore(tmp_path / "out", config)


def test_untrusted_types_of_the_current_config_are_refused(tmp_path: Path) -> None:
    trust = f"artifacts: {{trusted_types: [{F_CLASSIF}]}}\n"
    trained_with = load_config(write_project(tmp_path / "p", models=PICKY, extra=trust))
    train_models(trained_with, out=tmp_path / "out", runner=fake_git)
    current = load_config(write_project(tmp_path / "q", models=PICKY))
    with pytest.raises(InputError, match=r"_univariate_selection\.f_classif"):
        rescore(tmp_path / "out", current)


def test_models_proven_the_same_are_taken_as_given_without_loading(tmp_path: Path) -> None:
    config = load_config(write_project(tmp_path / "p", models=MODELS, extra=TRUST))
    trained = train_models(config, out=tmp_path / "out", runner=fake_git).results
    model_file = tmp_path / "out" / "models" / "tree" / "model.skops"
    model_file.write_bytes(b"unloadable")  # never read: the caller proved the candidate's tree identical
    given = trained.models["tree"]
    messages: list[str] = []
    again = rescore(tmp_path / "out", config, progress=messages.append, same={"tree": given})
    assert again.results.models["tree"].metrics == given.metrics
    assert again.results.models["tree"].timings["model_kb"] == round(len(b"unloadable") / 1024, 2)
    assert again.results.models["tree"].artifact == given.artifact
    assert "[2/2] tree: the same fitted model as the candidate: scores shared" in messages
