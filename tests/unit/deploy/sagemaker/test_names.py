"""Names, tags and deployment configs of the SageMaker target."""

from __future__ import annotations

import re

import pytest

from mlgate.config import BlueGreenConfig
from mlgate.deploy.sagemaker.names import (
    build_deployment_config,
    build_experiment_name,
    build_resource_name,
    build_rollback_config,
    build_tags,
    compute_execution_timeout,
    read_tags,
)

NAME = re.compile(r"^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$")


def test_resource_name_is_endpoint_version_and_short_digest() -> None:
    assert build_resource_name("churn", "12", "abcdef0123") == "churn-v12-abcdef0"


@pytest.mark.parametrize(
    ("endpoint", "version"),
    [("e" * 80, "3"), ("churn-prod", "2026.11.22+build_7"), ("x", "v" * 90), ("--odd--", "--")],
)
def test_resource_names_are_valid_deterministic_and_at_most_63_chars(endpoint: str, version: str) -> None:
    first = build_resource_name(endpoint, version, "f" * 64)
    assert first == build_resource_name(endpoint, version, "f" * 64)
    assert len(first) <= 63
    assert NAME.match(first), first


def test_long_names_of_different_versions_differ() -> None:
    names = {build_resource_name("e" * 80, str(v), "a" * 64) for v in range(5)}
    assert len(names) == 5


def test_tags_leave_out_empty_values_and_read_back() -> None:
    tags = build_tags({"mlgate:version": "2", "mlgate:run-id": None})
    assert tags == [{"Key": "mlgate:version", "Value": "2"}]
    assert read_tags(tags) == {"mlgate:version": "2"}


def test_canary_config_carries_size_waits_alarms_and_a_timeout_above_the_waits() -> None:
    settings = BlueGreenConfig(strategy="CANARY", canary_percent=20, wait_s=120, termination_wait_s=60)
    config = build_deployment_config(settings, ["e-5xx", "e-p99"])
    policy = config["BlueGreenUpdatePolicy"]
    assert policy["TrafficRoutingConfiguration"] == {
        "Type": "CANARY",
        "CanarySize": {"Type": "CAPACITY_PERCENT", "Value": 20},
        "WaitIntervalInSeconds": 120,
    }
    assert policy["TerminationWaitInSeconds"] == 60
    assert policy["MaximumExecutionTimeoutInSeconds"] > 2 * 120 + 60
    assert config["AutoRollbackConfiguration"] == {"Alarms": [{"AlarmName": "e-5xx"}, {"AlarmName": "e-p99"}]}


def test_linear_config_steps_and_no_alarms_means_no_auto_rollback_block() -> None:
    config = build_deployment_config(BlueGreenConfig(strategy="LINEAR", linear_step_percent=25, wait_s=600), [])
    routing = config["BlueGreenUpdatePolicy"]["TrafficRoutingConfiguration"]
    assert routing["LinearStepSize"] == {"Type": "CAPACITY_PERCENT", "Value": 25}
    assert config["BlueGreenUpdatePolicy"]["MaximumExecutionTimeoutInSeconds"] > 4 * 600 + 300
    assert "AutoRollbackConfiguration" not in config


def test_execution_timeout_respects_a_configured_value_but_stays_above_the_waits() -> None:
    assert compute_execution_timeout(BlueGreenConfig(max_execution_timeout_s=5000)) == 5000
    assert compute_execution_timeout(BlueGreenConfig(wait_s=300, max_execution_timeout_s=700)) > 900
    assert compute_execution_timeout(BlueGreenConfig(wait_s=20000)) == 28800


def test_rollback_config_is_all_at_once_without_bake() -> None:
    policy = build_rollback_config()["BlueGreenUpdatePolicy"]
    assert policy == {
        "TrafficRoutingConfiguration": {"Type": "ALL_AT_ONCE", "WaitIntervalInSeconds": 0},
        "TerminationWaitInSeconds": 0,
    }


def test_experiment_names_are_valid_deterministic_and_never_a_version_s_name() -> None:
    name = build_experiment_name("e" * 80, "shadow", "churn-v1-0101010|churn-v2-0202020|0.25|2026-12-07")
    assert NAME.match(name)
    assert len(name) <= 63
    assert name == build_experiment_name("e" * 80, "shadow", "churn-v1-0101010|churn-v2-0202020|0.25|2026-12-07")
    assert build_experiment_name("churn", "ab", "a") != build_experiment_name("churn", "ab", "b")
    assert build_experiment_name("churn", "ab", "a").startswith("churn-ab-")
    assert "churn-v" not in build_experiment_name("churn", "ab", "a")  # retention lists "<endpoint>-v…" only
