"""Shadow and A/B split on the SageMaker target against moto (server mode, 127.0.0.1), offline.

moto stores endpoint configs and endpoints and implements ``UpdateEndpointWeightsAndCapacities``; it drops
``ShadowProductionVariants`` and does not route invocations or compute percentiles, so the stand-ins do
(``fakes.sagemaker_update`` for ``UpdateEndpoint``, ``fakes.sagemaker_variants`` for variants, routing, per-variant
metrics, data capture and ``ExtendedStatistics``). Every version answers ``x * 2`` and names itself. State is
asserted through moto (straight, not through the proxy) and through what the stand-in saw.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import pytest

from fakes.fault_proxy import Answer, FaultProxy, build_error
from fakes.sagemaker_update import Responder, install_stand_in, reset_moto
from fakes.sagemaker_variants import VariantsStandIn, install_variants
from integration.test_deploy_sagemaker import (
    ENDPOINT,
    REGION,
    SETTINGS,
    config_name,
    predict_times_two,
    s3_version,
)
from mlgate.aws import client
from mlgate.config import SagemakerConfig, SmokeConfig
from mlgate.deploy.experiment import RunningShadow, Split, find_experiments
from mlgate.deploy.flow import Deployer, FlowSettings, deploy
from mlgate.deploy.sagemaker.target import SagemakerTarget
from mlgate.errors import InputError
from mlgate.monitor.sagemaker import convert_sagemaker
from unit.deploy.fakes import FakeClock, FakeRegistry

STARTED = "2026-12-07T10:00:00+00:00"
ARTIFACT = Path("verified-by-the-flow")  # SageMaker serves the version's S3 artifact, not a local file
CAPTURE = "s3://capture/data"


@dataclass
class Shared:
    """The proxy in front of moto and clients straight to moto, built once for the module."""

    proxy: FaultProxy
    moto: Any
    cloudwatch: Any
    s3: Any


@pytest.fixture(scope="module")
def shared(moto_server: str) -> Iterator[Shared]:
    with FaultProxy(moto_server) as proxy:
        session = boto3.session.Session(region_name=REGION)
        clients = (session.client(name, endpoint_url=moto_server) for name in ("sagemaker", "cloudwatch", "s3"))
        yield Shared(proxy, *clients)


@dataclass
class Aws:
    """moto, the stand-ins, a fake clock, the registry and a target of ``settings``."""

    shared: Shared
    stand_in: VariantsStandIn
    clock: FakeClock
    registry: FakeRegistry
    settings: SagemakerConfig
    target: SagemakerTarget

    @property
    def moto(self) -> Any:
        return self.shared.moto

    def deploy(self, number: int) -> str:
        flow = FlowSettings(timeout_s=60, smoke=SmokeConfig(requests=3, latency_p95_ms=5000))
        deployer = Deployer(self.registry, self.target, "alice", flow, clock=self.clock, verify=lambda p, v: None)
        outcome = deploy(deployer, str(number))
        return outcome.outcome

    def live_config(self) -> str:
        return str(self.moto.describe_endpoint(EndpointName=ENDPOINT)["EndpointConfigName"])

    def endpoint_tags(self) -> dict[str, str]:
        arn = self.moto.describe_endpoint(EndpointName=ENDPOINT)["EndpointArn"]
        return {t["Key"]: t["Value"] for t in self.moto.list_tags(ResourceArn=arn)["Tags"]}

    def configs(self) -> list[str]:
        return sorted(c["EndpointConfigName"] for c in self.moto.list_endpoint_configs()["EndpointConfigs"])

    def invoke(self, count: int) -> list[str | None]:
        """The versions that answered ``count`` requests (each answer checked: ``x * 2``)."""
        versions = []
        for x in range(count):
            reply = self.target.invoke([{"x": float(x)}])
            assert reply.status == 200, reply.text
            assert isinstance(reply.body, dict)
            assert reply.body["predictions"] == [x * 2.0]
            versions.append(reply.version)
        return versions


@pytest.fixture
def aws(moto_server: str, shared: Shared, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest) -> Aws:
    reset_moto(moto_server)
    monkeypatch.setenv("AWS_ENDPOINT_URL", shared.proxy.url)
    settings = getattr(request, "param", SETTINGS)
    inner = install_stand_in(shared.proxy, shared.moto, shared.cloudwatch, predict_times_two)
    stand_in = install_variants(shared.proxy, inner, shared.moto, shared.cloudwatch, shared.s3, predict_times_two)
    clock = FakeClock()
    target = SagemakerTarget(
        settings,
        sagemaker=client("sagemaker", max_attempts=2, region=REGION),
        runtime=client("sagemaker-runtime", max_attempts=2, region=REGION),
        cloudwatch=client("cloudwatch", max_attempts=2, region=REGION),
        run_id="4242",
        clock=clock,
        sleep=clock.advance,
        poll_s=15,
    )
    registry = FakeRegistry(*(s3_version(n) for n in range(1, 4)))
    return Aws(shared, stand_in, clock, registry, settings, target)


def split_of(percent: float = 20.0) -> Split:
    return Split("1", "2", percent, "header:X-Mlgate-Client", STARTED)


def test_a_shadow_copies_its_share_of_requests_to_the_shadow_version_and_stops_cleanly(aws: Aws) -> None:
    assert aws.deploy(1) == "deployed"
    target = find_experiments(aws.target)
    target.start_shadow(s3_version(2), ARTIFACT, 0.25, STARTED)
    shadow_config = aws.live_config()
    assert shadow_config.startswith(f"{ENDPOINT}-shadow-")
    update = aws.stand_in.inner.requests[-1]
    assert (update["EndpointConfigName"], update["RetainAllVariantProperties"]) == (shadow_config, False)
    assert "DeploymentConfig" not in update  # all at once: the live variant keeps every request
    described = aws.target.api.sm.describe_endpoint_config(EndpointConfigName=shadow_config)
    [live] = described["ProductionVariants"]
    [shadow] = described["ShadowProductionVariants"]
    assert (live["VariantName"], live["ModelName"], live["InitialVariantWeight"]) == ("AllTraffic", config_name(1), 1.0)
    assert (shadow["VariantName"], shadow["ModelName"], shadow["InitialVariantWeight"]) == (
        "Shadow",
        config_name(2),
        0.25,
    )
    assert target.read_shadow() == RunningShadow("2", 0.25, STARTED)
    assert (aws.target.current(), aws.target.ping().version) == ("1", "1")
    assert aws.invoke(200) == ["1"] * 200  # every client is answered by the live version
    copies = [i for i in aws.stand_in.invocations if i.shadow]
    assert {(i.variant, i.model) for i in copies} == {("Shadow", config_name(2))}
    assert 30 <= len(copies) <= 70  # 25 % of 200, seeded
    assert target.stop_shadow() is True
    assert aws.live_config() == config_name(1)
    assert shadow_config not in aws.configs()
    assert target.read_shadow() is None
    before = len(aws.stand_in.invocations)
    assert aws.invoke(20) == ["1"] * 20
    assert not any(i.shadow for i in aws.stand_in.invocations[before:])
    assert target.stop_shadow() is False


@pytest.mark.parametrize("aws", [dataclasses.replace(SETTINGS, data_capture_prefix=CAPTURE)], indirect=True)
def test_with_data_capture_the_live_and_the_shadow_answers_land_per_variant_with_shared_ids(aws: Aws) -> None:
    aws.shared.s3.create_bucket(Bucket="capture")
    assert aws.deploy(1) == "deployed"
    aws.target.start_shadow(s3_version(2), ARTIFACT, 1.0, STARTED)
    described = aws.target.api.sm.describe_endpoint_config(EndpointConfigName=aws.live_config())
    assert described["DataCaptureConfig"]["DestinationS3Uri"] == CAPTURE
    runtime = aws.target.api.runtime
    for n in range(3):
        body = json.dumps({"instances": [{"x": float(n)}]})
        runtime.invoke_endpoint(EndpointName=ENDPOINT, ContentType="application/json", Body=body, InferenceId=f"r{n}")
    keys = [o["Key"] for o in aws.shared.s3.list_objects_v2(Bucket="capture", Prefix="data/")["Contents"]]
    lines = {key: json.loads(aws.shared.s3.get_object(Bucket="capture", Key=key)["Body"].read()) for key in keys}
    by_variant: dict[str, dict[str, tuple[str, str]]] = {"AllTraffic": {}, "Shadow": {}}
    for key, line in lines.items():
        endpoint, variant = key.split("/")[1:3]
        records = convert_sagemaker(line, ["x"])  # the format mlgate's monitor reads
        assert endpoint == ENDPOINT
        if not records[0].smoke:  # the deploy's smoke requests were captured too
            [record] = records
            by_variant[variant][record.request_id] = (record.version, line["eventMetadata"]["eventId"])
    assert sorted(by_variant["AllTraffic"]) == sorted(by_variant["Shadow"]) == ["r0", "r1", "r2"]
    for request_id, (version, event_id) in by_variant["AllTraffic"].items():
        assert (version, by_variant["Shadow"][request_id]) == ("1", ("2", event_id))


@pytest.mark.parametrize(("winner", "kept"), [(2, 1), (1, 2)])
def test_a_split_routes_by_weight_and_ends_on_the_winner_s_own_config(aws: Aws, winner: int, kept: int) -> None:
    assert aws.deploy(1) == "deployed"
    target = find_experiments(aws.target)
    target.start_split(split_of(20.0), s3_version(2), ARTIFACT)
    split_config = aws.live_config()
    assert split_config.startswith(f"{ENDPOINT}-ab-")
    variants = aws.moto.describe_endpoint_config(EndpointConfigName=split_config)["ProductionVariants"]
    assert [(v["VariantName"], v["ModelName"], v["InitialVariantWeight"]) for v in variants] == [
        ("AllTraffic", config_name(1), 80.0),
        ("Challenger", config_name(2), 20.0),
    ]
    assert target.read_split() == split_of(20.0)
    assert aws.target.current() == "1"  # the champion stays the live version
    shares = Counter(aws.invoke(200))
    assert set(shares) == {"1", "2"}
    assert 20 <= shares["2"] <= 60  # 20 % of 200, seeded
    pinned = aws.target.api.runtime.invoke_endpoint(
        EndpointName=ENDPOINT,
        ContentType="application/json",
        Body='{"instances": [{"x": 1.0}]}',
        TargetVariant="Challenger",
    )
    assert pinned["InvokedProductionVariant"] == "Challenger"
    assert json.loads(pinned["Body"].read())["version"] == "2"
    seen = len(aws.shared.proxy.seen)
    target.end_split(s3_version(winner), ARTIFACT)
    calls = [op for op in aws.shared.proxy.seen[seen:] if op.startswith("SageMaker.Update")]
    assert calls == ["SageMaker.UpdateEndpointWeightsAndCapacities", "SageMaker.UpdateEndpoint"]
    weights = aws.stand_in.weight_requests[-1]["DesiredWeightsAndCapacities"]
    count = SETTINGS.instance_count
    variant = "AllTraffic" if winner == 1 else "Challenger"
    assert weights == [
        {
            "VariantName": v,
            "DesiredWeight": 1.0 if v == variant else 0.0,
            "DesiredInstanceCount": count if v == variant else 1,
        }
        for v in ("AllTraffic", "Challenger")
    ]
    assert aws.stand_in.inner.requests[-1]["EndpointConfigName"] == config_name(winner)
    assert (aws.live_config(), aws.target.current(), target.read_split()) == (config_name(winner), str(winner), None)
    assert split_config not in aws.configs()
    assert config_name(kept) in aws.configs()  # the loser's own config stays for a rollback
    assert aws.invoke(20) == [str(winner)] * 20
    if winner == 2:
        assert aws.endpoint_tags()["mlgate:previous-config"] == config_name(1)


def test_the_weights_call_alone_moves_all_traffic_as_moto_records_it(aws: Aws) -> None:
    assert aws.deploy(1) == "deployed"
    aws.target.start_split(split_of(50.0), s3_version(2), ARTIFACT)
    aws.target.api.sm.update_endpoint_weights_and_capacities(
        EndpointName=ENDPOINT,
        DesiredWeightsAndCapacities=[
            {"VariantName": "AllTraffic", "DesiredWeight": 0.0, "DesiredInstanceCount": 1},
            {"VariantName": "Challenger", "DesiredWeight": 1.0, "DesiredInstanceCount": 3},
        ],
    )
    shown = aws.moto.describe_endpoint(EndpointName=ENDPOINT)["ProductionVariants"]
    assert [(v["VariantName"], v["CurrentWeight"], v["CurrentInstanceCount"]) for v in shown] == [
        ("AllTraffic", 0.0, 1),
        ("Challenger", 1.0, 3),
    ]
    assert aws.invoke(30) == ["2"] * 30


def failing_every_fourth(failing: str) -> Responder:
    """``predict_times_two``, except that every fourth request to ``failing`` is a server error."""
    calls = Counter[str]()

    def respond(config: str, payload: dict[str, Any]) -> Answer:
        calls[config] += 1
        if config == failing and calls[config] % 4 == 0:
            return build_error(500, "InternalFailure", "the container crashed")
        return predict_times_two(config, payload)

    return respond


def test_read_health_gives_each_version_s_requests_errors_and_p99_from_cloudwatch(aws: Aws) -> None:
    aws.target.switch(s3_version(1), ARTIFACT)  # not a deploy: no smoke requests before the split
    aws.target.wait_until_serving("1", 60)
    since = dt.datetime.now(dt.timezone.utc) - dt.timedelta(seconds=1)
    aws.target.start_split(split_of(40.0), s3_version(2), ARTIFACT)
    aws.stand_in.latency_ms = lambda model: 20.0 if model == config_name(1) else 50.0
    aws.stand_in.respond = failing_every_fourth(config_name(2))
    for x in range(100):
        aws.target.invoke([{"x": float(x)}])
    health = aws.target.read_health(split_of(40.0), since)
    answered = Counter(i.model for i in aws.stand_in.invocations if not i.shadow)
    failed = Counter(i.model for i in aws.stand_in.invocations if i.status >= 500)
    for version in ("1", "2"):
        figures = health[version]
        name = config_name(int(version))
        assert (figures.version, figures.requests, figures.errors) == (version, answered[name], failed[name])
        assert figures.p99_ms == {"1": 20.0, "2": 50.0}[version]
        assert "CloudWatch AWS/SageMaker" in figures.source
    assert health["2"].errors > 0
    assert health["1"].errors == 0


def test_read_health_without_requests_has_no_p99(aws: Aws) -> None:
    assert aws.deploy(1) == "deployed"
    aws.target.start_split(split_of(), s3_version(2), ARTIFACT)
    health = aws.target.read_health(split_of(), dt.datetime.now(dt.timezone.utc) + dt.timedelta(hours=1))
    assert [(h.requests, h.errors, h.p99_ms) for h in health.values()] == [(0, 0, None), (0, 0, None)]


def test_a_deploy_while_a_split_runs_is_refused_and_the_split_keeps_running(aws: Aws) -> None:
    assert aws.deploy(1) == "deployed"
    aws.target.start_split(split_of(), s3_version(2), ARTIFACT)
    split_config = aws.live_config()
    assert aws.deploy(3) == "refused", "the flow refuses at its gate, before anything changes"
    assert aws.live_config() == split_config
    with pytest.raises(InputError, match=r"an A/B test runs on churn \(1 vs 2\): not deploying") as caught:
        aws.target.switch(s3_version(3), ARTIFACT)  # the target refuses too, should anything call it directly
    assert "mlgate ab decide" in (caught.value.hint or "")
    assert aws.live_config() == split_config


def test_a_deploy_while_a_shadow_runs_ends_it_and_records_the_live_version_s_own_config_for_rollback(aws: Aws) -> None:
    assert aws.deploy(1) == "deployed"
    aws.target.start_shadow(s3_version(2), ARTIFACT, 0.5, STARTED)
    assert aws.deploy(3) == "deployed"
    assert aws.live_config() == config_name(3)
    assert aws.endpoint_tags()["mlgate:previous-config"] == config_name(1)
    assert aws.target.read_shadow() is None


def test_refusals_name_the_endpoint_and_change_nothing(aws: Aws) -> None:
    target = aws.target
    with pytest.raises(InputError, match="no version is live on churn"):
        target.start_shadow(s3_version(2), ARTIFACT, 0.1, STARTED)
    assert aws.deploy(1) == "deployed"
    with pytest.raises(InputError, match="version 1 is the live version of churn"):
        target.start_shadow(s3_version(1), ARTIFACT, 0.1, STARTED)
    with pytest.raises(InputError, match="no A/B test runs on churn"):
        target.end_split(s3_version(2), ARTIFACT)
    with pytest.raises(InputError, match="pits the live version 1 against another version, not 3 against 2"):
        target.start_split(Split("3", "2", 10.0, "", STARTED), s3_version(2), ARTIFACT)
    target.start_shadow(s3_version(2), ARTIFACT, 0.1, STARTED)
    with pytest.raises(InputError, match="a shadow runs on churn"):
        target.start_split(split_of(), s3_version(2), ARTIFACT)
    assert target.stop_shadow() is True
    target.start_split(split_of(), s3_version(2), ARTIFACT)
    split_config = aws.live_config()
    with pytest.raises(InputError, match="an A/B test already runs on churn"):
        target.start_split(split_of(), s3_version(2), ARTIFACT)
    with pytest.raises(InputError, match="an A/B test already runs on churn"):
        target.start_shadow(s3_version(3), ARTIFACT, 0.1, STARTED)
    with pytest.raises(InputError, match=r"version 3 is not in the A/B test on churn \(1 vs 2\)"):
        target.end_split(s3_version(3), ARTIFACT)
    assert aws.live_config() == split_config
    assert target.read_split() == split_of()
