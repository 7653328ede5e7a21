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
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
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
            names = [a["AlarmName"] for a in request.get("DeploymentConfig", {}).get("AutoRollbackConfiguration", {}).get("Alarms", [])]  # fmt: skip
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
