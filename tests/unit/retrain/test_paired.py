"""A candidate against the live version on one metric: the PR gate's tests, asked both ways round."""

from __future__ import annotations

import numpy as np
import pytest

from mlgate.retrain.paired import FreshRows, compare_with_live
from mlgate.stats import Predictions, test_paired

Y = np.repeat([0, 1], 100)
RNG = np.random.default_rng(3)
LIVE = np.where(RNG.uniform(size=200) < 0.75, Y, 1 - Y)  # about 75 % right
OURS = np.where(RNG.uniform(size=200) < 0.85, Y, 1 - Y)  # about 85 % right
ROWS = FreshRows(y=Y, live=Predictions(pred=LIVE), candidates={"forest": Predictions(pred=OURS)})


def test_better_is_the_pr_gates_test_with_the_sides_swapped() -> None:
    found = compare_with_live(ROWS, "forest", "accuracy", direction="higher", margin=0.02, alpha=0.05, ask="better")
    assert not isinstance(found, str)
    swapped = test_paired(
        "accuracy", Y, Predictions(pred=OURS), Predictions(pred=LIVE), direction="higher", margin=0.02, alpha=0.05
    )
    assert found.p_value == swapped.p_worse  # H0: candidate gain ≤ margin
    accuracy_gain = float(np.mean(OURS == Y) - np.mean(LIVE == Y))
    assert found.estimate == pytest.approx(accuracy_gain)  # candidate − live
    assert (found.low, found.high) == pytest.approx((-swapped.high, -swapped.low))
    assert (found.method, found.n, found.unit) == ("Tango score test", 200, "rows")


def test_not_worse_is_the_pr_gates_own_question() -> None:
    found = compare_with_live(ROWS, "forest", "accuracy", direction="higher", margin=0.02, alpha=0.05, ask="not worse")
    assert not isinstance(found, str)
    gate = test_paired(
        "accuracy", Y, Predictions(pred=LIVE), Predictions(pred=OURS), direction="higher", margin=0.02, alpha=0.05
    )
    assert (found.estimate, found.low, found.high, found.p_value) == (gate.estimate, gate.low, gate.high, gate.p_worse)
    assert found.p_value > 0.5  # far from worse


def test_a_test_that_cannot_run_says_why() -> None:
    assert compare_with_live(ROWS, "boosting", "accuracy", direction="higher", margin=0, alpha=0.05, ask="better") == (
        "no per-row predictions or per-fold scores on both sides"
    )
    unknown = compare_with_live(ROWS, "forest", "acuracy", direction="higher", margin=0, alpha=0.05, ask="better")
    assert unknown == "unknown metric 'acuracy': not a scikit-learn scorer name"
    folds = FreshRows(
        live_folds={"accuracy": (0.7, 0.8)}, candidate_folds={"forest": {"accuracy": (0.8, 0.9, 0.9)}}, train_rows=300
    )
    found = compare_with_live(folds, "forest", "accuracy", direction="higher", margin=0, alpha=0.05, ask="better")
    assert found == "fold counts differ (2 vs 3)"


def test_the_spread_between_training_sets_widens_the_test_for_both_sides() -> None:
    import dataclasses

    from mlgate.stats import widen_by_seeds

    spread = dataclasses.replace(ROWS, spread={"forest": {"accuracy": 0.03}}, fits=4)
    plain = compare_with_live(ROWS, "forest", "accuracy", direction="higher", margin=0.02, alpha=0.05, ask="better")
    wide = compare_with_live(spread, "forest", "accuracy", direction="higher", margin=0.02, alpha=0.05, ask="better")
    assert not isinstance(plain, str)
    assert not isinstance(wide, str)
    assert wide.estimate == plain.estimate
    assert wide.low < plain.low
    assert wide.high > plain.high
    assert wide.p_value > plain.p_value
    assert wide.method == "Tango score test + training-data spread (4 fits)"
    swapped = test_paired(
        "accuracy", Y, Predictions(pred=OURS), Predictions(pred=LIVE), direction="higher", margin=0.02, alpha=0.05
    )
    # the live version borrows the candidate's spread (its training set was one more draw): variance 2 · 0.03²,
    # with the degrees of freedom of one spread estimated from 4 fits
    expected = widen_by_seeds(swapped, base_sd=None, new_sd=0.03, fits=4, direction="higher", margin=0.02, alpha=0.05)
    assert wide.p_value == pytest.approx(expected.p_worse)
    other = compare_with_live(spread, "forest", "f1_macro", direction="higher", margin=0.02, alpha=0.05, ask="better")
    assert not isinstance(other, str)
    assert "spread" not in other.method
