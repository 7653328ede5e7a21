"""The configuration and the schema load, and the project's own model factory builds (no data needed)."""

from __future__ import annotations

from pathlib import Path

from mlgate.config import load_config
from mlgate.data.schema import load_schema

ROOT = Path(__file__).resolve().parent.parent


def test_config_and_schema_agree() -> None:
    config = load_config(ROOT / "mlgate.yaml", environ={})
    schema = load_schema(ROOT / "data" / "schema.yaml")
    assert config.task == "{{ cookiecutter.task }}"
    assert config.target in schema.names, f"target {config.target!r} is not a field of data/schema.yaml"
    assert config.models, "mlgate.yaml declares no models"


def test_feature_factory_builds_an_estimator() -> None:
    from {{ cookiecutter.package_name }}.features import make_model

    model = make_model()
    assert hasattr(model, "fit")
    assert hasattr(model, "predict")
