"""How much a model's scores move with its random seed: refits of cheap models with other seeds.

A paired per-row test asks whether two *fitted* models differ; two seeds of the same forest do, a little, and on a
large evaluation set the test sees it. Whether a PR changed the *training procedure* needs the seed-to-seed spread
of each metric too: each model that takes a ``random_state`` and fits in under ``train.seed_fits_max_s`` is refitted
``train.seed_fits`` more times with other seeds and scored on the same evaluation rows; the sample standard deviation
of each metric over all its fits is kept (``ModelResult.seed_sd``) and widens the gate's test in
``mlgate.evidence``. A model whose first refit predicts exactly as the original does is deterministic: spread 0, no
more refits. Under cross-validation nothing is refitted (the fold scores carry the spread).

``mlgate retrain`` asks a wider question: is the fresh *data* better than the data the live version was trained
on? Two training sets of the same size from one population give models that differ by far more than two seeds
do, so there each refit also draws its training rows again (a bootstrap resample of the rows, seeded), and the
standard deviation over the fits (``ModelResult.resample_sd``) stands for the spread between training sets; any
model that fits in under ``retrain.resample_max_s`` is refitted ``retrain.resample_fits`` times, seeded or not.
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
    resample_max_s: float | None = None,
    resample_fits: int = 9,
) -> dict[str, float]:
    """The standard deviation of each metric over the original fit and up to ``settings.seed_fits`` refits.

    ``data``: (X, y, X_test, y_test); ``first``: the original fit's metrics and predictions. Reseeded refits on
    the same rows by default: empty when the model takes no seed, has no refits allowed, or fits too slowly.
    ``resample_max_s`` (``mlgate retrain``): ``resample_fits`` refits on bootstrap resamples of the training rows
    instead, for a model that fits in under that many seconds.
    """
    from sklearn.base import clone

    seeds = [key for key in model.get_params(deep=True) if key == "random_state" or key.endswith("__random_state")]
    limit = settings.seed_fits_max_s if resample_max_s is None else resample_max_s
    count = settings.seed_fits if resample_max_s is None else resample_fits
    if (not seeds and resample_max_s is None) or count < 1 or fit_s > limit:
        return {}
    X, y, X_test, y_test = data
    values = [first[0]]
    for offset in range(1, count + 1):
        refit = clone(model).set_params(**{key: (settings.seed + 7919 * offset) % 2**32 for key in seeds})
        rows_X, rows_y = (X, y) if resample_max_s is None else _resample(X, y, seed=settings.seed + offset)
        fit(name, refit, rows_X, rows_y, notes=notes, clock=clock)
        scores, rows = predict_scored(name, refit, metrics, X_test, y_test, notes=notes)
        if offset == 1 and resample_max_s is None and _same(rows, first[1]):
            return {m.name: 0.0 for m in metrics}  # the seed changes nothing: a deterministic model
        values.append(scores)
    return {m.name: statistics.stdev(v[m.name] for v in values) for m in metrics}


def _resample(X: Any, y: Any, *, seed: int) -> tuple[Any, Any]:
    """A bootstrap resample of the training rows (as many rows, drawn with replacement), seeded.

    Class labels (a target that is not floating point) are resampled within each class, so every class keeps
    its count and a refit predicts the same set of classes as the original.
    """
    rng = np.random.default_rng(seed)
    labels = np.asarray(y)
    if labels.dtype.kind == "f":
        picks = rng.integers(0, len(labels), size=len(labels))
    else:
        keys = labels.astype(str)
        groups = [np.flatnonzero(keys == value) for value in np.unique(keys)]
        picks = np.sort(np.concatenate([rng.choice(group, size=len(group), replace=True) for group in groups]))
    rows = X.iloc[picks] if hasattr(X, "iloc") else X[picks]
    return rows, (y.iloc[picks] if hasattr(y, "iloc") else np.asarray(y)[picks])


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
