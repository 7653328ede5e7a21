"""Metrics that are means of per-row losses: a paired t test on the per-row differences.

Each loss below is scikit-learn's metric written per row (mean over rows = the metric). RMSE and RMSLE are
square roots of such means and are tested by the delta method: the per-row contributions
e²_new / (2·RMSE_new) − e²_base / (2·RMSE_base) carry the linearised variance. R² shares y between the
models, so R²_new − R²_base = (SSE_base − SSE_new) / SST: a paired t on squared-error differences scaled by
n / SST. ``row_losses`` returns None when its mean does not reproduce the stored value (another scikit-learn
version, a loss it cannot write per row), and the caller falls back to the bootstrap.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from mlgate.stats.result import PairedTest, Question, build_pivot, build_unbounded

Array = np.ndarray[Any, Any]


def _squared(y: Array, r: Array) -> Array:
    return (np.asarray(y, np.float64) - r) ** 2


def _absolute(y: Array, r: Array) -> Array:
    return np.asarray(np.abs(np.asarray(y, np.float64) - r), np.float64)


def _percentage(y: Array, r: Array) -> Array:
    y = np.asarray(y, np.float64)
    return np.asarray(np.abs(r - y) / np.maximum(np.abs(y), np.finfo(np.float64).eps), np.float64)


def _squared_log(y: Array, r: Array) -> Array:
    return (np.log1p(np.asarray(y, np.float64)) - np.log1p(r)) ** 2


def _poisson(y: Array, r: Array) -> Array:
    from scipy.special import xlogy

    y = np.asarray(y, np.float64)
    return np.asarray(2 * (xlogy(y, y / r) - y + r), np.float64)


def _gamma(y: Array, r: Array) -> Array:
    y = np.asarray(y, np.float64)
    return np.asarray(2 * (np.log(r / y) + y / r - 1), np.float64)


def _true_class(y: Array, r: Array) -> tuple[Array, Array]:
    """One-hot truth and the probability matrix, columns in sorted label order (scikit-learn's binarizer)."""
    labels, codes = np.unique(y, return_inverse=True)
    proba = np.column_stack([1 - r, r]) if r.ndim == 1 else r
    return np.eye(len(labels))[codes], proba


def _log_loss(y: Array, r: Array) -> Array:
    truth, proba = _true_class(y, r)
    eps = np.finfo(proba.dtype).eps
    return np.asarray(-np.sum(truth * np.log(np.clip(proba, eps, 1 - eps)), axis=1), np.float64)


def _brier(y: Array, r: Array) -> Array:
    truth, proba = _true_class(y, r)
    return np.asarray(np.sum((truth - proba) ** 2, axis=1) * (0.5 if proba.shape[1] < 3 else 1.0), np.float64)


LOSSES: dict[str, tuple[str, Callable[[Array, Array], Array]]] = {
    "neg_mean_squared_error": ("squared error", _squared),
    "neg_mean_absolute_error": ("absolute error", _absolute),
    "neg_mean_absolute_percentage_error": ("absolute percentage error", _percentage),
    "neg_mean_squared_log_error": ("squared log error", _squared_log),
    "neg_mean_poisson_deviance": ("Poisson deviance", _poisson),
    "neg_mean_gamma_deviance": ("gamma deviance", _gamma),
    "neg_log_loss": ("log loss", _log_loss),
    "neg_brier_score": ("Brier score", _brier),
}
ROOTS = {
    "neg_root_mean_squared_error": "neg_mean_squared_error",
    "neg_root_mean_squared_log_error": "neg_mean_squared_log_error",
}
TESTED = frozenset({*LOSSES, *ROOTS, "r2"})


def row_losses(scorer: str, y: Array, response: Array, stored: float) -> Array | None:
    """Per-row losses whose mean (its root for RMSE/RMSLE, 1 − SSE/SST for r2) is ``stored``, else None."""
    _, loss = LOSSES[ROOTS.get(scorer, "neg_mean_squared_error" if scorer == "r2" else scorer)]
    with np.errstate(all="ignore"):
        rows = loss(y, np.asarray(response, np.float64))
        total = float(np.mean(rows)) if rows.size else math.nan
        if scorer in ROOTS:
            total = math.sqrt(total) if total >= 0 else math.nan
        elif scorer == "r2":
            sst = float(np.sum((np.asarray(y, np.float64) - np.mean(y)) ** 2))
            total = 1 - float(np.sum(rows)) / sst if sst > 0 else math.nan
    if not (np.all(np.isfinite(rows)) and math.isclose(total, stored, rel_tol=1e-9, abs_tol=1e-12)):
        return None
    return rows


def describe(scorer: str) -> str:
    """The method name for a loss scorer."""
    if scorer in ROOTS:
        return f"delta method on per-row {LOSSES[ROOTS[scorer]][0]} (t)"
    if scorer == "r2":
        return "paired t on per-row squared error, scaled by n/SST"
    return f"paired t on per-row {LOSSES[scorer][0]}"


def compare_losses(
    scorer: str, y: Array, rows: tuple[Array, Array], stored: tuple[float, float], question: Question
) -> PairedTest:
    """The paired t (or delta-method t) test of new − base from the two models' per-row losses."""
    base, new = rows
    n = base.size
    method = describe(scorer)
    if scorer in ROOTS:
        if min(stored) <= 0:
            return build_unbounded(method, stored[1] - stored[0], n)
        contributions = new / (2 * stored[1]) - base / (2 * stored[0])
        estimate = stored[1] - stored[0]
    elif scorer == "r2":
        sst = float(np.sum((np.asarray(y, np.float64) - np.mean(y)) ** 2))
        contributions = (base - new) * (n / sst)
        estimate = float(np.mean(contributions))
    else:
        contributions = new - base
        estimate = float(np.mean(contributions))
    if n < 2:
        return build_unbounded(method, estimate, n)
    se = float(np.std(contributions, ddof=1)) / math.sqrt(n)
    return build_pivot(method, estimate, se, n, question, df=n - 1)
