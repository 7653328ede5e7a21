"""Unit tests for mlgate.aws: the boto3 client factory (retries, endpoint overrides) and error translation."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError, EndpointConnectionError

from mlgate.aws import client, endpoint_url, translate_error


def test_client_retries_in_standard_mode_with_total_max_attempts(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:5999")
    sagemaker = client("sagemaker", max_attempts=4, region="eu-west-1")
    assert vars(sagemaker.meta.config).get("retries") == {"mode": "standard", "total_max_attempts": 4}
    assert sagemaker.meta.endpoint_url == "http://127.0.0.1:5999"
    assert sagemaker.meta.region_name == "eu-west-1"


def test_service_specific_endpoint_wins_and_dashes_become_underscores() -> None:
    environ = {"AWS_ENDPOINT_URL": "http://a", "AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME": "http://b"}
    assert endpoint_url("sagemaker-runtime", environ) == "http://b"
    assert endpoint_url("sagemaker", environ) == "http://a"


def test_client_errors_say_the_code_and_the_tries() -> None:
    response = {
        "Error": {"Code": "ThrottlingException", "Message": "slow down"},
        "ResponseMetadata": {"RetryAttempts": 4},
    }
    error = translate_error("update_endpoint", ClientError(response, "UpdateEndpoint"))  # type: ignore[arg-type]
    assert error.message == "AWS update_endpoint failed: ThrottlingException: slow down (after 5 tries)"
    assert error.exit_code == 3


def test_connection_errors_point_at_the_endpoint_settings() -> None:
    error = translate_error("describe_endpoint", EndpointConnectionError(endpoint_url="http://127.0.0.1:9"))
    assert error.message.startswith("cannot reach AWS for describe_endpoint")
    assert "AWS_ENDPOINT_URL" in (error.hint or "")
