"""Metric values from stored predictions, exactly as scikit-learn's scorers compute them from the estimator.

A scorer name is a scikit-learn scorer (``sklearn.metrics.get_scorer_names()``) or mlgate's stored name
for a ``neg_*`` scorer (``mean_absolute_error``). Values are in stored units: a ``neg_*`` scorer's value is
stored positive. The output a scorer reads follows scikit-learn (``sklearn.metrics._scorer._Scorer``): the
first of its response methods the predictions have, and for two classes the column of (or, for
``decision_function``, the sign towards) its positive label: ``pos_label`` when the scorer has one
(``average_precision``, ``f1``, ``precision``… take 1), else the greater class (``roc_auc``,
``neg_log_loss``, ``neg_brier_score``).
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np

from mlgate.errors import InputError
from mlgate.stats.predictions import Predictions, list_methods

Array = np.ndarray[Any, Any]


@dataclass(frozen=True)
class Scorer:
    """A scikit-learn scorer by name, with what mlgate needs from it."""

    name: str
    scorer: Any  # sklearn.metrics._scorer._Scorer

    @property
    def stored_sign(self) -> float:
        """Stored value = stored_sign × scorer value (-1 for ``neg_*`` scorers)."""
        return -1.0 if self.name.startswith("neg_") else 1.0

    def respond(self, preds: Predictions) -> Array:
        """The output this scorer reads from the predictions (see the module docstring)."""
        methods = list_methods(self.scorer._response_method)
        method = next((m for m in methods if preds.output(m) is not None), None)
        if method is None:
            raise InputError(
                f"metric '{self.name}' needs {' or '.join(methods)}, which the predictions lack",
                hint="collect the predictions with collect_predictions(estimator, X, scorers)",
            )
        values = np.asarray(preds.output(method))
        if method == "predict" or preds.classes is None or len(preds.classes) > 2:
            return values
        pos_label = self.scorer._get_pos_label()
        pos_label = preds.classes[-1] if pos_label is None else pos_label
        if not any(pos_label == c for c in preds.classes):
            raise InputError(
                f"metric '{self.name}': pos_label={pos_label!r} is not a valid label: "
                f"it should be one of {list(preds.classes)}",
                hint="binary f1, precision, recall, jaccard and average_precision need the label 1",
            )
        if method == "decision_function":
            return -values if pos_label == preds.classes[0] else values
        if values.ndim != 2 or values.shape[1] < 2:
            raise InputError(f"metric '{self.name}': predict_proba of shape {values.shape} needs two columns")
        return values[:, 1 if pos_label == preds.classes[1] else 0]

    def value(self, y: Array, response: Array) -> float:
        """The stored value on (y, response); a metric scikit-learn cannot compute is an InputError."""
        try:
            raw = float(self.scorer._sign * self.scorer._score_func(y, response, **self.scorer._kwargs))
        except (ValueError, TypeError) as exc:
            raise InputError(
                f"metric '{self.name}' cannot be computed: {str(exc).splitlines()[0]}",
                hint="check the metric against the task and the labels",
            ) from exc
        return self.stored_sign * raw + 0.0  # + 0.0: never -0.0


def find_scorer(name: str) -> Scorer:
    """The Scorer for a scikit-learn scorer name or a stored ``neg_*`` name; unknown names are an InputError."""
    from sklearn.metrics import get_scorer, get_scorer_names

    known = set(get_scorer_names())
    found = name if name in known else f"neg_{name}" if f"neg_{name}" in known else None
    if found is None:
        guess = difflib.get_close_matches(name, sorted(known), n=1)
        raise InputError(
            f"unknown metric '{name}': not a scikit-learn scorer name",
            hint=f"did you mean '{guess[0]}'?" if guess else "see sklearn.metrics.get_scorer_names()",
        )
    return Scorer(found, get_scorer(found))


def score_predictions(scorer: str, y: Any, preds: Predictions) -> float:
    """The metric value in stored units, as ``get_scorer(scorer)(estimator, X, y)`` on the estimator that made
    ``preds`` (sign-adjusted for ``neg_*`` scorers)."""
    found = find_scorer(scorer)
    return found.value(np.asarray(y), found.respond(preds))


def collect_predictions(estimator: Any, X: Any, scorers: Iterable[str] = ()) -> Predictions:
    """Predict once per output the named scorers read (the first method the estimator has), plus ``predict``."""
    needed: set[str] = set()
    for name in scorers:
        methods = list_methods(find_scorer(name).scorer._response_method)
        needed.update(next(([m] for m in methods if hasattr(estimator, m)), []))
    classes = getattr(estimator, "classes_", None)
    return Predictions(
        pred=np.asarray(estimator.predict(X)),
        proba=np.asarray(estimator.predict_proba(X)) if "predict_proba" in needed else None,
        decision=np.asarray(estimator.decision_function(X)) if "decision_function" in needed else None,
        classes=tuple(classes) if classes is not None else None,
    )
