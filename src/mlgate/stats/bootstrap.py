"""The paired bootstrap (Efron & Tibshirani 1993), for metrics with no exact or analytic test.

Both models are scored on the same resampled rows, and the resampled differences new − base give the
percentile interval, the p-values and the standard error (``mlgate.stats.result.build_draws``). Label
metrics with a vectorised form resample the joint contingency table (``bootstrap_table``, see
``mlgate.stats.confusion``), average precision its sorted scores (``mlgate.stats.ranking``); any other
metric resamples row indices in chunks and calls scikit-learn on each resample (``bootstrap_rows``). A resample on which the
metric is undefined (an error, or a value that is not finite) is left out and counted in ``skipped``.
Everything is drawn from ``numpy.random.Generator(seed)``: the same inputs and seed give the same result.
"""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np

from mlgate.stats.confusion import JointTable, score_confusion
from mlgate.stats.result import PairedTest, Question, build_draws
from mlgate.stats.scoring import Scorer

Array = np.ndarray[Any, Any]
ROWS_AT_ONCE = 2_000_000  # row indices held at once (resamples × n), bounds memory


def describe(samples: int) -> str:
    """The method name."""
    return f"paired bootstrap ({samples})"


def bootstrap_table(
    scorer: Scorer, y: Array, base: Array, new: Array, question: Question, *, samples: int, seed: int
) -> PairedTest:
    """The bootstrap of a vectorised label metric (``confusion.VECTORISED``) from predicted labels."""
    table = JointTable.build(y, base, new)
    pos_label = scorer.scorer._get_pos_label()
    pos_index = table.position(pos_label) if pos_label is not None else None
    full = table.confusions(table.counts[None, :])
    estimate = float(
        score_confusion(scorer.name, full[1], pos_index)[0] - score_confusion(scorer.name, full[0], pos_index)[0]
    )
    rng = np.random.default_rng(seed)
    draws = [
        score_confusion(scorer.name, new_conf, pos_index) - score_confusion(scorer.name, base_conf, pos_index)
        for base_conf, new_conf in table.resample(samples, rng)
    ]
    return build_draws(describe(samples), estimate, np.concatenate(draws), len(y), question)


def bootstrap_rows(
    scorer: Scorer, y: Array, base: Array, new: Array, question: Question, *, samples: int, seed: int
) -> PairedTest:
    """The bootstrap of any metric from its responses ``base`` and ``new``, resampling row indices."""
    n = len(y)
    estimate = _evaluate(scorer, y, new) - _evaluate(scorer, y, base)
    rng = np.random.default_rng(seed)
    draws = np.empty(samples)
    chunk = max(1, ROWS_AT_ONCE // max(n, 1))
    for start in range(0, samples, chunk):
        indices = rng.integers(0, n, size=(min(chunk, samples - start), n))
        for offset, rows in enumerate(indices):
            draws[start + offset] = _evaluate(scorer, y[rows], new[rows]) - _evaluate(scorer, y[rows], base[rows])
    return build_draws(describe(samples), estimate, draws, n, question)


def _evaluate(scorer: Scorer, y: Array, response: Array) -> float:
    """The stored value, NaN when the metric is undefined; scikit-learn's warnings are not passed on."""
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        try:
            value = float(scorer.scorer._sign * scorer.scorer._score_func(y, response, **scorer.scorer._kwargs))
        except (ValueError, TypeError, ZeroDivisionError, FloatingPointError):
            return math.nan
    return scorer.stored_sign * value
