"""What the sagemaker registry backend puts in S3 and in a model package: the tarball, metadata, image URI.

``model.tar.gz`` holds ``model.skops``, ``mlgate.json`` (what ``mlgate.serve.container.inference`` needs to
load and check the model) and ``code/`` (``inference.py`` and ``requirements.txt`` pinning this mlgate);
it is deterministic (fixed order, mtime 0). See docs/sagemaker.md.
"""

from __future__ import annotations

import io
import json
import tarfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from mlgate import __version__
from mlgate.errors import ConfigError, InputError
from mlgate.registry.model import ModelVersion

CONTENT_TYPES = ["application/json", "text/csv"]
MODEL_FILE = "model.skops"
METADATA_FILE = "mlgate.json"
CODE_DIR = "code"
_SHORT = 256  # the longest value CustomerMetadataProperties takes
# The ECR account of SageMaker's scikit-learn serving images ("sagemaker-scikit-learn") per commercial region.
# Source: aws/sagemaker-python-sdk, src/sagemaker/image_uri_config/sklearn.json, "inference" -> "1.2-1" ->
# "registries" (the same accounts for 0.23-1 and 1.0-1). China, GovCloud and ISO regions use other domains or
# partitions and are left out: set sagemaker.image_uri there, as in any region not listed.
SKLEARN_ACCOUNTS = {
    "af-south-1": "510948584623",
    "ap-east-1": "651117190479",
    "ap-northeast-1": "354813040037",
    "ap-northeast-2": "366743142698",
    "ap-northeast-3": "867004704886",
    "ap-south-1": "720646828776",
    "ap-south-2": "628508329040",
    "ap-southeast-1": "121021644041",
    "ap-southeast-2": "783357654285",
    "ap-southeast-3": "951798379941",
    "ap-southeast-4": "106583098589",
    "ca-central-1": "341280168497",
    "eu-central-1": "492215442770",
    "eu-central-2": "680994064768",
    "eu-north-1": "662702820516",
    "eu-south-1": "978288397137",
    "eu-south-2": "104374241257",
    "eu-west-1": "141502667606",
    "eu-west-2": "764974769150",
    "eu-west-3": "659782779980",
    "me-central-1": "272398656194",
    "me-south-1": "801668240914",
    "sa-east-1": "737474898029",
    "us-east-1": "683313688378",
    "us-east-2": "257758044811",
    "us-west-1": "746614075791",
    "us-west-2": "246618743249",
}


def sklearn_image(region: str, framework_version: str) -> str:
    """SageMaker's scikit-learn serving image for ``region``; an unknown region is a ConfigError."""
    account = SKLEARN_ACCOUNTS.get(region)
    if account is None:
        raise ConfigError(
            f"no known scikit-learn image for region {region!r}",
            hint="set sagemaker.image_uri to the image to serve with",
        )
    return f"{account}.dkr.ecr.{region}.amazonaws.com/sagemaker-scikit-learn:{framework_version}-cpu-py3"


def metadata_properties(version: ModelVersion, record_key: str) -> dict[str, str]:
    """The short facts for ``CustomerMetadataProperties`` (absent values left out, each ≤ 256 characters)."""
    facts = {
        "mlgate:model": version.model,
        "mlgate:estimator": version.estimator,
        "mlgate:sha256": version.sha256,
        "mlgate:commit": version.commit,
        "mlgate:data-sha256": version.data_sha256,
        "mlgate:schema-sha256": version.schema_sha256,
        "mlgate:registered-by": version.registered_by,
        "mlgate:registered-at": version.registered_at,
        "mlgate:record": record_key,
    }
    return {key: value[:_SHORT] for key, value in facts.items() if value}


def container_metadata(version: ModelVersion) -> dict[str, Any]:
    """``mlgate.json`` in the tarball: what ``inference.model_fn`` needs to load and check the model."""
    return {
        "schema_version": 1,
        "kind": "mlgate-container-model",
        "model": version.model,
        "estimator": version.estimator,
        "sha256": version.sha256,
        "trusted_types": list(version.trusted_types),
        "features": list(version.features),
        "feature_schema": version.feature_schema,
        "mlgate": __version__,
    }


def serving_requirements() -> str:
    """``code/requirements.txt``: this mlgate, and the scikit-learn and skops the model was saved with.

    The container installs them before loading the model, so it predicts with the exact versions it was trained
    and checked with; a version the image's Python cannot install fails the endpoint's start, and the deploy
    rolls back, instead of serving a model under another scikit-learn.
    """
    from importlib.metadata import version as installed

    return "".join(f"{name}=={installed(name)}\n" for name in ("scikit-learn", "skops")) + f"mlgate=={__version__}\n"


def pack_model(version: ModelVersion, model: bytes) -> bytes:
    """``model.tar.gz``: the model, its metadata, and ``code/`` (inference.py + requirements.txt), deterministic."""
    source = Path(__file__).resolve().parent.parent / "serve" / "container" / "inference.py"
    files = {
        MODEL_FILE: model,
        METADATA_FILE: json.dumps(container_metadata(version), indent=1).encode("utf-8") + b"\n",
        f"{CODE_DIR}/inference.py": source.read_bytes(),
        f"{CODE_DIR}/requirements.txt": serving_requirements().encode(),
    }
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz", format=tarfile.PAX_FORMAT) as archive:
        for name, content in files.items():
            info = tarfile.TarInfo(name)
            info.size, info.mode, info.mtime = len(content), 0o644, 0
            archive.addfile(info, io.BytesIO(content))
    return buffer.getvalue()


def package_facts(package: Mapping[str, Any]) -> dict[str, Any]:
    """What a deploy needs from a package: its ARN and group, the image and the tarball (``extra["sagemaker"]``)."""
    containers = (package.get("InferenceSpecification") or {}).get("Containers") or [{}]
    return {
        "model_package_arn": package.get("ModelPackageArn"),
        "group": package.get("ModelPackageGroupName"),
        "image": containers[0].get("Image"),
        "model_data_url": containers[0].get("ModelDataUrl"),
    }


def split_uri(uri: str) -> tuple[str, str]:
    """``s3://bucket/key`` into its bucket and key; anything else is an InputError."""
    if not uri.startswith("s3://") or "/" not in uri[5:]:
        raise InputError(f"{uri!r} is not an s3:// URI of an object")
    bucket, key = uri[5:].split("/", 1)
    return bucket, key
