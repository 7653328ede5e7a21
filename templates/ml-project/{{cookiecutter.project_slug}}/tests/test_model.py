"""`mlgate check` trains the models of mlgate.yaml and passes its gates (skipped until the data files exist)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DATA = [ROOT / "data" / "train.csv", ROOT / "data" / "test.csv"]


def test_check_passes(tmp_path: Path) -> None:
    missing = [path.name for path in DATA if not path.is_file()]
    if missing:
        pytest.skip(f"add data/{' and data/'.join(missing)} (see data/README.md) to train and check the models")
    # A copy outside the repository: the gates judge this working tree alone (CI compares with the merge-base).
    project = tmp_path / "project"
    shutil.copytree(ROOT, project, ignore=shutil.ignore_patterns(".git", ".mlgate", ".venv", "runs", "__pycache__"))
    out = tmp_path / "check"
    argv = [sys.executable, "-m", "mlgate", "check", "--out", str(out), "--format", "json"]
    done = subprocess.run(argv, cwd=project, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    report = json.loads(done.stdout)
    assert report["verdict"] == "pass", report["verdict"]
    assert (out / "candidate" / "metrics.json").is_file()
    assert (out / "comment.md").is_file()
