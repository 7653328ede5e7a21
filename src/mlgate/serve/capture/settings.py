"""Capture settings (the ``capture`` section checked, the salt read) and the counters ``GET /status`` shows."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from mlgate.config import CaptureConfig
from mlgate.errors import ConfigError
from mlgate.serve.capture.records import FieldPolicy

MEGABYTE = 1024 * 1024


@dataclass(frozen=True)
class CaptureSettings:
    """Capture as configured, with the folder resolved and the salt read from the environment."""

    folder: Path
    format: Literal["jsonl", "parquet"] = "jsonl"
    sample: float = 1.0
    rotate_bytes: int = 64 * MEGABYTE
    rotate_s: float = 3600.0
    queue_rows: int = 10000
    policy: FieldPolicy = field(default_factory=FieldPolicy)


def settings_from_config(config: CaptureConfig, folder: Path, environ: Mapping[str, str]) -> CaptureSettings:
    """Check the ``capture`` section and read the salt named by ``capture.salt_env`` from ``environ``."""
    if not 0 < config.sample <= 1:
        raise ConfigError(f"capture.sample is {config.sample}; it must be in (0, 1]", hint="1.0 captures every request")
    for key, value in (("rotate_mb", config.rotate_mb), ("rotate_s", config.rotate_s)):
        if value <= 0:
            raise ConfigError(f"capture.{key} is {value}; it must be greater than 0")
    if config.queue_size < 1:
        raise ConfigError(f"capture.queue_size is {config.queue_size}; it must be at least 1")
    salt: str | None = None
    if config.salt_env:
        salt = environ.get(config.salt_env)
        if not salt:
            raise ConfigError(
                f"capture.salt_env names {config.salt_env}, which is not set or empty",
                hint=f"set {config.salt_env} to a secret, or remove capture.salt_env to hash without a salt",
            )
    policy = FieldPolicy(drop=frozenset(config.drop), hash=frozenset(config.hash), salt=salt)
    return CaptureSettings(
        folder=folder,
        format=config.format,
        sample=config.sample,
        rotate_bytes=max(1, int(config.rotate_mb * MEGABYTE)),
        rotate_s=config.rotate_s,
        queue_rows=config.queue_size,
        policy=policy,
    )


@dataclass(frozen=True)
class CaptureStats:
    """Counters shown by ``GET /status`` (``capture``) and logged at shutdown."""

    enabled: bool
    format: str | None = None
    path: str | None = None
    sample: float | None = None
    captured_rows: int = 0
    dropped_rows: int = 0
    queued_rows: int = 0
    files_written: int = 0
    write_errors: int = 0
    error: str | None = None

    def to_document(self) -> dict[str, Any]:
        if not self.enabled:
            return {"enabled": False}
        return {
            "enabled": True,
            "format": self.format,
            "path": self.path,
            "sample": self.sample,
            "captured_rows": self.captured_rows,
            "dropped_rows": self.dropped_rows,
            "queued_rows": self.queued_rows,
            "files_written": self.files_written,
            "write_errors": self.write_errors,
            "error": self.error,
        }

    def summary(self) -> str:
        """One line for the server log."""
        text = (
            f"capture: {self.captured_rows} rows captured, {self.dropped_rows} dropped, "
            f"{self.files_written} files written to {self.path}, {self.write_errors} write errors"
        )
        return text + (f" ({self.error})" if self.error else "")
