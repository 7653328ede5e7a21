"""The SageMaker target's requests and replies as plain data: CreateModel, CreateEndpointConfig, DeploymentConfig."""

from __future__ import annotations

import dataclasses

import pytest

from mlgate.config import BlueGreenConfig, SagemakerConfig
from mlgate.deploy.sagemaker.requests import (
    build_config_request,
    build_final_weights,
    build_model_request,
    build_shadow_config_request,
    build_split_config_request,
    choose_image,
    choose_update_config,
    read_invoke_reply,
)
from mlgate.deploy.watch import MISSING, AlarmState
from mlgate.errors import ConfigError, InputError
from unit.deploy.fakes import make_version

SETTINGS = SagemakerConfig(endpoint="churn", role_arn="arn:aws:iam::123456789012:role/sm", framework_version="1.2-1")
VERSION = dataclasses.replace(make_version(4), artifact="s3://bucket/mlgate/4/model.tar.gz")
ALARMS = (AlarmState("latency", "OK"), AlarmState("errors", "ALARM"), AlarmState("gone", MISSING))


def test_the_model_request_names_the_role_the_archive_and_the_version_to_answer_as() -> None:
    request = build_model_request(SETTINGS, "churn-v4-0404040", VERSION, "eu-west-1")
    container = request["PrimaryContainer"]
    assert (request["ModelName"], request["ExecutionRoleArn"]) == ("churn-v4-0404040", SETTINGS.role_arn)
    assert container["ModelDataUrl"] == VERSION.artifact
    assert container["Image"] == "141502667606.dkr.ecr.eu-west-1.amazonaws.com/sagemaker-scikit-learn:1.2-1-cpu-py3"
    assert container["Environment"]["MLGATE_VERSION"] == "4"
    assert container["Environment"]["SAGEMAKER_PROGRAM"] == "inference.py"
    assert {"Key": "mlgate:sha256", "Value": VERSION.sha256} in request["Tags"]


def test_a_local_artifact_is_refused_before_the_role_or_the_image_is_looked_at() -> None:
    settings = dataclasses.replace(SETTINGS, role_arn=None)
    with pytest.raises(InputError, match=r"artifact /registry/versions/4/model\.skops is not in S3"):
        build_model_request(settings, "n", make_version(4), "mars-north-1")


def test_a_missing_role_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match=r"sagemaker\.role_arn is not set"):
        build_model_request(dataclasses.replace(SETTINGS, role_arn=None), "n", VERSION, "eu-west-1")


def test_the_image_uri_wins_over_the_region_and_the_configured_region_over_the_clients() -> None:
    assert choose_image(dataclasses.replace(SETTINGS, image_uri="my/image:1"), "mars-north-1") == "my/image:1"
    assert ".us-east-1." in choose_image(dataclasses.replace(SETTINGS, region="us-east-1"), "eu-west-1")
    with pytest.raises(ConfigError, match=r"no known scikit-learn image for region 'mars-north-1'"):
        choose_image(SETTINGS, "mars-north-1")


def test_the_config_request_has_one_variant_and_kms_and_capture_only_when_set() -> None:
    plain = build_config_request(SETTINGS, "churn-v4-0404040", VERSION)
    assert plain["ProductionVariants"] == [
        {
            "VariantName": "AllTraffic",
            "ModelName": "churn-v4-0404040",
            "InstanceType": "ml.m5.large",
            "InitialInstanceCount": 1,
            "InitialVariantWeight": 1.0,
        }
    ]
    assert "KmsKeyId" not in plain
    assert "DataCaptureConfig" not in plain
    settings = dataclasses.replace(SETTINGS, kms_key_id="key-1", data_capture_prefix="s3://bucket/capture")
    full = build_config_request(settings, "churn-v4-0404040", VERSION)
    assert full["KmsKeyId"] == "key-1"
    assert full["DataCaptureConfig"]["DestinationS3Uri"] == "s3://bucket/capture"


def test_an_update_is_blue_green_guarded_by_every_alarm_that_exists() -> None:
    config = choose_update_config(BlueGreenConfig(), ALARMS, rollback=False)
    assert "BlueGreenUpdatePolicy" in config
    assert config["AutoRollbackConfiguration"] == {"Alarms": [{"AlarmName": "latency"}, {"AlarmName": "errors"}]}


def test_a_rollback_is_all_at_once_guarded_only_by_the_quiet_alarms() -> None:
    config = choose_update_config(BlueGreenConfig(), ALARMS, rollback=True)
    routing = config["BlueGreenUpdatePolicy"]["TrafficRoutingConfiguration"]
    assert routing == {"Type": "ALL_AT_ONCE", "WaitIntervalInSeconds": 0}
    assert config["AutoRollbackConfiguration"] == {"Alarms": [{"AlarmName": "latency"}]}
    assert "AutoRollbackConfiguration" not in choose_update_config(BlueGreenConfig(), ALARMS[1:], rollback=True)


@pytest.mark.parametrize(
    ("text", "version", "body"),
    [
        ('{"version": 7, "predictions": [1]}', "7", {"version": 7, "predictions": [1]}),
        ('{"predictions": [1]}', None, {"predictions": [1]}),
        ("[1, 2]", None, [1, 2]),
        ("oops", None, None),
    ],
)
def test_an_invoke_reply_takes_the_version_from_a_json_body(text: str, version: str | None, body: object) -> None:
    reply = read_invoke_reply(text)
    assert (reply.status, reply.version, reply.body, reply.text) == (200, version, body, text)


def test_a_shadow_config_has_the_live_model_at_full_weight_and_the_shadow_weighted_by_its_share() -> None:
    settings = dataclasses.replace(SETTINGS, data_capture_prefix="s3://capture/data", kms_key_id="key")
    tags = {"mlgate:version": "1", "mlgate:shadow-version": "2", "mlgate:run-id": None}
    request = build_shadow_config_request(settings, "churn-shadow-1", "churn-v1-a", "churn-v2-b", 0.3, tags)
    [live] = request["ProductionVariants"]
    [shadow] = request["ShadowProductionVariants"]
    assert (live["VariantName"], live["ModelName"], live["InitialVariantWeight"]) == ("AllTraffic", "churn-v1-a", 1.0)
    assert (shadow["VariantName"], shadow["ModelName"], shadow["InitialVariantWeight"]) == ("Shadow", "churn-v2-b", 0.3)
    assert shadow["InitialInstanceCount"] == live["InitialInstanceCount"] == settings.instance_count
    assert request["Tags"] == [{"Key": "mlgate:version", "Value": "1"}, {"Key": "mlgate:shadow-version", "Value": "2"}]
    assert request["DataCaptureConfig"]["DestinationS3Uri"] == "s3://capture/data"
    assert request["KmsKeyId"] == "key"


def test_a_split_config_weighs_the_champion_and_the_challenger_by_percent() -> None:
    request = build_split_config_request(SETTINGS, "churn-ab-1", "churn-v1-a", "churn-v2-b", 12.5, {})
    variants = [(v["VariantName"], v["ModelName"], v["InitialVariantWeight"]) for v in request["ProductionVariants"]]
    assert variants == [("AllTraffic", "churn-v1-a", 87.5), ("Challenger", "churn-v2-b", 12.5)]
    assert "ShadowProductionVariants" not in request
    assert "DataCaptureConfig" not in request


@pytest.mark.parametrize(("winner", "loser"), [("AllTraffic", "Challenger"), ("Challenger", "AllTraffic")])
def test_the_final_weights_send_weight_and_instance_count_for_both_variants(winner: str, loser: str) -> None:
    settings = dataclasses.replace(SETTINGS, instance_count=4)
    weights = {w["VariantName"]: w for w in build_final_weights(winner, settings)}
    assert weights[winner] == {"VariantName": winner, "DesiredWeight": 1.0, "DesiredInstanceCount": 4}
    assert weights[loser] == {"VariantName": loser, "DesiredWeight": 0.0, "DesiredInstanceCount": 1}
