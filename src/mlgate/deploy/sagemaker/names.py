"""Pure parts of the SageMaker target: resource names, tags and the ``UpdateEndpoint`` deployment config.

Models and endpoint configs are immutable and named ``<endpoint>-v<version>-<sha7>`` (at most 63
characters, SageMaker's limit): the same version always gets the same name, so a re-run finds what it
created instead of creating it again. A shadow's or an A/B split's config is ``<endpoint>-shadow-<hash>`` or
``<endpoint>-ab-<hash>`` (``build_experiment_name``): never a version's name, so retention leaves it alone.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mypy_boto3_sagemaker.type_defs import DeploymentConfigTypeDef, TagTypeDef, TrafficRoutingConfigTypeDef

    from mlgate.config import BlueGreenConfig

MAX_NAME = 63
VARIANT = "AllTraffic"
TAG_VERSION = "mlgate:version"
TAG_PREVIOUS = "mlgate:previous-config"
TAG_RUN = "mlgate:run-id"
TAG_SHA = "mlgate:sha256"
# an experiment config: the live version's own config it was built from, and what it runs
TAG_BASE = "mlgate:base-config"
TAG_STARTED = "mlgate:started-at"
TAG_SHADOW = "mlgate:shadow-version"
TAG_FRACTION = "mlgate:shadow-fraction"
TAG_CHALLENGER = "mlgate:ab-challenger"
TAG_PERCENT = "mlgate:ab-percent"
TAG_KEY = "mlgate:ab-key"
SHADOW_VARIANT = "Shadow"
CHALLENGER_VARIANT = "Challenger"


def build_resource_name(endpoint: str, version: str, sha256: str) -> str:
    """The model and endpoint-config name of ``version``: ``<endpoint>-v<version>-<sha7>``, ≤ 63 characters."""
    clean_version = _clean(version) or hashlib.sha256(version.encode()).hexdigest()[:8]
    suffix = f"-v{clean_version}-{sha256[:7]}"
    if len(suffix) >= MAX_NAME:
        suffix = f"-v{hashlib.sha256(version.encode()).hexdigest()[:12]}-{sha256[:7]}"
    head = _clean(endpoint)[: MAX_NAME - len(suffix)].rstrip("-") or "m"
    return head + suffix


def build_experiment_name(endpoint: str, kind: str, seed: str) -> str:
    """The config name of a ``kind`` (``shadow`` or ``ab``) experiment: ``<endpoint>-<kind>-<hash of seed>``."""
    suffix = f"-{kind}-{hashlib.sha256(seed.encode()).hexdigest()[:12]}"
    return (_clean(endpoint)[: MAX_NAME - len(suffix)].rstrip("-") or "m") + suffix


def build_tags(values: Mapping[str, str | None]) -> list[TagTypeDef]:
    """SageMaker ``Tags`` from ``values``, leaving out the empty ones."""
    return [{"Key": key, "Value": value} for key, value in values.items() if value]


def read_tags(tags: Sequence[TagTypeDef]) -> dict[str, str]:
    """``{key: value}`` of a SageMaker ``Tags`` list."""
    return {tag["Key"]: tag["Value"] for tag in tags}


def build_deployment_config(blue_green: BlueGreenConfig, alarms: Sequence[str]) -> DeploymentConfigTypeDef:
    """The ``DeploymentConfig`` of an update: blue/green traffic shifting, auto-rollback on ``alarms``."""
    # WaitIntervalInSeconds is required by the API even for ALL_AT_ONCE
    routing: TrafficRoutingConfigTypeDef = {"Type": blue_green.strategy, "WaitIntervalInSeconds": blue_green.wait_s}
    if blue_green.strategy == "CANARY":
        routing["CanarySize"] = {"Type": "CAPACITY_PERCENT", "Value": blue_green.canary_percent}
    elif blue_green.strategy == "LINEAR":
        routing["LinearStepSize"] = {"Type": "CAPACITY_PERCENT", "Value": blue_green.linear_step_percent}
    config: DeploymentConfigTypeDef = {
        "BlueGreenUpdatePolicy": {
            "TrafficRoutingConfiguration": routing,
            "TerminationWaitInSeconds": blue_green.termination_wait_s,
            "MaximumExecutionTimeoutInSeconds": compute_execution_timeout(blue_green),
        }
    }
    if alarms:
        config["AutoRollbackConfiguration"] = {"Alarms": [{"AlarmName": name} for name in alarms]}
    return config


def build_rollback_config() -> DeploymentConfigTypeDef:
    """The ``DeploymentConfig`` of a rollback: everything at once, no bake, no alarms."""
    return {
        "BlueGreenUpdatePolicy": {
            "TrafficRoutingConfiguration": {"Type": "ALL_AT_ONCE", "WaitIntervalInSeconds": 0},
            "TerminationWaitInSeconds": 0,
        }
    }


def compute_execution_timeout(blue_green: BlueGreenConfig) -> int:
    """``MaximumExecutionTimeoutInSeconds``: the configured value, else above the sum of all waits."""
    steps = {"CANARY": 2, "LINEAR": -(-100 // max(blue_green.linear_step_percent, 1)), "ALL_AT_ONCE": 0}
    waits = steps[blue_green.strategy] * blue_green.wait_s + blue_green.termination_wait_s
    minimum = waits + 600  # room for starting the green fleet
    chosen = blue_green.max_execution_timeout_s or minimum
    return min(max(chosen, waits + 1, 600), 28800)  # SageMaker accepts 600..28800


def _clean(text: str) -> str:
    return re.sub(r"-+", "-", re.sub(r"[^A-Za-z0-9-]", "-", text)).strip("-")
