"""A test-only stand-in for what moto does not model of multi-variant endpoints: shadow variants and routing.

``VariantsStandIn`` sits in front of the ``UpdateEndpoint`` stand-in (``fakes.sagemaker_update``) on the same
``FaultProxy`` and claims:

- ``UpdateEndpointWeightsAndCapacities``: recorded in ``weight_requests``, then played out by moto.
- ``CreateEndpointConfig``: remembers the ``ShadowProductionVariants`` moto drops, then lets moto create the config;
  ``DescribeEndpointConfig`` and ``DescribeEndpoint`` show them again (the endpoint's with weights and counts).
- ``InvokeEndpoint``: picks the production variant named by the ``TargetVariant`` header, else one at random (seeded)
  by the ``CurrentWeight`` moto's ``DescribeEndpoint`` shows, so moto's own ``UpdateEndpointWeightsAndCapacities``
  steers it; answers with that variant's model through the responder (called with the model's name, which is
  also its version's single-variant config name) and names it in ``x-Amzn-Invoked-Production-Variant``. With a
  shadow variant, a share of the requests (its weight over the production variant's) is answered by the shadow's
  model too; that answer reaches no client. Every answer is recorded in ``invocations``, published to moto's
  CloudWatch per variant (``AWS/SageMaker``: ``Invocations``, ``Invocation5XXErrors``, ``ModelLatency`` in
  microseconds, from ``latency_ms`` when set, else measured) and, with ``DataCaptureConfig``, written to moto's
  S3 as SageMaker captures it: ``<DestinationS3Uri>/<endpoint>/<variant>/yyyy/mm/dd/hh/<mm-ss-ms>-<uuid>.jsonl``,
  one line per request, a shadowed request's two lines sharing ``eventId`` and ``inferenceId``.
- ``GetMetricStatistics`` with ``ExtendedStatistics`` (moto ignores them): ``ModelLatency`` percentiles by nearest
  rank over the latencies the stand-in published itself in the window, one datapoint.

Everything else goes to the ``UpdateEndpoint`` stand-in and on to moto.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import random
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from moto.core.cbor import CBORDecoder, CBOREncoder

from fakes.fault_proxy import Answer, FaultProxy, build_error
from fakes.sagemaker_update import Responder, UpdateEndpointStandIn, json_answer

NAMESPACE = "AWS/SageMaker"
METRIC_OPERATION = "GetMetricStatistics"  # botocore sends it as JSON or as CBOR (.../operation/GetMetricStatistics)


@dataclass(frozen=True)
class Invocation:
    """One answer a variant gave: the production variant's, or a shadow's copy (``shadow``)."""

    endpoint: str
    variant: str
    model: str
    status: int
    shadow: bool
    event_id: str
    inference_id: str | None


@dataclass
class VariantsStandIn:
    """See the module docstring; ``install`` hooks it into ``proxy`` in front of ``inner``."""

    proxy: FaultProxy
    inner: UpdateEndpointStandIn
    sagemaker: Any  # boto3 clients straight to moto
    cloudwatch: Any
    s3: Any
    respond: Responder
    seed: int = 20
    latency_ms: Callable[[str], float] | None = None  # by model name; None: measured
    shadows: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # by config
    invocations: list[Invocation] = field(default_factory=list)
    weight_requests: list[dict[str, Any]] = field(default_factory=list)  # UpdateEndpointWeightsAndCapacities, for moto
    latencies: list[tuple[dt.datetime, str, str, float]] = field(default_factory=list)  # when, endpoint, variant, µs
    random: random.Random = field(init=False)

    def __post_init__(self) -> None:
        self.random = random.Random(self.seed)

    def install(self) -> VariantsStandIn:
        self.proxy.intercept = self.intercept
        return self

    def intercept(self, operation: str, path: str, body: bytes) -> Answer | None:
        if operation == "SageMaker.CreateEndpointConfig":
            request = json.loads(body)
            if request.get("ShadowProductionVariants"):
                self.shadows[request["EndpointConfigName"]] = request["ShadowProductionVariants"]
            return None
        if operation == "SageMaker.UpdateEndpointWeightsAndCapacities":
            self.weight_requests.append(json.loads(body))
            return None
        if operation == "SageMaker.DeleteEndpointConfig":
            self.shadows.pop(json.loads(body)["EndpointConfigName"], None)
            return None
        if operation == "SageMaker.DescribeEndpointConfig":
            return self._describe_config(json.loads(body)["EndpointConfigName"])
        if operation == "SageMaker.DescribeEndpoint":
            return self._describe_endpoint(
                json.loads(body)["EndpointName"], self.inner.intercept(operation, path, body)
            )
        if path.startswith("/endpoints/") and path.endswith("/invocations"):
            return self._invoke(path.split("/")[2], json.loads(body), self.proxy.request.headers)
        if operation.endswith(METRIC_OPERATION):
            cbor = "cbor" in str(self.proxy.request.headers.get("Content-Type"))
            request = CBORDecoder().decode(body) if cbor else json.loads(body)
            if request.get("ExtendedStatistics"):
                return self._percentiles(request, cbor=cbor)
        return self.inner.intercept(operation, path, body)

    def _describe_config(self, config: str) -> Answer | None:
        if config not in self.shadows:
            return None
        described = self.sagemaker.describe_endpoint_config(EndpointConfigName=config)
        described.pop("ResponseMetadata", None)
        return json_answer(described | {"ShadowProductionVariants": self.shadows[config]})

    def _describe_endpoint(self, endpoint: str, answered: Answer | None) -> Answer | None:
        config = self.inner.live_config(endpoint)
        if config not in self.shadows:
            return answered
        if answered is None:
            described = self.sagemaker.describe_endpoint(EndpointName=endpoint)
            described.pop("ResponseMetadata", None)
            answered = json_answer(described)
        described = json.loads(answered[2])
        described["ShadowProductionVariants"] = [summarize(variant) for variant in self.shadows[config]]
        return json_answer(described)

    def _invoke(self, endpoint: str, payload: dict[str, Any], headers: Any) -> Answer:
        config = self.inner.live_config(endpoint)
        models = {
            v["VariantName"]: v["ModelName"]
            for v in self.sagemaker.describe_endpoint_config(EndpointConfigName=config)["ProductionVariants"]
        }
        weights = {
            v["VariantName"]: float(v.get("CurrentWeight", 0.0))
            for v in self.sagemaker.describe_endpoint(EndpointName=endpoint)["ProductionVariants"]
        }
        target = headers.get("X-Amzn-SageMaker-Target-Variant")
        if target is not None and target not in models:
            return build_error(400, "ValidationError", f"The variant {target} does not exist on endpoint {endpoint}")
        variant = target or self.random.choices(list(weights), weights=list(weights.values()))[0]
        event_id, inference_id = str(uuid.uuid4()), headers.get("X-Amzn-SageMaker-Inference-Id")
        ids = event_id, inference_id
        status, answer_headers, answer = self._answer(endpoint, variant, models[variant], payload, ids, shadow=False)
        for shadow in self.shadows.get(config, []):
            share = float(shadow["InitialVariantWeight"]) / max(weights[variant], 1e-12)
            if self.random.random() < share:
                self._answer(endpoint, shadow["VariantName"], shadow["ModelName"], payload, ids, shadow=True)
        return status, answer_headers | {"x-Amzn-Invoked-Production-Variant": variant}, answer

    def _answer(
        self,
        endpoint: str,
        variant: str,
        model: str,
        payload: dict[str, Any],
        ids: tuple[str, str | None],
        *,
        shadow: bool,
    ) -> Answer:
        started = time.perf_counter()
        status, headers, body = self.respond(model, payload)
        measured = (time.perf_counter() - started) * 1e6
        micros = self.latency_ms(model) * 1000 if self.latency_ms is not None else measured
        self.invocations.append(Invocation(endpoint, variant, model, status, shadow, *ids))
        now = dt.datetime.now(dt.timezone.utc)
        self.latencies.append((now, endpoint, variant, micros))
        self._publish(endpoint, variant, status, micros, now)
        if status == 200:
            self._capture(endpoint, variant, payload, body, ids, now)
        return status, headers, body

    def _publish(self, endpoint: str, variant: str, status: int, micros: float, now: dt.datetime) -> None:
        dimensions = [{"Name": "EndpointName", "Value": endpoint}, {"Name": "VariantName", "Value": variant}]
        figures = [("Invocations", 1.0, "None"), ("Invocation5XXErrors", float(status >= 500), "None")]
        self.cloudwatch.put_metric_data(
            Namespace=NAMESPACE,
            MetricData=[
                *(
                    {"MetricName": n, "Value": v, "Unit": u, "Dimensions": dimensions, "Timestamp": now}
                    for n, v, u in figures
                ),
                {
                    "MetricName": "ModelLatency",
                    "Value": micros,
                    "Unit": "Microseconds",
                    "Dimensions": dimensions,
                    "Timestamp": now,
                },
            ],
        )

    def _capture(
        self,
        endpoint: str,
        variant: str,
        payload: dict[str, Any],
        body: bytes,
        ids: tuple[str, str | None],
        now: dt.datetime,
    ) -> None:
        config = self.sagemaker.describe_endpoint_config(EndpointConfigName=self.inner.live_config(endpoint))
        capture = config.get("DataCaptureConfig") or {}
        if not capture.get("EnableCapture"):
            return
        metadata = {"eventId": ids[0], "inferenceTime": now.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"}
        if ids[1]:
            metadata["inferenceId"] = ids[1]
        line = {
            "captureData": {
                "endpointInput": {
                    "observedContentType": "application/json",
                    "mode": "INPUT",
                    "data": json.dumps(payload),
                    "encoding": "JSON",
                },
                "endpointOutput": {
                    "observedContentType": "application/json",
                    "mode": "OUTPUT",
                    "data": body.decode(),
                    "encoding": "JSON",
                },
            },
            "eventMetadata": metadata,
            "eventVersion": "0",
        }
        bucket, prefix = capture["DestinationS3Uri"].removeprefix("s3://").split("/", 1)
        key = f"{prefix.rstrip('/')}/{endpoint}/{variant}/{now:%Y/%m/%d/%H}/{now:%M-%S}-{now.microsecond // 1000:03d}-{uuid.uuid4()}.jsonl"
        self.s3.put_object(Bucket=bucket, Key=key, Body=(json.dumps(line) + "\n").encode())

    def _percentiles(self, request: dict[str, Any], *, cbor: bool) -> Answer:
        dimensions = {d["Name"]: d["Value"] for d in request.get("Dimensions", [])}
        start, end = (read_time(request[key]) for key in ("StartTime", "EndTime"))
        values = sorted(
            micros
            for when, endpoint, variant, micros in self.latencies
            if request["MetricName"] == "ModelLatency"
            and request["Namespace"] == NAMESPACE
            and dimensions == {"EndpointName": endpoint, "VariantName": variant}
            and start <= when < end
        )
        points = []
        if values:
            stats = {name: nearest_rank(values, float(name[1:])) for name in request["ExtendedStatistics"]}
            points.append({"Timestamp": start, "ExtendedStatistics": stats, "Unit": "Microseconds"})
        document = {"Label": request["MetricName"], "Datapoints": points}
        if not cbor:
            return json_answer(document)  # the JSON protocol: timestamps as epoch seconds
        headers = {"Content-Type": "application/cbor", "smithy-protocol": "rpc-v2-cbor"}
        return 200, headers, CBOREncoder().encode(document)


def read_time(value: Any) -> dt.datetime:
    """A request's timestamp: CBOR's datetime, or JSON's epoch seconds."""
    return value if isinstance(value, dt.datetime) else dt.datetime.fromtimestamp(float(value), dt.timezone.utc)


def nearest_rank(values: list[float], percentile: float) -> float:
    """The ``percentile`` of the sorted ``values`` by nearest rank."""
    return values[max(math.ceil(percentile / 100 * len(values)) - 1, 0)]


def summarize(variant: dict[str, Any]) -> dict[str, Any]:
    """A config's variant as ``DescribeEndpoint`` shows it (``ProductionVariantSummary``)."""
    weight, count = variant.get("InitialVariantWeight", 1.0), variant.get("InitialInstanceCount", 1)
    return {
        "VariantName": variant["VariantName"],
        "CurrentWeight": weight,
        "DesiredWeight": weight,
        "CurrentInstanceCount": count,
        "DesiredInstanceCount": count,
    }


def install_variants(
    proxy: FaultProxy, inner: UpdateEndpointStandIn, sagemaker: Any, cloudwatch: Any, s3: Any, respond: Responder
) -> VariantsStandIn:
    """A fresh ``VariantsStandIn`` on ``proxy`` in front of ``inner`` (already installed by ``install_stand_in``)."""
    return VariantsStandIn(proxy, inner, sagemaker, cloudwatch, s3, respond).install()
