"""The ``sagemaker`` registry backend end to end against moto in server mode (S3 + model package groups).

Checked through moto's own state (list/describe calls with a separate client), never the code's own log.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import shutil
from pathlib import Path
from typing import Any

import boto3
import pytest

from mlgate.cli import main
from mlgate.config import load_config
from mlgate.errors import InputError
from mlgate.registry import Registry as ModelRegistry
from mlgate.registry import open_registry
from mlgate.registry.build import Candidate, build_candidate
from mlgate.registry.sagemaker import SagemakerRegistry
from mlgate.registry.sagemaker_package import pack_model, split_uri
from schemas import schema_validator
from unit.training.project import write_project

GROUP = "churn-models"
MODELS = """
logistic: {estimator: sklearn.linear_model.LogisticRegression}
tree: {estimator: sklearn.tree.DecisionTreeClassifier, params: {max_depth: 3}}
stump: {estimator: sklearn.tree.DecisionTreeClassifier, params: {max_depth: 1}}
"""
EXTRA = "artifacts: {trusted_types: [sklearn.tree._tree.Tree]}\n"


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A project with a results folder of three models (trained once for the module)."""
    folder = tmp_path_factory.mktemp("project")
    config = write_project(folder, models=MODELS, extra=EXTRA)
    assert main(["train", "--config", str(config), "--out", str(folder / "results"), "--format", "json"]) == 0
    return folder


@pytest.fixture
def project(trained: Path, tmp_path: Path, s3_bucket: str, capsys: pytest.CaptureFixture[str]) -> Path:
    """A copy of the trained project whose registry is the sagemaker backend on a fresh moto state."""
    capsys.readouterr()
    shutil.copytree(trained, tmp_path / "p")
    config = tmp_path / "p" / "mlgate.yaml"
    settings = f"sagemaker: {{bucket: {s3_bucket}, model_package_group: {GROUP}, region: us-east-1}}\n"
    config.write_text(config.read_text(encoding="utf-8") + "registry: {backend: sagemaker}\n" + settings, "utf-8")
    return tmp_path / "p"


@pytest.fixture
def sagemaker(moto_server: str) -> Any:
    """A plain boto3 client to read moto's state with."""
    return boto3.session.Session(region_name="us-east-1").client("sagemaker", endpoint_url=moto_server)


def validate(document: dict[str, Any]) -> None:
    """``document`` against docs/schemas/registry.schema.json (the same contract as the local backend)."""
    schema_validator("registry.schema.json").validate(document)


def run(project: Path, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, Any, str]:
    code = main(["registry", *args, "--config", str(project / "mlgate.yaml"), "--format", "json"])
    captured = capsys.readouterr()
    document = json.loads(captured.out) if captured.out.strip() else None
    if document is not None:
        validate(document)
    return code, document, captured.err


def packages(sagemaker: Any) -> dict[int, dict[str, Any]]:
    """Every package of the group as moto describes it, by version number."""
    listed = sagemaker.list_model_packages(ModelPackageGroupName=GROUP, SortOrder="Descending")
    return {
        s["ModelPackageVersion"]: sagemaker.describe_model_package(ModelPackageName=s["ModelPackageArn"])
        for s in listed["ModelPackageSummaryList"]
    }


@pytest.fixture(scope="module")
def candidates(trained: Path) -> list[Candidate]:
    """The three models of the results as ``register`` builds them (built once: reading data takes a while)."""
    config = load_config(trained / "mlgate.yaml")
    when = dt.datetime(2026, 11, 22, 9, 0, tzinfo=dt.timezone.utc)
    return [
        build_candidate(trained / "results", config, model=name, best=False, by="ci", now=when)
        for name in ("logistic", "tree", "stump")
    ]


def register_all(project: Path, candidates: list[Candidate]) -> ModelRegistry:
    """Register the three candidates as versions 1, 2, 3 of the project's sagemaker registry."""
    registry = open_registry(load_config(project / "mlgate.yaml"))
    numbers = [registry.register(c.version, c.artifact_file).version for c in candidates]
    assert numbers == ["1", "2", "3"]
    return registry


def test_register_creates_a_pending_package_with_encrypted_objects(
    project: Path, capsys: pytest.CaptureFixture[str], sagemaker: Any, s3_env: Any, s3_bucket: str
) -> None:
    code, doc, err = run(project, capsys, "register", str(project / "results"), "--model", "logistic", "--by", "ci")
    assert code == 0, err
    assert (doc["version"]["version"], doc["version"]["status"]) == ("1", "pending")
    package = packages(sagemaker)[1]
    assert package["ModelApprovalStatus"] == "PendingManualApproval"
    meta = package["CustomerMetadataProperties"]
    assert meta["mlgate:sha256"] == doc["version"]["sha256"]
    assert meta["mlgate:registered-by"] == "ci"
    assert all(len(value) <= 256 for value in meta.values())
    container = package["InferenceSpecification"]["Containers"][0]
    assert container["Environment"]["SAGEMAKER_PROGRAM"] == "inference.py"
    assert "sagemaker-scikit-learn" in container["Image"]
    assert doc["version"]["extra"]["sagemaker"]["model_package_arn"] == package["ModelPackageArn"]
    assert doc["version"]["extra"]["sagemaker"]["model_data_url"] == container["ModelDataUrl"]
    bucket, key = split_uri(container["ModelDataUrl"])
    assert bucket == s3_bucket
    assert s3_env.head_object(Bucket=bucket, Key=key)["ServerSideEncryption"] == "AES256"
    assert s3_env.head_object(Bucket=bucket, Key=meta["mlgate:record"])["ServerSideEncryption"] == "AES256"
    code, again, _ = run(project, capsys, "register", str(project / "results"), "--model", "logistic", "--by", "ci")
    assert (code, again["action"], len(packages(sagemaker))) == (0, "unchanged", 1)


def test_approve_and_reject_record_who_and_why(
    project: Path, capsys: pytest.CaptureFixture[str], sagemaker: Any, candidates: list[Candidate]
) -> None:
    register_all(project, candidates)
    code, doc, err = run(project, capsys, "approve", "1", "--by", "alice", "--reason", "beats the baseline")
    assert code == 0, err
    assert doc["version"]["status"] == "approved"
    code, doc, err = run(project, capsys, "reject", "v2", "--by", "bob", "--reason", "leaks the label")
    assert code == 0, err
    state = packages(sagemaker)
    assert [state[n]["ModelApprovalStatus"] for n in (1, 2, 3)] == ["Approved", "Rejected", "PendingManualApproval"]
    code, shown, _ = run(project, capsys, "show", "2")
    assert code == 0
    assert [(c["status"], c["by"], c["reason"]) for c in shown["history"]][-1] == ("rejected", "bob", "leaks the label")
    code, history, _ = run(project, capsys, "history")
    assert [(e["event"], e["version"]) for e in history["events"]] == [
        ("registered", "1"),
        ("registered", "2"),
        ("registered", "3"),
        ("approved", "1"),
        ("rejected", "2"),
    ]
    code, listed, _ = run(project, capsys, "list")
    assert [(v["version"], v["status"]) for v in listed["versions"]] == [
        ("1", "approved"),
        ("2", "rejected"),
        ("3", "pending"),
    ]


def test_newest_approved_is_the_highest_approved_version(
    project: Path, sagemaker: Any, candidates: list[Candidate]
) -> None:
    registry = register_all(project, candidates)
    assert isinstance(registry, SagemakerRegistry)
    assert registry.newest_approved() is None
    for number in ("1", "2"):
        registry.set_status(number, "approved", by="alice", reason="good enough")
    newest = registry.newest_approved()
    assert newest is not None
    assert (newest.version, newest.status) == ("2", "approved")
    assert [v.version for v in registry.list() if v.status == "approved"][-1] == "2"
    assert packages(sagemaker)[3]["ModelApprovalStatus"] == "PendingManualApproval"


def test_unknown_and_other_group_versions_are_refused_without_changes(
    project: Path, capsys: pytest.CaptureFixture[str], sagemaker: Any, candidates: list[Candidate]
) -> None:
    register_all(project, candidates)
    sagemaker.create_model_package_group(ModelPackageGroupName="fraud")
    other = sagemaker.create_model_package(ModelPackageGroupName="fraud", ModelApprovalStatus="PendingManualApproval")
    code, _, err = run(project, capsys, "approve", "9", "--by", "alice", "--reason", "x")
    assert code == 2
    assert "has no version 9" in err
    assert "known versions: 1, 2, 3" in err
    code, _, err = run(project, capsys, "approve", other["ModelPackageArn"], "--by", "alice", "--reason", "x")
    assert code == 2
    assert "belongs to model package group 'fraud'" in err
    assert {p["ModelApprovalStatus"] for p in packages(sagemaker).values()} == {"PendingManualApproval"}
    fraud = sagemaker.describe_model_package(ModelPackageName=other["ModelPackageArn"])
    assert fraud["ModelApprovalStatus"] == "PendingManualApproval"


def test_download_verifies_the_digest(
    project: Path, capsys: pytest.CaptureFixture[str], s3_env: Any, tmp_path: Path
) -> None:
    run(project, capsys, "register", str(project / "results"), "--model", "logistic", "--by", "ci")
    registry = open_registry(load_config(project / "mlgate.yaml"))
    stored = registry.get("1")
    path = registry.artifact_path(stored)
    assert hashlib.sha256(path.read_bytes()).hexdigest() == stored.sha256
    bucket, key = split_uri(stored.artifact)
    forged = pack_model(dataclasses.replace(stored, sha256=hashlib.sha256(b"evil").hexdigest()), b"evil")
    s3_env.put_object(Bucket=bucket, Key=key, Body=forged)
    with pytest.raises(InputError, match="tampered artifact") as caught:
        registry.artifact_path(stored)
    assert caught.value.exit_code == 2
    s3_env.put_object(Bucket=bucket, Key=key, Body=b"not a tarball")
    with pytest.raises(InputError, match=r"is not an mlgate model\.tar\.gz"):
        registry.artifact_path(stored)
