#!/usr/bin/env bash
# Install mlgate with its test extras into .venv (created if missing) and run the whole test suite:
# unit, integration and quality gates (ruff, mypy --strict, import-linter) in parallel with xdist.
# The DVC tests get the real `dvc` command from .venv-tools (created here if missing).
#   bash scripts/test.sh [extra pytest args]
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
.venv/bin/python -m pip install -q --disable-pip-version-check -U pip 2>&1 | grep -v "is ignored" || true
.venv/bin/python -m pip install -q --disable-pip-version-check -e '.[test]' 2>&1 | grep -v "is ignored" || true
.venv/bin/python -c "import mlgate, pyarrow, moto, frictionless" # fail fast if the install did not work
# The real `dvc` command for the DVC tests, in a venv of its own: installed into .venv it would downgrade
# mlgate's dependencies (dvc-s3 pins botocore). mlgate only runs the command (tests/conftest.py: dvc_bin).
if [ "$(.venv-tools/bin/dvc --version 2>/dev/null)" != "3.67.1" ]; then
  "$PY" -m venv .venv-tools
  .venv/bin/python -m uv pip install -q --python .venv-tools/bin/python dvc==3.67.1 dvc-s3==3.3.0
fi
.venv-tools/bin/dvc --version >/dev/null # fail fast if the tool install did not work
exec .venv/bin/python -m pytest -n "${PYTEST_WORKERS:-2}" --dist loadfile "$@"
