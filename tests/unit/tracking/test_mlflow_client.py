from __future__ import annotations

import sys

import pytest

from mlgate.errors import ConfigError
from mlgate.tracking.mlflow_client import QUICK, _quick_settings, _translate, open_mlflow


def test_quick_settings_apply_only_where_the_user_set_none() -> None:
    environ = {"MLFLOW_HTTP_REQUEST_MAX_RETRIES": "9"}
    with _quick_settings(environ):
        assert environ["MLFLOW_HTTP_REQUEST_MAX_RETRIES"] == "9"
        assert environ["MLFLOW_HTTP_REQUEST_TIMEOUT"] == QUICK["MLFLOW_HTTP_REQUEST_TIMEOUT"]
        assert environ["MLFLOW_SUPPRESS_PRINTING_URL_TO_STDOUT"] == "true"
    assert environ == {"MLFLOW_HTTP_REQUEST_MAX_RETRIES": "9"}


def test_refused_credentials_name_mlflows_variables() -> None:
    failed = _translate("https://u:pw@h.example", "API request to https://u:pw@h.example/api failed", 401)
    assert "pw" not in failed.problem
    assert failed.problem.startswith("the MLflow server refused the credentials (API request to https://h.example/api")
    assert "MLFLOW_TRACKING_USERNAME and MLFLOW_TRACKING_PASSWORD (or MLFLOW_TRACKING_TOKEN)" in failed.fix


def test_other_failures_say_to_check_the_server_and_its_uri() -> None:
    failed = _translate("http://127.0.0.1:9", "Max retries exceeded\n with url: /api (Connection refused)", None)
    assert (
        failed.problem
        == "the MLflow server could not be used (Max retries exceeded with url: /api (Connection refused))"
    )
    assert "tracking.mlflow.tracking_uri (or MLFLOW_TRACKING_URI)" in failed.fix


def test_a_missing_client_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in [m for m in sys.modules if m == "mlflow" or m.startswith("mlflow.")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "mlflow", None)
    with pytest.raises(ConfigError, match="the MLflow client is not installed") as caught:
        open_mlflow("http://127.0.0.1:9")
    assert caught.value.hint == "pip install 'mlgate[mlflow]'"
