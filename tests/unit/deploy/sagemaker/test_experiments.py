"""What an experiment config's tags say runs on a SageMaker endpoint (the target itself: integration tests)."""

from __future__ import annotations

from mlgate.deploy.experiment import RunningShadow, Split
from mlgate.deploy.sagemaker.experiments import read_running_shadow, read_running_split

VERSION_TAGS = {"mlgate:version": "1", "mlgate:sha256": "ab" * 32}


def test_a_version_s_own_config_runs_neither_a_shadow_nor_a_split() -> None:
    assert read_running_shadow(VERSION_TAGS) is None
    assert read_running_split(VERSION_TAGS) is None
    assert read_running_shadow({}) is None


def test_a_shadow_config_s_tags_give_the_version_its_share_and_its_start() -> None:
    tags = VERSION_TAGS | {
        "mlgate:base-config": "churn-v1-abababa",
        "mlgate:shadow-version": "2",
        "mlgate:shadow-fraction": "0.25",
        "mlgate:started-at": "2026-12-07T10:00:00+00:00",
    }
    assert read_running_shadow(tags) == RunningShadow("2", 0.25, "2026-12-07T10:00:00+00:00")
    assert read_running_split(tags) is None


def test_a_split_config_s_tags_give_champion_challenger_percent_key_and_start() -> None:
    tags = VERSION_TAGS | {
        "mlgate:base-config": "churn-v1-abababa",
        "mlgate:ab-challenger": "3",
        "mlgate:ab-percent": "12.5",
        "mlgate:ab-key": "header:X-Mlgate-Client",
        "mlgate:started-at": "2026-12-07T10:00:00+00:00",
    }
    expected = Split("1", "3", 12.5, "header:X-Mlgate-Client", "2026-12-07T10:00:00+00:00")
    assert read_running_split(tags) == expected
    assert read_running_shadow(tags) is None
