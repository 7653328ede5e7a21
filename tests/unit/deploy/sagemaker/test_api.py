"""The SageMaker target's boto3 side offline (Stubber): translated errors, "not found" as None, tags, alarms."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, NamedTuple

import boto3
import pytest
from botocore.stub import Stubber

from mlgate.deploy.sagemaker.api import SagemakerApi
from mlgate.deploy.watch import MISSING, AlarmState
from mlgate.errors import ServiceError

if TYPE_CHECKING:
    from mypy_boto3_cloudwatch import CloudWatchClient
    from mypy_boto3_sagemaker import SageMakerClient
    from mypy_boto3_sagemaker_runtime import SageMakerRuntimeClient

ARN = "arn:aws:sagemaker:eu-west-1:123456789012:endpoint-config/churn-v1-abc"


class Clients(NamedTuple):
    sagemaker: SageMakerClient
    runtime: SageMakerRuntimeClient
    cloudwatch: CloudWatchClient


def offline_clients() -> Clients:
    """Typed clients pointed at a closed port: the Stubber answers before anything is sent."""
    region, url = "eu-west-1", "http://127.0.0.1:9"
    return Clients(
        boto3.client("sagemaker", region_name=region, endpoint_url=url),
        boto3.client("sagemaker-runtime", region_name=region, endpoint_url=url),
        boto3.client("cloudwatch", region_name=region, endpoint_url=url),
    )


@pytest.fixture
def stubbed() -> Iterator[tuple[SagemakerApi, Stubber, Stubber]]:
    clients = offline_clients()
    api = SagemakerApi("churn", sagemaker=clients.sagemaker, runtime=clients.runtime, cloudwatch=clients.cloudwatch)
    with Stubber(clients.sagemaker) as sm, Stubber(clients.cloudwatch) as cloudwatch:
        yield api, sm, cloudwatch
        sm.assert_no_pending_responses()
        cloudwatch.assert_no_pending_responses()


def test_a_resource_sagemaker_could_not_find_is_none(stubbed: tuple[SagemakerApi, Stubber, Any]) -> None:
    api, sm, _ = stubbed
    sm.add_client_error("describe_endpoint", "ValidationException", "Could not find endpoint churn")
    assert api.describe_endpoint() is None
    assert api.region == "eu-west-1"


def test_other_describe_errors_are_translated(stubbed: tuple[SagemakerApi, Stubber, Any]) -> None:
    api, sm, _ = stubbed
    sm.add_client_error("describe_model", "AccessDeniedException", "not allowed")
    with pytest.raises(ServiceError, match=r"AWS describe_model failed: AccessDeniedException: not allowed"):
        api.try_describe(api.sm.describe_model, ModelName="churn-v1-abc")


def test_calls_translate_errors_naming_the_operation(stubbed: tuple[SagemakerApi, Stubber, Any]) -> None:
    api, sm, _ = stubbed
    sm.add_client_error("delete_model", "ThrottlingException", "slow down")
    with pytest.raises(ServiceError, match=r"AWS delete_model failed: ThrottlingException: slow down"):
        api.make_call(api.sm.delete_model, ModelName="m")
    sm.add_response("delete_model", {}, {"ModelName": "m"})
    answer: object = api.make_call(api.sm.delete_model, ModelName="m")
    assert answer == {}  # the answer itself, untouched


def test_config_tags_are_read_once_and_an_unknown_config_has_none(stubbed: tuple[SagemakerApi, Stubber, Any]) -> None:
    api, sm, _ = stubbed
    described = {
        "EndpointConfigName": "churn-v1-abc",
        "EndpointConfigArn": ARN,
        "ProductionVariants": [{"VariantName": "A"}],
        "CreationTime": "2026-11-22T10:00:00Z",
    }
    sm.add_response("describe_endpoint_config", described, {"EndpointConfigName": "churn-v1-abc"})
    sm.add_response("list_tags", {"Tags": [{"Key": "mlgate:version", "Value": "1"}]}, {"ResourceArn": ARN})
    sm.add_client_error("describe_endpoint_config", "ValidationException", "Could not find endpoint configuration")
    assert api.read_config_tags("churn-v1-abc") == {"mlgate:version": "1"}
    assert api.read_config_tags("churn-v1-abc") == {"mlgate:version": "1"}  # cached: no second call stubbed
    assert api.read_config_tags("churn-v9-fff") == {}


def test_every_alarm_gets_a_state_missing_when_cloudwatch_has_none(stubbed: tuple[Any, Any, Stubber]) -> None:
    api, _, cloudwatch = stubbed
    answer = {
        "MetricAlarms": [{"AlarmName": "latency", "StateValue": "ALARM"}],
        "CompositeAlarms": [{"AlarmName": "health", "StateValue": "OK"}],
    }
    cloudwatch.add_response("describe_alarms", answer, {"AlarmNames": ["latency", "gone", "health"]})
    assert api.read_alarm_states(("latency", "gone", "health")) == (
        AlarmState("latency", "ALARM"),
        AlarmState("gone", MISSING),
        AlarmState("health", "OK"),
    )
    assert api.read_alarm_states(()) == ()


def test_smoke_invocations_carry_a_marked_inference_id_that_data_capture_keeps() -> None:
    import io

    from botocore.response import StreamingBody

    from mlgate.config import SagemakerConfig
    from mlgate.deploy.sagemaker.target import SagemakerTarget
    from mlgate.serve.marks import is_smoke_id

    clients = offline_clients()
    runtime = clients.runtime
    sent: list[dict[str, Any]] = []
    runtime.meta.events.register(
        "provide-client-params.sagemaker-runtime.InvokeEndpoint", lambda params, **_: sent.append(dict(params))
    )
    target = SagemakerTarget(
        SagemakerConfig(region="eu-west-1", endpoint="churn"),
        sagemaker=clients.sagemaker,
        runtime=runtime,
        cloudwatch=clients.cloudwatch,
    )
    body = b'{"predictions": [2.0], "version": "4"}'
    with Stubber(runtime) as stub:
        for _ in range(2):
            stub.add_response("invoke_endpoint", {"Body": StreamingBody(io.BytesIO(body), len(body))})
        smoke = target.invoke([{"x": 1.0}], smoke=True)
        client = target.invoke([{"x": 1.0}])
        stub.assert_no_pending_responses()
    assert (smoke.version, client.version) == ("4", "4")
    assert is_smoke_id(sent[0]["InferenceId"])
    assert "InferenceId" not in sent[1]
