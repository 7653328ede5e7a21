from __future__ import annotations

import re
from pathlib import Path

import pytest

from mlgate.config import Config, find_config, load_config
from mlgate.errors import ConfigError


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults_without_a_file(tmp_path: Path) -> None:
    config = load_config(cwd=tmp_path, environ={})
    assert config == Config(root=tmp_path)
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
    assert config.data.schema == "s.yaml"
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
    assert config.data.datasets == ("a.csv", "b.csv")


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


def test_resolve_keeps_uris_and_anchors_paths(tmp_path: Path) -> None:
    config = Config(root=tmp_path)
    assert config.resolve("s3://bucket/key.csv") == "s3://bucket/key.csv"
    assert config.resolve("/abs/data.csv") == "/abs/data.csv"
    assert config.resolve("data.csv").endswith("data.csv")
