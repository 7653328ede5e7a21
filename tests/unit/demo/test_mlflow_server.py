"""The demo's MLflow server: found on PATH or a clear exit 2, a server that dies is reported, the URI restored."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from mlgate.demo.mlflow_server import registry_settings, serving_mlflow
from mlgate.errors import ConfigError, ServiceError


def test_the_settings_point_the_registry_at_the_demo_server() -> None:
    assert registry_settings("http://127.0.0.1:5001") == {
        "MLGATE_REGISTRY__BACKEND": "mlflow",
        "MLGATE_REGISTRY__MLFLOW__TRACKING_URI": "http://127.0.0.1:5001",
        "MLGATE_REGISTRY__MLFLOW__MODEL_NAME": "demo-churn",
    }


def test_no_mlflow_command_is_a_config_error_naming_the_package(tmp_path: Path) -> None:
    with (
        pytest.raises(ConfigError, match=r"no `mlflow` command is on PATH") as caught,
        serving_mlflow(tmp_path, lambda _m: None, find=lambda _name: None, environ={}),
    ):
        pass
    assert caught.value.hint == "install the server: pip install mlflow (or run the demo without --registry mlflow)"


def test_a_server_that_exits_at_once_is_reported_and_the_uri_is_left_alone(tmp_path: Path) -> None:
    (tmp_path / "bin").mkdir()
    fake = tmp_path / "bin" / "mlflow"
    fake.write_text("#!/bin/sh\necho 'no such option' >&2\nexit 3\n", encoding="utf-8")
    os.chmod(fake, 0o755)
    environ = {"MLFLOW_TRACKING_URI": "http://mine:5000"}
    said: list[str] = []
    with (
        pytest.raises(ServiceError, match="mlflow server exited with 3 before it was ready") as caught,
        serving_mlflow(tmp_path, said.append, find=lambda _name: str(fake), environ=environ),
    ):
        pass
    assert caught.value.hint == f"see {tmp_path / 'mlflow' / 'server.log'}"
    assert "no such option" in (tmp_path / "mlflow" / "server.log").read_text(encoding="utf-8")
    assert environ == {"MLFLOW_TRACKING_URI": "http://mine:5000"}
    assert said[0].startswith("starting mlflow server on http://127.0.0.1:")
