"""build_candidate: which model, what is verified first, and everything a version records."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import re
import shutil
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from mlgate.artifacts import load_model
from mlgate.config import Config, MetricsConfig, load_config
from mlgate.errors import InputError
from mlgate.registry.build import build_candidate, check_features, check_same_data, choose_model
from mlgate.registry.samples import frame_from_records
from mlgate.results import ModelResult, ResultSet, read_results
from mlgate.training.predictions import read_predictions
from mlgate.training.run import train_models
from unit.training.project import F_CLASSIF, PICKY, write_project

ROOT = Path(__file__).resolve().parents[3]
STATS_SCHEMA = json.loads((ROOT / "docs" / "schemas" / "reference-stats.schema.json").read_text(encoding="utf-8"))
NOW = dt.datetime(2026, 11, 20, 9, 0, tzinfo=dt.timezone.utc)
MODELS = (
    """
logistic: {estimator: sklearn.linear_model.LogisticRegression}
tree: {estimator: sklearn.tree.DecisionTreeClassifier, params: {max_depth: 3}}
"""
    + PICKY
)
EXTRA = f"artifacts: {{trusted_types: [{F_CLASSIF}]}}\nmetrics: {{names: [accuracy, f1_macro], primary: accuracy}}\n"


def fake_git(argv: Sequence[str], cwd: Path) -> tuple[int, str, str]:
    return 0, "c" * 40 + "\n", ""


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> tuple[Config, Path]:
    folder = tmp_path_factory.mktemp("project")
    config = load_config(write_project(folder, models=MODELS, extra=EXTRA))
    train_models(config, out=folder / "results", runner=fake_git)
    return config, folder / "results"


def build(config: Config, results: Path, **kwargs: Any) -> Any:
    options: dict[str, Any] = {"model": None, "best": True, "by": "alice", "now": NOW, **kwargs}
    return build_candidate(results, config, **options)


def test_the_best_model_is_registered_with_everything_it_records(project: tuple[Config, Path]) -> None:
    config, results = project
    trained = read_results(results)
    winner = max(trained.models.values(), key=lambda m: m.metrics["accuracy"])
    messages: list[str] = []
    candidate = build(config, results, progress=messages.append)
    v = candidate.version
    assert (v.model, v.metrics, v.params) == (winner.name, winner.metrics, winner.params)
    assert winner.artifact is not None
    assert v.sha256 == winner.artifact.sha256
    assert candidate.artifact_file == results / winner.artifact.path
    assert v.commit == "c" * 40
    assert trained.evaluation is not None
    assert v.data_sha256 == trained.evaluation.data_sha256
    manifest = json.loads((results / "manifest.json").read_text(encoding="utf-8"))
    assert v.schema_sha256 == manifest["schema"]["sha256"]
    assert (v.registered_by, v.registered_at) == ("alice", "2026-11-20T09:00:00+00:00")
    assert [(c.status, c.by) for c in v.history] == [("pending", "alice")]
    assert v.features == ("id", "x1", "x2", "color", "flag", "day", "amount")
    assert (v.extra["primary"], v.extra["target"]) == ("accuracy", "label")
    assert v.extra["feature_kinds"] == {
        "id": "string",
        "x1": "number",
        "x2": "number",
        "color": "string",
        "flag": "number",
        "day": "number",
        "amount": "number",
    }
    assert v.feature_schema is not None  # how the endpoint reads request values, as training read the files
    assert [(f["name"], f["type"]) for f in v.feature_schema["fields"]] == [
        ("id", "string"),
        ("x1", "number"),
        ("x2", "integer"),
        ("color", "string"),
        ("flag", "boolean"),
        ("day", "date"),
        ("amount", "number"),
    ]
    assert "constraints" not in v.feature_schema["fields"][0]  # reading, not validation
    assert messages[0].startswith("verifying ")
    jsonschema.validate(v.reference_stats, STATS_SCHEMA)
    jsonschema.validate(v.prediction_stats, STATS_SCHEMA)
    assert v.reference_stats is not None
    assert v.reference_stats["rows"] == 120
    # labelled with the version's own training data: the path holds other data after the next fetch
    train = config.data.train or ""
    digest = hashlib.sha256(Path(train).read_bytes()).hexdigest()
    assert (
        v.reference_stats["source"]
        == f"training data of {v.model}: {config.as_written('data.train')}, sha256 {digest[:12]}…, 120 rows"
    )
    assert (v.reference_stats["source_sha256"], v.reference_stats["source_bytes"]) == (
        digest,
        Path(train).stat().st_size,
    )
    assert v.prediction_stats is not None
    predicted = v.prediction_stats["fields"]["prediction"]
    rows = read_predictions(results)
    assert rows is not None
    # the reference of prediction drift: the evaluation rows, which the model was not fitted on
    assert (predicted["kind"], predicted["count"]) == ("categorical", rows.rows)
    assert (
        v.prediction_stats["source"]
        == f"predictions of {v.model} on its {rows.rows} evaluation rows ({config.as_written('data.test')}), not fitted on"
    )
    assert v.uncertainty is not None  # the holdout's predictions give each metric's spread
    assert set(v.uncertainty) == {"accuracy", "f1_macro"}
    share = (v.metrics["accuracy"] * rows.rows + 1) / (rows.rows + 2)
    assert v.uncertainty["accuracy"] == {
        "n": rows.rows,
        "se": pytest.approx((share * (1 - share) / (rows.rows + 2)) ** 0.5),
    }


def test_golden_rows_are_deterministic_and_reproduce_the_model(project: tuple[Config, Path]) -> None:
    config, results = project
    first = build(config, results, model="tree", best=False).version
    again = build(config, results, model="tree", best=False).version
    assert first.golden == again.golden
    assert len(first.golden) == config.registry.golden_rows == 5
    assert first.trusted_types == ()  # scikit-learn's own tree structure is trusted by default
    assert build(config, results, model="picky", best=False).version.trusted_types == (F_CLASSIF,)
    model = load_model(Path(first.artifact), sha256=first.sha256, trusted=first.trusted_types)
    records = [row.features for row in first.golden]
    assert all(set(r) == set(first.features) for r in records)
    like = frame_from_records(records, _training_frame(config))
    assert [bool(p) for p in model.predict(like)] == [row.prediction for row in first.golden]
    assert json.loads(json.dumps([r.features for r in first.golden])) == records  # plain JSON values


def _training_frame(config: Config) -> Any:
    from mlgate.training.dataset import load_training_data

    return load_training_data(config).train.X.head(0)


def test_golden_rows_can_be_switched_off(project: tuple[Config, Path]) -> None:
    config, results = project
    config = dataclasses.replace(config, registry=dataclasses.replace(config.registry, golden_rows=0))
    assert build(config, results).version.golden == ()


def test_a_tampered_artifact_is_refused_before_anything_else(project: tuple[Config, Path], tmp_path: Path) -> None:
    config, results = project
    copy = tmp_path / "results"
    shutil.copytree(results, copy)
    (copy / "models" / "logistic" / "model.skops").write_bytes(b"not the model")
    with pytest.raises(InputError, match=r"tampered artifact: .*logistic/model.skops"):
        build(config, copy, model="logistic", best=False)


def test_an_artifact_needing_untrusted_types_is_refused(project: tuple[Config, Path]) -> None:
    config, results = project
    untrusting = dataclasses.replace(config, artifacts=dataclasses.replace(config.artifacts, trusted_types=()))
    with pytest.raises(InputError, match=rf"holds types skops does not trust by default: {re.escape(F_CLASSIF)}"):
        build(untrusting, results, model="picky", best=False)


def test_data_changed_since_training_is_refused(project: tuple[Config, Path], tmp_path: Path) -> None:
    _, results = project
    moved = write_project(tmp_path / "p", models=MODELS, extra=EXTRA, test_rows=30)
    with pytest.raises(InputError, match=r"the data in mlgate.yaml is not the data .* was trained on"):
        build(load_config(moved), results)


def test_the_schema_must_be_the_one_trained_with() -> None:
    manifest = {"data": [{"sha256": "a"}], "schema": {"sha256": "s1"}}
    check_same_data(manifest, ["a"], "s1", Path("r"))
    check_same_data({}, ["anything"], "any", Path("r"))  # no manifest: nothing to compare with
    with pytest.raises(InputError, match=r"the schema in mlgate.yaml is not the schema r was trained with"):
        check_same_data(manifest, ["a"], "s2", Path("r"))


def test_features_must_be_those_the_model_was_fitted_on() -> None:
    class Fitted:
        feature_names_in_ = ("a", "b")

    assert check_features(Fitted(), ("a", "b"), what="model 'm'") == ("a", "b")
    assert check_features(object(), ("z",), what="model 'm'") == ("z",)
    with pytest.raises(InputError, match=r"model 'm' was fitted on features a, b, but mlgate.yaml now gives a"):
        check_features(Fitted(), ("a",), what="model 'm'")


def results_of(*scores: tuple[str, float]) -> ResultSet:
    models = {n: ModelResult(name=n, estimator="e", metrics={"accuracy": s, "log_loss": 1 - s}) for n, s in scores}
    return ResultSet(models=models, primary="accuracy", source="out")


@pytest.mark.parametrize(
    ("results", "model", "best", "metrics", "expected"),
    [
        (results_of(("a", 0.7), ("b", 0.9), ("c", 0.9)), None, True, MetricsConfig(), "b"),  # ties: the first
        (results_of(("a", 0.7), ("b", 0.9)), None, True, MetricsConfig(primary="log_loss"), "b"),
        (results_of(("a", 0.7), ("b", 0.9)), "a", False, MetricsConfig(), "a"),
        (results_of(("only", 0.1)), None, False, MetricsConfig(), "only"),
    ],
)
def test_choose_model(results: ResultSet, model: str | None, best: bool, metrics: MetricsConfig, expected: str) -> None:
    assert choose_model(results, Config(metrics=metrics), model=model, best=best) == expected


def test_lower_is_better_primaries_pick_the_lowest() -> None:
    results = dataclasses.replace(results_of(("a", 0.7), ("b", 0.9)), primary="log_loss")
    assert choose_model(results, Config(), model=None, best=True) == "b"  # log_loss 0.1 < 0.3


@pytest.mark.parametrize(
    ("model", "best", "message"),
    [
        ("a", True, "pass --best or --model NAME, not both"),
        ("forset", False, "--model forset: no such model in out"),
        (None, False, "out holds 2 models \\(a, b\\): which one\\?"),
    ],
)
def test_choose_model_refuses_ambiguity(model: str | None, best: bool, message: str) -> None:
    with pytest.raises(InputError, match=message):
        choose_model(results_of(("a", 0.7), ("b", 0.9)), Config(), model=model, best=best)


def test_best_needs_a_primary_metric_with_a_direction() -> None:
    results = dataclasses.replace(results_of(("a", 0.7)), primary="mystery")
    with pytest.raises(InputError, match=r"cannot pick the best model of out: primary metric 'mystery'"):
        choose_model(results, Config(), model=None, best=True)


def test_under_cross_validation_prediction_drift_is_measured_against_the_training_rows_and_says_so(
    tmp_path: Path,
) -> None:
    data = "{schema: schema.yaml, train: data/train.csv, split: {folds: 3}}"
    config = load_config(write_project(tmp_path, models=MODELS, extra=EXTRA, data=data))
    train_models(config, out=tmp_path / "results", runner=fake_git)
    v = build(config, tmp_path / "results").version
    assert v.prediction_stats["fields"]["prediction"]["count"] == 120  # no held-out rows: the training data
    assert v.prediction_stats["source"].startswith(
        f"predictions of {v.model} on its training data (cross-validated: no held-out rows): data/train.csv, sha256 "
    )
