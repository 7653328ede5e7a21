"""Where a model's errors are, baseline vs PR, from the per-row predictions of both (computation only).

Classification: precision, recall and support per class and the confusion matrix of each side; regression:
a residual summary (mean, median absolute, 90th percentile absolute and largest absolute residual). Only
models with predictions on the same evaluation rows on both sides (or on the PR side alone, for new models)
get one. Renderers in ``mlgate.report`` turn these into the report's collapsed details.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

MAX_CLASSES = 12  # a larger confusion matrix does not fit a comment; per-class rows are kept


@dataclass(frozen=True)
class ClassScores:
    """One class: precision and recall of each side (None without a baseline) and its support."""

    label: str
    support: int
    precision: tuple[float | None, float]
    recall: tuple[float | None, float]


@dataclass(frozen=True)
class Residuals:
    """A regression model's residuals (prediction − truth) on the evaluation rows."""

    mean: float
    median_abs: float
    p90_abs: float
    max_abs: float


@dataclass(frozen=True)
class Breakdown:
    """One model's breakdown: per-class scores and confusion matrices, or residual summaries."""

    model: str
    classes: tuple[ClassScores, ...] = ()
    labels: tuple[str, ...] = ()
    confusion: tuple[Any, Any] | None = None  # (baseline or None, PR): rows truth, columns predicted, in `labels`
    residuals: tuple[Residuals | None, Residuals] | None = None


def break_down(task: str | None, predictions: Any, baseline: Any) -> tuple[Breakdown, ...]:
    """A breakdown per model of ``predictions`` (a ``PredictionSet``); ``baseline`` on the same rows, or None."""
    if predictions is None or task not in ("classification", "regression"):
        return ()
    same_rows = baseline is not None and baseline.rows == predictions.rows
    out = []
    for name, rows in predictions.models.items():
        base = baseline.models.get(name) if same_rows else None
        if task == "classification":
            out.append(_classes(name, predictions.y, None if base is None else base.pred, rows.pred))
        else:
            out.append(_residuals(name, predictions.y, None if base is None else base.pred, rows.pred))
    return tuple(out)


def _classes(name: str, y: Any, base: Any, new: Any) -> Breakdown:
    import numpy as np

    values = [y, new] + ([] if base is None else [base])
    labels = sorted({str(v) for part in values for v in np.asarray(part).tolist()})
    known = np.asarray(labels, dtype=str)
    k = len(labels)
    truth = np.searchsorted(known, np.asarray([str(v) for v in np.asarray(y).tolist()], dtype=str))

    def side(pred: Any) -> tuple[Any, Any, Any, Any]:
        """Per-class precision, recall, support and the confusion matrix (rows: truth), by counting."""
        codes = np.searchsorted(known, np.asarray([str(v) for v in np.asarray(pred).tolist()], dtype=str))
        counts = np.bincount(truth * k + codes, minlength=k * k).reshape(k, k)
        hits, support, predicted = np.diag(counts), counts.sum(axis=1), counts.sum(axis=0)
        precision = np.divide(hits, predicted, out=np.zeros(k), where=predicted > 0)
        recall = np.divide(hits, support, out=np.zeros(k), where=support > 0)
        return precision, recall, support, counts if k <= MAX_CLASSES else None

    p_new, r_new, support, m_new = side(new)
    p_base, r_base, _, m_base = side(base) if base is not None else (None, None, None, None)
    scores = tuple(
        ClassScores(
            label=label,
            support=int(support[i]),
            precision=(None if p_base is None else float(p_base[i]), float(p_new[i])),
            recall=(None if r_base is None else float(r_base[i]), float(r_new[i])),
        )
        for i, label in enumerate(labels)
    )
    confusion = None if m_new is None else (m_base, m_new)
    return Breakdown(model=name, classes=scores, labels=tuple(labels), confusion=confusion)


def _residuals(name: str, y: Any, base: Any, new: Any) -> Breakdown:
    def summary(pred: Any) -> Residuals:
        import numpy as np

        residual = np.asarray(pred, dtype=float) - np.asarray(y, dtype=float)
        absolute = np.abs(residual)
        return Residuals(
            mean=float(np.mean(residual)),
            median_abs=float(np.median(absolute)),
            p90_abs=float(np.quantile(absolute, 0.9)),
            max_abs=float(np.max(absolute)),
        )

    return Breakdown(model=name, residuals=(None if base is None else summary(base), summary(new)))
