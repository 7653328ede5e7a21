"""The MLflow gateway: which URI is used, quiet quick calls, and MLflow's failures as mlgate's errors."""

from __future__ import annotations

import logging

import pytest
from mlflow.exceptions import MlflowException
from mlflow.protos.databricks_pb2 import RESOURCE_DOES_NOT_EXIST

from mlgate.errors import ConfigError, InputError, ServiceError
from mlgate.mlflow_api import QUICK, call_mlflow, quick_calls, resolve_uri, shown_uri, translate

URI = "http://127.0.0.1:5000"


def test_the_environment_wins_over_the_config_and_neither_is_a_config_error() -> None:
    assert resolve_uri("http://config:5000", {"MLFLOW_TRACKING_URI": URI}, key="registry.mlflow.tracking_uri") == URI
    assert resolve_uri("http://config:5000", {}, key="k") == "http://config:5000"
    with pytest.raises(ConfigError, match=r"no MLflow tracking URI: registry\.mlflow\.tracking_uri is not set"):
        resolve_uri(None, {}, key="registry.mlflow.tracking_uri")


def test_shown_uris_carry_no_credentials() -> None:
    assert shown_uri("https://ann:secret@mlflow.example.com/path?token=x#y") == "https://mlflow.example.com/path"
    assert shown_uri("databricks?profile=x") == "databricks"


def test_quick_calls_set_only_what_the_user_left_unset_and_restore_it() -> None:
    environ = {"MLFLOW_HTTP_REQUEST_MAX_RETRIES": "9"}
    logger = logging.getLogger("mlflow")
    before = logger.level
    with quick_calls(environ):
        assert environ["MLFLOW_HTTP_REQUEST_MAX_RETRIES"] == "9"
        assert environ["MLFLOW_HTTP_REQUEST_TIMEOUT"] == QUICK["MLFLOW_HTTP_REQUEST_TIMEOUT"]
        assert logger.level >= logging.WARNING
    assert environ == {"MLFLOW_HTTP_REQUEST_MAX_RETRIES": "9"}
    assert logger.level == before


def test_failures_become_one_line_with_the_right_exit_code() -> None:
    refused = translate(URI, "list versions", "API request failed with error code 403 != 200", "", 403)
    assert isinstance(refused, ServiceError)
    assert refused.exit_code == 3
    assert "refused the credentials" in refused.message
    down = translate(URI, "read", f"HTTPConnectionPool: Max retries exceeded ({URI}) Connection refused", "", None)
    assert (
        down.message
        == f"MLflow at {URI}: cannot read: the server cannot be reached (connection refused, after retries)"
    )
    bad = translate(URI, "move alias 'v3'", "Version alias name 'v3' is reserved.", "INVALID_PARAMETER_VALUE", 400)
    assert isinstance(bad, InputError)
    assert bad.exit_code == 2


def test_allowed_error_codes_give_none_and_others_raise() -> None:
    def missing() -> str:
        raise MlflowException("no such model", error_code=RESOURCE_DOES_NOT_EXIST)

    assert call_mlflow(URI, "read", missing, allow=("RESOURCE_DOES_NOT_EXIST",)) is None
    with pytest.raises(InputError, match=r"MLflow at http://127\.0\.0\.1:5000: cannot read: no such model"):
        call_mlflow(URI, "read", missing)
