from __future__ import annotations

import re
from pathlib import Path

import pytest

from mlgate.config import Config, anchor, anchor_paths, find_config, load_config
from mlgate.errors import ConfigError


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults_without_a_file(tmp_path: Path) -> None:
    config = load_config(cwd=tmp_path, environ={})
    assert config == anchor_paths(Config(), tmp_path)
    assert config.train.out == str(tmp_path / ".mlgate" / "results")
    assert config.validate.max_examples == 5


def test_a_required_config_that_is_nowhere_says_where_it_was_looked_for(tmp_path: Path) -> None:
    with pytest.raises(
        ConfigError, match=rf"^no mlgate.yaml in {re.escape(str(tmp_path))} or any folder above it\n"
    ) as info:
        load_config(cwd=tmp_path, environ={}, required=True)
    assert (
        info.value.hint
        == "create a project with `mlgate new`, or name its config with --config FILE (or MLGATE_CONFIG)"
    )
    write(tmp_path / "mlgate.yaml", "version: 1\n")
    assert load_config(cwd=tmp_path / "sub", environ={}, required=True).path == tmp_path / "mlgate.yaml"


def test_found_by_walking_up(tmp_path: Path) -> None:
    write(tmp_path / "mlgate.yaml", "data:\n  schema: s.yaml\n")
    deep = tmp_path / "a" / "b"
    deep.mkdir(parents=True)
    assert find_config(deep) == tmp_path / "mlgate.yaml"
    config = load_config(cwd=deep, environ={})
    assert config.data.schema == str(tmp_path / "s.yaml")
    assert config.as_written("data.schema") == "s.yaml"
    assert config.root == tmp_path


def test_unknown_key_names_line_and_closest_key(tmp_path: Path) -> None:
    path = write(tmp_path / "mlgate.yaml", "version: 1\ndata:\n  schema: s.yaml\n  datsets: [a.csv]\n")
    with pytest.raises(ConfigError, match=r"mlgate.yaml:4: data.datsets is not a known key") as info:
        load_config(path, environ={})
    assert info.value.hint == "did you mean 'datasets'?"


def test_unknown_section_suggests_closest(tmp_path: Path) -> None:
    path = write(tmp_path / "mlgate.yaml", "validte:\n  max_examples: 3\n")
    with pytest.raises(ConfigError, match=r":1: validte is not a known key") as info:
        load_config(path, environ={})
    assert info.value.hint == "did you mean 'validate'?"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("validate:\n  max_examples: many\n", r":2: validate.max_examples must be an integer, not a string"),
        ("validate: 3\n", r":1: validate must be a mapping, not an integer"),
        ("version: 2\n", r"version is 2; expected one of 1"),
        ("data:\n  datasets: {a: 1}\n", r"data.datasets must be a list"),
        ("- a\n- b\n", r"the config must be a mapping"),
        ("data: [\n", r"mlgate.yaml:2:1: config file is not valid YAML"),
    ],
)
def test_invalid_values_are_config_errors(tmp_path: Path, text: str, message: str) -> None:
    path = write(tmp_path / "mlgate.yaml", text)
    with pytest.raises(ConfigError, match=message):
        load_config(path, environ={})


def test_env_overrides_file_values(tmp_path: Path) -> None:
    path = write(tmp_path / "mlgate.yaml", "validate:\n  max_examples: 3\n")
    env = {"MLGATE_VALIDATE__MAX_EXAMPLES": "9", "MLGATE_DATA__DATASETS": "[a.csv, b.csv]", "MLGATE_DEBUG": "1"}
    config = load_config(path, environ=env)
    assert config.validate.max_examples == 9
    assert config.data.datasets == (str(tmp_path / "a.csv"), str(tmp_path / "b.csv"))
    assert config.written["data.datasets"] == ("a.csv", "b.csv")


def test_unknown_env_variable_suggests_closest(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"MLGATE_VALIDATE__MAX_EXAMPLS is not a config key") as info:
        load_config(cwd=tmp_path, environ={"MLGATE_VALIDATE__MAX_EXAMPLS": "3"})
    assert info.value.hint == "did you mean MLGATE_VALIDATE__MAX_EXAMPLES?"


def test_mlgate_config_env_points_at_the_file(tmp_path: Path) -> None:
    path = write(tmp_path / "other.yaml", "validate:\n  max_annotations: 7\n")
    config = load_config(cwd=tmp_path / "..", environ={"MLGATE_CONFIG": str(path)})
    assert config.validate.max_annotations == 7


def test_missing_explicit_file_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"config file not found"):
        load_config(tmp_path / "absent.yaml", environ={})


def test_anchor_keeps_uris_and_absolute_paths_and_takes_relative_ones_against_the_folder(tmp_path: Path) -> None:
    assert anchor("s3://bucket/key.csv", tmp_path) == "s3://bucket/key.csv"
    assert anchor("/abs/data.csv", tmp_path) == "/abs/data.csv"
    assert anchor("data/x.csv", tmp_path) == str(tmp_path / "data" / "x.csv")
    assert anchor("~/x.csv", tmp_path) == str(Path.home() / "x.csv")


def test_locations_are_anchored_at_the_config_folder_whatever_the_working_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project, elsewhere = tmp_path / "project", tmp_path / "elsewhere"
    elsewhere.mkdir()
    text = "data: {train: data/train.csv, test: s3://b/test.csv}\nregistry: {path: /srv/registry}\n"
    project.mkdir()
    path = write(project / "mlgate.yaml", text)
    env = {"MLGATE_MONITOR__CAPTURE": "captured", "MLGATE_DATA__SCHEMA": "schema.yaml"}
    for cwd in (project, elsewhere):
        monkeypatch.chdir(cwd)
        config = load_config(Path("../project/mlgate.yaml") if cwd == elsewhere else None, environ=env)
        assert config.path == (cwd / "../project/mlgate.yaml" if cwd == elsewhere else path)
        assert config.data.train == str(config.root / "data" / "train.csv")
        assert (config.data.test, config.registry.path) == ("s3://b/test.csv", "/srv/registry")
        assert config.data.schema == str(config.root / "schema.yaml")  # the environment's too
        assert config.monitor.capture == str(config.root / "captured")
        assert config.deploy.state == str(config.root / ".mlgate" / "serve")  # defaults as well
        assert (config.as_written("data.train"), config.as_written("deploy.state")) == (
            "data/train.csv",
            ".mlgate/serve",
        )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "models:\n  lr:\n    estimator: a.B\n    params: {C: .inf}\n",
            r":4: models\.lr\.params\.C is inf; it must be",
        ),
        (
            "models:\n  lr:\n    estimator: a.B\n    params: {grid: [1, {x: .nan}]}\n",
            r":4: models\.lr\.params\.grid\.1\.x is nan",
        ),
        ("models:\n  lr:\n    estimator: a.B\n    params: {tol: -.Inf}\n", r":4: models\.lr\.params\.tol is -inf"),
        ("metrics:\n  alpha: .nan\n", r":2: metrics\.alpha is nan; it must be a finite number"),
        ("deploy:\n  smoke: {tolerance: .inf}\n", r":2: deploy\.smoke\.tolerance is inf"),
        ("retrain:\n  min_improvement: 1.0e+400\n", r":2: retrain\.min_improvement is inf"),
        (
            "monitor:\n  alpha: 100000000000000000000000000000000000000000\n",
            r":2: monitor\.alpha is an integer of 42 digits",
        ),
        (
            "validate:\n  max_examples: 99999999999999999999\n",
            r":2: validate\.max_examples is 99999999999999999999; a number here must be below 2\*\*63",
        ),
        (
            "models:\n  lr:\n    estimator: a.B\n    params: {max_iter: 99999999999999999999}\n",
            r"models\.lr\.params\.max_iter is 99999999999999999999",
        ),
    ],
)
def test_non_finite_and_huge_numbers_are_refused_at_load_naming_the_key(
    tmp_path: Path, text: str, message: str
) -> None:
    with pytest.raises(ConfigError, match=message):
        load_config(write(tmp_path / "mlgate.yaml", text), environ={})


def test_a_non_finite_number_from_the_environment_is_refused_too(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"^config key metrics\.alpha is inf; it must be a finite number"):
        load_config(cwd=tmp_path, environ={"MLGATE_METRICS__ALPHA": ".inf"})


def test_an_alias_bomb_in_the_environment_is_refused(tmp_path: Path) -> None:
    levels = ["&a [" + ", ".join(["x"] * 10) + "]"]
    levels += [f"&{c} [" + ", ".join([f"*{chr(ord(c) - 1)}"] * 10) + "]" for c in "bcdef"]  # 10**6 values
    with pytest.raises(ConfigError, match=r"MLGATE_DATA__DATASETS: value is refused: aliases expand it by more than"):
        load_config(cwd=tmp_path, environ={"MLGATE_DATA__DATASETS": f"[{', '.join(levels)}]"})


def test_a_folder_named_mlgate_yaml_is_said_to_be_a_folder(tmp_path: Path) -> None:
    (tmp_path / "mlgate.yaml").mkdir()
    (tmp_path / "sub").mkdir()
    with pytest.raises(ConfigError, match=r"mlgate\.yaml is a directory, not a config file") as info:
        load_config(cwd=tmp_path / "sub", environ={}, required=True)
    assert "--config FILE" in (info.value.hint or "")
    with pytest.raises(ConfigError, match=r"config file is a directory, not a file"):
        load_config(tmp_path / "mlgate.yaml", environ={})


def test_mapping_sections_are_read_only(tmp_path: Path) -> None:
    path = write(
        tmp_path / "mlgate.yaml", "models: {m: {estimator: a.B, params: {C: 1}}}\nmetrics: {gates: {accuracy: {}}}\n"
    )
    config = load_config(path, environ={})
    for mapping in (config.models, config.models["m"].params, config.metrics.gates, Config().models):
        with pytest.raises(TypeError, match="does not support item assignment"):
            mapping["new"] = None  # type: ignore[index]
    assert dict(config.models["m"].params) == {"C": 1}


def test_tracking_is_off_without_its_section_and_on_with_an_empty_one(tmp_path: Path) -> None:
    path = tmp_path / "mlgate.yaml"
    path.write_text("version: 1\n", encoding="utf-8")
    assert load_config(path, environ={}).tracking.mlflow is None
    path.write_text("tracking: {mlflow: {}}\n", encoding="utf-8")
    settings = load_config(path, environ={}).tracking.mlflow
    assert settings is not None
    assert (settings.tracking_uri, settings.experiment) == (None, "mlgate")


def test_tracking_keys_can_be_set_from_the_environment(tmp_path: Path) -> None:
    path = tmp_path / "mlgate.yaml"
    path.write_text("version: 1\n", encoding="utf-8")
    environ = {"MLGATE_TRACKING__MLFLOW__EXPERIMENT": "churn"}
    settings = load_config(path, environ=environ).tracking.mlflow
    assert settings is not None
    assert settings.experiment == "churn"


def test_credentials_in_the_tracking_uri_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "mlgate.yaml"
    path.write_text("tracking:\n  mlflow:\n    tracking_uri: https://me:pw@mlflow.example.com\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"mlgate.yaml:3: tracking.mlflow.tracking_uri holds credentials") as caught:
        load_config(path, environ={})
    assert "MLFLOW_TRACKING_USERNAME" in str(caught.value.hint)
