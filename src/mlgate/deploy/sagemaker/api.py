"""The boto3 side of the SageMaker target: its three clients, every error translated, "not found" as None.

``make_call`` runs one operation and turns botocore's errors into mlgate's (``translate=False`` lets the
caller handle a ``ClientError`` itself); ``try_describe`` answers None for a resource SageMaker "could not
find". Endpoint-config tags are cached: configs are immutable, so their tags are read once.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from mlgate.aws import translate_error
from mlgate.deploy.sagemaker import names
from mlgate.deploy.watch import MISSING, AlarmState


class SagemakerApi:
    """The ``sagemaker``, ``sagemaker-runtime`` and ``cloudwatch`` clients of one endpoint."""

    def __init__(self, endpoint: str, *, sagemaker: Any, runtime: Any, cloudwatch: Any) -> None:
        self.endpoint = endpoint
        self.sm, self.runtime, self.cloudwatch = sagemaker, runtime, cloudwatch
        self.config_tags: dict[str, dict[str, str]] = {}  # configs are immutable: their tags are read once

    @property
    def region(self) -> str:
        """The region the ``sagemaker`` client talks to."""
        region: str = self.sm.meta.region_name
        return region

    def make_call(self, operation: str, *args: Any, client: Any = None, translate: bool = True, **kwargs: Any) -> Any:
        """``operation`` on ``client`` (default ``sagemaker``), its errors translated unless ``translate`` is off."""
        from botocore.exceptions import BotoCoreError, ClientError

        method = getattr(client or self.sm, operation)
        if not translate:
            return method(*args, **kwargs)
        try:
            return method(*args, **kwargs)
        except (BotoCoreError, ClientError) as exc:
            raise translate_error(operation, exc) from exc

    def try_describe(self, operation: str, **kwargs: Any) -> dict[str, Any] | None:
        """The answer of a ``describe_*`` ``operation``, or None when SageMaker could not find the resource."""
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            result: dict[str, Any] = self.make_call(operation, translate=False, **kwargs)
        except ClientError as exc:
            message = str(exc.response.get("Error", {}).get("Message", ""))
            if exc.response.get("Error", {}).get("Code") == "ValidationException" and "ould not find" in message:
                return None
            raise translate_error(operation, exc) from exc
        except BotoCoreError as exc:
            raise translate_error(operation, exc) from exc
        return result

    def describe_endpoint(self) -> dict[str, Any] | None:
        """``DescribeEndpoint`` of the endpoint, or None when it does not exist."""
        return self.try_describe("describe_endpoint", EndpointName=self.endpoint)

    def read_tags(self, arn: str) -> dict[str, str]:
        """``{key: value}`` of the tags of the resource ``arn``."""
        return names.read_tags(self.make_call("list_tags", ResourceArn=arn).get("Tags", []))

    def read_config_tags(self, config: str) -> dict[str, str]:
        """The tags of the endpoint config ``config`` (empty when it does not exist), read once."""
        if config not in self.config_tags:
            described = self.try_describe("describe_endpoint_config", EndpointConfigName=config)
            if described is None:
                return {}
            self.config_tags[config] = self.read_tags(str(described["EndpointConfigArn"]))
        return self.config_tags[config]

    def read_alarm_states(self, alarms: Sequence[str]) -> tuple[AlarmState, ...]:
        """Every alarm of ``alarms`` with its state (``missing`` when CloudWatch has no such alarm)."""
        if not alarms:
            return ()
        found = self.make_call("describe_alarms", AlarmNames=list(alarms), client=self.cloudwatch)
        listed = found.get("MetricAlarms", []) + found.get("CompositeAlarms", [])
        states = {a["AlarmName"]: str(a.get("StateValue")) for a in listed}
        return tuple(AlarmState(name, states.get(name, MISSING)) for name in alarms)
