"""How much a model's scores move with its random seed: refits of cheap models with other seeds.

A paired per-row test asks whether two *fitted* models differ; two seeds of the same forest do, a little, and on a
large evaluation set the test sees it. Whether a PR changed the *training procedure* needs the seed-to-seed spread
of each metric too: each model that takes a ``random_state`` and fits in under ``train.seed_fits_max_s`` is refitted
``train.seed_fits`` more times with other seeds and scored on the same evaluation rows; the sample standard deviation
of each metric over all its fits is kept (``ModelResult.seed_sd``) and widens the gate's test in
``mlgate.evidence``. A model whose first refit predicts exactly as the original does is deterministic: spread 0, no
more refits. Under cross-validation nothing is refitted (the fold scores carry the spread).
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Sequence
from typing import Any

import numpy as np

from mlgate.config import TrainConfig
from mlgate.stats import Predictions
from mlgate.training.evaluate import Clock, Notes, fit, predict_scored
from mlgate.training.metrics import Metric


def measure_seed_spread(
    name: str,
    model: Any,
    metrics: Sequence[Metric],
    data: tuple[Any, Any, Any, Any],
    *,
    first: tuple[dict[str, float], Predictions],
    fit_s: float,
    settings: TrainConfig,
    notes: Notes,
    clock: Clock = time.perf_counter,
) -> dict[str, float]:
    """The standard deviation of each metric over the original fit and up to ``settings.seed_fits`` reseeded ones.

    ``data``: (X, y, X_test, y_test); ``first``: the original fit's metrics and predictions. Empty when the model
    takes no seed, has no refits allowed, or fits too slowly to refit.
    """
    from sklearn.base import clone

    seeds = [key for key in model.get_params(deep=True) if key == "random_state" or key.endswith("__random_state")]
    if not seeds or settings.seed_fits < 1 or fit_s > settings.seed_fits_max_s:
        return {}
    X, y, X_test, y_test = data
    values = [first[0]]
    for offset in range(1, settings.seed_fits + 1):
        refit = clone(model).set_params(**{key: (settings.seed + 7919 * offset) % 2**32 for key in seeds})
        fit(name, refit, X, y, notes=notes, clock=clock)
        scores, rows = predict_scored(name, refit, metrics, X_test, y_test, notes=notes)
        if offset == 1 and _same(rows, first[1]):
            return {m.name: 0.0 for m in metrics}  # the seed changes nothing: a deterministic model
        values.append(scores)
    return {m.name: statistics.stdev(v[m.name] for v in values) for m in metrics}


def _same(a: Predictions, b: Predictions) -> bool:
    if not np.array_equal(np.asarray(a.pred), np.asarray(b.pred)):
        return False
    for left, right in ((a.proba, b.proba), (a.decision, b.decision)):
        if left is None or right is None:
            if left is not right:
                return False
        elif not np.allclose(left, right, rtol=0, atol=1e-12):
            return False
    return True
