"""Which baseline fit times and scores ``mlgate check`` re-uses instead of recomputing them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from mlgate.baseline import Baseline
from mlgate.baseline.reuse import find_reuse
from mlgate.results import Evaluation, ModelResult, ResultSet, write_results
from mlgate.training.machine import describe_machine


def known_fit_times(baseline: Baseline, candidates: list[ResultSet], machine: dict[str, Any]) -> dict[str, float]:
    return find_reuse(baseline, candidates, machine, None).fit_times


def identical_models(baseline: Baseline, candidate: ResultSet, folder: Path) -> dict[str, ModelResult]:
    return find_reuse(baseline, [candidate], {}, folder).same


VERSIONS = {"python": "3.11.7", "scikit-learn": "1.9.1", "numpy": "2.3.0", "scipy": "1.16.0", "pandas": "3.1.1"}
HERE = describe_machine(VERSIONS, environ={})


def results(c: float, fit_s: float, data: str = "sha256:data") -> ResultSet:
    models = {
        "logistic": ModelResult(
            "logistic", "sklearn.linear_model.LogisticRegression", {"C": c}, timings={"fit_s": fit_s}
        ),
        "tree": ModelResult(
            "tree", "sklearn.tree.DecisionTreeClassifier", {"max_depth": 3}, timings={"fit_s": fit_s / 10}
        ),
    }
    return ResultSet(
        models=models, task="classification", primary="accuracy", evaluation=Evaluation("holdout", 80, 20, None, data)
    )


def cached(tmp_path: Path, machine: dict[str, Any] | None, data: str = "sha256:data") -> Baseline:
    folder = tmp_path / "cache"
    write_results(folder, results(c=1.0, fit_s=2.0, data=data))
    manifest: dict[str, Any] = {"manifest_version": 1}
    if machine is not None:
        manifest["machine"] = machine
    (folder / "manifest.json").write_text(json.dumps(manifest))
    return Baseline("a" * 40, "cache", folder, "cached")


def test_unchanged_models_take_the_candidates_fit_time_and_changed_ones_are_refitted_elsewhere(tmp_path: Path) -> None:
    other = {**HERE, "fingerprint": "sha256:" + "0" * 64}
    known = known_fit_times(cached(tmp_path, other), [results(c=0.5, fit_s=3.0)], HERE)
    assert known == {"tree": 0.3}  # the changed logistic model is refitted here: timed on another machine


def test_on_the_same_machine_the_cached_fit_times_are_re_used(tmp_path: Path) -> None:
    known = known_fit_times(cached(tmp_path, HERE), [results(c=0.5, fit_s=3.0)], HERE)
    assert known == {"tree": 0.3, "logistic": 2.0}


@pytest.mark.parametrize("machine", [None, {"cpu": "x"}, {"fingerprint": 7}])
def test_a_cache_without_a_usable_machine_entry_re_uses_nothing_stored(
    tmp_path: Path, machine: dict[str, Any] | None
) -> None:
    known = known_fit_times(cached(tmp_path, machine), [results(c=0.5, fit_s=3.0)], HERE)
    assert known == {"tree": 0.3}


def test_other_evaluation_data_re_uses_nothing(tmp_path: Path) -> None:
    known = known_fit_times(cached(tmp_path, HERE, data="sha256:old"), [results(c=0.5, fit_s=3.0)], HERE)
    assert known == {}


def test_an_unreadable_manifest_re_uses_nothing_stored(tmp_path: Path) -> None:
    baseline = cached(tmp_path, HERE)
    (baseline.folder / "manifest.json").write_text("{not json")  # type: ignore[operator]
    assert known_fit_times(baseline, [results(c=0.5, fit_s=3.0)], HERE) == {"tree": 0.3}


MODELS = """
logistic: {estimator: sklearn.linear_model.LogisticRegression, params: {C: %s}}
tree: {estimator: sklearn.tree.DecisionTreeClassifier, params: {max_depth: 3}}
"""
TRUST = "artifacts: {trusted_types: [sklearn.tree._tree.Tree]}\n"


def test_identical_models_are_the_ones_with_equal_fitted_content(tmp_path: Path) -> None:
    from mlgate.config import load_config
    from mlgate.training.run import train_models
    from unit.training.project import write_project

    path = write_project(tmp_path / "p", models=MODELS % 1.0, extra=TRUST)
    train_models(load_config(path), out=tmp_path / "main")
    write_project(tmp_path / "p", models=MODELS % 0.5, extra=TRUST)  # the PR changes the logistic model
    pr = train_models(load_config(path), out=tmp_path / "pr").results
    baseline = Baseline("a" * 40, "cache", tmp_path / "main", "cached")
    same = identical_models(baseline, pr, tmp_path / "pr")
    assert set(same) == {"tree"}
    assert same["tree"] == pr.models["tree"]


def test_identical_models_need_the_same_holdout_rows(tmp_path: Path) -> None:
    from mlgate.config import load_config
    from mlgate.training.run import train_models
    from unit.training.project import write_project

    data = "{schema: schema.yaml, train: data/train.csv, split: {folds: 3}}"
    path = write_project(tmp_path / "p", models=MODELS % 1.0, extra=TRUST, data=data)
    train_models(load_config(path), out=tmp_path / "main")
    pr = train_models(load_config(path), out=tmp_path / "pr").results
    baseline = Baseline("a" * 40, "cache", tmp_path / "main", "cached")
    assert identical_models(baseline, pr, tmp_path / "pr") == {}  # cross-validation: folds are refitted


def test_stored_fit_times_need_the_same_rows_not_just_the_same_files(tmp_path: Path) -> None:
    baseline = cached(tmp_path, HERE)
    other_split = results(c=0.5, fit_s=3.0)
    other_split = ResultSet(
        models=other_split.models,
        task="classification",
        primary="accuracy",
        evaluation=Evaluation("holdout", 70, 30, None, "sha256:data"),
    )
    assert known_fit_times(baseline, [other_split], HERE) == {}
