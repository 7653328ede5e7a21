"""`mlgate validate` accepts the project's data (skipped until the data files exist)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DATA = [ROOT / "data" / "train.csv", ROOT / "data" / "test.csv"]


def test_data_is_valid() -> None:
    missing = [path.name for path in DATA if not path.is_file()]
    if missing:
        pytest.skip(f"add data/{' and data/'.join(missing)} (see data/README.md) to validate the data")
    done = subprocess.run(
        [sys.executable, "-m", "mlgate", "validate"], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stdout + done.stderr
