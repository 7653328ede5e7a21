"""train_models: fit, score, time and save every candidate; metrics.json, manifest.json, artifacts."""

from __future__ import annotations

import hashlib
import json
import re
import textwrap
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from mlgate.artifacts import load_model
from mlgate.config import load_config
from mlgate.errors import ConfigError, InputError
from mlgate.results import TIMING_LABELS, read_results
from mlgate.training.run import train_models
from unit.training.project import F_CLASSIF, PICKY, write_project

MODELS = """
logistic: {estimator: sklearn.linear_model.LogisticRegression, params: {C: 0.5}}
tree: {estimator: sklearn.tree.DecisionTreeClassifier, params: {max_depth: 3}}
"""
TRUST = "artifacts: {trusted_types: [sklearn.tree._tree.Tree]}\n"
SHA = "a" * 40


def fake_git(argv: Sequence[str], cwd: Path) -> tuple[int, str, str]:
    assert list(argv) == ["rev-parse", "HEAD"]
    return 0, SHA + "\n", ""


def test_trains_every_model_and_writes_the_results_folder(tmp_path: Path) -> None:
    config = load_config(write_project(tmp_path / "p", models=MODELS, extra=TRUST))
    messages: list[str] = []
    run = train_models(config, out=tmp_path / "out", progress=messages.append, runner=fake_git)
    results = run.results
    assert list(results.models) == ["logistic", "tree"]
    assert results.task == "classification"
    assert results.primary == "accuracy"
    assert results.commit == SHA
    assert results.evaluation is not None
    evaluation = results.evaluation
    assert (evaluation.kind, evaluation.train_rows, evaluation.test_rows) == ("holdout", 120, 40)
    for name, model in results.models.items():
        assert set(model.metrics) == {"accuracy", "f1_macro", "roc_auc"}
        assert all(0.0 <= v <= 1.0 for v in model.metrics.values())
        assert list(model.timings) == list(TIMING_LABELS)
        assert model.folds == {}
        assert model.artifact is not None
        assert model.artifact.path == f"models/{name}/model.skops"
        data = (tmp_path / "out" / model.artifact.path).read_bytes()
        assert model.artifact.sha256 == hashlib.sha256(data).hexdigest()
        assert model.timings["model_kb"] == round(len(data) / 1024, 2)
    assert results.models["logistic"].params["C"] == 0.5
    assert results.models["tree"].params["random_state"] == 0  # train.seed where the user set none
    assert read_results(tmp_path / "out").models["tree"].metrics == results.models["tree"].metrics
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest == run.manifest
    assert manifest["commit"] == SHA
    assert [d["rows"] for d in manifest["data"]] == [120, 40]
    assert manifest["models"]["logistic"]["notes"] == ["feature 'id' dropped: an identifier (unique or primary key)"]
    assert any(m.startswith("[2/2] tree: accuracy") for m in messages)


def test_same_input_gives_the_same_metrics(tmp_path: Path) -> None:
    models = "forest: {estimator: sklearn.ensemble.RandomForestClassifier, params: {n_estimators: 8}}"
    config = load_config(write_project(tmp_path / "p", models=models, extra=TRUST))
    first = train_models(config, out=tmp_path / "a", runner=fake_git).results
    second = train_models(config, out=tmp_path / "b", runner=fake_git).results
    assert first.models["forest"].metrics == second.models["forest"].metrics
    assert first.models["forest"].params == second.models["forest"].params


def test_cross_validation_stores_fold_values_and_their_means(tmp_path: Path) -> None:
    data = "{schema: schema.yaml, train: data/train.csv, split: {folds: 4, seed: 3}}"
    config = load_config(write_project(tmp_path / "p", models=MODELS, data=data, extra=TRUST))
    results = train_models(config, out=tmp_path / "out", runner=fake_git).results
    assert results.evaluation is not None
    assert (results.evaluation.kind, results.evaluation.folds, results.evaluation.train_rows) == ("cv", 4, 120)
    for model in results.models.values():
        assert set(model.folds) == set(model.metrics)
        for name, values in model.folds.items():
            assert len(values) == 4
            assert model.metrics[name] == pytest.approx(float(np.mean(values)))


def test_only_selects_models_and_unknown_names_are_errors(tmp_path: Path) -> None:
    config = load_config(write_project(tmp_path / "p", models=MODELS, extra=TRUST))
    results = train_models(config, out=tmp_path / "out", only=["tree"], runner=fake_git).results
    assert list(results.models) == ["tree"]
    with pytest.raises(ConfigError, match=r"--only tres: no model of that name") as caught:
        train_models(config, out=tmp_path / "out", only=["tres"], runner=fake_git)
    assert caught.value.hint == "did you mean 'tree'?"


def test_regression_defaults_store_errors_as_positive_values(tmp_path: Path) -> None:
    models = "ridge: {estimator: sklearn.linear_model.Ridge}"
    path = write_project(tmp_path / "p", models=models, task="regression", target="amount")
    results = train_models(load_config(path), out=tmp_path / "out", runner=fake_git).results
    metrics = results.models["ridge"].metrics
    assert list(metrics) == ["r2", "root_mean_squared_error", "mean_absolute_error"]
    assert metrics["r2"] > 0.8
    assert 0 < metrics["mean_absolute_error"] <= metrics["root_mean_squared_error"]
    assert results.primary == "r2"


def test_configured_metrics_and_primary(tmp_path: Path) -> None:
    extra = "metrics: {names: [balanced_accuracy, neg_log_loss], primary: neg_log_loss}\n"
    results = train_models(
        load_config(write_project(tmp_path / "p", models=MODELS, extra=TRUST + extra)),
        out=tmp_path / "out",
        runner=fake_git,
    ).results
    assert set(results.models["logistic"].metrics) == {"balanced_accuracy", "log_loss"}
    assert results.models["logistic"].metrics["log_loss"] > 0
    assert results.primary == "log_loss"


def test_user_pipeline_with_preprocess_none(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    package = tmp_path / "h1_run_pkg"
    package.mkdir()
    (package / "__init__.py").write_text("", encoding="utf-8")
    (package / "models.py").write_text(
        textwrap.dedent("""
        from sklearn.compose import ColumnTransformer
        from sklearn.impute import SimpleImputer
        from sklearn.linear_model import LogisticRegression
        from sklearn.pipeline import Pipeline


        def numbers_only():
            columns = ColumnTransformer([("num", SimpleImputer(), ["x1", "x2"])])
            return Pipeline([("columns", columns), ("model", LogisticRegression())])
    """),
        encoding="utf-8",
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    models = "mine: {estimator: 'h1_run_pkg.models:numbers_only', params: {model__C: 2.0}, preprocess: none}"
    results = train_models(
        load_config(write_project(tmp_path / "p", models=models)), out=tmp_path / "out", runner=fake_git
    ).results
    model = results.models["mine"]
    assert model.estimator == "h1_run_pkg.models:numbers_only"
    step = model.params["steps"][1]
    assert step[0] == "model"
    assert step[1]["class"] == "sklearn.linear_model._logistic.LogisticRegression"
    assert step[1]["params"]["C"] == 2.0
    json.dumps(model.params, allow_nan=False)  # plain JSON data
    assert model.artifact is not None
    loaded = load_model(tmp_path / "out" / model.artifact.path, sha256=model.artifact.sha256, trusted=())
    assert [name for name, _ in loaded.steps] == ["columns", "model"]  # not wrapped in mlgate's preprocessing


def test_scale_sensitive_models_get_a_scaler(tmp_path: Path) -> None:
    models = "svm: {estimator: sklearn.svm.SVC}\nlogistic: {estimator: sklearn.linear_model.LogisticRegression}"
    results = train_models(
        load_config(write_project(tmp_path / "p", models=models)), out=tmp_path / "out", runner=fake_git
    ).results
    assert set(results.models["svm"].metrics) == {"accuracy", "f1_macro"}  # SVC has no predict_proba by default
    artifact = results.models["svm"].artifact
    assert artifact is not None
    loaded = load_model(tmp_path / "out" / artifact.path, sha256=artifact.sha256, trusted=())
    numeric = loaded.named_steps["preprocess"].transformers[0][1]
    assert [name for name, _ in numeric.steps] == ["impute", "scale"]


def test_untrusted_artifact_types_stop_the_run(tmp_path: Path) -> None:
    config = load_config(write_project(tmp_path / "p", models=PICKY))
    with pytest.raises(InputError, match=rf"model 'picky': its artifact holds types .*{re.escape(F_CLASSIF)}"):
        train_models(config, out=tmp_path / "out", runner=fake_git)
    assert not (tmp_path / "out" / "models" / "picky").exists()
    trusting = load_config(
        write_project(tmp_path / "q", models=PICKY, extra=f"artifacts: {{trusted_types: [{F_CLASSIF}]}}\n")
    )
    picky = train_models(trusting, out=tmp_path / "out", runner=fake_git).results.models["picky"].artifact
    assert picky is not None
    assert load_model(tmp_path / "out" / picky.path, sha256=picky.sha256, trusted=[F_CLASSIF]) is not None


def test_scikit_learns_own_tree_needs_no_trusted_types(tmp_path: Path) -> None:
    config = load_config(write_project(tmp_path / "p", models=MODELS))
    assert config.artifacts.trusted_types == ()
    tree = train_models(config, out=tmp_path / "out", runner=fake_git).results.models["tree"].artifact
    assert tree is not None
    assert load_model(tmp_path / "out" / tree.path, sha256=tree.sha256, trusted=()) is not None


@pytest.mark.parametrize(
    ("models", "message"),
    [
        (
            "m: {estimator: sklearn.ensembl.RandomForestClassifier}",
            r"model 'm': .*cannot import module 'sklearn\.ensembl'",
        ),
        (
            "m: {estimator: sklearn.tree.DecisionTreeClasifier}",
            r"model 'm': .*has no attribute 'DecisionTreeClasifier'",
        ),
        (
            "m: {estimator: sklearn.tree.DecisionTreeClassifier, params: {max_dept: 3}}",
            r"model 'm': .*no parameter 'max_dept'",
        ),
        (
            "m: {estimator: sklearn.tree.DecisionTreeClassifier, params: {max_depth: -3}}",
            r"model 'm': The 'max_depth' parameter",
        ),
        ("m: {estimator: 'not a path'}", r"model 'm': estimator 'not a path' is not an import path"),
        ("m: {estimator: collections.OrderedDict}", r"model 'm': .*not a scikit-learn estimator"),
    ],
)
def test_model_errors_name_the_model(tmp_path: Path, models: str, message: str) -> None:
    config = load_config(write_project(tmp_path / "p", models=models, extra=TRUST))
    with pytest.raises(ConfigError, match=message):
        train_models(config, out=tmp_path / "out", runner=fake_git)


def test_a_model_name_that_is_no_folder_name_is_refused_when_the_config_loads(tmp_path: Path) -> None:
    path = write_project(tmp_path / "p", models="'../m': {estimator: sklearn.tree.DecisionTreeClassifier}", extra=TRUST)
    with pytest.raises(
        ConfigError, match=r"mlgate\.yaml:\d+: models\.\.\./m \('\.\./m'\) cannot be used as a folder name"
    ):
        load_config(path)


def test_no_models_is_a_config_error(tmp_path: Path) -> None:
    path = write_project(tmp_path / "p", models="{}")
    with pytest.raises(ConfigError, match="declares no models"):
        train_models(load_config(path), out=tmp_path / "out", runner=fake_git)


def test_a_failed_write_leaves_the_previous_results_folder_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = load_config(write_project(tmp_path / "p", models=MODELS, extra=TRUST))
    out = tmp_path / "out"
    train_models(config, out=out, runner=fake_git)
    before = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}

    def full_disk(path: Path, data: str | bytes) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("mlgate.training.run.write_atomic", full_disk)  # the manifest, after metrics.json
    with pytest.raises(
        InputError, match=r"cannot write the results folder .*out: No space left on device; it was left"
    ):
        train_models(config, out=out, runner=fake_git)
    assert {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out", "p"]  # no staging folder left behind


def test_a_new_run_replaces_the_whole_folder_and_a_foreign_folder_is_refused(tmp_path: Path) -> None:
    config = load_config(write_project(tmp_path / "p", models=MODELS, extra=TRUST))
    out = tmp_path / "out"
    (out / "models" / "gone").mkdir(parents=True)
    (out / "models" / "gone" / "model.skops").write_bytes(b"stale")
    train_models(config, out=out, only=["tree"], runner=fake_git)
    assert sorted(p.name for p in (out / "models").iterdir()) == ["tree"]
    (out / "notes.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(InputError, match=r"results folder .*out holds files mlgate did not write \(notes.txt\)"):
        train_models(config, out=out, runner=fake_git)
    assert (out / "notes.txt").read_text(encoding="utf-8") == "mine"
