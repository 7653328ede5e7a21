"""The SageMaker deploy target: immutable models and configs, guarded blue/green updates, retention.

``switch`` creates (once) the model and endpoint config of a version, then ``CreateEndpoint`` on a first
deploy or ``UpdateEndpoint`` with a blue/green ``DeploymentConfig`` and auto-rollback on the configured
alarms that exist. Switching to the config recorded in the endpoint's ``mlgate:previous-config`` tag is
a rollback: everything at once, no bake, no alarm already in ``ALARM``. ``wait_until_serving`` watches
``DescribeEndpoint``: SageMaker's own rollback or a ``Failed`` endpoint is ``LoadFailed``, the deadline
``TargetTimeout``; after a success, configs and models beyond ``keep_configs`` are deleted, never the
live or the rollback config. Every watch of the run is kept in ``watches`` (classification,
``FailureReason``, the guard alarms and their states) for the report. The clients are injected;
``open_sagemaker_target`` builds real ones (and takes the clock, so tests never wait).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mlgate.aws import translate_error
from mlgate.deploy import sagemaker_names as names
from mlgate.deploy.sagemaker_watch import BUSY, FAILED, MISSING, AlarmState, WatchResult, watch_endpoint
from mlgate.deploy.target import LoadFailed, Reply, TargetBusy, TargetTimeout
from mlgate.errors import ConfigError, InputError
from mlgate.registry.sagemaker_package import CODE_DIR, sklearn_image

if TYPE_CHECKING:
    from mlgate.config import Config, SagemakerConfig
    from mlgate.deploy.target import TargetOptions
    from mlgate.registry.model import ModelVersion


class SagemakerTarget:
    """One SageMaker real-time endpoint."""

    name = "sagemaker"

    def __init__(
        self, settings: SagemakerConfig, *, sagemaker: Any, runtime: Any, cloudwatch: Any, run_id: str | None = None,
        clock: Callable[[], float] = time.monotonic, sleep: Callable[[float], None] = time.sleep, poll_s: float = 30.0,
    ) -> None:  # fmt: skip
        if not settings.endpoint:
            raise ConfigError("sagemaker.endpoint is not set", hint="name the endpoint in mlgate.yaml")
        self.settings, self.endpoint = settings, settings.endpoint
        self.sm, self.runtime, self.cloudwatch = sagemaker, runtime, cloudwatch
        self.run_id, self.clock, self.sleep, self.poll_s = run_id, clock, sleep, poll_s
        self.expected: str | None = None  # the config the last switch asked for
        self.watches: list[WatchResult] = []  # this run's watches, in order, for the report
        self.config_tags: dict[str, dict[str, str]] = {}  # configs are immutable: their tags are read once

    def describe(self) -> str:
        return f"SageMaker endpoint {self.endpoint}"

    @contextmanager
    def exclusive(self) -> Iterator[None]:
        self.watches = []  # one run holds the endpoint at a time: its watches start here
        endpoint = self._describe_endpoint()
        status = endpoint.get("EndpointStatus") if endpoint else None
        if status in BUSY:
            raise TargetBusy(f"endpoint busy: {self.endpoint} is {status}", hint="wait for it to finish, then rerun")
        if endpoint is not None and status in FAILED:
            self._refuse_downtime(str(status), str(endpoint.get("FailureReason", "")))
        yield

    def _refuse_downtime(self, status: str, reason: str) -> None:
        if not self.settings.allow_downtime:
            raise TargetBusy(
                f"endpoint {self.endpoint} is {status} ({reason or 'no reason given'}): refusing to recreate it",
                hint="recreating it means downtime: set sagemaker.allow_downtime: true to allow it",
            )

    def current(self) -> str | None:
        return self._version_of(self._describe_endpoint())

    def _version_of(self, endpoint: Mapping[str, Any] | None) -> str | None:
        """The version the described endpoint is set to serve (its config's ``mlgate:version`` tag)."""
        if endpoint is None or not endpoint.get("EndpointConfigName"):
            return None
        return self._config_tags(str(endpoint["EndpointConfigName"])).get(names.TAG_VERSION)

    def switch(self, version: ModelVersion, artifact: Path) -> None:
        name = names.build_resource_name(self.endpoint, version.version, version.sha256)
        self.expected = name
        endpoint = self._describe_endpoint()
        if endpoint and endpoint.get("EndpointConfigName") == name and endpoint.get("EndpointStatus") not in FAILED:
            return  # already set to this version: nothing to do
        self._ensure_model(name, version)
        self._ensure_config(name, version)
        tags = {names.TAG_VERSION: version.version, names.TAG_RUN: self.run_id}
        if endpoint is None or endpoint.get("EndpointStatus") in FAILED:
            if endpoint is not None:
                self._refuse_downtime(str(endpoint.get("EndpointStatus")), str(endpoint.get("FailureReason", "")))
                self._call("delete_endpoint", EndpointName=self.endpoint)
                self._call("get_waiter", "endpoint_deleted").wait(EndpointName=self.endpoint)
            self._call(
                "create_endpoint", EndpointName=self.endpoint, EndpointConfigName=name, Tags=names.build_tags(tags)
            )
            return
        live = str(endpoint["EndpointConfigName"])
        endpoint_tags = self._tags(str(endpoint["EndpointArn"]))
        alarms = self._alarm_states()
        if endpoint_tags.get(names.TAG_PREVIOUS) == name:  # returning to the recorded rollback target
            config = names.build_rollback_config()
            quiet = [a.name for a in alarms if a.state not in (MISSING, "ALARM")]
            if quiet:
                config["AutoRollbackConfiguration"] = {"Alarms": [{"AlarmName": a} for a in quiet]}
        else:
            existing = [a.name for a in alarms if a.state != MISSING]
            config = names.build_deployment_config(self.settings.deployment, existing)
        self._call("update_endpoint", EndpointName=self.endpoint, EndpointConfigName=name, DeploymentConfig=config,
                   RetainAllVariantProperties=True)  # fmt: skip
        tags[names.TAG_PREVIOUS] = live
        self._call("add_tags", ResourceArn=endpoint["EndpointArn"], Tags=names.build_tags(tags))

    def wait_until_serving(self, version: str, timeout: float) -> None:
        expected = self.expected or self._live_config() or ""
        result = watch_endpoint(
            lambda: self._describe_endpoint() or {"EndpointStatus": "missing"}, expected,
            timeout_s=max(timeout, self.settings.wait_timeout_s), clock=self.clock, sleep=self.sleep,
            poll_s=self.poll_s, alarm_states=self._alarm_states, version=version,
        )  # fmt: skip
        self.watches.append(result)
        if result.outcome == "timed-out":
            raise TargetTimeout(f"{self.endpoint} did not settle on version {version}: {result.describe()}",
                                hint="check the endpoint in the SageMaker console; nothing further was changed")  # fmt: skip
        if result.outcome == "rolled-back":
            raise LoadFailed(f"SageMaker rolled back version {version}: {result.describe()}")
        if result.outcome == "failed":
            raise LoadFailed(f"{self.endpoint} failed on version {version}, not rolled back: {result.describe()}",
                             hint="a Failed endpoint can only be recreated: rerun with sagemaker.allow_downtime")  # fmt: skip
        self.prune_configs()

    def ping(self) -> Reply:
        endpoint = self._describe_endpoint()
        if endpoint is None:
            return Reply(404, None, None, f"no endpoint {self.endpoint}")
        status = str(endpoint.get("EndpointStatus"))
        version = self._version_of(endpoint) if status == "InService" else None
        return Reply(200 if status == "InService" else 503, version, {"status": status, "version": version}, status)

    def invoke(self, rows: Sequence[Mapping[str, Any]]) -> Reply:
        from botocore.exceptions import ClientError

        body = json.dumps({"instances": [dict(row) for row in rows]})
        try:
            response = self._call("invoke_endpoint", EndpointName=self.endpoint, ContentType="application/json",
                                  Accept="application/json", Body=body, client=self.runtime, translate=False)  # fmt: skip
        except ClientError as exc:
            error = exc.response.get("Error", {})
            if error.get("Code") != "ModelError":
                raise translate_error("invoke_endpoint", exc) from exc
            status = int(str(exc.response.get("OriginalStatusCode") or 424))
            return Reply(status, None, None, str(error.get("Message", "ModelError")))
        text = response["Body"].read().decode("utf-8", errors="replace")
        try:
            parsed = json.loads(text)
        except ValueError:
            parsed = None
        version = parsed.get("version") if isinstance(parsed, dict) else None
        return Reply(200, str(version) if version is not None else None, parsed, text)

    def prune_configs(self) -> list[str]:
        """Delete this endpoint's configs and models beyond ``keep_configs``; never the live or rollback one."""
        endpoint = self._describe_endpoint()
        if endpoint is None:
            return []
        keep = {
            str(endpoint.get("EndpointConfigName")),
            self._tags(str(endpoint["EndpointArn"])).get(names.TAG_PREVIOUS),
        }
        pages = self._call("get_paginator", "list_endpoint_configs").paginate(
            NameContains=f"{self.endpoint}-v", SortBy="CreationTime", SortOrder="Descending"
        )
        listed = [c["EndpointConfigName"] for page in pages for c in page["EndpointConfigs"]]
        ours = [n for n in listed if n.startswith(f"{self.endpoint}-v")]
        doomed = [n for n in ours[max(self.settings.keep_configs, 0) :] if n not in keep]
        for name in doomed:
            self._call("delete_endpoint_config", EndpointConfigName=name)
            self.config_tags.pop(name, None)
            self._call("delete_model", ModelName=name)
        return doomed

    def _ensure_model(self, name: str, version: ModelVersion) -> None:
        if self._exists("describe_model", ModelName=name):
            return
        if not version.artifact.startswith("s3://"):
            raise InputError(f"version {version.version}'s artifact {version.artifact} is not in S3",
                             hint="deploy to SageMaker from the sagemaker registry backend")  # fmt: skip
        if not self.settings.role_arn:
            raise ConfigError("sagemaker.role_arn is not set", hint="name the SageMaker execution role in mlgate.yaml")
        environment = {
            "SAGEMAKER_PROGRAM": "inference.py",
            "SAGEMAKER_SUBMIT_DIRECTORY": f"/opt/ml/model/{CODE_DIR}",
            "MLGATE_VERSION": version.version,  # the version inference.py answers as (the smoke test checks it)
        }
        container = {"Image": self._image(), "ModelDataUrl": version.artifact, "Environment": environment}
        self._call("create_model", ModelName=name, ExecutionRoleArn=self.settings.role_arn, PrimaryContainer=container,
                   Tags=names.build_tags({names.TAG_VERSION: version.version, names.TAG_SHA: version.sha256}))  # fmt: skip

    def _image(self) -> str:
        region = self.settings.region or self.sm.meta.region_name
        return self.settings.image_uri or sklearn_image(region, self.settings.framework_version)

    def _ensure_config(self, name: str, version: ModelVersion) -> None:
        if self._exists("describe_endpoint_config", EndpointConfigName=name):
            return
        s = self.settings
        variant = {"VariantName": names.VARIANT, "ModelName": name, "InstanceType": s.instance_type,
                   "InitialInstanceCount": s.instance_count, "InitialVariantWeight": 1.0}  # fmt: skip
        extra: dict[str, Any] = {"KmsKeyId": s.kms_key_id} if s.kms_key_id else {}
        if s.data_capture_prefix:
            extra["DataCaptureConfig"] = {"EnableCapture": True, "InitialSamplingPercentage": 100,
                                          "DestinationS3Uri": s.data_capture_prefix,
                                          "CaptureOptions": [{"CaptureMode": "Input"}, {"CaptureMode": "Output"}]}  # fmt: skip
        tags = names.build_tags({names.TAG_VERSION: version.version, names.TAG_SHA: version.sha256})
        self._call("create_endpoint_config", EndpointConfigName=name, ProductionVariants=[variant], Tags=tags, **extra)

    def _describe_endpoint(self) -> dict[str, Any] | None:
        return self._describe("describe_endpoint", EndpointName=self.endpoint)

    def _live_config(self) -> str | None:
        endpoint = self._describe_endpoint()
        return None if endpoint is None else endpoint.get("EndpointConfigName")

    def _config_tags(self, config: str) -> dict[str, str]:
        if config not in self.config_tags:
            described = self._describe("describe_endpoint_config", EndpointConfigName=config)
            if described is None:
                return {}
            self.config_tags[config] = self._tags(str(described["EndpointConfigArn"]))
        return self.config_tags[config]

    def _tags(self, arn: str) -> dict[str, str]:
        return names.read_tags(self._call("list_tags", ResourceArn=arn).get("Tags", []))

    def _alarm_states(self) -> tuple[AlarmState, ...]:
        """Every configured guard alarm with its state (``missing`` when CloudWatch has no such alarm)."""
        if not self.settings.alarms:
            return ()
        found = self._call("describe_alarms", AlarmNames=list(self.settings.alarms), client=self.cloudwatch)
        alarms = found.get("MetricAlarms", []) + found.get("CompositeAlarms", [])
        states = {a["AlarmName"]: str(a.get("StateValue")) for a in alarms}
        return tuple(AlarmState(name, states.get(name, MISSING)) for name in self.settings.alarms)

    def _exists(self, operation: str, **kwargs: Any) -> bool:
        return self._describe(operation, **kwargs) is not None

    def _describe(self, operation: str, **kwargs: Any) -> dict[str, Any] | None:
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            result: dict[str, Any] = self._call(operation, translate=False, **kwargs)
        except ClientError as exc:
            message = str(exc.response.get("Error", {}).get("Message", ""))
            if exc.response.get("Error", {}).get("Code") == "ValidationException" and "ould not find" in message:
                return None
            raise translate_error(operation, exc) from exc
        except BotoCoreError as exc:
            raise translate_error(operation, exc) from exc
        return result

    def _call(self, operation: str, *args: Any, client: Any = None, translate: bool = True, **kwargs: Any) -> Any:
        from botocore.exceptions import BotoCoreError, ClientError

        method = getattr(client or self.sm, operation)
        if not translate:
            return method(*args, **kwargs)
        try:
            return method(*args, **kwargs)
        except (BotoCoreError, ClientError) as exc:
            raise translate_error(operation, exc) from exc


def open_sagemaker_target(
    config: Config,
    options: TargetOptions,
    *,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
) -> SagemakerTarget:
    """The SageMaker target of ``config`` with real clients (endpoints from ``AWS_ENDPOINT_URL*``)."""
    import os

    from mlgate.aws import client

    s = config.sagemaker
    sm, runtime, cloudwatch = (
        client(service, max_attempts=s.max_attempts, region=s.region)
        for service in ("sagemaker", "sagemaker-runtime", "cloudwatch")
    )
    return SagemakerTarget(
        s, sagemaker=sm, runtime=runtime, cloudwatch=cloudwatch, run_id=os.environ.get("GITHUB_RUN_ID"),
        clock=clock, sleep=sleep,
    )  # fmt: skip
