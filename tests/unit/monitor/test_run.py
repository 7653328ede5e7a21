"""run_monitor's own settings: monitor.alpha and monitor.margin must be usable."""

from __future__ import annotations

import dataclasses

import pytest

from mlgate.config import Config, MonitorConfig
from mlgate.errors import ConfigError
from mlgate.monitor.run import check_settings


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
