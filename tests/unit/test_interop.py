"""read_result_set: mlgate results, DVC-style metrics (JSON/YAML/TOML, nested keys), params.yaml."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mlgate.errors import InputError
from mlgate.interop import flatten, read_result_set
from mlgate.results import ModelResult, ResultSet, write_results


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_mlgate_results_folder_and_file_are_read_as_they_are(tmp_path: Path) -> None:
    saved = ResultSet(models={"a": ModelResult("a", "est", metrics={"accuracy": 0.9})}, commit="abc")
    write_results(tmp_path / "run", saved)
    for location in (tmp_path / "run", tmp_path / "run" / "metrics.json"):
        loaded = read_result_set(location)
        assert (loaded.models["a"].metrics, loaded.commit, loaded.source) == ({"accuracy": 0.9}, "abc", str(location))


def test_dvc_json_is_one_model_named_after_the_file_with_flattened_numbers(tmp_path: Path) -> None:
    document = {"test": {"f1": 0.9, "auc": 1}, "loss": 0.25, "flag": True, "name": "x", "list": [1, 2], "bad": None}
    path = write(tmp_path / "scores.json", json.dumps(document))
    loaded = read_result_set(path)
    assert list(loaded.models) == ["scores"]
    assert loaded.models["scores"].metrics == {"test.f1": 0.9, "test.auc": 1.0, "loss": 0.25}
    assert list(read_result_set(path, model="forest").models) == ["forest"]


def test_dvc_yaml_and_toml_files(tmp_path: Path) -> None:
    yaml_file = write(tmp_path / "metrics.yaml", "train:\n  rmse: 1.5\n  nan: .nan\nr2: 0.7\n")
    assert read_result_set(yaml_file).models["metrics"].metrics == {"train.rmse": 1.5, "r2": 0.7}
    toml_file = write(tmp_path / "m.toml", "[eval]\naccuracy = 0.8\n")
    assert read_result_set(toml_file).models["m"].metrics == {"eval.accuracy": 0.8}


def test_a_models_key_holds_one_mapping_per_model(tmp_path: Path) -> None:
    path = write(tmp_path / "all.json", json.dumps({"models": {"a": {"acc": 0.9}, "b": {"test": {"acc": 0.8}}}}))
    loaded = read_result_set(path)
    assert {k: m.metrics for k, m in loaded.models.items()} == {"a": {"acc": 0.9}, "b": {"test.acc": 0.8}}


def test_a_folder_with_dvc_metrics_json(tmp_path: Path) -> None:
    write(tmp_path / "dvc" / "metrics.json", '{"accuracy": 0.75}')
    assert read_result_set(tmp_path / "dvc").models["metrics"].metrics == {"accuracy": 0.75}


def test_params_yaml_is_flattened_into_every_model(tmp_path: Path) -> None:
    metrics = write(tmp_path / "all.json", json.dumps({"models": {"a": {"acc": 0.9}, "b": {"acc": 0.8}}}))
    params = write(tmp_path / "params.yaml", "train:\n  C: 0.1\n  layers: [8, 4]\nseed: 7\nname: run\n")
    loaded = read_result_set(metrics, params=params)
    expected = {"train.C": 0.1, "train.layers": [8, 4], "seed": 7, "name": "run"}
    assert all(m.params == expected for m in loaded.models.values())


def test_flatten_keeps_only_finite_numbers_by_default() -> None:
    assert flatten({"a": {"b": {"c": 1}}, "d": float("inf"), "e": False}) == {"a.b.c": 1.0}
    assert flatten({"a": {"b": "x"}, "e": False}, numbers_only=False) == {"a.b": "x", "e": False}


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        ("empty.json", '{"note": "text only"}', "no numeric metrics found"),
        ("list.json", "[1, 2]", "expected a mapping of names to values, not list"),
        ("blank.yaml", "", "expected a mapping of names to values, not empty"),
        ("broken.json", "{", "not valid JSON"),
        ("broken.toml", "a = ", "not valid TOML"),
        ("some.json", '{"models": {"a": {"x": 1}, "b": {"y": "z"}}}', "no numeric metrics found for model 'b'"),
    ],
)
def test_unusable_metrics_files_are_input_errors(tmp_path: Path, name: str, text: str, message: str) -> None:
    with pytest.raises(InputError, match=message):
        read_result_set(write(tmp_path / name, text))


def test_missing_locations_say_what_to_do(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"has no metrics\.json"):
        read_result_set(tmp_path)
    with pytest.raises(InputError, match=r"nope\.json not found"):
        read_result_set(tmp_path / "nope.json")
    metrics = write(tmp_path / "m.json", '{"a": 1}')
    with pytest.raises(InputError, match="params file not found"):
        read_result_set(metrics, params=tmp_path / "params.yaml")
