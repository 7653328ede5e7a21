"""run_monitor's own settings: monitor.alpha and monitor.margin must be usable; where captured traffic is read."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from mlgate.config import Config, MonitorConfig, load_config
from mlgate.errors import ConfigError
from mlgate.monitor.run import check_settings
from unit.monitor.helpers import make_project


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        (MonitorConfig(alpha=0.5), r"monitor.alpha is 0.5; it must be between 0 and 0.5"),
        (MonitorConfig(alpha=0.0), r"monitor.alpha is 0; it must be between 0 and 0.5"),
        (MonitorConfig(margin=-0.1), r"monitor.margin is -0.1; it must be a number ≥ 0"),
        (MonitorConfig(margin=float("nan")), r"monitor.margin is nan; it must be a number ≥ 0"),
    ],
)
def test_unusable_levels_are_config_errors(settings: MonitorConfig, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        check_settings(dataclasses.replace(Config(), monitor=settings))


def test_the_defaults_are_usable() -> None:
    check_settings(Config())
    assert (MonitorConfig().alpha, MonitorConfig().margin) == (0.01, 0.02)


def test_capture_location_defaults(tmp_path: Path) -> None:
    from mlgate.monitor.run import capture_location

    config = load_config(make_project(tmp_path))
    assert capture_location(config, "s3://b/p") == "s3://b/p"
    assert capture_location(config, None).endswith(".mlgate/capture")
    sagemaker = dataclasses.replace(config.sagemaker, data_capture_prefix="s3://b/dc/", endpoint="prod")
    cloud = dataclasses.replace(
        config, sagemaker=sagemaker, deploy=dataclasses.replace(config.deploy, target="sagemaker")
    )
    assert capture_location(cloud, None) == "s3://b/dc/prod"
    custom = dataclasses.replace(cloud, monitor=dataclasses.replace(config.monitor, capture="traffic"))
    assert capture_location(custom, None).endswith("traffic")
