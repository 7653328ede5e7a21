"""``python -m mlgate``."""

from __future__ import annotations

from mlgate.cli import run

run()
