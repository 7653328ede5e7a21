"""The SageMaker target driven by the deploy flow against moto (server mode, 127.0.0.1), offline.

Requests go through a ``FaultProxy`` in front of moto; the ``UpdateEndpoint`` stand-in plays out the
updates moto cannot, and answers ``InvokeEndpoint`` like mlgate's container: ``x * 2`` for every version
unless a test says otherwise. Checks (3)–(9) of the issue; state is asserted through moto, not our log.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import boto3
import pytest

from fakes.fault_proxy import Answer, Fault, FaultProxy
from fakes.sagemaker_update import (
    UpdateEndpointStandIn,
    break_responses,
    check_canary_update,
    install_stand_in,
    json_answer,
    put_alarm,
    reset_moto,
)
from mlgate.aws import client
from mlgate.config import BlueGreenConfig, SagemakerConfig, SmokeConfig
from mlgate.deploy.flow import Deployer, FlowSettings, deploy, rollback
from mlgate.deploy.outcome import DeployOutcome
from mlgate.deploy.sagemaker.names import build_resource_name
from mlgate.deploy.sagemaker.target import SagemakerTarget
from mlgate.deploy.watch import MISSING, AlarmState
from mlgate.errors import ExitCode, ServiceError
from mlgate.registry.model import ModelVersion
from unit.deploy.fakes import FakeClock, FakeRegistry, make_version

REGION = "us-east-1"
ENDPOINT = "churn"
SETTINGS = SagemakerConfig(
    region=REGION,
    role_arn="arn:aws:iam::123456789012:role/sm",
    endpoint=ENDPOINT,
    instance_count=3,
    image_uri="123456789012.dkr.ecr.us-east-1.amazonaws.com/sklearn:1.2-1",
    alarms=("churn-5xx", "churn-p99"),
    deployment=BlueGreenConfig(strategy="CANARY", canary_percent=10, wait_s=120, termination_wait_s=60),
    wait_timeout_s=600,
    max_attempts=3,
)

if TYPE_CHECKING:
    from mypy_boto3_cloudwatch import CloudWatchClient
    from mypy_boto3_sagemaker import SageMakerClient
    from mypy_boto3_sagemaker_runtime import SageMakerRuntimeClient


def s3_version(number: int) -> ModelVersion:
    return dataclasses.replace(make_version(number), artifact=f"s3://models/{number}/model.tar.gz")


def config_name(number: int) -> str:
    return build_resource_name(ENDPOINT, str(number), s3_version(number).sha256)


@dataclass
class Aws:
    """The moto state, the proxy in front of it, the stand-in, a fake clock and the registry."""

    moto: Any
    cloudwatch: Any
    proxy: FaultProxy
    stand_in: UpdateEndpointStandIn
    clock: FakeClock
    registry: FakeRegistry
    clients: dict[int, tuple[SageMakerClient, SageMakerRuntimeClient, CloudWatchClient]]

    def target(self, settings: SagemakerConfig = SETTINGS) -> SagemakerTarget:
        attempts = settings.max_attempts  # building a client takes ~0.3 s: one set per retry setting
        if attempts not in self.clients:
            self.clients[attempts] = (
                client("sagemaker", max_attempts=attempts, region=REGION),
                client("sagemaker-runtime", max_attempts=attempts, region=REGION),
                client("cloudwatch", max_attempts=attempts, region=REGION),
            )
        sagemaker, runtime, cloudwatch = self.clients[attempts]
        return SagemakerTarget(
            settings,
            sagemaker=sagemaker,
            runtime=runtime,
            cloudwatch=cloudwatch,
            run_id="4242",
            clock=self.clock,
            sleep=self.clock.advance,
            poll_s=15,
        )

    def deployer(self, settings: SagemakerConfig = SETTINGS) -> Deployer:
        flow = FlowSettings(timeout_s=60, smoke=SmokeConfig(requests=3, latency_p95_ms=5000))
        return Deployer(self.registry, self.target(settings), "alice", flow, clock=self.clock, verify=lambda p, v: None)

    def endpoint_tags(self) -> dict[str, str]:
        arn = self.moto.describe_endpoint(EndpointName=ENDPOINT)["EndpointArn"]
        return {t["Key"]: t["Value"] for t in self.moto.list_tags(ResourceArn=arn)["Tags"]}

    def configs(self) -> list[str]:
        return sorted(c["EndpointConfigName"] for c in self.moto.list_endpoint_configs()["EndpointConfigs"])

    def models(self) -> list[str]:
        return sorted(m["ModelName"] for m in self.moto.list_models()["Models"])


def predict_times_two(config: str, payload: dict[str, Any]) -> Answer:
    match = re.search(r"-v(\d+)-", config)
    version = match.group(1) if match else None
    rows = payload["instances"]
    return json_answer({"predictions": [row["x"] * 2.0 for row in rows], "version": version})


@dataclass
class Shared:
    """What one module of tests shares (building boto3 clients takes ~0.3 s each): proxy and clients."""

    proxy: FaultProxy
    moto: Any
    cloudwatch: Any
    clients: dict[int, tuple[SageMakerClient, SageMakerRuntimeClient, CloudWatchClient]]


@pytest.fixture(scope="module")
def shared(moto_server: str) -> Iterator[Shared]:
    with FaultProxy(moto_server) as proxy:
        session = boto3.session.Session(region_name=REGION)
        moto = session.client("sagemaker", endpoint_url=moto_server)
        cloudwatch = session.client("cloudwatch", endpoint_url=moto_server)
        yield Shared(proxy, moto, cloudwatch, {})


@pytest.fixture
def aws(moto_server: str, shared: Shared, monkeypatch: pytest.MonkeyPatch) -> Aws:
    reset_moto(moto_server)
    monkeypatch.setenv("AWS_ENDPOINT_URL", shared.proxy.url)
    stand_in = install_stand_in(shared.proxy, shared.moto, shared.cloudwatch, predict_times_two)
    registry = FakeRegistry(*(s3_version(n) for n in range(1, 6)))
    return Aws(shared.moto, shared.cloudwatch, shared.proxy, stand_in, FakeClock(), registry, shared.clients)


def deploy_version(aws: Aws, number: int, settings: SagemakerConfig = SETTINGS) -> DeployOutcome:
    return deploy(aws.deployer(settings), str(number))


def test_first_deploy_creates_one_model_config_and_endpoint_with_tags_and_a_rerun_is_a_no_op(aws: Aws) -> None:
    outcome = deploy_version(aws, 1)
    assert (outcome.outcome, outcome.exit_code) == ("deployed", ExitCode.OK), outcome.reason
    assert aws.models() == aws.configs() == [config_name(1)]
    assert len(config_name(1)) <= 63
    assert aws.moto.describe_endpoint(EndpointName=ENDPOINT)["EndpointConfigName"] == config_name(1)
    assert aws.endpoint_tags() == {"mlgate:version": "1", "mlgate:run-id": "4242"}
    container = aws.moto.describe_model(ModelName=config_name(1))["PrimaryContainer"]
    assert (container["Image"], container["ModelDataUrl"]) == (SETTINGS.image_uri, "s3://models/1/model.tar.gz")
    assert container["Environment"]["SAGEMAKER_PROGRAM"] == "inference.py"
    again = deploy_version(aws, 1)
    assert again.outcome == "no-op"
    assert aws.models() == aws.configs() == [config_name(1)]
    assert aws.stand_in.requests == []


def test_update_request_carries_routing_sizes_existing_alarms_timeout_and_the_same_variant(aws: Aws) -> None:
    put_alarm(aws.cloudwatch, "churn-5xx", ENDPOINT)  # churn-p99 does not exist: it must not be attached
    assert deploy_version(aws, 1).outcome == "deployed"
    outcome = deploy_version(aws, 2)
    assert outcome.outcome == "deployed", outcome.reason
    [request] = aws.stand_in.requests
    check_canary_update(request, percent=10, wait_s=120, termination_wait_s=60, alarms=["churn-5xx"])
    variants = [
        aws.moto.describe_endpoint_config(EndpointConfigName=config_name(n))["ProductionVariants"] for n in (1, 2)
    ]
    assert [v[0]["VariantName"] for v in variants] == ["AllTraffic", "AllTraffic"]
    assert variants[1][0]["InitialInstanceCount"] == 3
    assert aws.endpoint_tags()["mlgate:previous-config"] == config_name(1)


@pytest.mark.parametrize(
    ("mode", "firing", "outcome", "code", "says"),
    [
        ("rollback", False, "rolled-back", ExitCode.CHECKS_FAILED, "FailureReason: Deployment was rolled back"),
        ("alarms", True, "rolled-back", ExitCode.CHECKS_FAILED, "alarms in ALARM: churn-5xx"),
        ("failed", False, "needs-person", ExitCode.NEEDS_PERSON, "not rolled back"),
        ("slow", False, "timed-out", ExitCode.TIMED_OUT, "status Updating"),
    ],
)
def test_each_update_outcome_gets_its_exit_code_and_report(
    aws: Aws, mode: str, firing: bool, outcome: str, code: ExitCode, says: str
) -> None:
    put_alarm(aws.cloudwatch, "churn-5xx", ENDPOINT)
    assert deploy_version(aws, 1).outcome == "deployed"
    if firing:
        aws.cloudwatch.set_alarm_state(AlarmName="churn-5xx", StateValue="ALARM", StateReason="5xx")
    aws.stand_in.modes = [mode]
    result = deploy_version(aws, 2)
    assert (result.outcome, result.exit_code) == (outcome, code)
    assert says in " ".join(step.detail for step in result.steps)
    watch = result.watches[0]
    assert watch.version == "2"
    assert watch.alarms == (AlarmState("churn-5xx", "ALARM" if firing else "OK"), AlarmState("churn-p99", MISSING))
    assert (watch.failure_reason is not None) is (outcome in ("rolled-back", "needs-person"))
    if outcome == "rolled-back":
        assert result.live == "1"
        assert result.rejected
        assert aws.registry.get("2").status == "rejected"


def test_manual_rollback_restores_the_recorded_config_all_at_once_without_firing_alarms(aws: Aws) -> None:
    put_alarm(aws.cloudwatch, "churn-5xx", ENDPOINT)
    put_alarm(aws.cloudwatch, "churn-p99", ENDPOINT)
    assert deploy_version(aws, 1).outcome == "deployed"
    assert deploy_version(aws, 2).outcome == "deployed"
    aws.cloudwatch.set_alarm_state(AlarmName="churn-5xx", StateValue="ALARM", StateReason="5xx")
    result = rollback(aws.deployer())
    assert (result.outcome, result.live) == ("deployed", "1"), result.reason
    assert result.smoke is not None
    assert result.smoke.passed
    request = aws.stand_in.requests[-1]
    assert request["EndpointConfigName"] == config_name(1)
    assert request["DeploymentConfig"]["BlueGreenUpdatePolicy"]["TrafficRoutingConfiguration"]["Type"] == "ALL_AT_ONCE"
    assert request["DeploymentConfig"]["AutoRollbackConfiguration"] == {"Alarms": [{"AlarmName": "churn-p99"}]}
    assert aws.moto.describe_endpoint(EndpointName=ENDPOINT)["EndpointConfigName"] == config_name(1)


def test_rollback_refuses_a_failed_endpoint_unless_downtime_is_allowed(aws: Aws) -> None:
    assert deploy_version(aws, 1).outcome == "deployed"
    aws.stand_in.modes = ["failed"]
    assert deploy_version(aws, 2).outcome == "needs-person"
    refused = rollback(aws.deployer(), to="1")
    assert (refused.outcome, refused.exit_code) == ("refused", ExitCode.CHECKS_FAILED)
    assert "allow_downtime" in (refused.steps[-1].hint or "")
    allowed = rollback(aws.deployer(dataclasses.replace(SETTINGS, allow_downtime=True)), to="1")
    assert (allowed.outcome, allowed.live) == ("deployed", "1"), allowed.reason
    assert aws.moto.describe_endpoint(EndpointName=ENDPOINT)["EndpointStatus"] == "InService"


@pytest.mark.parametrize("keep", [2, 0])
def test_retention_never_deletes_the_live_or_the_rollback_config(aws: Aws, keep: int) -> None:
    settings = dataclasses.replace(SETTINGS, keep_configs=keep)
    for number in range(1, 6):
        assert deploy_version(aws, number, settings).outcome == "deployed"
    assert aws.configs() == aws.models() == sorted([config_name(5), config_name(4)])
    assert aws.moto.describe_endpoint(EndpointName=ENDPOINT)["EndpointConfigName"] == config_name(5)
    assert aws.endpoint_tags()["mlgate:previous-config"] == config_name(4)


def test_throttling_is_retried_then_succeeds(aws: Aws) -> None:
    aws.proxy.faults = [Fault("SageMaker.CreateModel", 400, "ThrottlingException", times=2)]
    assert deploy_version(aws, 1).outcome == "deployed"
    assert aws.proxy.seen.count("SageMaker.CreateModel") == 3


def test_persistent_503_is_a_service_error_after_the_configured_attempts(aws: Aws) -> None:
    aws.proxy.faults = [Fault("SageMaker.DescribeEndpoint", 503, "ServiceUnavailable", times=100)]
    with pytest.raises(ServiceError, match=r"ServiceUnavailable.*after 3 tries") as caught:
        deploy_version(aws, 1)
    assert caught.value.exit_code == ExitCode.SERVICE_FAILED
    assert aws.proxy.seen.count("SageMaker.DescribeEndpoint") == 3


def test_validation_exception_is_never_retried(aws: Aws) -> None:
    aws.proxy.faults = [Fault("SageMaker.CreateEndpointConfig", 400, "ValidationException", "bad instance type")]
    with pytest.raises(ServiceError, match="ValidationException: bad instance type"):
        deploy_version(aws, 1)
    assert aws.proxy.seen.count("SageMaker.CreateEndpointConfig") == 1
    assert aws.moto.list_endpoints()["Endpoints"] == []


def test_connection_refused_gives_an_actionable_message(aws: Aws) -> None:
    settings = dataclasses.replace(SETTINGS, max_attempts=1)
    nowhere = {"AWS_ENDPOINT_URL": "http://127.0.0.1:9", "AWS_REGION": REGION}
    sagemaker = client("sagemaker", max_attempts=1, environ=nowhere)
    runtime = client("sagemaker-runtime", max_attempts=1, environ=nowhere)
    cloudwatch = client("cloudwatch", max_attempts=1, environ=nowhere)
    target = SagemakerTarget(settings, sagemaker=sagemaker, runtime=runtime, cloudwatch=cloudwatch, clock=aws.clock)
    deployer = dataclasses.replace(aws.deployer(settings), target=target)
    with pytest.raises(ServiceError, match="cannot reach AWS for describe_endpoint") as caught:
        deploy(deployer, "1")
    assert "AWS_ENDPOINT_URL" in (caught.value.hint or "")


@pytest.mark.parametrize("kind", ["schema", "model-error"])
def test_a_bad_smoke_response_fails_the_deploy_and_rolls_back(aws: Aws, kind: str) -> None:
    assert deploy_version(aws, 1).outcome == "deployed"
    aws.stand_in.respond = break_responses(predict_times_two, config_name(2), kind)
    result = deploy_version(aws, 2)
    assert (result.outcome, result.exit_code, result.live) == ("rolled-back", ExitCode.CHECKS_FAILED, "1")
    assert result.verify is not None
    assert result.verify.passed
    assert aws.registry.get("2").status == "rejected"
    back = aws.stand_in.requests[-1]
    assert back["EndpointConfigName"] == config_name(1)
    assert back["DeploymentConfig"]["BlueGreenUpdatePolicy"]["TrafficRoutingConfiguration"]["Type"] == "ALL_AT_ONCE"


def test_without_a_version_the_newest_approved_is_deployed_and_none_approved_is_refused(aws: Aws) -> None:
    aws.registry = FakeRegistry(s3_version(1), s3_version(2), dataclasses.replace(make_version(3, status="pending")))
    outcome = deploy(aws.deployer(), None)
    assert (outcome.outcome, outcome.live) == ("deployed", "2"), outcome.reason
    assert aws.moto.describe_endpoint(EndpointName=ENDPOINT)["EndpointConfigName"] == config_name(2)
    aws.registry = FakeRegistry(make_version(1, status="pending"), make_version(2, status="rejected"))
    refused = deploy(aws.deployer(), None)
    assert (refused.outcome, refused.exit_code) == ("refused", ExitCode.CHECKS_FAILED)


@pytest.mark.parametrize(("version", "outcome"), [("3", "refused"), ("4", "refused"), ("9", "invalid")])
def test_an_unapproved_or_unknown_version_makes_no_mutating_call(aws: Aws, version: str, outcome: str) -> None:
    aws.registry = FakeRegistry(s3_version(1), make_version(3, status="pending"), make_version(4, status="rejected"))
    result = deploy(aws.deployer(), version)
    assert result.outcome == outcome
    assert aws.models() == aws.configs() == []
    assert aws.moto.list_endpoints()["Endpoints"] == []
    mutating = [op for op in aws.proxy.seen if re.search(r"\.(Create|Update|Delete|Add)", op)]
    assert mutating == []
