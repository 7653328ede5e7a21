"""rescore_live: the live version's registered artifact scored on the fresh evaluation rows."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Sequence
from pathlib import Path

import pytest

from mlgate.config import Config, load_config
from mlgate.errors import InputError
from mlgate.registry.model import ModelVersion
from mlgate.results import ResultSet
from mlgate.retrain.live import rescore_live
from mlgate.training.dataset import load_training_data
from mlgate.training.run import train_models
from unit.deploy.fakes import FakeRegistry
from unit.registry.helpers import version
from unit.training.project import F_CLASSIF, PICKY, write_project

MODELS = """
logistic: {estimator: sklearn.linear_model.LogisticRegression}
tree: {estimator: sklearn.tree.DecisionTreeClassifier, params: {max_depth: 3}}
"""
HOLDOUT = "{schema: schema.yaml, train: data/train.csv, test: data/test.csv}"
CV = "{schema: schema.yaml, train: data/train.csv, split: {folds: 3}}"


def fake_git(argv: Sequence[str], cwd: Path) -> tuple[int, str, str]:
    return 0, "b" * 40 + "\n", ""


def trained(tmp_path: Path, *, data: str = HOLDOUT) -> tuple[Config, ResultSet]:
    """The test project, with the tree's type trusted in the config, and its trained results."""
    extra = "artifacts: {trusted_types: [sklearn.tree._tree.Tree]}\n"
    path = write_project(tmp_path / "p", models=MODELS, extra=extra, data=data)
    config = load_config(path)
    return config, train_models(config, out=tmp_path / "out", runner=fake_git).results


def registered(tmp_path: Path, results: ResultSet, name: str, *, number: str = "3") -> ModelVersion:
    """Model ``name`` of ``results`` as registry version ``number`` (its artifact left in the results folder)."""
    artifact = results.models[name].artifact
    assert artifact is not None
    return dataclasses.replace(
        version(artifact.sha256, model=name),
        version=number,
        artifact=str(tmp_path / "out" / artifact.path),
        metrics={"accuracy": 0.99},
        trusted_types=(),
    )


def test_holdout_rescore_reproduces_the_trained_metrics_and_keeps_the_predictions(tmp_path: Path) -> None:
    config, results = trained(tmp_path)
    live = registered(tmp_path, results, "logistic")
    scores = rescore_live(live, FakeRegistry(live), config, load_training_data(config))
    assert (scores.version, scores.model) == ("3", "logistic")
    assert scores.metrics == results.models["logistic"].metrics
    assert scores.registered == {"accuracy": 0.99}  # what the registry recorded, not the fresh scores
    assert scores.folds == {}
    assert scores.predictions is not None
    assert len(scores.predictions.pred) == 40  # one per test row
    assert scores.predictions.classes == (False, True)


def test_cross_validation_refits_the_live_model_per_fold(tmp_path: Path) -> None:
    config, results = trained(tmp_path, data=CV)
    live = registered(tmp_path, results, "tree")
    scores = rescore_live(live, FakeRegistry(live), config, load_training_data(config))
    assert scores.folds == results.models["tree"].folds
    assert len(scores.folds["accuracy"]) == 3
    assert scores.metrics == results.models["tree"].metrics
    assert scores.predictions is None


def test_types_the_live_version_was_registered_with_are_trusted(tmp_path: Path) -> None:
    trust = f"artifacts: {{trusted_types: [{F_CLASSIF}]}}\n"
    config = load_config(write_project(tmp_path / "p", models=PICKY, extra=trust))
    results = train_models(config, out=tmp_path / "out", runner=fake_git).results
    untrusting = dataclasses.replace(config, artifacts=dataclasses.replace(config.artifacts, trusted_types=()))
    live = registered(tmp_path, results, "picky")
    data = load_training_data(config)
    with pytest.raises(InputError, match=re.escape(F_CLASSIF)):
        rescore_live(live, FakeRegistry(live), untrusting, data)
    live = dataclasses.replace(live, trusted_types=(F_CLASSIF,))
    assert rescore_live(live, FakeRegistry(live), untrusting, data).metrics == results.models["picky"].metrics


def test_a_tampered_artifact_is_refused(tmp_path: Path) -> None:
    config, results = trained(tmp_path)
    live = registered(tmp_path, results, "logistic")
    Path(live.artifact).write_bytes(Path(live.artifact).read_bytes() + b"\0")
    with pytest.raises(InputError, match=r"tampered artifact: .*logistic.*model\.skops has SHA-256"):
        rescore_live(live, FakeRegistry(live), config, load_training_data(config))


def test_a_live_model_whose_feature_is_gone_says_so_and_how_to_go_on(tmp_path: Path) -> None:
    config, results = trained(tmp_path)
    live = registered(tmp_path, results, "logistic")
    narrower = dataclasses.replace(config, features=("x2", "color", "flag", "day"))
    with pytest.raises(
        InputError, match=r"^live version 3 \(logistic\) cannot be scored on the fresh data: .*x1"
    ) as caught:
        rescore_live(live, FakeRegistry(live), narrower, load_training_data(narrower))
    assert "predict failed" not in caught.value.message  # the model's own error prefix is dropped
    assert caught.value.hint == "its features may be gone from the data; compare by hand, or pass --version V"
