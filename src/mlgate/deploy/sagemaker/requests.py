"""The requests the SageMaker target sends and the replies it reads, as plain data (no AWS here).

``build_model_request`` and ``build_config_request`` are the keyword arguments of ``CreateModel`` and
``CreateEndpointConfig`` for one version (the image: ``image_uri``, else scikit-learn's for the region);
``choose_update_config`` is the ``DeploymentConfig`` of an ``UpdateEndpoint``: blue/green with auto-rollback on
the guard alarms that exist, or, when returning to the recorded rollback config, everything at once guarded
only by the alarms not already in ``ALARM``.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from mlgate.deploy.sagemaker import names
from mlgate.deploy.target import Reply
from mlgate.deploy.watch import MISSING, AlarmState
from mlgate.errors import ConfigError, InputError
from mlgate.registry.sagemaker_package import CODE_DIR, sklearn_image

if TYPE_CHECKING:
    from mypy_boto3_sagemaker.type_defs import DeploymentConfigTypeDef

    from mlgate.config import BlueGreenConfig, SagemakerConfig
    from mlgate.registry.model import ModelVersion


def choose_image(settings: SagemakerConfig, client_region: str) -> str:
    """The serving image: ``image_uri``, else the scikit-learn image of the region."""
    region = settings.region or client_region
    return settings.image_uri or sklearn_image(region, settings.framework_version)


def build_model_request(
    settings: SagemakerConfig, name: str, version: ModelVersion, client_region: str
) -> dict[str, Any]:
    """The ``CreateModel`` arguments of ``version``; InputError unless its artifact is in S3."""
    if not version.artifact.startswith("s3://"):
        raise InputError(
            f"version {version.version}'s artifact {version.artifact} is not in S3",
            hint="deploy to SageMaker from the sagemaker registry backend",
        )
    if not settings.role_arn:
        raise ConfigError("sagemaker.role_arn is not set", hint="name the SageMaker execution role in mlgate.yaml")
    environment = {
        "SAGEMAKER_PROGRAM": "inference.py",
        "SAGEMAKER_SUBMIT_DIRECTORY": f"/opt/ml/model/{CODE_DIR}",
        "MLGATE_VERSION": version.version,  # the version inference.py answers as (the smoke test checks it)
    }
    container = {
        "Image": choose_image(settings, client_region),
        "ModelDataUrl": version.artifact,
        "Environment": environment,
    }
    tags = names.build_tags({names.TAG_VERSION: version.version, names.TAG_SHA: version.sha256})
    return {"ModelName": name, "ExecutionRoleArn": settings.role_arn, "PrimaryContainer": container, "Tags": tags}


def build_config_request(settings: SagemakerConfig, name: str, version: ModelVersion) -> dict[str, Any]:
    """The ``CreateEndpointConfig`` arguments of ``version``: one variant, KMS and data capture when configured."""
    s = settings
    variant = {
        "VariantName": names.VARIANT,
        "ModelName": name,
        "InstanceType": s.instance_type,
        "InitialInstanceCount": s.instance_count,
        "InitialVariantWeight": 1.0,
    }
    tags = names.build_tags({names.TAG_VERSION: version.version, names.TAG_SHA: version.sha256})
    request: dict[str, Any] = {"EndpointConfigName": name, "ProductionVariants": [variant], "Tags": tags}
    if s.kms_key_id:
        request["KmsKeyId"] = s.kms_key_id
    if s.data_capture_prefix:
        request["DataCaptureConfig"] = {
            "EnableCapture": True,
            "InitialSamplingPercentage": 100,
            "DestinationS3Uri": s.data_capture_prefix,
            "CaptureOptions": [{"CaptureMode": "Input"}, {"CaptureMode": "Output"}],
        }
    return request


def choose_update_config(
    blue_green: BlueGreenConfig, alarms: Sequence[AlarmState], *, rollback: bool
) -> DeploymentConfigTypeDef:
    """The ``DeploymentConfig`` of an update, or of a ``rollback`` to the recorded previous config."""
    if not rollback:
        return names.build_deployment_config(blue_green, [a.name for a in alarms if a.state != MISSING])
    config = names.build_rollback_config()
    quiet = [a.name for a in alarms if a.state not in (MISSING, "ALARM")]
    if quiet:
        config["AutoRollbackConfiguration"] = {"Alarms": [{"AlarmName": a} for a in quiet]}
    return config


def read_invoke_reply(text: str) -> Reply:
    """The ``Reply`` of a successful ``InvokeEndpoint`` whose body is ``text`` (the version from a JSON body)."""
    try:
        parsed = json.loads(text)
    except ValueError:
        parsed = None
    version = parsed.get("version") if isinstance(parsed, dict) else None
    return Reply(200, str(version) if version is not None else None, parsed, text)
