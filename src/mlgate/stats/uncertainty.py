"""How precisely one model's metric is known from its n evaluation rows: the value and its standard error.

What a comparison of two independent samples needs (a version's registered value on its own evaluation rows
against the same metric on live labelled rows: ``mlgate.stats.unpaired``). Analytic wherever the paired
tests have an analytic form, the bootstrap otherwise:

- accuracy: binomial, with Agresti & Caffo's (2000) adjustment (one right and one wrong row added), so a
  perfect score still has a spread: se = √(p̃(1 − p̃) / (n + 2)), p̃ = (right + 1) / (n + 2);
- means of per-row losses (``losses.LOSSES``): s / √n of the per-row losses, t quantiles;
- RMSE, RMSLE: the delta method, se(mean squared (log) error) / (2·RMSE), t quantiles;
- r2 = 1 − mean(e²) / mean((y − ȳ)²): the delta method on both means (each row's influence), t quantiles;
- binary ROC AUC: DeLong's variance of one AUC (``delong.compute_delong``);
- ``roc_auc_ovr``/``ovo``: the per-row DeLong components averaged as ``multiclass`` averages them;
- everything else: the standard deviation of ``samples`` bootstrap values (label metrics on resampled
  confusion tables, ``average_precision`` on sorted scores, any other metric on resampled rows), seeded.

A spread that cannot be estimated (one row, a class with a single row for AUC, a metric undefined on most
resamples) is None: the caller says so rather than inventing one.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from mlgate.errors import InputError
from mlgate.stats import delong, losses, multiclass, ranking
from mlgate.stats.bootstrap import ROWS_AT_ONCE, _evaluate
from mlgate.stats.confusion import VECTORISED, JointTable, score_confusion
from mlgate.stats.predictions import Predictions
from mlgate.stats.scoring import Scorer, find_scorer

Array = np.ndarray[Any, Any]
Quantiles = Literal["normal", "t"]
BINOMIAL = "binomial (Agresti–Caffo)"


@dataclass(frozen=True)
class Spread:
    """A metric's value in stored units on ``n`` rows, its standard error (None: unknown) and how it was found.

    ``quantiles`` is the distribution a test on it uses: ``t`` (n − 1 degrees of freedom) for means of
    per-row values, else ``normal``."""

    value: float
    se: float | None
    n: int
    method: str
    quantiles: Quantiles = "normal"


def estimate_se(scorer: str, y: Any, preds: Predictions, *, samples: int = 2000, seed: int = 0) -> float | None:
    """The standard error of metric ``scorer`` of ``preds`` on the rows ``y`` (see ``estimate_spread``)."""
    return estimate_spread(scorer, y, preds, samples=samples, seed=seed).se


def estimate_spread(scorer: str, y: Any, preds: Predictions, *, samples: int = 2000, seed: int = 0) -> Spread:
    """The value and standard error of metric ``scorer`` on the rows ``y`` (see the module docstring).

    An unknown scorer, mismatched lengths, no rows, or a metric scikit-learn cannot compute (or that is
    undefined) on these rows is an InputError."""
    if samples < 2:
        raise InputError(f"bootstrap samples {samples} must be at least 2")
    found = find_scorer(scorer)
    truth = np.asarray(y)
    if truth.ndim != 1 or len(truth) != len(preds.pred) or len(truth) == 0:
        raise InputError(
            f"metric '{found.name}': y has shape {truth.shape} and the predictions {len(preds.pred)} "
            "rows; a spread needs one value per row, and at least one row"
        )
    response = found.respond(preds)
    if found.name.startswith("roc_auc") and response.ndim == 1 and _two_classes(truth, response):
        return _binary_auc(truth, response)
    value = _value(found, truth, response)
    n = truth.size
    if found.name == "accuracy":
        right = value * n
        share = (right + 1) / (n + 2)
        return Spread(value, math.sqrt(share * (1 - share) / (n + 2)), n, BINOMIAL)
    if found.name in multiclass.SCORERS and response.ndim == 2:
        return Spread(value, _multiclass_se(found.name, truth, response), n, multiclass.describe(found.name))
    if found.name in losses.TESTED:
        rows = losses.row_losses(found.name, truth, response, value)
        if rows is not None:
            return Spread(value, _loss_se(found.name, truth, rows, value), n, _describe_loss(found.name), "t")
    draws = _bootstrap(found, truth, preds, response, samples=samples, seed=seed)
    defined = draws[np.isfinite(draws)]
    se = float(np.std(defined, ddof=1)) if defined.size >= max(2, draws.size // 2) else None
    return Spread(value, se, n, f"bootstrap ({samples})")


def _two_classes(truth: Array, response: Array) -> bool:
    try:
        return np.unique(truth).size == 2 and bool(np.all(np.isfinite(np.asarray(response, np.float64))))
    except (TypeError, ValueError):  # labels that do not sort, scores that are not numbers
        return False


def _value(found: Scorer, truth: Array, response: Array) -> float:
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        value = found.value(truth, response)
    if not math.isfinite(value):
        raise InputError(
            f"metric '{found.name}' is undefined on these rows",
            hint="pick other metrics, or check the classes in the data",
        )
    return value


def _binary_auc(truth: Array, scores: Array) -> Spread:
    positive = truth == np.max(truth)
    m = int(np.count_nonzero(positive))
    if min(m, truth.size - m) < 2:
        auc = float(np.mean(delong.rank_three(np.asarray(scores, np.float64), positive)[0])) / (truth.size - m)
        return Spread(auc, None, truth.size, delong.METHOD)
    aucs, cov = delong.compute_delong(positive, scores)
    return Spread(float(aucs[0]), math.sqrt(max(float(cov[0, 0]), 0.0)), truth.size, delong.METHOD)


def _multiclass_se(scorer: str, truth: Array, scores: Array) -> float | None:
    labels, codes = np.unique(truth, return_inverse=True)
    counts = np.bincount(codes, minlength=len(labels))
    if counts.min() < 2 or scores.shape[1] != len(labels):
        return None
    terms = np.zeros(codes.size)
    for weight, positive, negative, column in multiclass.list_terms(codes, len(labels), scorer):
        terms += float(weight) * multiclass.expand_auc(scores[:, column], positive, negative)[1]
    variance = sum(counts[c] * float(np.var(terms[codes == c], ddof=1)) for c in range(len(labels)))
    return math.sqrt(variance)


def _describe_loss(scorer: str) -> str:
    if scorer in losses.ROOTS:
        return f"delta method on per-row {losses.LOSSES[losses.ROOTS[scorer]][0]}"
    if scorer == "r2":
        return "delta method on per-row squared error and spread of y"
    return f"s/√n of per-row {losses.LOSSES[scorer][0]}"


def _loss_se(scorer: str, truth: Array, rows: Array, value: float) -> float | None:
    n = rows.size
    if n < 2:
        return None
    if scorer == "r2":
        y = np.asarray(truth, np.float64)
        spread = (y - y.mean()) ** 2
        error, total = float(rows.mean()), float(spread.mean())
        influence = -(rows - error) / total + error * (spread - total) / total**2
        return float(np.std(influence, ddof=1)) / math.sqrt(n)
    se = float(np.std(rows, ddof=1)) / math.sqrt(n)
    if scorer in losses.ROOTS:
        return se / (2 * value) if value > 0 else None
    return se


def _bootstrap(found: Scorer, truth: Array, preds: Predictions, response: Array, *, samples: int, seed: int) -> Array:
    """``samples`` values of the metric on row-bootstrap resamples (NaN where it is undefined)."""
    rng = np.random.default_rng(seed)
    n = truth.size
    if found.name in VECTORISED:
        table = JointTable.build(truth, preds.pred, preds.pred)
        pos_label = found.scorer._get_pos_label()
        pos_index = table.position(pos_label) if pos_label is not None else None
        return np.concatenate(
            [score_confusion(found.name, conf, pos_index) for conf, _ in table.resample(samples, rng)]
        )
    chunk = max(1, ROWS_AT_ONCE // max(n, 1))
    if found.name == "average_precision":
        columns = ranking._columns(truth, response, found.scorer._get_pos_label())
        parts = []
        for start in range(0, samples, chunk):
            indices = rng.integers(0, n, size=(min(chunk, samples - start), n))
            offsets = (np.arange(indices.shape[0]) * n)[:, None]
            weights = np.bincount((indices + offsets).ravel(), minlength=indices.size).reshape(indices.shape)
            parts.append(ranking._average(columns, weights.astype(np.int32)))
        return np.concatenate(parts)
    draws = np.empty(samples)
    for start in range(0, samples, chunk):
        for offset, rows in enumerate(rng.integers(0, n, size=(min(chunk, samples - start), n))):
            draws[start + offset] = _evaluate(found, truth[rows], response[rows])
    return draws
