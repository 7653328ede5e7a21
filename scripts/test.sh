#!/usr/bin/env bash
# Install mlgate with its test extras into .venv (created if missing) and run the whole test suite:
# unit, integration and quality gates (ruff, mypy --strict, import-linter) in parallel with xdist.
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
exec .venv/bin/python -m pytest -n "${PYTEST_WORKERS:-2}" --dist loadfile "$@"
