#!/usr/bin/env bash
# Install mlgate with its test extras into .venv (created if missing) and run the whole test suite:
# unit, integration and quality gates (ruff, mypy --strict, import-linter) in parallel with xdist. The MLflow
# server of the tracking tests goes into .venv-tools (created if missing).
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
# the MLflow server the tracking tests start: full mlflow pins an older pyarrow, so it gets a venv of its own
if [ ! -x .venv-tools/bin/python ]; then
  "$PY" -m venv .venv-tools
fi
.venv/bin/python -m uv pip install -q --python .venv-tools/bin/python "mlflow==3.17.2"
exec .venv/bin/python -m pytest -n "${PYTEST_WORKERS:-2}" --dist loadfile "$@"
