#!/usr/bin/env bash
# Install mlgate with its test extras into .venv (created if missing) and run the whole test suite:
# unit, integration and quality gates (ruff, mypy --strict, import-linter) in parallel with xdist.
# The real `dvc` command and `mlflow server` of the interop tests come from .venv-tools (created here if missing).
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
# The interop tests' real tools, in a venv of their own: installed into .venv they would downgrade mlgate's
# dependencies (dvc-s3 pins botocore, mlflow pins pyarrow). mlgate only runs `dvc` (tests/conftest.py: dvc_bin)
# and talks to `mlflow server` over HTTP (tests/fakes/mlflow_server.py).
TOOLS=(dvc==3.67.1 dvc-s3==3.3.0 mlflow==3.17.2)
if [ "$(cat .venv-tools/installed 2>/dev/null)" != "${TOOLS[*]}" ]; then
  "$PY" -m venv .venv-tools
  .venv/bin/python -m uv pip install -q --python .venv-tools/bin/python "${TOOLS[@]}"
  echo "${TOOLS[*]}" > .venv-tools/installed
fi
.venv-tools/bin/dvc --version >/dev/null && .venv-tools/bin/mlflow --version >/dev/null # fail fast if the tools did not install
exec .venv/bin/python -m pytest -n "${PYTEST_WORKERS:-2}" --dist loadfile "$@"
