"""How precisely a version's registered metrics are known: n and se per metric, from its results' predictions.

A results folder with ``predictions.parquet`` (a holdout evaluation, ``mlgate.training.predictions``) holds the
model's outputs on the very rows its metrics were computed on; ``mlgate.stats.uncertainty`` gives each
metric's standard error from them. A metric is recorded only when its value recomputed from the predictions
is the registered one (same rows, same scorer), and has a spread; timings, metrics the predictions cannot
give, and cross-validated results (no predictions file) are left out.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from pathlib import Path

from mlgate.errors import InputError


def measure_uncertainty(
    folder: Path, model: str, metrics: Mapping[str, float], *, samples: int = 2000, seed: int = 0
) -> dict[str, dict[str, float]] | None:
    """``{metric: {"n": rows, "se": standard error}}`` of ``model`` in the results at ``folder``, or None."""
    from mlgate.stats.uncertainty import estimate_spread
    from mlgate.training.predictions import read_predictions

    predictions = read_predictions(folder)
    if predictions is None or model not in predictions.models:
        return None
    preds = predictions.models[model]
    found: dict[str, dict[str, float]] = {}
    for name, registered in metrics.items():
        try:
            spread = estimate_spread(name, predictions.y, preds, samples=samples, seed=seed)
        except InputError:
            continue  # a timing, or a metric these predictions cannot give
        same = math.isclose(spread.value, registered, rel_tol=1e-6, abs_tol=1e-9)
        if same and spread.se is not None:
            found[name] = {"n": spread.n, "se": spread.se}
    return found or None
