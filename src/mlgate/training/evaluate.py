"""Fit and score one model under an evaluation plan; warnings become notes, failures name the model.

``fit_s`` is the wall time of one fit on the training rows (holdout) or the mean over the folds (CV).
"""

from __future__ import annotations

import contextlib
import time
import warnings
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from mlgate.errors import ConfigError, InputError
from mlgate.stats import Predictions
from mlgate.training.metrics import Metric, score, score_rows
from mlgate.training.split import Plan

Clock = Callable[[], float]


@dataclass
class Notes:
    """Distinct warnings seen while a model was fitted or scored."""

    items: list[str] = field(default_factory=list)

    @contextlib.contextmanager
    def collect(self) -> Iterator[None]:
        with warnings.catch_warnings(record=True) as seen:
            warnings.simplefilter("always")
            yield
        for item in seen:
            lines = str(item.message).strip().splitlines() or [""]
            text = f"{item.category.__name__}: {lines[0]}"
            if text not in self.items:
                self.items.append(text)


@dataclass(frozen=True)
class Scores:
    """A model's quality metrics (fold means under CV), per-fold values and fit time."""

    metrics: dict[str, float]
    folds: dict[str, tuple[float, ...]]
    fit_s: float


def fit(name: str, estimator: Any, X: Any, y: Any, *, notes: Notes, clock: Clock = time.perf_counter) -> float:
    """Fit in place and return the seconds taken; user-facing failures are errors naming the model."""
    from sklearn.utils._param_validation import InvalidParameterError

    start = clock()
    try:
        with notes.collect():
            estimator.fit(X, y)
    except InvalidParameterError as exc:
        raise ConfigError(f"model '{name}': {str(exc).splitlines()[0]}", hint=f"fix models.{name}.params") from exc
    except (ValueError, TypeError, KeyError) as exc:
        raise InputError(
            f"model '{name}': fit failed: {type(exc).__name__}: {str(exc).splitlines()[0]}",
            hint="check the model's settings against the data (features, types, target)",
        ) from exc
    return clock() - start


def scored(name: str, estimator: Any, metrics: Sequence[Metric], X: Any, y: Any, *, notes: Notes) -> dict[str, float]:
    """Score a fitted estimator, collecting warnings as notes."""
    with notes.collect():
        return score(name, estimator, metrics, X, y)


def predict_scored(
    name: str, estimator: Any, metrics: Sequence[Metric], X: Any, y: Any, *, notes: Notes
) -> tuple[dict[str, float], Predictions]:
    """Predict the rows once, score every metric from those predictions, and return both.

    A prediction or metric that fails that way is retried through ``score``, whose error names the metric.
    """
    from mlgate.training.predictions import predict_rows

    with notes.collect():
        try:
            predictions = predict_rows(estimator, X)
        except (ValueError, TypeError, AttributeError, KeyError, IndexError) as exc:
            score(name, estimator, metrics, X, y)  # raises the error that names the metric at fault, if any
            raise InputError(
                f"model '{name}': predict failed: {type(exc).__name__}: {str(exc).splitlines()[0]}",
                hint="check the model against the data (features, types)",
            ) from exc
        values = score_rows(name, metrics, y, predictions)
        return (score(name, estimator, metrics, X, y) if values is None else values), predictions


def cross_validate(
    name: str, estimator: Any, plan: Plan, metrics: Sequence[Metric], *, notes: Notes, clock: Clock = time.perf_counter
) -> Scores:
    """Clone, fit and score per fold; metrics are fold means, ``fit_s`` the mean fit time."""
    from sklearn.base import clone

    per_fold: dict[str, list[float]] = {m.name: [] for m in metrics}
    times: list[float] = []
    for fold in plan.folds:
        model = clone(estimator)
        times.append(fit(name, model, plan.X.iloc[fold.train], plan.y[fold.train], notes=notes, clock=clock))
        values = scored(name, model, metrics, plan.X.iloc[fold.test], plan.y[fold.test], notes=notes)
        for key, value in values.items():
            per_fold[key].append(value)
    return Scores(
        metrics={k: float(np.mean(v)) for k, v in per_fold.items()},
        folds={k: tuple(v) for k, v in per_fold.items()},
        fit_s=float(np.mean(times)),
    )


def class_count(plan: Plan) -> int:
    """Distinct target values over the training and test rows (decides roc_auc vs roc_auc_ovr)."""
    labels = list(np.unique(plan.y))
    if plan.y_test is not None:
        labels += [v for v in np.unique(plan.y_test) if v not in labels]
    return len(labels)
