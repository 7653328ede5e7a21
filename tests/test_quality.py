"""Quality gates run as part of the suite: ruff, mypy --strict on src/, mypy on tests/, the import-linter contracts."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def run_tool(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=ROOT, capture_output=True, text=True, timeout=600, check=False)


def test_ruff_lint_is_clean() -> None:
    result = run_tool(str(BIN / "ruff"), "check", "src", "tests", "scripts")
    assert result.returncode == 0, result.stdout + result.stderr


def test_ruff_format_is_clean() -> None:
    result = run_tool(str(BIN / "ruff"), "format", "--check", "src", "tests", "scripts")
    assert result.returncode == 0, result.stdout + result.stderr


def test_mypy_strict_on_src() -> None:
    result = run_tool(str(BIN / "mypy"), "--cache-dir=/tmp/mlgate-mypy-cache")
    assert result.returncode == 0, result.stdout + result.stderr


def test_mypy_on_tests() -> None:
    """Strict but for unannotated definitions (pyproject.toml's override); the suite runs on Python 3.11."""
    result = run_tool(str(BIN / "mypy"), "--cache-dir=/tmp/mlgate-mypy-tests-cache", "--python-version=3.11", "tests")
    assert result.returncode == 0, result.stdout + result.stderr


def test_import_layers_hold() -> None:
    result = run_tool(str(BIN / "lint-imports"), "--no-cache")
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("module", ["pyarrow", "numpy", "sklearn", "boto3", "pandas", "scipy"])
def test_help_does_not_import_heavy_libraries(module: str) -> None:
    code = f"import sys; from mlgate.cli import main; main(['--help']); assert {module!r} not in sys.modules"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
