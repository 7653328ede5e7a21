"""The SageMaker deploy target built from the config by open_target."""

from __future__ import annotations

import dataclasses

import pytest

from mlgate.config import Config, SagemakerConfig
from mlgate.deploy.sagemaker.target import SagemakerTarget
from mlgate.deploy.targets import open_target
from mlgate.errors import ConfigError


def test_open_target_builds_the_sagemaker_target_from_the_config(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GITHUB_RUN_ID", "77")
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:5999")
    config = dataclasses.replace(
        Config(), sagemaker=SagemakerConfig(endpoint="churn", region="us-east-1", max_attempts=2)
    )
    target = open_target(config, "sagemaker")
    assert isinstance(target, SagemakerTarget)
    assert (target.endpoint, target.run_id, target.describe()) == ("churn", "77", "SageMaker endpoint churn")
    assert vars(target.api.sm.meta.config)["retries"]["total_max_attempts"] == 2


def test_a_sagemaker_target_needs_an_endpoint_name() -> None:
    with pytest.raises(ConfigError, match=r"sagemaker\.endpoint is not set"):
        open_target(Config(), "sagemaker")
