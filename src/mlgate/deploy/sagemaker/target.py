"""The SageMaker deploy target: immutable models and configs, guarded blue/green updates, retention.

``switch`` creates (once) the model and endpoint config of a version, then ``CreateEndpoint`` on a first
deploy or ``UpdateEndpoint`` with a blue/green ``DeploymentConfig`` and auto-rollback on the configured
alarms that exist. Switching to the config recorded in the endpoint's ``mlgate:previous-config`` tag is
a rollback: everything at once, no bake, no alarm already in ``ALARM``. ``wait_until_serving`` watches
``DescribeEndpoint``: SageMaker's own rollback or a ``Failed`` endpoint is ``LoadFailed``, the deadline
``TargetTimeout``; after a success, configs and models beyond ``keep_configs`` are deleted, never the
live or the rollback config. Every watch of the run is kept for ``watches()`` (classification,
``FailureReason``, the guard alarms and their states) for the report. The clients are injected (behind
``SagemakerApi``); ``open_sagemaker_target`` builds real ones (and takes the clock, so tests never wait). The
requests themselves are built in ``requests``, names, tags and deployment configs in ``names``.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mlgate.aws import translate_error
from mlgate.clock import utc_now
from mlgate.deploy.sagemaker import names
from mlgate.deploy.sagemaker.api import SagemakerApi
from mlgate.deploy.sagemaker.experiments import SagemakerExperiments
from mlgate.deploy.sagemaker.requests import choose_update_config, read_invoke_reply
from mlgate.deploy.sagemaker.watch import BUSY, FAILED, watch_endpoint
from mlgate.deploy.target import LoadFailed, Reply, TargetBusy, TargetTimeout
from mlgate.deploy.watch import AlarmState, Watch
from mlgate.errors import ConfigError
from mlgate.serve.marks import new_smoke_id

if TYPE_CHECKING:
    from mypy_boto3_cloudwatch import CloudWatchClient
    from mypy_boto3_sagemaker import SageMakerClient
    from mypy_boto3_sagemaker.type_defs import DescribeEndpointOutputTypeDef
    from mypy_boto3_sagemaker_runtime import SageMakerRuntimeClient
    from mypy_boto3_sagemaker_runtime.type_defs import InvokeEndpointInputTypeDef

    from mlgate.config import Config, SagemakerConfig
    from mlgate.deploy.target import TargetOptions
    from mlgate.registry.model import ModelVersion


class SagemakerTarget(SagemakerExperiments):
    """One SageMaker real-time endpoint; its shadow and A/B split come from ``SagemakerExperiments``."""

    name = "sagemaker"

    def __init__(
        self,
        settings: SagemakerConfig,
        *,
        sagemaker: SageMakerClient,
        runtime: SageMakerRuntimeClient,
        cloudwatch: CloudWatchClient,
        run_id: str | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        poll_s: float = 30.0,
        now: Callable[[], dt.datetime] = utc_now,
    ) -> None:
        if not settings.endpoint:
            raise ConfigError("sagemaker.endpoint is not set", hint="name the endpoint in mlgate.yaml")
        self.settings, self.endpoint = settings, settings.endpoint
        self.api = SagemakerApi(settings.endpoint, sagemaker=sagemaker, runtime=runtime, cloudwatch=cloudwatch)
        self.run_id, self.clock, self.sleep, self.poll_s, self.now = run_id, clock, sleep, poll_s, now
        self.expected: str | None = None  # the config the last switch asked for
        self.watched: list[Watch] = []  # this run's watches, in order, for the report

    def describe(self) -> str:
        return f"SageMaker endpoint {self.endpoint}"

    @contextmanager
    def exclusive(self) -> Iterator[None]:
        self.watched = []  # one run holds the endpoint at a time: its watches start here
        endpoint = self.api.describe_endpoint()
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
        return self._version_of(self.api.describe_endpoint())

    def _version_of(self, endpoint: DescribeEndpointOutputTypeDef | None) -> str | None:
        """The version the described endpoint is set to serve (its config's ``mlgate:version`` tag)."""
        if endpoint is None or not endpoint.get("EndpointConfigName"):
            return None
        return self.api.read_config_tags(str(endpoint["EndpointConfigName"])).get(names.TAG_VERSION)

    def switch(self, version: ModelVersion, artifact: Path) -> None:
        name = names.build_resource_name(self.endpoint, version.version, version.sha256)
        self.expected = name
        endpoint = self.api.describe_endpoint()
        if endpoint and endpoint.get("EndpointConfigName") == name and endpoint.get("EndpointStatus") not in FAILED:
            return  # already set to this version: nothing to do
        self.check_no_split(endpoint)
        self._ensure_model(name, version)
        self._ensure_config(name, version)
        tags = {names.TAG_VERSION: version.version, names.TAG_RUN: self.run_id}
        if endpoint is None or endpoint.get("EndpointStatus") in FAILED:
            if endpoint is not None:
                self._refuse_downtime(str(endpoint.get("EndpointStatus")), str(endpoint.get("FailureReason", "")))
                self.api.make_call(self.api.sm.delete_endpoint, EndpointName=self.endpoint)
                self.api.sm.get_waiter("endpoint_deleted").wait(EndpointName=self.endpoint)
            self.api.make_call(
                self.api.sm.create_endpoint,
                EndpointName=self.endpoint,
                EndpointConfigName=name,
                Tags=names.build_tags(tags),
            )
            return
        live = self.find_version_config(str(endpoint["EndpointConfigName"]))  # a running shadow ends here
        rollback = self.api.read_tags(str(endpoint["EndpointArn"])).get(names.TAG_PREVIOUS) == name
        config = choose_update_config(self.settings.deployment, self._alarm_states(), rollback=rollback)
        self.api.make_call(
            self.api.sm.update_endpoint,
            EndpointName=self.endpoint,
            EndpointConfigName=name,
            DeploymentConfig=config,
            RetainAllVariantProperties=True,
        )
        tags[names.TAG_PREVIOUS] = live
        self.api.make_call(self.api.sm.add_tags, ResourceArn=endpoint["EndpointArn"], Tags=names.build_tags(tags))

    def wait_until_serving(self, version: str, timeout: float) -> None:
        expected = self.expected or self._live_config() or ""
        result = watch_endpoint(
            lambda: self.api.describe_endpoint() or {"EndpointStatus": "missing"},
            expected,
            timeout_s=max(timeout, self.settings.wait_timeout_s),
            clock=self.clock,
            sleep=self.sleep,
            poll_s=self.poll_s,
            alarm_states=self._alarm_states,
            version=version,
        )
        self.watched.append(result)
        if result.outcome == "timed-out":
            raise TargetTimeout(
                f"{self.endpoint} did not settle on version {version}: {result.describe()}",
                hint="check the endpoint in the SageMaker console; nothing further was changed",
            )
        if result.outcome == "rolled-back":
            raise LoadFailed(f"SageMaker rolled back version {version}: {result.describe()}")
        if result.outcome == "failed":
            raise LoadFailed(
                f"{self.endpoint} failed on version {version}, not rolled back: {result.describe()}",
                hint="a Failed endpoint can only be recreated: rerun with sagemaker.allow_downtime",
            )
        self.prune_configs()

    def ping(self) -> Reply:
        endpoint = self.api.describe_endpoint()
        if endpoint is None:
            return Reply(404, None, None, f"no endpoint {self.endpoint}")
        status = str(endpoint.get("EndpointStatus"))
        version = self._version_of(endpoint) if status == "InService" else None
        return Reply(200 if status == "InService" else 503, version, {"status": status, "version": version}, status)

    def invoke(self, rows: Sequence[Mapping[str, Any]], *, smoke: bool = False) -> Reply:
        from botocore.exceptions import ClientError

        body = json.dumps({"instances": [dict(row) for row in rows]})
        request: InvokeEndpointInputTypeDef = {
            "EndpointName": self.endpoint,
            "ContentType": "application/json",
            "Accept": "application/json",
            "Body": body,
        }
        if smoke:
            request["InferenceId"] = new_smoke_id()  # data capture keeps it: eventMetadata.inferenceId
        try:
            response = self.api.runtime.invoke_endpoint(**request)
        except ClientError as exc:
            error = exc.response.get("Error", {})
            if error.get("Code") != "ModelError":
                raise translate_error("invoke_endpoint", exc) from exc
            status = int(str(exc.response.get("OriginalStatusCode") or 424))
            return Reply(status, None, None, str(error.get("Message", "ModelError")))
        return read_invoke_reply(response["Body"].read().decode("utf-8", errors="replace"))

    def watches(self) -> Sequence[Watch]:
        return tuple(self.watched)

    def prune_configs(self) -> list[str]:
        """Delete this endpoint's configs and models beyond ``keep_configs``; never the live or rollback one."""
        endpoint = self.api.describe_endpoint()
        if endpoint is None:
            return []
        keep = {
            str(endpoint.get("EndpointConfigName")),
            self.find_version_config(str(endpoint.get("EndpointConfigName"))),
            self.api.read_tags(str(endpoint["EndpointArn"])).get(names.TAG_PREVIOUS),
        }
        pages = self.api.sm.get_paginator("list_endpoint_configs").paginate(
            NameContains=f"{self.endpoint}-v", SortBy="CreationTime", SortOrder="Descending"
        )
        listed = [c["EndpointConfigName"] for page in pages for c in page["EndpointConfigs"]]
        ours = [n for n in listed if n.startswith(f"{self.endpoint}-v")]
        doomed = [n for n in ours[max(self.settings.keep_configs, 0) :] if n not in keep]
        for name in doomed:
            self.api.make_call(self.api.sm.delete_endpoint_config, EndpointConfigName=name)
            self.api.config_tags.pop(name, None)
            self.api.make_call(self.api.sm.delete_model, ModelName=name)
        return doomed

    def _live_config(self) -> str | None:
        endpoint = self.api.describe_endpoint()
        return None if endpoint is None else endpoint.get("EndpointConfigName")

    def _alarm_states(self) -> tuple[AlarmState, ...]:
        """Every configured guard alarm with its state (``missing`` when CloudWatch has no such alarm)."""
        return self.api.read_alarm_states(self.settings.alarms)


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
    return SagemakerTarget(
        s,
        sagemaker=client("sagemaker", max_attempts=s.max_attempts, region=s.region),
        runtime=client("sagemaker-runtime", max_attempts=s.max_attempts, region=s.region),
        cloudwatch=client("cloudwatch", max_attempts=s.max_attempts, region=s.region),
        run_id=os.environ.get("GITHUB_RUN_ID"),
        clock=clock,
        sleep=sleep,
    )
