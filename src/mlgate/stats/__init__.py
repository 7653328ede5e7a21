"""How sure a verdict is: paired statistical tests of a new model against the baseline, per metric.

Pure computation on predictions or per-fold scores (numpy, scipy; scikit-learn only to compute metric
values). The rule and the methods are described in docs/comparison.md#how-sure-a-verdict-is.

- ``score_predictions(scorer, y, preds)``: a metric in stored units from one model's ``Predictions``;
- ``test_paired(scorer, y, base, new, ...)``: the paired test on the evaluation rows (a ``PairedTest``);
- ``test_folds(base, new, ...)``: the corrected resampled t test over cross-validation folds;
- ``adjust_holm(p_values)``: Holm's step-down adjustment over a report's gates;
- ``widen_by_seeds(test, ...)``: the test of the training procedure, with the seed-to-seed spread added.
"""

from __future__ import annotations

from mlgate.stats.folds import test_folds
from mlgate.stats.holm import adjust_holm
from mlgate.stats.paired import test_paired
from mlgate.stats.predictions import Predictions
from mlgate.stats.result import PairedTest
from mlgate.stats.scoring import collect_predictions, score_predictions
from mlgate.stats.spread import widen_by_seeds

__all__ = [
    "PairedTest",
    "Predictions",
    "adjust_holm",
    "collect_predictions",
    "score_predictions",
    "test_folds",
    "test_paired",
    "widen_by_seeds",
]
