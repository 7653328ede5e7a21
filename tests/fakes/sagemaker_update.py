"""A test-only stand-in for SageMaker's ``UpdateEndpoint`` (moto does not implement it) and the runtime.

It plugs into a ``FaultProxy`` in front of moto and claims three kinds of requests:

- ``UpdateEndpoint``: recorded in ``requests``, then played out by the next mode of ``modes`` (default
  ``ok``): ``ok`` (moto's endpoint is moved to the new config: ``repoint``), ``rollback`` (SageMaker rolls back: it stays on
  the old config with a ``FailureReason``), ``failed`` (``Failed``, not rolled back), ``alarms`` (rolled
  back when one of the request's ``AutoRollbackConfiguration`` alarms is in ``ALARM`` in moto's
  CloudWatch, else ok) and ``slow`` (``Updating`` forever). ``updating_polls`` ``DescribeEndpoint`` calls
  answer ``Updating`` before the end state shows.
- ``DescribeEndpoint``: moto's answer with the stand-in's status, config and ``FailureReason`` laid over.
- ``InvokeEndpoint``: answered by ``respond(config, payload)`` (moto's canned answers cannot fail).

Shared with every SageMaker test: ``reset_moto``, ``put_alarm``, ``alarm_states_with``,
``install_stand_in`` (a fresh stand-in on a proxy), ``check_canary_update`` (what an update request must
carry), ``break_responses`` (a wrong-schema or ``ModelError`` answer for one config) and
``ContainerResponder``, which answers like the real container: it downloads the model's ``model.tar.gz``
from moto's S3 and runs the packed ``code/inference.py`` with the model's environment.
"""

from __future__ import annotations

import importlib.util
import io
import json
import sys
import tarfile
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

from fakes.fault_proxy import Answer, FaultProxy, build_error

Responder = Callable[[str, dict[str, Any]], Answer]


def json_answer(document: Any, status: int = 200) -> Answer:
    """A JSON HTTP answer."""
    text = json.dumps(document, default=lambda value: value.timestamp())
    return status, {"Content-Type": "application/json"}, text.encode()


@dataclass
class Overlay:
    status: str
    config: str
    reason: str | None = None
    updating_polls: int = 0
    updating_config: str = ""


@dataclass
class UpdateEndpointStandIn:
    """See the module docstring; ``install`` hooks it into ``proxy``."""

    proxy: FaultProxy
    describe: Callable[[str], dict[str, Any] | None]
    repoint: Callable[[str, str], None]
    alarm_states: Callable[[list[str]], dict[str, str]]
    respond: Responder | None = None
    modes: list[str] = field(default_factory=list)
    updating_polls: int = 1
    requests: list[dict[str, Any]] = field(default_factory=list)
    overlays: dict[str, Overlay] = field(default_factory=dict)

    def install(self) -> UpdateEndpointStandIn:
        self.proxy.intercept = self.intercept
        return self

    def intercept(self, operation: str, path: str, body: bytes) -> Answer | None:
        if operation == "SageMaker.UpdateEndpoint":
            return self._update(json.loads(body))
        if operation in ("SageMaker.CreateEndpoint", "SageMaker.DeleteEndpoint"):
            self.overlays.pop(json.loads(body)["EndpointName"], None)
            return None
        if operation == "SageMaker.DescribeEndpoint":
            return self._describe(json.loads(body)["EndpointName"])
        if path.startswith("/endpoints/") and path.endswith("/invocations") and self.respond is not None:
            name = path.split("/")[2]
            return self.respond(self.live_config(name), json.loads(body))
        return None

    def live_config(self, endpoint: str) -> str:
        overlay = self.overlays.get(endpoint)
        if overlay is not None:
            return overlay.config
        described = self.describe(endpoint)
        return "" if described is None else str(described["EndpointConfigName"])

    def _update(self, request: dict[str, Any]) -> Answer:
        self.requests.append(request)
        endpoint, new = request["EndpointName"], request["EndpointConfigName"]
        old = self.live_config(endpoint)
        if not old:
            return build_error(400, "ValidationException", f"Could not find endpoint {endpoint}")
        mode = self.modes.pop(0) if self.modes else "ok"
        if mode == "alarms":
            names = [
                a["AlarmName"]
                for a in request.get("DeploymentConfig", {}).get("AutoRollbackConfiguration", {}).get("Alarms", [])
            ]
            firing = [n for n, state in self.alarm_states(names).items() if state == "ALARM"]
            mode = "rollback" if firing else "ok"
        overlay = {
            "ok": Overlay("InService", new),
            "rollback": Overlay("InService", old, "Deployment was rolled back: an alarm went into ALARM"),
            "failed": Overlay("Failed", old, "The primary container for production variant AllTraffic did not pass"),
            "slow": Overlay("Updating", old, updating_polls=10**9),
        }[mode]
        if mode == "ok":
            self.repoint(endpoint, new)
        overlay.updating_polls = max(overlay.updating_polls, self.updating_polls)
        overlay.updating_config = old
        self.overlays[endpoint] = overlay
        arn = f"arn:aws:sagemaker:us-east-1:123456789012:endpoint/{endpoint}"
        return json_answer({"EndpointArn": arn})

    def _describe(self, endpoint: str) -> Answer | None:
        overlay = self.overlays.get(endpoint)
        if overlay is None:
            return None
        described = self.describe(endpoint)
        if described is None:
            return None
        if overlay.updating_polls > 0:
            overlay.updating_polls -= 1
            described |= {"EndpointStatus": "Updating", "EndpointConfigName": overlay.updating_config}
        else:
            described |= {"EndpointStatus": overlay.status, "EndpointConfigName": overlay.config}
            if overlay.reason:
                described["FailureReason"] = overlay.reason
        return json_answer(described)


def repoint_with(sagemaker: Any) -> Callable[[str, str], None]:
    """Move moto's endpoint to another config, keeping its tags (moto's CreateEndpoint re-points, drops tags)."""

    def repoint(endpoint: str, config: str) -> None:
        arn = sagemaker.describe_endpoint(EndpointName=endpoint)["EndpointArn"]
        tags = sagemaker.list_tags(ResourceArn=arn)["Tags"]
        sagemaker.create_endpoint(EndpointName=endpoint, EndpointConfigName=config)
        arn = sagemaker.describe_endpoint(EndpointName=endpoint)["EndpointArn"]
        if tags:
            sagemaker.add_tags(ResourceArn=arn, Tags=tags)

    return repoint


def describe_with(sagemaker: Any) -> Callable[[str], dict[str, Any] | None]:
    """``DescribeEndpoint`` straight from moto with a boto3 client (None when there is no such endpoint)."""

    def describe(endpoint: str) -> dict[str, Any] | None:
        found = sagemaker.list_endpoints(NameContains=endpoint)["Endpoints"]
        if not any(e["EndpointName"] == endpoint for e in found):
            return None
        described: dict[str, Any] = sagemaker.describe_endpoint(EndpointName=endpoint)
        described.pop("ResponseMetadata", None)
        return described

    return describe


def reset_moto(moto_url: str) -> None:
    """Forget every resource of the moto server."""
    request = urllib.request.Request(f"{moto_url}/moto-api/reset", method="POST")
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status == 200, f"moto reset failed: HTTP {response.status}"


def put_alarm(cloudwatch: Any, name: str, endpoint: str, state: str = "OK") -> None:
    """A 5xx guard alarm on ``endpoint``'s variant in moto's CloudWatch, set to ``state``."""
    cloudwatch.put_metric_alarm(
        AlarmName=name,
        Namespace="AWS/SageMaker",
        MetricName="Invocation5XXErrors",
        Statistic="Sum",
        Period=60,
        EvaluationPeriods=1,
        Threshold=1,
        ComparisonOperator="GreaterThanOrEqualToThreshold",
        Dimensions=[{"Name": "EndpointName", "Value": endpoint}, {"Name": "VariantName", "Value": "AllTraffic"}],
    )
    if state != "OK":
        cloudwatch.set_alarm_state(AlarmName=name, StateValue=state, StateReason="test")


def alarm_states_with(cloudwatch: Any) -> Callable[[list[str]], dict[str, str]]:
    """The states of the named alarms in moto's CloudWatch (for the ``alarms`` mode)."""

    def alarm_states(names: list[str]) -> dict[str, str]:
        found = cloudwatch.describe_alarms(AlarmNames=names)["MetricAlarms"]
        return {a["AlarmName"]: a["StateValue"] for a in found}

    return alarm_states


def install_stand_in(proxy: FaultProxy, sagemaker: Any, cloudwatch: Any, respond: Responder) -> UpdateEndpointStandIn:
    """A fresh stand-in on ``proxy`` (its faults and log cleared) over moto's ``sagemaker`` and ``cloudwatch``."""
    proxy.faults = []
    proxy.seen.clear()
    stand_in = UpdateEndpointStandIn(
        proxy, describe_with(sagemaker), repoint_with(sagemaker), alarm_states_with(cloudwatch), respond=respond
    )
    return stand_in.install()


def check_canary_update(
    request: dict[str, Any], *, percent: int, wait_s: int, termination_wait_s: int, alarms: list[str]
) -> None:
    """An ``UpdateEndpoint`` request shifts ``percent`` first, times out above the waits, names ``alarms``."""
    policy = request["DeploymentConfig"]["BlueGreenUpdatePolicy"]
    assert policy["TrafficRoutingConfiguration"] == {
        "Type": "CANARY",
        "CanarySize": {"Type": "CAPACITY_PERCENT", "Value": percent},
        "WaitIntervalInSeconds": wait_s,
    }
    assert policy["TerminationWaitInSeconds"] == termination_wait_s
    assert policy["MaximumExecutionTimeoutInSeconds"] > 2 * wait_s + termination_wait_s
    assert request["DeploymentConfig"]["AutoRollbackConfiguration"] == {"Alarms": [{"AlarmName": a} for a in alarms]}
    assert request["RetainAllVariantProperties"] is True


def break_responses(respond: Responder, config: str, kind: str) -> Responder:
    """``respond``, except that ``config`` answers with the wrong schema (``schema``) or a ``ModelError``."""

    def broken(name: str, payload: dict[str, Any]) -> Answer:
        if name != config:
            return respond(name, payload)
        if kind == "schema":
            return json_answer({"scores": [0.0 for _ in payload["instances"]]})
        return build_error(424, "ModelError", json.dumps({"error": "boom"}))

    return broken


@dataclass
class ContainerResponder:
    """Answers ``InvokeEndpoint`` as SageMaker's scikit-learn container would with mlgate's ``inference.py``.

    For the live config: its model (``DescribeModel``) names ``ModelDataUrl`` and ``Environment``; the
    tarball is fetched from moto's S3 and unpacked under ``folder/<config>``, and the packed
    ``code/inference.py`` runs ``model_fn`` (with that environment), ``input_fn``, ``predict_fn`` and
    ``output_fn``. A request the model refuses is a ``ModelError`` with its status, as the runtime reports it.
    """

    sagemaker: Any
    s3: Any
    folder: Path
    loaded: dict[str, tuple[ModuleType, Any]] = field(default_factory=dict)  # by config (names are deterministic)

    def __call__(self, config: str, payload: dict[str, Any]) -> Answer:
        module, model = self._load(config)
        request = module.input_fn(json.dumps(payload).encode(), "application/json")
        try:
            prediction = module.predict_fn(request, model)
        except module.RequestError as exc:
            return build_error(424, "ModelError", f"Received client error ({exc.status}) from primary: {exc}")
        body, content_type = module.output_fn(prediction, "application/json")
        return 200, {"Content-Type": content_type}, body

    def _load(self, config: str) -> tuple[ModuleType, Any]:
        if config not in self.loaded:
            variant = self.sagemaker.describe_endpoint_config(EndpointConfigName=config)["ProductionVariants"][0]
            container = self.sagemaker.describe_model(ModelName=variant["ModelName"])["PrimaryContainer"]
            bucket, key = container["ModelDataUrl"].removeprefix("s3://").split("/", 1)
            model_dir = self.folder / f"{config}-{len(self.loaded)}"
            with tarfile.open(fileobj=io.BytesIO(self.s3.get_object(Bucket=bucket, Key=key)["Body"].read())) as tar:
                tar.extractall(model_dir, filter="data")
            module = load_module(model_dir / "code" / "inference.py", f"container_inference_{len(self.loaded)}")
            self.loaded[config] = module, module.model_fn(str(model_dir), environ=container.get("Environment", {}))
        return self.loaded[config]


def load_module(path: Path, name: str) -> ModuleType:
    """Import the Python file ``path`` as module ``name`` (as the container imports ``SAGEMAKER_PROGRAM``)."""
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None, f"cannot import {path}"
    assert spec.loader is not None, f"cannot import {path}"
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up while the file runs
    try:
        spec.loader.exec_module(module)
    finally:
        del sys.modules[name]
    return module
