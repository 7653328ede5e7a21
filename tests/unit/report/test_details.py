"""The report's collapsed details: per-class tables and confusion matrices, residuals, scores on both data versions."""

from __future__ import annotations

import numpy as np

from mlgate.breakdown import Breakdown, ClassScores, Residuals
from mlgate.compare import Comparison, Row
from mlgate.report.details import describe_tests, render_breakdown, render_own_scores
from mlgate.results import ResultSet


def row(**extra: object) -> Row:
    values: dict[str, object] = {
        "model": "m",
        "metric": "accuracy",
        "kind": "quality",
        "base": 0.8,
        "new": 0.7,
        "diff": -0.1,
        "pct": -12.5,
        "status": "same",
        "severity": "fail",
        "reason": "r",
    }
    return Row(**{**values, **extra})  # type: ignore[arg-type]


def test_classes_show_baseline_to_pr_and_the_confusion_matrix_escaped() -> None:
    item = Breakdown(
        model="m",
        classes=(ClassScores("a|b", 3, (0.5, 1.0), (1.0, 2 / 3)),),
        labels=("a|b",),
        confusion=(np.asarray([[2]]), np.asarray([[3]])),
    )
    text = render_breakdown([item], 4)
    assert "a\\|b" in text  # a class label never splits a table cell
    assert "0.5000 → 1.0000" in text
    assert "1.0000 → 0.6667" in text
    assert "2 → 3" in text


def test_residuals_and_the_model_limit() -> None:
    item = Breakdown(model="r", residuals=(None, Residuals(mean=0.5, median_abs=1.0, p90_abs=1.7, max_abs=2.0)))
    text = render_breakdown([item] * 8, 4, limit=2)
    assert text.count("residuals (prediction − truth)") == 2
    assert "… and 6 more models" in text
    assert "| mean" in text
    assert "—" in text


def test_scores_on_both_data_versions_only_when_the_data_changed() -> None:
    empty = ResultSet(models={})
    unchanged = Comparison(rows=(row(),), candidate=empty, baseline=empty, primary=None, best_model=None)
    assert render_own_scores(unchanged, 4) is None
    changed = Comparison(rows=(row(base_own=0.9),), candidate=empty, baseline=empty, primary=None, best_model=None)
    text = render_own_scores(changed, 4)
    assert text is not None
    assert "0.9000 |" in text
    assert "Baseline on its data" in text


def test_the_test_note_states_level_holm_and_methods() -> None:
    assert describe_tests([row()], 0.05, ()) is None
    note = describe_tests([row(low=-0.2, high=0.0, p_worse=0.3)], 0.05, ("McNemar (exact)",))
    assert note is not None
    assert "90 % interval" in note
    assert "one-sided 95 % bound" in note
    assert "Holm-adjusted over the 1 gated values" in note
    assert "McNemar (exact)" in note
