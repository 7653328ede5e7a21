"""The boto3 side of the SageMaker target: its three typed clients, every error translated, "not found" as None.

``make_call`` runs one client method and turns botocore's errors into mlgate's, naming the operation;
``try_describe`` answers None for a resource SageMaker "could not find". A caller that handles a
``ClientError`` itself calls the client directly. Endpoint-config tags are cached: configs are immutable,
so their tags are read once.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, ParamSpec, TypeVar

from mlgate.aws import translate_error
from mlgate.deploy.sagemaker import names
from mlgate.deploy.watch import MISSING, AlarmState

if TYPE_CHECKING:
    from mypy_boto3_cloudwatch import CloudWatchClient
    from mypy_boto3_sagemaker import SageMakerClient
    from mypy_boto3_sagemaker.type_defs import DescribeEndpointOutputTypeDef
    from mypy_boto3_sagemaker_runtime import SageMakerRuntimeClient

P = ParamSpec("P")
T = TypeVar("T")


class SagemakerApi:
    """The ``sagemaker``, ``sagemaker-runtime`` and ``cloudwatch`` clients of one endpoint."""

    def __init__(
        self,
        endpoint: str,
        *,
        sagemaker: SageMakerClient,
        runtime: SageMakerRuntimeClient,
        cloudwatch: CloudWatchClient,
    ) -> None:
        self.endpoint = endpoint
        self.sm, self.runtime, self.cloudwatch = sagemaker, runtime, cloudwatch
        self.config_tags: dict[str, dict[str, str]] = {}  # configs are immutable: their tags are read once

    @property
    def region(self) -> str:
        """The region the ``sagemaker`` client talks to."""
        return self.sm.meta.region_name

    def make_call(self, operation: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        """``operation`` (a method of one of the clients) with its errors translated, named by the method."""
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            return operation(*args, **kwargs)
        except (BotoCoreError, ClientError) as exc:
            raise translate_error(operation.__name__, exc) from exc

    def try_describe(self, operation: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T | None:
        """The answer of a ``describe_*`` ``operation``, or None when SageMaker could not find the resource."""
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            return operation(*args, **kwargs)
        except ClientError as exc:
            message = str(exc.response.get("Error", {}).get("Message", ""))
            if exc.response.get("Error", {}).get("Code") == "ValidationException" and "ould not find" in message:
                return None
            raise translate_error(operation.__name__, exc) from exc
        except BotoCoreError as exc:
            raise translate_error(operation.__name__, exc) from exc

    def describe_endpoint(self) -> DescribeEndpointOutputTypeDef | None:
        """``DescribeEndpoint`` of the endpoint, or None when it does not exist."""
        return self.try_describe(self.sm.describe_endpoint, EndpointName=self.endpoint)

    def read_tags(self, arn: str) -> dict[str, str]:
        """``{key: value}`` of the tags of the resource ``arn``."""
        return names.read_tags(self.make_call(self.sm.list_tags, ResourceArn=arn).get("Tags", []))

    def read_config_tags(self, config: str) -> dict[str, str]:
        """The tags of the endpoint config ``config`` (empty when it does not exist), read once."""
        if config not in self.config_tags:
            described = self.try_describe(self.sm.describe_endpoint_config, EndpointConfigName=config)
            if described is None:
                return {}
            self.config_tags[config] = self.read_tags(str(described["EndpointConfigArn"]))
        return self.config_tags[config]

    def read_alarm_states(self, alarms: Sequence[str]) -> tuple[AlarmState, ...]:
        """Every alarm of ``alarms`` with its state (``missing`` when CloudWatch has no such alarm)."""
        if not alarms:
            return ()
        found = self.make_call(self.cloudwatch.describe_alarms, AlarmNames=list(alarms))
        listed = [*found.get("MetricAlarms", []), *found.get("CompositeAlarms", [])]
        states = {a["AlarmName"]: str(a.get("StateValue")) for a in listed}
        return tuple(AlarmState(name, states.get(name, MISSING)) for name in alarms)
