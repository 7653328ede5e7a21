"""One model's predictions on the evaluation rows: what the paired tests and ``score_predictions`` read."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np

from mlgate.errors import InputError

METHODS = ("predict", "predict_proba", "decision_function")


@dataclass(frozen=True, eq=False)
class Predictions:
    """A model's outputs on the n evaluation rows.

    ``pred`` is ``predict``; ``proba`` is ``predict_proba`` (n, K) and ``decision`` is
    ``decision_function`` ((n,) for two classes, else (n, K)), both with columns in ``classes`` order (the
    estimator's ``classes_``). Give every output a metric may need: scikit-learn's ``roc_auc`` and
    ``average_precision`` scorers prefer ``decision_function`` over ``predict_proba``, and a score equals
    the scorer's only when it reads the same output (``collect_predictions`` gets exactly those).
    """

    pred: np.ndarray[Any, Any]
    proba: np.ndarray[Any, Any] | None = None
    decision: np.ndarray[Any, Any] | None = None
    classes: tuple[Any, ...] | None = None

    def __post_init__(self) -> None:
        rows = len(self.pred)
        for name, values in (("proba", self.proba), ("decision", self.decision)):
            if values is not None and len(values) != rows:
                raise InputError(f"predictions: {name} has {len(values)} rows but pred has {rows}")
        if self.proba is not None and self.classes is not None and self.proba.shape[1] != len(self.classes):
            raise InputError(f"predictions: proba has {self.proba.shape[1]} columns for {len(self.classes)} classes")

    def output(self, method: str) -> np.ndarray[Any, Any] | None:
        """The output of one response method (``predict``, ``predict_proba``, ``decision_function``), or None."""
        return {"predict": self.pred, "predict_proba": self.proba, "decision_function": self.decision}[method]


def list_methods(response_method: str | Iterable[str]) -> tuple[str, ...]:
    """A scorer's response methods in order of preference."""
    return (response_method,) if isinstance(response_method, str) else tuple(response_method)
