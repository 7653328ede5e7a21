"""``test_paired``: a baseline and a new model on the same rows, one metric, the cheapest sound test.

- accuracy: McNemar (exact), or with a margin Tango's score test (``proportions``);
- roc_auc (and any roc_auc scorer on two classes): DeLong (``delong``); roc_auc_ovr/ovo on more classes:
  DeLong's components averaged (``multiclass``);
- means of per-row losses, RMSE/RMSLE (delta method) and r2: paired t (``losses``);
- everything else: the paired bootstrap, on the joint label table for label metrics (``confusion``), on
  sorted scores for average_precision (``ranking``), else on resampled rows (``bootstrap``)."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from mlgate.errors import InputError
from mlgate.stats import bootstrap, delong, losses, multiclass, proportions, ranking
from mlgate.stats.confusion import VECTORISED
from mlgate.stats.predictions import Predictions
from mlgate.stats.result import PairedTest, Question, ask, build_unchanged
from mlgate.stats.scoring import Scorer, find_scorer

Array = np.ndarray[Any, Any]


def test_paired(
    scorer: str,
    y: Any,
    base: Predictions,
    new: Predictions,
    *,
    direction: str,
    margin: float,
    alpha: float,
    samples: int = 2000,  # noqa: PT028 (a library function named test_*)
    seed: int = 0,  # noqa: PT028
) -> PairedTest:
    """Compare ``new`` with ``base`` on metric ``scorer`` over the rows ``y`` (see mlgate.stats).

    An unknown scorer, mismatched lengths, or a metric scikit-learn cannot compute on these rows is an
    InputError. Identical outputs give estimate 0, the interval [0, 0] and both p-values 1.
    """
    question = ask(direction, margin, alpha)
    if samples < 1:
        raise InputError(f"bootstrap samples {samples} must be at least 1")
    found = find_scorer(scorer)
    truth = np.asarray(y)
    if truth.ndim != 1 or not len(truth) == len(base.pred) == len(new.pred):
        raise InputError(
            f"metric '{found.name}': y has shape {truth.shape}, the predictions "
            f"{len(base.pred)} and {len(new.pred)} rows; paired tests need one value per row for all three"
        )
    base_out, new_out = found.respond(base), found.respond(new)
    per_row, stored = None, (np.nan, np.nan)
    if not _is_plain_auc(found, truth, base_out, new_out):  # DeLong computes the AUCs itself
        stored = _score_both(found, truth, base_out, new_out)
        per_row = _row_losses(found, truth, (base_out, new_out), stored)
    method = _choose(found, base_out, per_row is not None, question, samples)
    if np.array_equal(base_out, new_out):
        return build_unchanged(method, len(truth))
    if method in (proportions.EXACT, proportions.SCORE):
        return proportions.compare_correct(base_out == truth, new_out == truth, question)
    if method == delong.METHOD:
        return delong.compare_auc(truth == np.max(truth), base_out, new_out, question)
    if found.name in multiclass.SCORERS and base_out.ndim == 2:
        return multiclass.compare_multiclass_auc(found.name, truth, base_out, new_out, question)
    if per_row is not None:
        return losses.compare_losses(found.name, truth, per_row, stored, question)
    if found.name == "average_precision":
        pos_label = found.scorer._get_pos_label()
        return ranking.bootstrap_precision(truth, base_out, new_out, pos_label, question, samples=samples, seed=seed)
    if found.name in VECTORISED:
        return bootstrap.bootstrap_table(found, truth, base.pred, new.pred, question, samples=samples, seed=seed)
    return bootstrap.bootstrap_rows(found, truth, base_out, new_out, question, samples=samples, seed=seed)


test_paired.__test__ = False  # type: ignore[attr-defined]  # a library function, not a pytest test


def _is_plain_auc(found: Scorer, y: Array, base: Array, new: Array) -> bool:
    """A binary AUC scikit-learn is sure to compute: two labels in y, finite 1-d scores."""
    if not (found.name.startswith("roc_auc") and base.ndim == new.ndim == 1):
        return False
    try:
        return np.unique(y).size == 2 and bool(np.all(np.isfinite(base)) and np.all(np.isfinite(new)))
    except TypeError:  # labels that do not sort, scores that are not numbers: scikit-learn says what is wrong
        return False


def _score_both(found: Scorer, y: Array, base: Array, new: Array) -> tuple[float, float]:
    """Both stored values; an error or an undefined value (NaN) is an InputError naming the metric."""
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        values = (found.value(y, base), found.value(y, new))
    if not all(np.isfinite(values)):
        raise InputError(
            f"metric '{found.name}' is undefined on these rows (base {values[0]}, new {values[1]})",
            hint="pick other metrics, or check the classes in the evaluation data",
        )
    return values


def _row_losses(
    found: Scorer, y: Array, outputs: tuple[Array, Array], stored: tuple[float, float]
) -> tuple[Array, Array] | None:
    if found.name not in losses.TESTED:
        return None
    base = losses.row_losses(found.name, y, outputs[0], stored[0])
    new = losses.row_losses(found.name, y, outputs[1], stored[1])
    return None if base is None or new is None else (base, new)


def _choose(found: Scorer, response: Array, per_row: bool, question: Question, samples: int) -> str:
    if found.name == "accuracy":
        return proportions.EXACT if question.margin == 0 else proportions.SCORE
    if found.name.startswith("roc_auc") and response.ndim == 1:
        return delong.METHOD  # scikit-learn scores every roc_auc scorer as the binary AUC on two classes
    if found.name in multiclass.SCORERS:
        return multiclass.describe(found.name)
    if per_row:
        return losses.describe(found.name)
    return bootstrap.describe(samples)
