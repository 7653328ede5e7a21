"""What the sagemaker backend puts in S3 and a model package: the tarball, its metadata, the image, the facts read back."""

from __future__ import annotations

import dataclasses
import hashlib
import io
import json
import tarfile
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber

from mlgate import __version__
from mlgate.errors import ConfigError, InputError
from mlgate.registry.sagemaker_package import (
    SKLEARN_ACCOUNTS,
    container_metadata,
    metadata_properties,
    pack_model,
    package_facts,
    sklearn_image,
    split_uri,
)
from unit.registry.helpers import version

GROUP = "churn"
ARN = f"arn:aws:sagemaker:us-east-1:123456789012:model-package/{GROUP}/1"
RECORD_KEY = "mlgate/registry/churn/packages/1-abc/record.json"
IMAGE = "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-scikit-learn:1.2-1-cpu-py3"


@pytest.fixture
def sagemaker() -> Iterator[tuple[Any, Stubber]]:
    client = boto3.client("sagemaker", region_name="us-east-1", endpoint_url="http://127.0.0.1:9")
    with Stubber(client) as stubber:
        yield client, stubber
        stubber.assert_no_pending_responses()


def test_pack_model_holds_model_metadata_and_code_and_is_deterministic() -> None:
    stored = version(hashlib.sha256(b"m").hexdigest())
    packed = pack_model(stored, b"m")
    assert packed == pack_model(stored, b"m")
    with tarfile.open(fileobj=io.BytesIO(packed), mode="r:gz") as archive:
        names = archive.getnames()
        metadata = json.loads(archive.extractfile("mlgate.json").read())  # type: ignore[union-attr]
        code = archive.extractfile("code/inference.py").read()  # type: ignore[union-attr]
        requirements = archive.extractfile("code/requirements.txt").read()  # type: ignore[union-attr]
    assert names == ["model.skops", "mlgate.json", "code/inference.py", "code/requirements.txt"]
    assert metadata["sha256"] == stored.sha256
    assert metadata["trusted_types"] == ["sklearn.tree._tree.Tree"]
    assert metadata["features"] == ["x1", "color"]
    assert b"def model_fn" in code
    from importlib.metadata import version as installed

    from mlgate import __version__

    assert requirements.decode().splitlines() == [
        f"scikit-learn=={installed('scikit-learn')}",
        f"skops=={installed('skops')}",
        f"mlgate=={__version__}",
    ]


def test_metadata_properties_are_short_strings_without_empty_values() -> None:
    stored = version("ab" * 32)
    long = dataclasses.replace(stored, registered_by="x" * 400, commit=None)
    facts = metadata_properties(long, RECORD_KEY)
    assert facts["mlgate:record"] == RECORD_KEY
    assert facts["mlgate:sha256"] == "ab" * 32
    assert "mlgate:commit" not in facts
    assert all(isinstance(v, str) and len(v) <= 256 for v in facts.values())


@pytest.mark.parametrize(
    ("region", "account"),
    [
        ("eu-west-1", "141502667606"),
        ("us-east-1", "683313688378"),
        ("eu-north-1", "662702820516"),
        ("sa-east-1", "737474898029"),
        ("ap-southeast-4", "106583098589"),
    ],
)
def test_sklearn_image_per_region(region: str, account: str) -> None:
    expected = f"{account}.dkr.ecr.{region}.amazonaws.com/sagemaker-scikit-learn:1.2-1-cpu-py3"
    assert sklearn_image(region, "1.2-1") == expected


@pytest.mark.parametrize("region", ["mars-north-1", "cn-north-1", "us-gov-west-1"])
def test_a_region_without_a_known_image_needs_an_image_uri(region: str) -> None:
    with pytest.raises(ConfigError, match=r"set sagemaker\.image_uri"):
        sklearn_image(region, "1.2-1")


def test_split_uri_and_refusals() -> None:
    assert split_uri("s3://b/a/model.tar.gz") == ("b", "a/model.tar.gz")
    with pytest.raises(InputError, match="is not an s3:// URI"):
        split_uri("/tmp/model.tar.gz")


def test_the_tarball_members_are_readable_files_dated_zero() -> None:
    with tarfile.open(fileobj=io.BytesIO(pack_model(version("ab" * 32), b"model")), mode="r:gz") as archive:
        members = archive.getmembers()
        model = archive.extractfile("model.skops").read()  # type: ignore[union-attr]
    assert [(m.isfile(), m.mode, m.mtime) for m in members] == [(True, 0o644, 0)] * 4
    assert model == b"model"


def test_another_model_makes_another_tarball() -> None:
    stored = version("ab" * 32)
    assert pack_model(stored, b"one") != pack_model(stored, b"two")


def test_container_metadata_is_what_the_inference_code_loads() -> None:
    stored = dataclasses.replace(version("ab" * 32), feature_schema={"fields": [{"name": "x1", "type": "number"}]})
    assert container_metadata(stored) == {
        "schema_version": 1,
        "kind": "mlgate-container-model",
        "model": "forest",
        "estimator": "sklearn.ensemble.RandomForestClassifier",
        "sha256": "ab" * 32,
        "trusted_types": ["sklearn.tree._tree.Tree"],
        "features": ["x1", "color"],
        "feature_schema": {"fields": [{"name": "x1", "type": "number"}]},
        "mlgate": __version__,
    }


def test_metadata_properties_name_every_present_fact() -> None:
    assert metadata_properties(version("ab" * 32), RECORD_KEY) == {
        "mlgate:model": "forest",
        "mlgate:estimator": "sklearn.ensemble.RandomForestClassifier",
        "mlgate:sha256": "ab" * 32,
        "mlgate:commit": "1" * 40,
        "mlgate:data-sha256": "ab" * 32,
        "mlgate:schema-sha256": "cd" * 32,
        "mlgate:registered-by": "alice",
        "mlgate:registered-at": "2026-11-20T09:00:00+00:00",
        "mlgate:record": RECORD_KEY,
    }


def test_a_long_value_is_cut_to_256_characters() -> None:
    facts = metadata_properties(version("ab" * 32, by="b" * 256 + "cut"), RECORD_KEY)
    assert facts["mlgate:registered-by"] == "b" * 256


def test_metadata_properties_are_accepted_by_create_model_package(sagemaker: tuple[Any, Stubber]) -> None:
    client, stubber = sagemaker
    facts = metadata_properties(version("ab" * 32), RECORD_KEY)
    stubber.add_response(
        "create_model_package",
        {"ModelPackageArn": ARN},
        {"ModelPackageGroupName": GROUP, "CustomerMetadataProperties": facts},
    )
    reply = client.create_model_package(ModelPackageGroupName=GROUP, CustomerMetadataProperties=facts)
    assert reply["ModelPackageArn"] == ARN


def test_package_facts_read_a_described_package(sagemaker: tuple[Any, Stubber]) -> None:
    client, stubber = sagemaker
    described = {
        "ModelPackageName": GROUP,
        "ModelPackageGroupName": GROUP,
        "ModelPackageArn": ARN,
        "CreationTime": "2026-11-20T09:00:00Z",
        "ModelPackageStatus": "Completed",
        "ModelPackageStatusDetails": {"ValidationStatuses": []},
        "InferenceSpecification": {
            "Containers": [{"Image": IMAGE, "ModelDataUrl": "s3://models/churn/1/model.tar.gz"}],
            "SupportedContentTypes": ["application/json", "text/csv"],
            "SupportedResponseMIMETypes": ["application/json"],
        },
    }
    stubber.add_response("describe_model_package", described, {"ModelPackageName": ARN})
    package = client.describe_model_package(ModelPackageName=ARN)
    assert package_facts(package) == {
        "model_package_arn": ARN,
        "group": GROUP,
        "image": IMAGE,
        "model_data_url": "s3://models/churn/1/model.tar.gz",
    }


def test_package_facts_of_a_package_without_containers_are_none() -> None:
    for package in ({"ModelPackageArn": ARN}, {"ModelPackageArn": ARN, "InferenceSpecification": {"Containers": []}}):
        assert package_facts(package) == {
            "model_package_arn": ARN,
            "group": None,
            "image": None,
            "model_data_url": None,
        }


def test_every_listed_region_has_a_twelve_digit_account() -> None:
    assert all(len(account) == 12 and account.isdigit() for account in SKLEARN_ACCOUNTS.values())
    assert sklearn_image("us-east-1", "1.2-1") == IMAGE


def test_an_unknown_region_is_named_in_the_error() -> None:
    with pytest.raises(ConfigError, match=r"no known scikit-learn image for region 'mars-north-1'"):
        sklearn_image("mars-north-1", "1.2-1")


@pytest.mark.parametrize(
    ("uri", "expected"),
    [
        ("s3://b/model.tar.gz", ("b", "model.tar.gz")),
        ("s3://b/a/b/c", ("b", "a/b/c")),
        ("s3://b/", ("b", "")),
    ],
)
def test_split_uri_splits_at_the_first_slash_after_the_bucket(uri: str, expected: tuple[str, str]) -> None:
    assert split_uri(uri) == expected


@pytest.mark.parametrize("uri", ["s3://bucket-only", "S3://b/k", "https://b.s3.amazonaws.com/k", ""])
def test_split_uri_refuses_anything_but_an_object_uri(uri: str) -> None:
    with pytest.raises(InputError, match=r"is not an s3:// URI of an object"):
        split_uri(uri)
