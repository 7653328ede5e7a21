"""Label metrics on confusion-matrix stacks equal scikit-learn on the rows a resample stands for."""

from __future__ import annotations

import warnings
from collections import Counter

import numpy as np
import pytest
from sklearn.metrics import get_scorer

from mlgate.stats.confusion import VECTORISED, JointTable, score_confusion


def _sklearn(scorer: str, y: np.ndarray, pred: np.ndarray) -> float:
    found = get_scorer(scorer)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zero_division: scikit-learn warns and returns 0, as we do
        return float(found._score_func(y, pred, **found._kwargs))


def _labels(kind: str, rows: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """y and two predictions; multiclass ones predict a class y never has and miss one it has."""
    if kind == "multiclass":
        names = np.array(["ant", "bee", "cat", "dog", "eel"])
        y = names[rng.choice(4, rows, p=[0.5, 0.3, 0.15, 0.05])]
        base = np.where(rng.random(rows) < 0.7, y, names[rng.integers(0, 3, rows)])
        new = np.where(rng.random(rows) < 0.6, y, names[rng.integers(1, 5, rows)])
        return y, base, new
    offset = 1 if kind == "binary12" else 0
    y = (rng.random(rows) < 0.3).astype(int) + offset
    flip = lambda p: np.where(rng.random(rows) < p, y, 1 - (y - offset) + offset)  # noqa: E731
    return y, flip(0.8), flip(0.7)


def _applies(scorer: str, kind: str) -> bool:
    binary_average = scorer in ("f1", "precision", "recall", "jaccard")
    return not (binary_average and kind == "multiclass")


def _counts(table: JointTable, y: np.ndarray, base: np.ndarray, new: np.ndarray) -> np.ndarray:
    """The rows (y, base, new) counted into the table's cells (every triple must be a cell)."""
    k = len(table.labels)
    labels = table.labels
    cells = [(labels[b // k], labels[b % k], labels[n % k]) for b, n in zip(table.to_base, table.to_new, strict=True)]
    seen = Counter(zip(y.tolist(), base.tolist(), new.tolist(), strict=True))
    return np.array([[seen[(t.item(), b.item(), n.item())] for t, b, n in cells]])


@pytest.mark.parametrize("kind", ["binary01", "binary12", "multiclass"])
def test_full_table_and_resamples_match_sklearn(kind: str) -> None:
    rng = np.random.default_rng(7)
    y, base, new = _labels(kind, 400, rng)
    table = JointTable.build(y, base, new)
    resamples = [np.arange(y.size)] + [rng.integers(0, y.size, y.size) for _ in range(8)]
    resamples.append(np.flatnonzero(y == y[0])[:30])  # one class only: undefined ratios count 0
    for scorer in sorted(s for s in VECTORISED if _applies(s, kind)):
        pos_label = get_scorer(scorer)._get_pos_label()
        pos_index = table.position(pos_label) if pos_label is not None else None
        for rows in resamples:
            conf_base, conf_new = table.confusions(_counts(table, y[rows], base[rows], new[rows]))
            got = (score_confusion(scorer, conf_base, pos_index)[0], score_confusion(scorer, conf_new, pos_index)[0])
            expected = (_sklearn(scorer, y[rows], base[rows]), _sklearn(scorer, y[rows], new[rows]))
            assert got == pytest.approx(expected, abs=1e-12), (scorer, kind)


def test_resamples_are_reproducible_and_keep_n() -> None:
    rng = np.random.default_rng(0)
    y, base, new = _labels("multiclass", 500, rng)
    table = JointTable.build(y, base, new)
    first = [b for b, _ in table.resample(50, np.random.default_rng(11))]
    again = [b for b, _ in table.resample(50, np.random.default_rng(11))]
    assert all(np.array_equal(a, b) for a, b in zip(first, again, strict=True))
    stacked = np.concatenate(first)
    assert stacked.shape == (50, 5, 5)
    assert np.all(stacked.sum(axis=(1, 2)) == 500)


def test_a_missing_positive_label_scores_zero() -> None:
    conf = np.array([[[3.0, 1.0], [0.0, 2.0]]])
    assert score_confusion("f1", conf, None)[0] == 0.0
    assert score_confusion("f1", conf, 1)[0] == pytest.approx(2 * 2 / (2 * 2 + 1))
