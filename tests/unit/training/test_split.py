"""Evaluation plans: test file, seeded (stratified) holdout split, k folds; the evaluation digest."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from mlgate.config import SplitConfig, load_config
from mlgate.errors import ConfigError, DataError
from mlgate.training.dataset import TrainingData, load_training_data
from mlgate.training.split import plan_evaluation
from unit.training.project import write_project

MODELS = "m: {estimator: sklearn.linear_model.LogisticRegression}"


def _data(
    tmp_path: Path, *, data: str = "{schema: schema.yaml, train: data/train.csv}", rows: int = 120
) -> TrainingData:
    return load_training_data(load_config(write_project(tmp_path, models=MODELS, data=data, train_rows=rows)))


def test_test_file_is_the_holdout(tmp_path: Path) -> None:
    data = _data(tmp_path, data="{schema: schema.yaml, train: data/train.csv, test: data/test.csv}")
    plan = plan_evaluation(data, SplitConfig())
    X, y, X_test, y_test = plan.holdout()
    assert (len(X), len(y), len(X_test), len(y_test)) == (120, 120, 40, 40)
    assert plan.folds == ()
    assert data.test is not None
    assert plan.files == (data.train.file, data.test.file)
    evaluation = plan.evaluation()
    assert (evaluation.kind, evaluation.train_rows, evaluation.test_rows, evaluation.folds) == (
        "holdout",
        120,
        40,
        None,
    )


def test_seeded_split_is_stable_and_stratified(tmp_path: Path) -> None:
    data = _data(tmp_path)
    first = plan_evaluation(data, SplitConfig(test_size=0.25, seed=7))
    second = plan_evaluation(data, SplitConfig(test_size=0.25, seed=7))
    other = plan_evaluation(data, SplitConfig(test_size=0.25, seed=8))
    assert first.X_test is not None
    assert second.X_test is not None
    assert other.X_test is not None
    assert len(first.X_test) == 30
    assert first.X_test["x2"].tolist() == second.X_test["x2"].tolist()
    assert first.data_sha256 == second.data_sha256
    assert first.data_sha256 != other.data_sha256  # another split is other evaluation data
    assert first.X_test["x2"].tolist() != other.X_test["x2"].tolist()
    share = float(np.mean(data.train.y))
    assert float(np.mean(first.y_test)) == pytest.approx(share, abs=0.04)


def test_folds_are_stratified_and_cover_every_row(tmp_path: Path) -> None:
    data = _data(tmp_path)
    plan = plan_evaluation(data, SplitConfig(folds=4, seed=1))
    assert plan.kind == "cv"
    assert len(plan.folds) == 4
    tested = np.sort(np.concatenate([fold.test for fold in plan.folds]))
    assert tested.tolist() == list(range(120))
    share = float(np.mean(data.train.y))
    for fold in plan.folds:
        assert float(np.mean(data.train.y[fold.test])) == pytest.approx(share, abs=0.05)
    evaluation = plan.evaluation()
    assert (evaluation.kind, evaluation.folds, evaluation.train_rows, evaluation.test_rows) == ("cv", 4, 120, 0)


def test_folds_and_a_test_file_conflict(tmp_path: Path) -> None:
    data = _data(tmp_path, data="{schema: schema.yaml, train: data/train.csv, test: data/test.csv}")
    with pytest.raises(ConfigError, match=r"data\.split\.folds and data\.test are both set"):
        plan_evaluation(data, SplitConfig(folds=3))


@pytest.mark.parametrize(
    ("split", "message"),
    [
        (SplitConfig(folds=1), "needs at least 2 folds"),
        (SplitConfig(test_size=1.5), "must be between 0 and 1"),
    ],
)
def test_bad_split_settings(tmp_path: Path, split: SplitConfig, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        plan_evaluation(_data(tmp_path), split)


def test_too_few_rows_for_the_folds(tmp_path: Path) -> None:
    data = _data(tmp_path, rows=6)
    with pytest.raises(DataError, match="cannot make 5 folds"):
        plan_evaluation(data, SplitConfig(folds=5))


def test_too_few_rows_for_a_stratified_split(tmp_path: Path) -> None:
    data = _data(tmp_path, rows=5)
    with pytest.raises(DataError, match="cannot split for testing"):
        plan_evaluation(data, SplitConfig(test_size=0.2))
