"""The user's path through the CLI: `mlgate registry`, `deploy` and `rollback` with the sagemaker backend and target.

Real S3 and a model package group in moto (server mode, 127.0.0.1) hold versions registered by the
sagemaker backend; every AWS call goes through the FaultProxy with the ``UpdateEndpoint`` stand-in, and
``InvokeEndpoint`` runs the packed ``code/inference.py`` on the model's own tarball with the model's
environment (``ContainerResponder``). Seams: the target's clock is a fake (no real waiting); boto3 clients
are built once per service and endpoint (each takes ~0.2 s); where a test is about something else, its
starting state (approvals, a live version) is arranged through the registry and target APIs. Outputs are
``--format json``, validated against docs/schemas/deploy.schema.json; state is asserted through moto.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import re
import shutil
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import boto3
import pytest

import integration.test_registry_sagemaker as registry_tests
import mlgate.aws
from fakes.fault_proxy import Fault, FaultProxy
from fakes.sagemaker_update import (
    ContainerResponder,
    UpdateEndpointStandIn,
    break_responses,
    check_canary_update,
    install_stand_in,
    put_alarm,
    reset_moto,
)
from mlgate.cli import main
from mlgate.config import load_config
from mlgate.deploy.sagemaker.names import build_resource_name
from mlgate.deploy.sagemaker.target import open_sagemaker_target
from mlgate.deploy.target import TargetOptions
from mlgate.deploy.targets import TARGETS
from mlgate.registry import open_registry
from mlgate.registry.build import Candidate
from schemas import schema_validator
from unit.deploy.fakes import FakeClock

# The registry tests' module fixtures: a project with three trained models, and their registry candidates.
trained, candidates = registry_tests.trained, registry_tests.candidates
REGION = "us-east-1"
GROUP = "churn-models"
ENDPOINT = "churn"
SETTINGS = """\
registry: {{backend: sagemaker}}
deploy: {{target: sagemaker, timeout_s: 60, smoke: {{requests: 1, latency_p95_ms: 5000}}}}
sagemaker:
  region: us-east-1
  bucket: {bucket}
  model_package_group: churn-models
  endpoint: churn
  role_arn: arn:aws:iam::123456789012:role/sm
  instance_count: 2
  alarms: [churn-5xx, churn-p99]
  deployment: {{strategy: CANARY, canary_percent: 10, wait_s: 120, termination_wait_s: 60}}
  wait_timeout_s: 120
  max_attempts: {attempts}
"""
MUTATING = re.compile(r"^SageMaker\.(Create|Update|Delete|Add|Put)")
deploy_schema = functools.cache(partial(schema_validator, "deploy.schema.json"))


@dataclass
class Stage:
    """What the module shares: the proxy in front of moto, boto3 clients straight to moto, built clients."""

    moto_url: str
    proxy: FaultProxy
    moto: Any
    cloudwatch: Any
    s3: Any
    clients: dict[tuple[Any, ...], Any]
    container_models: dict[str, Any]  # the ContainerResponder's loaded models: a config name is one model


@dataclass
class Project:
    """One test's project folder, its moto state and the stand-in answering for SageMaker."""

    folder: Path
    stage: Stage
    stand_in: UpdateEndpointStandIn
    capsys: pytest.CaptureFixture[str]

    def mlgate(self, *args: str) -> tuple[int, Any, str]:
        """``mlgate ARGS --config … --format json``: exit code, parsed stdout (None when empty), stderr."""
        self.capsys.readouterr()
        code = main([*args, "--config", str(self.folder / "mlgate.yaml"), "--format", "json"])
        captured = self.capsys.readouterr()
        document = json.loads(captured.out) if captured.out.strip() else None
        assert "Traceback" not in captured.err, captured.err
        return code, document, captured.err

    def deploy(self, *args: str, command: str = "deploy") -> tuple[int, dict[str, Any], str]:
        """``mlgate deploy|rollback ARGS --target sagemaker``; the JSON report is checked against its schema."""
        code, document, err = self.mlgate(command, *args, "--target", "sagemaker", "--by", "carol")
        assert document is not None, err
        deploy_schema().validate(document)
        return code, document, err

    def approve(self, *versions: str) -> None:
        """``mlgate registry approve`` each of ``versions``."""
        for version in versions:
            code, _, err = self.mlgate("registry", "approve", version, "--by", "alice", "--reason", "good")
            assert code == 0, err

    def arrange(self, *approved: str) -> None:
        """Approve ``approved`` through the registry API (for tests about something else), then forget the calls."""
        registry = open_registry(load_config(self.folder / "mlgate.yaml"))
        for version in approved:
            registry.set_status(version, "approved", by="alice", reason="good")
        self.stage.proxy.seen.clear()

    def arrange_live(self, version: str) -> None:
        """Put ``version`` live through the target's own API (for tests about the next deploy), then forget the calls."""
        config = load_config(self.folder / "mlgate.yaml")
        stored = open_registry(config).get(version)
        target = TARGETS["sagemaker"](config, TargetOptions())
        with target.exclusive():
            target.switch(stored, Path(stored.artifact))
            target.wait_until_serving(version, 60)
        assert self.live_config() == self.config_of(version)
        self.stage.proxy.seen.clear()

    def config_of(self, version: str) -> str:
        """The deterministic model/config name of ``version`` as registered."""
        stored = open_registry(load_config(self.folder / "mlgate.yaml")).get(version)
        return build_resource_name(ENDPOINT, version, stored.sha256)

    def live_config(self) -> str:
        return str(self.stage.moto.describe_endpoint(EndpointName=ENDPOINT)["EndpointConfigName"])

    def approval(self, version: int) -> str:
        listed = self.stage.moto.list_model_packages(ModelPackageGroupName=GROUP, SortOrder="Descending")
        arn = next(
            p["ModelPackageArn"] for p in listed["ModelPackageSummaryList"] if p["ModelPackageVersion"] == version
        )
        return str(self.stage.moto.describe_model_package(ModelPackageName=arn)["ModelApprovalStatus"])

    def resources(self) -> tuple[list[str], list[str], list[str]]:
        """moto's models, endpoint configs and endpoints, by name."""
        moto = self.stage.moto
        return (
            sorted(m["ModelName"] for m in moto.list_models()["Models"]),
            sorted(c["EndpointConfigName"] for c in moto.list_endpoint_configs()["EndpointConfigs"]),
            sorted(e["EndpointName"] for e in moto.list_endpoints()["Endpoints"]),
        )

    def mutating_calls(self) -> list[str]:
        return [op for op in self.stage.proxy.seen if MUTATING.match(op)]


@pytest.fixture(scope="module")
def stage(moto_server: str) -> Iterator[Stage]:
    with FaultProxy(moto_server) as proxy:
        session = boto3.session.Session(region_name=REGION)
        moto, cloudwatch, s3 = (session.client(s, endpoint_url=moto_server) for s in ("sagemaker", "cloudwatch", "s3"))
        yield Stage(moto_server, proxy, moto, cloudwatch, s3, {}, {})


def cached_client(built: dict[tuple[Any, ...], Any], make: Callable[..., Any]) -> Callable[..., Any]:
    """``mlgate.aws.client`` building each (service, retries, region, endpoint) once for the module."""

    def client(service: str, **options: Any) -> Any:
        key = (service, options.get("max_attempts"), options.get("region"), mlgate.aws.endpoint_url(service))
        if key not in built:
            built[key] = make(service, **options)
        return built[key]

    return client


def make_project(
    trained: Path,
    tmp_path: Path,
    stage: Stage,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    *,
    attempts: int = 2,
) -> Project:
    reset_moto(stage.moto_url)
    bucket = f"mlgate-test-{uuid.uuid4().hex[:12]}"
    stage.s3.create_bucket(Bucket=bucket)
    folder = tmp_path / "p"
    shutil.copytree(trained, folder)
    config = folder / "mlgate.yaml"
    config.write_text(config.read_text("utf-8") + SETTINGS.format(bucket=bucket, attempts=attempts), "utf-8")
    monkeypatch.setenv("AWS_ENDPOINT_URL", stage.proxy.url)
    monkeypatch.setattr(mlgate.aws, "client", cached_client(stage.clients, mlgate.aws.client))
    clock = FakeClock()
    monkeypatch.setitem(TARGETS, "sagemaker", partial(open_sagemaker_target, clock=clock, sleep=clock.advance))
    responder = ContainerResponder(stage.moto, stage.s3, tmp_path / "container", stage.container_models)
    stand_in = install_stand_in(stage.proxy, stage.moto, stage.cloudwatch, responder)
    return Project(folder, stage, stand_in, capsys)


@pytest.fixture
def project(
    trained: Path,
    candidates: list[Candidate],
    tmp_path: Path,
    stage: Stage,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> Project:
    """Versions 1 (logistic), 2 (tree), 3 (stump), all pending, in a fresh moto; guard alarm churn-5xx exists."""
    made = make_project(trained, tmp_path, stage, monkeypatch, capsys)
    registry = open_registry(load_config(made.folder / "mlgate.yaml"))
    assert [registry.register(c.version, c.artifact_file).version for c in candidates] == ["1", "2", "3"]
    put_alarm(stage.cloudwatch, "churn-5xx", ENDPOINT)
    stage.proxy.seen.clear()
    return made


def test_registered_through_the_cli_then_deployed_with_the_container_answering(
    trained: Path, tmp_path: Path, stage: Stage, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    made = make_project(trained, tmp_path, stage, monkeypatch, capsys)
    results = str(made.folder / "results")
    code, document, err = made.mlgate("registry", "register", results, "--model", "logistic", "--by", "ci")
    assert (code, document["version"]["version"], document["version"]["status"]) == (0, "1", "pending"), err
    made.approve("1")
    code, report, err = made.deploy()
    assert (code, report["outcome"], report["version"], report["live"]) == (0, "deployed", "1", "1"), err
    assert report["smoke"]["passed"], report["smoke"]
    assert [c["status"] for c in report["smoke"]["checks"]] == ["pass", "pass", "pass", "pass"]
    model = stage.moto.describe_model(ModelName=made.config_of("1"))["PrimaryContainer"]
    assert model["Environment"]["MLGATE_VERSION"] == "1"  # the version the container answers as
    assert model["ModelDataUrl"] == document["version"]["extra"]["sagemaker"]["model_data_url"]


def test_without_a_version_none_approved_is_refused_then_the_newest_approved_is_deployed(project: Project) -> None:
    code, report, err = project.deploy()
    assert (code, report["outcome"], report["exit_code"]) == (1, "refused", 1)
    assert "no approved version" in report["reason"], report["reason"]
    assert project.mutating_calls() == []
    project.approve("1", "2")  # 3 stays pending
    code, report, err = project.deploy()
    assert (code, report["outcome"], report["version"], report["live"]) == (0, "deployed", "2", "2"), err
    assert project.live_config() == project.config_of("2")
    assert [project.approval(n) for n in (1, 2, 3)] == ["Approved", "Approved", "PendingManualApproval"]


def test_a_pending_rejected_unknown_or_other_group_version_makes_no_mutating_call(project: Project) -> None:
    project.approve("1")
    assert project.mlgate("registry", "reject", "2", "--by", "bob", "--reason", "leaks the label")[0] == 0
    project.stage.moto.create_model_package_group(ModelPackageGroupName="fraud")
    other = project.stage.moto.create_model_package(ModelPackageGroupName="fraud", ModelApprovalStatus="Approved")
    cases = {
        "3": (1, "refused", "is pending"),
        "2": (1, "refused", "is rejected"),
        "9": (2, "invalid", "no version 9"),
        other["ModelPackageArn"]: (2, "invalid", "belongs to model package group 'fraud'"),
    }
    for version, (code, outcome, says) in cases.items():
        project.stage.proxy.seen.clear()
        got, report, err = project.deploy(version)
        assert (got, report["outcome"]) == (code, outcome), err
        assert says in report["reason"], report["reason"]
        assert project.resources() == ([], [], [])
        assert project.mutating_calls() == [], version
    assert [project.approval(n) for n in (1, 2, 3)] == ["Approved", "Rejected", "PendingManualApproval"]


def test_first_deploy_creates_one_of_each_with_tags_and_a_rerun_is_a_no_op(
    project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GITHUB_RUN_ID", "4242")
    project.arrange("1")
    code, report, err = project.deploy("1")
    assert (code, report["outcome"], report["previous"]) == (0, "deployed", None), err
    name = project.config_of("1")
    assert len(name) <= 63
    assert project.resources() == ([name], [name], [ENDPOINT])
    arn = project.stage.moto.describe_endpoint(EndpointName=ENDPOINT)["EndpointArn"]
    tags = {t["Key"]: t["Value"] for t in project.stage.moto.list_tags(ResourceArn=arn)["Tags"]}
    assert tags == {"mlgate:version": "1", "mlgate:run-id": "4242"}
    [watch] = report["watches"]
    assert (watch["version"], watch["outcome"], watch["config"]) == ("1", "succeeded", name)
    assert watch["alarms"] == [{"name": "churn-5xx", "state": "OK"}, {"name": "churn-p99", "state": "missing"}]
    project.stage.proxy.seen.clear()
    code, again, err = project.deploy("1")
    assert (code, again["outcome"], again["watches"]) == (0, "no-op", []), err
    assert project.mutating_calls() == []
    assert project.resources() == ([name], [name], [ENDPOINT])


@pytest.mark.parametrize(
    ("mode", "code", "outcome", "watched", "reason"),
    [
        ("rollback", 1, "rolled-back", "rolled-back", "Deployment was rolled back: an alarm went into ALARM"),
        ("alarms", 1, "rolled-back", "rolled-back", "Deployment was rolled back: an alarm went into ALARM"),
        ("failed", 5, "needs-person", "failed", "The primary container for production variant AllTraffic did not pass"),
        ("slow", 6, "timed-out", "timed-out", None),
    ],
)
def test_each_update_outcome_gets_its_exit_code_with_failure_reason_and_alarms_in_the_json(
    project: Project, mode: str, code: int, outcome: str, watched: str, reason: str | None
) -> None:
    project.arrange("1", "2")
    project.arrange_live("1")
    firing = "ALARM" if mode == "alarms" else "OK"
    project.stage.cloudwatch.set_alarm_state(AlarmName="churn-5xx", StateValue=firing, StateReason="5xx")
    project.stand_in.modes = [mode]
    got, report, err = project.deploy("2")
    assert (got, report["exit_code"], report["outcome"]) == (code, code, outcome), err
    first = report["watches"][0]
    assert (first["version"], first["outcome"], first["failure_reason"]) == ("2", watched, reason)
    assert first["alarms"] == [{"name": "churn-5xx", "state": firing}, {"name": "churn-p99", "state": "missing"}]
    [request] = project.stand_in.requests  # the configured canary, the alarms that exist, a timeout above the waits
    check_canary_update(request, percent=10, wait_s=120, termination_wait_s=60, alarms=["churn-5xx"])
    if outcome == "rolled-back":
        assert (report["live"], report["rejected"], project.live_config()) == ("1", True, project.config_of("1"))
        assert project.approval(2) == "Rejected"
        assert report["verify"]["passed"]
    if outcome == "needs-person":  # the endpoint is Failed: a rollback would recreate it, with downtime
        project.stage.proxy.seen.clear()
        code, refused, err = project.deploy("--to", "1", command="rollback")
        assert (code, refused["outcome"]) == (1, "refused"), err
        assert "allow_downtime" in (refused["steps"][-1]["hint"] or "")
        assert project.mutating_calls() == []


def test_manual_rollback_restores_the_recorded_config_all_at_once_without_firing_alarms(project: Project) -> None:
    put_alarm(project.stage.cloudwatch, "churn-p99", ENDPOINT)
    project.arrange("1", "2")
    assert project.deploy("1")[0] == 0
    assert project.deploy("2")[0] == 0
    project.stage.cloudwatch.set_alarm_state(AlarmName="churn-5xx", StateValue="ALARM", StateReason="5xx")
    code, report, err = project.deploy(command="rollback")
    assert (code, report["action"], report["outcome"], report["live"]) == (0, "rollback", "deployed", "1"), err
    assert report["smoke"]["passed"]
    request = project.stand_in.requests[-1]
    assert request["EndpointConfigName"] == project.config_of("1") == project.live_config()
    assert request["DeploymentConfig"]["BlueGreenUpdatePolicy"]["TrafficRoutingConfiguration"]["Type"] == "ALL_AT_ONCE"
    assert request["DeploymentConfig"]["AutoRollbackConfiguration"] == {"Alarms": [{"AlarmName": "churn-p99"}]}
    assert report["watches"][0]["alarms"] == [
        {"name": "churn-5xx", "state": "ALARM"},
        {"name": "churn-p99", "state": "OK"},
    ]


@pytest.mark.parametrize("kind", ["schema", "model-error"])
def test_a_bad_smoke_response_fails_the_deploy_and_rolls_back(project: Project, kind: str) -> None:
    project.arrange("1", "2")
    project.arrange_live("1")
    assert project.stand_in.respond is not None
    project.stand_in.respond = break_responses(project.stand_in.respond, project.config_of("2"), kind)
    code, report, err = project.deploy("2")
    assert (code, report["outcome"], report["live"], report["rejected"]) == (1, "rolled-back", "1", True), err
    assert not report["smoke"]["passed"]
    assert report["verify"]["passed"]
    assert project.live_config() == project.config_of("1")
    assert project.approval(2) == "Rejected"
    back = project.stand_in.requests[-1]
    assert back["DeploymentConfig"]["BlueGreenUpdatePolicy"]["TrafficRoutingConfiguration"]["Type"] == "ALL_AT_ONCE"


def test_throttling_is_retried_then_the_deploy_succeeds(project: Project) -> None:
    project.arrange("1")
    project.stage.proxy.faults = [Fault("SageMaker.CreateModel", 400, "ThrottlingException")]
    code, report, err = project.deploy("1")
    assert (code, report["outcome"]) == (0, "deployed"), err
    assert project.stage.proxy.seen.count("SageMaker.CreateModel") == 2


@pytest.mark.parametrize(
    ("fault", "calls", "says"),
    [
        (Fault("SageMaker.DescribeEndpoint", 503, "ServiceUnavailable", times=100), 2, "ServiceUnavailable"),
        (Fault("SageMaker.CreateEndpointConfig", 400, "ValidationException", "bad instance type"), 1, "bad instance"),
    ],
)
def test_a_persistent_or_a_validation_error_exits_3_without_a_traceback(
    project: Project, fault: Fault, calls: int, says: str
) -> None:
    project.arrange("1")
    project.stage.proxy.faults = [dataclasses.replace(fault)]
    code, document, err = project.mlgate("deploy", "1", "--target", "sagemaker")
    assert (code, document) == (3, None)
    assert says in err
    assert f"after {calls} tries" in err
    assert project.stage.proxy.seen.count(fault.match) == calls
    assert project.stage.moto.list_endpoints()["Endpoints"] == []


def test_connection_refused_gives_an_actionable_message(project: Project, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9")
    config = project.folder / "mlgate.yaml"
    config.write_text(config.read_text("utf-8").replace("max_attempts: 2", "max_attempts: 1"), "utf-8")
    code, document, err = project.mlgate("deploy", "--target", "sagemaker")
    assert (code, document) == (3, None)
    assert "AWS" in err
    assert "AWS_ENDPOINT_URL" in err
    assert len(err.strip().splitlines()) <= 3
