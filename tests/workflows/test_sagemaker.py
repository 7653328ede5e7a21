"""The SageMaker path of deploy.yml under act, against moto (target ``sagemaker``, the project baked for it).

AWS is the moto server on 127.0.0.1 behind the FaultProxy with the ``UpdateEndpoint`` stand-in and the container
responder (tests/fakes/sagemaker_update.py): registry records in moto's S3 and model package group, the endpoint
in moto's SageMaker, ``InvokeEndpoint`` answered by the packed ``inference.py``. Two stand-ins, said here:

- OIDC: aws-actions/configure-aws-credentials is served by tests/workflows/stand-ins/aws-credentials, which keeps
  the environment's (moto's) credentials instead of exchanging GitHub's token with STS (impossible offline);
- Python: the template pins Python 3.10 for SageMaker; setup-python's 3.10 entry in the tool cache is this
  machine's interpreter (3.11 here), so the jobs run on it, and so do the versions trained for them.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import boto3
import pytest

from fakes.fault_proxy import FaultProxy
from fakes.sagemaker_update import ContainerResponder, install_stand_in, reset_moto
from mlgate.cli import main
from mlgate.config import load_config
from mlgate.deploy.sagemaker.names import build_resource_name
from mlgate.registry import open_registry
from workflows.act import Run
from workflows.scene import Scene, build_scene
from workflows.world import git

pytestmark = [pytest.mark.slow, pytest.mark.workflows]

ANSWERS = {"task": "classification", "deploy_target": "sagemaker", "python_version": "3.10"}
REGION = "us-east-1"
ROLE = "arn:aws:iam::123456789012:role/{}"
ENDPOINT = "churn-model"


@pytest.fixture(scope="module")
def aws(moto_server: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """moto (reset), a bucket, the proxy with the UpdateEndpoint stand-in; yields the proxy URL and clients."""
    reset_moto(moto_server)
    session = boto3.session.Session(region_name=REGION)
    moto = session.client("sagemaker", endpoint_url=moto_server)
    cloudwatch = session.client("cloudwatch", endpoint_url=moto_server)
    s3 = session.client("s3", endpoint_url=moto_server)
    bucket = f"mlgate-act-{uuid.uuid4().hex[:12]}"
    s3.create_bucket(Bucket=bucket)
    with FaultProxy(moto_server) as proxy:
        responder = ContainerResponder(moto, s3, tmp_path_factory.mktemp("container"))
        stand_in = install_stand_in(proxy, moto, cloudwatch, responder)
        yield {"url": proxy.url, "bucket": bucket, "sagemaker": moto, "stand_in": stand_in}


@pytest.fixture(scope="module")
def scene(tmp_path_factory: pytest.TempPathFactory, aws: dict[str, Any]) -> Iterator[Scene]:
    built = build_scene(tmp_path_factory.mktemp("sagemaker"), ANSWERS, python_versions=("3.10.99",))
    config = built.project / "mlgate.yaml"
    text = config.read_text(encoding="utf-8")
    for key, value in {"region": REGION, "role_arn": ROLE.format("endpoint"), "bucket": aws["bucket"]}.items():
        text = text.replace(f"  {key}: null", f"  {key}: {value}", 1)
    config.write_text(text, encoding="utf-8")
    git(built.project, "commit", "-q", "-am", "the AWS setup of the README")
    built.act.env["AWS_ENDPOINT_URL"] = aws["url"]
    built.act.variables |= {
        "AWS_REGION": REGION,
        "MLGATE_AWS_GATE_ROLE_ARN": ROLE.format("gate"),
        "MLGATE_AWS_DEPLOY_ROLE_ARN": ROLE.format("deploy"),
        "MLGATE_AWS_REGISTRY_ROLE_ARN": ROLE.format("registry"),
    }
    try:
        yield built
    finally:
        built.github.stop()


def cli(scene: Scene, aws: dict[str, Any], *args: str) -> int:
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(scene.project)
        patch.setenv("AWS_ENDPOINT_URL", aws["url"])
        return main([*args, "--config", str(scene.project / "mlgate.yaml")])


def registry_of(scene: Scene, aws: dict[str, Any]) -> Any:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("AWS_ENDPOINT_URL", aws["url"])
        return open_registry(load_config(scene.project / "mlgate.yaml"))


@pytest.fixture(scope="module")
def deployed(scene: Scene, aws: dict[str, Any]) -> Run:
    results = scene.folder / "results"
    assert cli(scene, aws, "train", "--out", str(results)) == 0
    assert cli(scene, aws, "registry", "register", str(results), "--model", "engineered", "--by", "bob") == 0
    assert cli(scene, aws, "registry", "approve", "1", "--reason", "arranged", "--by", "alice") == 0
    payload = {"inputs": {"version": "1", "environment": "production"}, "ref": "refs/heads/main"}
    run = scene.act.run("deploy to SageMaker", scene.project, "mlgate-deploy.yml", "workflow_dispatch", payload)
    scene.record("deploy to SageMaker (moto)", run)
    return run


def test_the_sagemaker_deploy_path_switches_the_endpoint_and_records_it(
    scene: Scene, aws: dict[str, Any], deployed: Run
) -> None:
    registry = registry_of(scene, aws)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("AWS_ENDPOINT_URL", aws["url"])
        version = registry.get("1")
        events = [(e.event, e.version) for e in registry.history()]
    expected = build_resource_name(ENDPOINT, "1", version.sha256)
    endpoint = aws["sagemaker"].describe_endpoint(EndpointName=ENDPOINT)
    assert (endpoint["EndpointStatus"], endpoint["EndpointConfigName"]) == ("InService", expected), deployed.tail()
    assert events[-1] == ("deployed", "1")
    assert not deployed.ran_job("roll back version")


def test_the_oidc_steps_were_replaced_by_environment_credentials(deployed: Run) -> None:
    assert deployed.outcome("approval gate", "Assume") == "Success"
    assert deployed.outcome("deploy version", "Assume") == "Success"
    assert "OIDC replaced by environment credentials" in deployed.text()
