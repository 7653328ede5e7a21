"""The decision part of retrain's reports: the margin, each candidate's row, what monitor and retrain judge."""

from __future__ import annotations

import dataclasses

from mlgate.report.retrain_decision import decision_data, decision_rows, describe_margin, describe_watched, guard_lines
from mlgate.retrain.decide import CandidateResult, Decision, Guard
from mlgate.retrain.paired import Comparison

BETTER = Comparison(0.06, 0.031, 0.089, 0.0001, "DeLong", 400)
NOISE = Comparison(0.002, -0.02, 0.024, 0.4, "DeLong", 400)
WORSE = Guard(
    "accuracy", 0.70, 0.78, 0.0078, Comparison(-0.08, -0.11, -0.05, 0.0001, "Tango score test", 400), p_adjusted=0.0001
)


def decision(*results: CandidateResult, watched: tuple[str, ...] = ("accuracy",), **fields: object) -> Decision:
    base = Decision(
        "roc_auc",
        "higher",
        "3",
        0.85,
        0.0085,
        "retrain.min_rel_improvement",
        0.05,
        results,
        results[0].name,
        False,
        watched=watched,
    )
    return dataclasses.replace(base, **fields)  # type: ignore[arg-type]


def test_the_margin_says_where_it_comes_from() -> None:
    one = decision(CandidateResult("forest", 0.91, BETTER, p_adjusted=0.0001))
    assert describe_margin(one) == (
        "better by more than 0.0085 (1 % of live, retrain.min_rel_improvement) with 95 % confidence"
    )
    two = decision(
        CandidateResult("a", 0.91, BETTER),
        CandidateResult("b", 0.9, NOISE),
        margin=0.02,
        margin_source="retrain.min_improvement",
        alpha=0.1,
    )
    assert describe_margin(two) == (
        "better by more than 0.02 (retrain.min_improvement) with 90 % confidence, Holm over 2 candidates"
    )


def test_each_candidate_gets_a_verdict() -> None:
    d = decision(
        CandidateResult("forest", 0.91, BETTER, p_adjusted=0.0001, guards=(WORSE,)),
        CandidateResult("boosting", 0.852, NOISE, p_adjusted=0.8),
        CandidateResult("svm", 0.88, None, why_not="no per-row predictions or per-fold scores on both sides"),
    )
    headers, rows = decision_rows(d)
    assert headers == ["candidate", "roc_auc", "Δ vs live [interval]", "test", "p (Holm)", "verdict"]
    assert rows[0] == [
        "forest",
        "0.9100",
        "+0.0600 [+0.0310, +0.0890]",
        "DeLong, 400 rows",
        "0.0001",
        "better, but worse on accuracy",
    ]
    assert rows[1][-1] == "not shown better"
    assert rows[2][2:] == ["—", "no per-row predictions or per-fold scores on both sides", "—", "not tested"]
    assert guard_lines(d) == [
        "accuracy 0.7000 vs 0.7800: Δ -0.0800 [-0.1100, -0.0500], worse beyond the margin 0.0078 (p = 0.0001)"
    ]
    registered = decision(CandidateResult("forest", 0.91, BETTER, p_adjusted=0.0001), wins=True)
    assert decision_rows(registered)[1][0][-1] == "better (registered)"


def test_it_says_which_metrics_monitor_and_retrain_each_judge() -> None:
    auc = CandidateResult("forest", 0.91, BETTER)
    assert describe_watched(decision(auc)).startswith("mlgate monitor judges accuracy on live labels, not roc_auc")
    assert describe_watched(decision(auc, watched=())).startswith("mlgate monitor cannot judge roc_auc on live labels")
    same = decision(auc, metric="accuracy", watched=("accuracy", "f1_macro"))
    assert describe_watched(same) == (
        "mlgate monitor judges accuracy on live labels too; also f1_macro, on which a winner may not be worse "
        "beyond the margin"
    )


def test_the_json_decision_names_every_candidate_and_its_guards() -> None:
    d = decision(
        CandidateResult("forest", 0.91, BETTER, p_adjusted=0.0002, guards=(WORSE,)),
        CandidateResult("svm", 0.88, None, why_not="no test"),
    )
    data = decision_data(d)
    assert (data["candidate"], data["wins"], data["p_value"], data["low"]) == ("forest", False, 0.0002, 0.031)
    forest, svm = data["candidates"]
    assert forest["wins"] is False  # better on ROC AUC, worse on accuracy
    assert forest["guards"][0]["worse"] is True
    assert (svm["test"], svm["why_not"]) == (None, "no test")
