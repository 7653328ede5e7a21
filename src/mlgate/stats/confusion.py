"""Label metrics from confusion matrices, vectorised over bootstrap resamples.

A metric that reads only (y, predicted label) is a function of the confusion matrix, and a row bootstrap
of two models' predictions is a multinomial draw of the joint table of (y, base label, new label): the
row counts of each cell over n rows with the cells' observed shares. So the resamples are drawn as tables
(cost independent of n) and each metric is computed on a stack of confusion matrices, with scikit-learn's
conventions: labels present in y or the predictions, 0 for an undefined ratio (``zero_division``), the
binary average on ``pos_label``, balanced accuracy over the classes present in y, MCC 0 when undefined.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np

Array = np.ndarray[Any, Any]
KINDS = ("precision", "recall", "f1", "jaccard")
AVERAGES = {"": "binary", "_macro": "macro", "_micro": "micro", "_weighted": "weighted"}
VECTORISED = frozenset(
    {"accuracy", "balanced_accuracy", "matthews_corrcoef", *(k + suffix for k in KINDS for suffix in AVERAGES)}
)
_CELLS = 4_000_000  # table cells held at once (draws × cells), bounds memory


def _divide(numerator: Array, denominator: Array) -> Array:
    return np.divide(numerator, denominator, out=np.zeros_like(numerator, dtype=np.float64), where=denominator > 0)


def score_confusion(scorer: str, conf: Array, pos_index: int | None) -> Array:
    """The metric on each confusion matrix of a stack (m, K, K) (rows: truth); ``pos_index``: binary average."""
    tp = np.diagonal(conf, axis1=1, axis2=2).astype(np.float64)
    true, pred = conf.sum(axis=2).astype(np.float64), conf.sum(axis=1).astype(np.float64)
    rows = true.sum(axis=1)
    if scorer == "accuracy":
        return _divide(tp.sum(axis=1), rows)
    if scorer == "balanced_accuracy":
        present = true > 0
        return _divide((_divide(tp, true) * present).sum(axis=1), present.sum(axis=1).astype(np.float64))
    if scorer == "matthews_corrcoef":
        cov_tp = tp.sum(axis=1) * rows - (true * pred).sum(axis=1)
        cov_pp = rows**2 - (pred * pred).sum(axis=1)
        cov_tt = rows**2 - (true * true).sum(axis=1)
        return _divide(cov_tp, np.sqrt(cov_tt * cov_pp))
    kind, average = next((k, AVERAGES[scorer[len(k) :]]) for k in KINDS if scorer.startswith(k))
    fp, fn = pred - tp, true - tp
    numerator, denominator = {
        "precision": (tp, tp + fp),
        "recall": (tp, tp + fn),
        "f1": (2 * tp, 2 * tp + fp + fn),
        "jaccard": (tp, tp + fp + fn),
    }[kind]
    if average == "binary":
        if pos_index is None:
            return np.zeros(conf.shape[0])
        return _divide(numerator[:, pos_index], denominator[:, pos_index])
    if average == "micro":
        return _divide(numerator.sum(axis=1), denominator.sum(axis=1))
    per_label = _divide(numerator, denominator)
    if average == "weighted":
        return _divide((per_label * true).sum(axis=1), true.sum(axis=1))
    present = (true + pred) > 0
    return _divide((per_label * present).sum(axis=1), present.sum(axis=1).astype(np.float64))


@dataclass(frozen=True, eq=False)
class JointTable:
    """The rows of (y, base label, new label) counted per distinct triple; labels coded in sorted order."""

    labels: Array
    counts: Array  # (C,) rows per cell
    to_base: Array  # (C,) each cell's index in a flattened K × K confusion matrix of the base model
    to_new: Array

    @classmethod
    def build(cls, y: Array, base: Array, new: Array) -> JointTable:
        n = len(y)
        joined = np.concatenate([np.asarray(y), np.asarray(base), np.asarray(new)])
        labels, codes = np.unique(joined, return_inverse=True)
        k = len(labels)
        cells, counts = np.unique((codes[:n] * k + codes[n : 2 * n]) * k + codes[2 * n :], return_counts=True)
        truth = cells // (k * k)
        return cls(labels, counts, truth * k + (cells // k) % k, truth * k + cells % k)

    def position(self, label: Any) -> int | None:
        """The code of ``label``, or None when no label equals it."""
        return next((i for i, known in enumerate(self.labels.tolist()) if known == label), None)

    def confusions(self, draws: Array) -> tuple[Array, Array]:
        """Confusion-matrix stacks (m, K, K) of base and new for cell counts (m, C)."""
        m, k = draws.shape[0], len(self.labels)
        offsets = (np.arange(m) * k * k)[:, None]
        stacks = (
            np.bincount((offsets + target).ravel(), weights=draws.ravel(), minlength=m * k * k)
            for target in (self.to_base, self.to_new)
        )
        base, new = (stack.reshape(m, k, k) for stack in stacks)
        return base, new

    def resample(self, samples: int, rng: np.random.Generator) -> Iterator[tuple[Array, Array]]:
        """``samples`` row-bootstrap resamples as confusion-matrix stacks, in chunks of bounded size."""
        rows, shares = int(self.counts.sum()), self.counts / self.counts.sum()
        chunk = max(1, _CELLS // max(self.counts.size, len(self.labels) ** 2))
        for start in range(0, samples, chunk):
            yield self.confusions(rng.multinomial(rows, shares, size=min(chunk, samples - start)))
