"""The sagemaker registry backend offline: approvals, history and fields moto never returns (Stubber).

What goes into S3 and a model package (tarball, metadata, images) is tested in test_sagemaker_package.py.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import boto3
import pytest
from botocore.stub import Stubber

from mlgate.config import Config, RegistryConfig, SagemakerConfig
from mlgate.errors import ConfigError, InputError, ServiceError
from mlgate.registry.model import HistoryEvent
from mlgate.registry.records import render_version
from mlgate.registry.sagemaker import SagemakerRegistry, open_sagemaker, outside_change
from unit.registry.helpers import version

GROUP = "churn"
ARN = f"arn:aws:sagemaker:us-east-1:123456789012:model-package/{GROUP}/1"
RECORD_KEY = "mlgate/registry/churn/packages/1-abc/record.json"
SETTINGS = SagemakerConfig(region="us-east-1", bucket="models", model_package_group=GROUP)
NOW = dt.datetime(2026, 11, 22, 9, 30, tzinfo=dt.timezone.utc)

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client


class MemoryS3:
    """The three S3 calls the registry makes, on a dict; every put is kept with its encryption arguments, listings counted."""

    def __init__(self) -> None:
        self.objects: dict[str, bytes] = {}
        self.puts: list[dict[str, Any]] = []
        self.lists = 0

    def put_object(self, *, Bucket: str, Key: str, Body: bytes, **extra: Any) -> dict[str, Any]:
        self.objects[f"{Bucket}/{Key}"] = Body
        self.puts.append({"Key": Key, **extra})
        return {}

    def get_object(self, *, Bucket: str, Key: str) -> dict[str, Any]:
        return {"Body": io.BytesIO(self.objects[f"{Bucket}/{Key}"])}

    def get_paginator(self, operation: str) -> MemoryS3:
        assert operation == "list_objects_v2"
        return self

    def paginate(self, *, Bucket: str, Prefix: str) -> Iterator[dict[str, Any]]:
        self.lists += 1
        keys = [k.split("/", 1)[1] for k in self.objects if k.startswith(f"{Bucket}/{Prefix}")]
        yield {"Contents": [{"Key": key} for key in keys]}


@pytest.fixture
def sagemaker() -> Iterator[tuple[Any, Stubber]]:
    client = boto3.client("sagemaker", region_name="us-east-1", endpoint_url="http://127.0.0.1:9")
    with Stubber(client) as stubber:
        yield client, stubber
        stubber.assert_no_pending_responses()


def test_outside_change_reads_who_and_why_from_the_approval_description() -> None:
    change = outside_change("approved", {"ApprovalDescription": "by bob: looks good", "LastModifiedTime": NOW})
    assert (change.status, change.by, change.reason, change.at) == ("approved", "bob", "looks good", iso(NOW))
    console = outside_change("rejected", {"LastModifiedBy": {"UserProfileName": "carol"}, "CreationTime": NOW})
    assert (console.by, console.reason) == ("carol", "set outside mlgate")


def iso(moment: dt.datetime) -> str:
    return moment.isoformat(timespec="seconds")


def test_missing_settings_are_a_config_error(sagemaker: tuple[Any, Stubber], tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"needs sagemaker\.bucket and sagemaker\.model_package_group"):
        SagemakerRegistry(
            SagemakerConfig(bucket="b"), sagemaker=sagemaker[0], s3=cast("S3Client", MemoryS3()), cache=tmp_path
        )


def _stub_read(stubber: Stubber, status: str, description: str | None, *, listed: bool = True) -> None:
    """The answers to reading version 1: the listing (unless the registry already found it), then the package."""
    summary = {
        "ModelPackageGroupName": GROUP,
        "ModelPackageVersion": 1,
        "ModelPackageArn": ARN,
        "CreationTime": NOW,
        "ModelPackageStatus": "Completed",
        "ModelApprovalStatus": status,
    }
    if listed:
        stubber.add_response(
            "list_model_packages",
            {"ModelPackageSummaryList": [summary]},
            {"ModelPackageGroupName": GROUP, "SortBy": "CreationTime", "SortOrder": "Descending"},
        )
    package: dict[str, Any] = {
        "ModelPackageName": GROUP,
        "ModelPackageArn": ARN,
        "CreationTime": NOW,
        "ModelPackageStatus": "Completed",
        "ModelPackageStatusDetails": {"ValidationStatuses": []},
        "ModelApprovalStatus": status,
        "LastModifiedTime": NOW,
        "CustomerMetadataProperties": {"mlgate:record": RECORD_KEY},
    }
    if description is not None:
        package["ApprovalDescription"] = description
    stubber.add_response("describe_model_package", package, {"ModelPackageName": ARN})


def _registry(client: Any, s3: MemoryS3, tmp_path: Path) -> SagemakerRegistry:
    stored = version("ab" * 32)
    s3.objects[f"models/{RECORD_KEY}"] = render_version(stored).encode("utf-8")
    return SagemakerRegistry(SETTINGS, sagemaker=client, s3=cast("S3Client", s3), cache=tmp_path, clock=lambda: NOW)


def test_approval_made_in_the_console_shows_who_and_why(sagemaker: tuple[Any, Stubber], tmp_path: Path) -> None:
    client, stubber = sagemaker
    registry = _registry(client, MemoryS3(), tmp_path)
    _stub_read(stubber, "Approved", "by dana: approved in studio")
    got = registry.get("1")
    assert got.status == "approved"
    assert [(c.status, c.by, c.reason) for c in got.history] == [
        ("pending", "alice", "registered"),
        ("approved", "dana", "approved in studio"),
    ]


def test_set_status_sends_the_approval_description_and_records_an_event(
    sagemaker: tuple[Any, Stubber], tmp_path: Path
) -> None:
    client, stubber = sagemaker
    s3 = MemoryS3()
    registry = _registry(client, s3, tmp_path)
    _stub_read(stubber, "PendingManualApproval", None)
    stubber.add_response(
        "update_model_package",
        {"ModelPackageArn": ARN},
        {
            "ModelPackageArn": ARN,
            "ModelApprovalStatus": "Rejected",
            "ApprovalDescription": "by erin: leaks the label",
            "CustomerMetadataProperties": {"mlgate:record": RECORD_KEY},
        },
    )
    _stub_read(stubber, "Rejected", "by erin: leaks the label", listed=False)  # version 1's package is known now
    changed = registry.set_status("1", "rejected", by="erin", reason="leaks the label")
    assert changed.status == "rejected"
    assert [(c.by, c.reason) for c in changed.history][-1] == ("erin", "leaks the label")
    history = [p for p in s3.puts if "/history/" in p["Key"]]
    assert len(history) == 1
    assert history[0]["ServerSideEncryption"] == "AES256"


def test_the_history_is_listed_again_when_a_status_disagrees_with_it(
    sagemaker: tuple[Any, Stubber], tmp_path: Path
) -> None:
    s3, (client, stubber) = MemoryS3(), sagemaker
    registry = _registry(client, s3, tmp_path)
    _stub_read(stubber, "PendingManualApproval", None)
    assert registry.get("1").status == "pending"
    lists = s3.lists
    outside = SagemakerRegistry(
        SETTINGS, sagemaker=client, s3=cast("S3Client", s3), cache=tmp_path
    )  # another process approves
    outside.record(HistoryEvent(at=iso(NOW), event="approved", version="1", by="alice", reason="good"))
    _stub_read(stubber, "Approved", "by alice: good", listed=False)
    approved = registry.get("1")
    assert (approved.status, approved.history[-1].by, approved.history[-1].reason) == ("approved", "alice", "good")
    assert s3.lists == lists + 1  # listed again once, because the status had changed
    _stub_read(stubber, "Approved", "by alice: good", listed=False)
    assert registry.get("1").history == approved.history
    assert s3.lists == lists + 1  # the status agrees with the listing: not listed again


def test_history_objects_are_read_in_key_order(sagemaker: tuple[Any, Stubber], tmp_path: Path) -> None:
    ticks = iter([30, 10, 20])
    s3 = MemoryS3()
    registry = SagemakerRegistry(
        SETTINGS, sagemaker=sagemaker[0], s3=cast("S3Client", s3), cache=tmp_path, ticks=lambda: next(ticks)
    )
    for reason in ("third", "first", "second"):
        registry.record(HistoryEvent(at=iso(NOW), event="deployed", version="1", by="ci", reason=reason))
    assert [e.reason for e in registry.history()] == ["first", "second", "third"]


def test_kms_key_encrypts_every_object(sagemaker: tuple[Any, Stubber], tmp_path: Path) -> None:
    s3 = MemoryS3()
    settings = SagemakerConfig(bucket="models", model_package_group=GROUP, kms_key_id="alias/mlgate")
    registry = SagemakerRegistry(settings, sagemaker=sagemaker[0], s3=cast("S3Client", s3), cache=tmp_path)
    registry.record(HistoryEvent(at=iso(NOW), event="deployed", version="1", by="ci"))
    assert s3.puts[0]["ServerSideEncryption"] == "aws:kms"
    assert s3.puts[0]["SSEKMSKeyId"] == "alias/mlgate"


def test_an_unknown_version_names_the_known_ones(sagemaker: tuple[Any, Stubber], tmp_path: Path) -> None:
    client, stubber = sagemaker
    registry = _registry(client, MemoryS3(), tmp_path)
    summary = {
        "ModelPackageGroupName": GROUP,
        "ModelPackageVersion": 1,
        "ModelPackageArn": ARN,
        "CreationTime": NOW,
        "ModelPackageStatus": "Completed",
    }
    stubber.add_response(
        "list_model_packages",
        {"ModelPackageSummaryList": [summary]},
        {"ModelPackageGroupName": GROUP, "SortBy": "CreationTime", "SortOrder": "Descending"},
    )
    with pytest.raises(InputError, match="has no version 4") as caught:
        registry.get("v4")
    assert caught.value.hint == "known versions: 1"
    other = ARN.replace(f"/{GROUP}/", "/fraud/")
    with pytest.raises(InputError, match="belongs to model package group 'fraud'"):
        registry.get(other)


def test_aws_errors_are_service_errors_without_retrying_here(sagemaker: tuple[Any, Stubber], tmp_path: Path) -> None:
    client, stubber = sagemaker
    registry = _registry(client, MemoryS3(), tmp_path)
    stubber.add_client_error("list_model_packages", "AccessDeniedException", "not allowed to list", 400)
    with pytest.raises(ServiceError, match="AWS: cannot list model packages: AccessDeniedException") as caught:
        registry.get("1")
    assert caught.value.exit_code == 3


def test_an_unreachable_endpoint_is_an_actionable_service_error(tmp_path: Path) -> None:
    settings = dataclasses.replace(SETTINGS, max_attempts=1)
    config = Config(sagemaker=settings, registry=RegistryConfig(path=str(tmp_path)))
    registry = open_sagemaker(config, environ={"AWS_ENDPOINT_URL": "http://127.0.0.1:9"})
    with pytest.raises(ServiceError, match="AWS: cannot list model packages") as caught:
        registry.list()
    assert caught.value.hint is not None
    assert "cannot reach the AWS endpoint" in caught.value.hint
