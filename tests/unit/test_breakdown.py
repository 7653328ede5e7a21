"""break_down: per-class precision/recall and confusion matrices (baseline → PR), residual summaries, from predictions."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.metrics import confusion_matrix, precision_score, recall_score

from mlgate.breakdown import break_down
from mlgate.stats import Predictions
from mlgate.training.predictions import PredictionSet

Y = np.asarray(["no", "yes", "yes", "no", "yes", "no"], dtype=object)
BASE = np.asarray(["no", "yes", "no", "no", "yes", "yes"], dtype=object)
NEW = np.asarray(["no", "yes", "yes", "no", "no", "no"], dtype=object)


def test_classes_give_both_sides_precision_recall_support_and_confusion() -> None:
    (item,) = break_down(
        "classification",
        PredictionSet(y=Y, models={"m": Predictions(pred=NEW)}),
        PredictionSet(y=Y, models={"m": Predictions(pred=BASE)}),
    )
    assert item.labels == ("no", "yes")
    yes = item.classes[1]
    assert yes.support == 3
    assert yes.precision == pytest.approx((precision_score(Y, BASE, pos_label="yes"), 1.0))
    assert yes.recall == pytest.approx((recall_score(Y, BASE, pos_label="yes"), 2 / 3))
    assert item.confusion is not None
    np.testing.assert_array_equal(item.confusion[0], confusion_matrix(Y, BASE, labels=["no", "yes"]))
    np.testing.assert_array_equal(item.confusion[1], confusion_matrix(Y, NEW, labels=["no", "yes"]))


def test_a_new_model_has_no_baseline_side_and_other_rows_are_not_paired() -> None:
    (item,) = break_down("classification", PredictionSet(y=Y, models={"m": Predictions(pred=NEW)}), None)
    assert item.classes[0].precision[0] is None
    assert item.confusion is not None
    assert item.confusion[0] is None
    shorter = PredictionSet(y=Y[:3], models={"m": Predictions(pred=BASE[:3])})
    (item,) = break_down("classification", PredictionSet(y=Y, models={"m": Predictions(pred=NEW)}), shorter)
    assert item.classes[0].recall[0] is None


def test_regression_summarises_residuals() -> None:
    y = np.asarray([1.0, 2.0, 3.0, 4.0])
    (item,) = break_down(
        "regression",
        PredictionSet(y=y, models={"r": Predictions(pred=y + np.asarray([1.0, -1.0, 0.0, 2.0]))}),
        PredictionSet(y=y, models={"r": Predictions(pred=y)}),
    )
    assert item.residuals is not None
    base, new = item.residuals
    assert base is not None
    assert (base.mean, base.max_abs) == (0.0, 0.0)
    assert (new.mean, new.median_abs, new.max_abs) == (0.5, 1.0, 2.0)
    assert new.p90_abs == pytest.approx(np.quantile([1.0, 1.0, 0.0, 2.0], 0.9))


def test_nothing_without_predictions_or_a_task() -> None:
    assert break_down("classification", None, None) == ()
    assert break_down(None, PredictionSet(y=Y, models={"m": Predictions(pred=NEW)}), None) == ()


def test_class_scores_equal_scikit_learns_on_random_labels_with_a_class_never_predicted() -> None:
    import numpy as np
    from sklearn.metrics import confusion_matrix, precision_recall_fscore_support

    from mlgate.breakdown import _classes

    rng = np.random.default_rng(7)
    y = rng.choice(["a", "b", "c", "d"], size=500)
    new = rng.choice(["a", "b", "c"], size=500)  # "d" is never predicted: precision 0, as scikit-learn's
    base = rng.choice(["a", "b", "c", "d", "e"], size=500)  # "e" is in no truth: support 0
    found = _classes("m", y, base, new)
    labels = list(found.labels)
    assert labels == ["a", "b", "c", "d", "e"]
    for pred, side in ((new, 1), (base, 0)):
        precision, recall, _, support = precision_recall_fscore_support(y, pred, labels=labels, zero_division=0)
        assert [c.precision[side] for c in found.classes] == list(precision)
        assert [c.recall[side] for c in found.classes] == list(recall)
        assert [c.support for c in found.classes] == list(support)
    assert found.confusion is not None
    assert (found.confusion[1] == confusion_matrix(y, new, labels=labels)).all()
    assert (found.confusion[0] == confusion_matrix(y, base, labels=labels)).all()
