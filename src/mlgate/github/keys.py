"""The default report key: workflow + job + matrix values, so matrix legs and reports live side by side.

``GITHUB_WORKFLOW`` / ``GITHUB_JOB`` come from the runner. The matrix is not in the environment, so it is
passed as JSON: ``--matrix "$MATRIX"`` with ``MATRIX: ${{ toJSON(matrix) }}`` in the step's env (not an
``MLGATE_*`` variable: those are config overrides, and an unknown one is a config error). Values are taken
in key order and joined with ``/``: ``PR checks/benchmark/3.11/ubuntu-latest``. The marker writer reduces
the key to safe characters.
"""

from __future__ import annotations

import json
from collections.abc import Mapping

from mlgate.errors import InputError

FALLBACK_KEY = "mlgate"


def parse_matrix(text: str | None) -> list[str]:
    """The values of a matrix JSON object, in key order; ``null``/empty means no matrix."""
    if text is None or not text.strip():
        return []
    try:
        matrix = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(
            f"the matrix is not valid JSON: {exc.msg} (column {exc.colno})",
            hint="pass --matrix with ${{ toJSON(matrix) }}",
        ) from exc
    if matrix is None:
        return []
    if not isinstance(matrix, dict):
        raise InputError("the matrix must be a JSON object of the matrix values", hint="use ${{ toJSON(matrix) }}")
    return [v if isinstance(v, str) else json.dumps(v, sort_keys=True) for _, v in sorted(matrix.items())]


def default_key(environ: Mapping[str, str], matrix: str | None = None) -> str:
    """``workflow/job[/matrix values...]`` from the environment (``mlgate`` outside Actions)."""
    parts = [environ.get("GITHUB_WORKFLOW", ""), environ.get("GITHUB_JOB", ""), *parse_matrix(matrix)]
    parts = [p.strip() for p in parts if p.strip()]
    return "/".join(parts) or FALLBACK_KEY
