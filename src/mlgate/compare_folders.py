"""``mlgate compare``'s use case: compare results folders (or metrics files) with a baseline, apply the gates.

The rules of the journey live here, not in the command: candidates merge into one comparison (one folder per
matrix leg); ``--candidate-params`` belongs to exactly one candidate; a baseline path that does not exist means
"no baseline" (the report then shows the current results only, and says why), which is an error only when a
baseline is required (the flag, or ``baseline.require``). Each side gets its per-row predictions when its
folder has them, so the paired tests can use them.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from mlgate.config import Config
from mlgate.errors import InputError

if TYPE_CHECKING:
    from mlgate.compare import Comparison
    from mlgate.results import ResultSet


def compare_folders(
    config: Config,
    candidates: Sequence[Path],
    baseline: Path | None,
    *,
    baseline_note: str | None = None,
    baseline_params: Path | None = None,
    candidate_params: Path | None = None,
    model: str | None = None,
    require_baseline: bool = False,
) -> Comparison:
    """Compare ``candidates`` (merged) with ``baseline``; ``baseline_note`` says how the baseline was obtained."""
    from mlgate.compare import compare_results

    if not candidates:
        raise InputError("no candidate results given", hint="pass --candidate DIR (a results folder or metrics file)")
    if candidate_params is not None and len(candidates) > 1:
        raise InputError("--candidate-params needs exactly one candidate", hint="merge params per leg before comparing")
    found = [read_result_folder(p, params=candidate_params, model=model) for p in candidates]
    base, note = None, baseline_note
    if baseline is not None and baseline.exists():
        base = read_result_folder(baseline, params=baseline_params, model=model)
    elif note is None:
        note = f"{baseline} does not exist" if baseline is not None else "no --baseline was given"
    if base is None and (require_baseline or config.baseline.require):
        raise InputError(f"no baseline: {note}", hint="pass --baseline DIR, or drop --require-baseline")
    return compare_results(
        base,
        found,
        config.metrics,
        baseline_note=note,
        incomparable=config.baseline.incomparable,
        seed=config.train.seed,
        seed_fits=config.train.seed_fits,
    )


def read_result_folder(path: Path, *, params: Path | None, model: str | None) -> ResultSet:
    """A results folder, its metrics.json or a DVC-style metrics file, with its per-row predictions when it has them."""
    from mlgate.interop import read_result_set
    from mlgate.training.predictions import attach_predictions

    return attach_predictions(read_result_set(path, params=params, model=model), path)
