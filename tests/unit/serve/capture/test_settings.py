"""Unit tests for mlgate.serve.capture.settings: the capture section checked and turned into writer settings."""

from __future__ import annotations

from pathlib import Path

import pytest

from mlgate.config import CaptureConfig
from mlgate.errors import ConfigError
from mlgate.serve.capture.records import FieldPolicy
from mlgate.serve.capture.settings import CaptureStats, settings_from_config


def test_settings_check_the_section_and_read_the_salt() -> None:
    config = CaptureConfig(sample=0.5, rotate_mb=0.5, drop=("a",), hash=("b",), salt_env="SALT")
    settings = settings_from_config(config, Path("/cap"), {"SALT": "pepper"})
    assert (settings.sample, settings.rotate_bytes, settings.policy) == (
        0.5,
        512 * 1024,
        FieldPolicy(drop=frozenset({"a"}), hash=frozenset({"b"}), salt="pepper"),
    )
    with pytest.raises(ConfigError, match=r"capture\.salt_env names SALT, which is not set"):
        settings_from_config(config, Path("/cap"), {})
    with pytest.raises(ConfigError, match=r"capture\.sample is 0\.0; it must be in \(0, 1\]"):
        settings_from_config(CaptureConfig(sample=0.0), Path("/cap"), {})


@pytest.mark.parametrize(
    ("config", "message"),
    [
        (CaptureConfig(rotate_mb=0), r"capture\.rotate_mb is 0; it must be greater than 0"),
        (CaptureConfig(rotate_s=-1.0), r"capture\.rotate_s is -1\.0; it must be greater than 0"),
        (CaptureConfig(queue_size=0), r"capture\.queue_size is 0; it must be at least 1"),
        (CaptureConfig(sample=1.5), r"capture\.sample is 1\.5; it must be in \(0, 1\]"),
        (CaptureConfig(salt_env="SALT"), r"capture\.salt_env names SALT, which is not set or empty"),
    ],
)
def test_each_bad_setting_is_named(config: CaptureConfig, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        settings_from_config(config, Path("/cap"), {"SALT": ""})


def test_the_defaults_capture_everything_in_jsonl_and_a_tiny_rotation_is_at_least_one_byte() -> None:
    settings = settings_from_config(CaptureConfig(rotate_mb=1e-9, format="parquet"), Path("/cap"), {})
    assert (settings.folder, settings.format, settings.sample, settings.rotate_bytes) == (
        Path("/cap"),
        "parquet",
        1.0,
        1,
    )
    assert settings.policy == FieldPolicy()


def test_stats_are_a_status_document_and_one_log_line() -> None:
    assert CaptureStats(enabled=False).to_document() == {"enabled": False}
    stats = CaptureStats(
        True, "jsonl", "/cap", 0.5, captured_rows=10, dropped_rows=2, files_written=1, error="disk full"
    )
    document = stats.to_document()
    assert (document["captured_rows"], document["dropped_rows"], document["error"]) == (10, 2, "disk full")
    assert stats.summary() == (
        "capture: 10 rows captured, 2 dropped, 1 files written to /cap, 0 write errors (disk full)"
    )
