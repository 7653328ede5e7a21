"""The requests the SageMaker target sends and the replies it reads, as plain data (no AWS here).

``build_model_request`` and ``build_config_request`` are the keyword arguments of ``CreateModel`` and
``CreateEndpointConfig`` for one version (the image: ``image_uri``, else scikit-learn's for the region), the
``build_shadow_config_request`` and ``build_split_config_request`` ones of an experiment, and
``build_final_weights`` the ``UpdateEndpointWeightsAndCapacities`` that ends a split;
``choose_update_config`` is the ``DeploymentConfig`` of an ``UpdateEndpoint``: blue/green with auto-rollback on
the guard alarms that exist, or, when returning to the recorded rollback config, everything at once guarded
only by the alarms not already in ``ALARM``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from mlgate.deploy.sagemaker import names
from mlgate.deploy.target import Reply
from mlgate.deploy.watch import MISSING, AlarmState
from mlgate.errors import ConfigError, InputError
from mlgate.registry.sagemaker_package import CODE_DIR, sklearn_image

if TYPE_CHECKING:
    from mypy_boto3_sagemaker.type_defs import DeploymentConfigTypeDef, DesiredWeightAndCapacityTypeDef

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
    variant = build_variant(settings, names.VARIANT, name, 1.0)
    tags = {names.TAG_VERSION: version.version, names.TAG_SHA: version.sha256}
    return _build_config(settings, name, {"ProductionVariants": [variant]}, tags)


def build_variant(settings: SagemakerConfig, variant: str, model: str, weight: float) -> dict[str, Any]:
    """One ``ProductionVariant``: ``model`` on the configured instances, with ``weight``."""
    return {
        "VariantName": variant,
        "ModelName": model,
        "InstanceType": settings.instance_type,
        "InitialInstanceCount": settings.instance_count,
        "InitialVariantWeight": weight,
    }


def build_shadow_config_request(
    settings: SagemakerConfig, name: str, live: str, shadow: str, fraction: float, tags: Mapping[str, str | None]
) -> dict[str, Any]:
    """The ``CreateEndpointConfig`` arguments of a shadow: the live model answers every request; SageMaker
    copies ``fraction`` of them to ``shadow`` (a shadow variant's weight relative to the production variant's
    is the share of requests it is sent)."""
    variants = {
        "ProductionVariants": [build_variant(settings, names.VARIANT, live, 1.0)],
        "ShadowProductionVariants": [build_variant(settings, names.SHADOW_VARIANT, shadow, fraction)],
    }
    return _build_config(settings, name, variants, tags)


def build_split_config_request(
    settings: SagemakerConfig, name: str, champion: str, challenger: str, percent: float, tags: Mapping[str, str | None]
) -> dict[str, Any]:
    """The ``CreateEndpointConfig`` arguments of an A/B split: two production variants weighted
    ``100 - percent`` (the champion, under the usual variant name so its alarms keep watching it) and ``percent``."""
    variants = [
        build_variant(settings, names.VARIANT, champion, 100.0 - percent),
        build_variant(settings, names.CHALLENGER_VARIANT, challenger, percent),
    ]
    return _build_config(settings, name, {"ProductionVariants": variants}, tags)


def build_final_weights(winner: str, settings: SagemakerConfig) -> list[DesiredWeightAndCapacityTypeDef]:
    """``DesiredWeightsAndCapacities`` that end a split: all weight to the ``winner`` variant at its full instance
    count, none to the other, which keeps one instance until the endpoint leaves the split config."""
    return [
        {"VariantName": variant, "DesiredWeight": 1.0, "DesiredInstanceCount": settings.instance_count}
        if variant == winner
        else {"VariantName": variant, "DesiredWeight": 0.0, "DesiredInstanceCount": 1}
        for variant in (names.VARIANT, names.CHALLENGER_VARIANT)
    ]


def _build_config(
    settings: SagemakerConfig, name: str, variants: dict[str, Any], tags: Mapping[str, str | None]
) -> dict[str, Any]:
    request: dict[str, Any] = {"EndpointConfigName": name, **variants, "Tags": names.build_tags(tags)}
    if settings.kms_key_id:
        request["KmsKeyId"] = settings.kms_key_id
    if settings.data_capture_prefix:  # the shadow variant's requests and answers are captured too
        request["DataCaptureConfig"] = {
            "EnableCapture": True,
            "InitialSamplingPercentage": 100,
            "DestinationS3Uri": settings.data_capture_prefix,
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
