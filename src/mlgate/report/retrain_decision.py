"""The decision part of ``mlgate retrain``'s reports: the margin, one row per candidate, the metrics monitor
watches, and the ``decision`` object of the JSON report. Pure formatting of ``mlgate.retrain.decide.Decision``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # types only: renderers never train or register anything
    from mlgate.retrain.decide import CandidateResult, Decision
    from mlgate.retrain.paired import Comparison


def describe_margin(decision: Decision) -> str:
    """``better by more than 0.0081 (1 % of live, retrain.min_rel_improvement) with 95 % confidence``."""
    if decision.margin_source == "retrain.min_improvement":
        source = "retrain.min_improvement"
    else:
        rel = decision.margin / abs(decision.live_value) if decision.live_value else 0.0
        source = f"{rel * 100:.3g} % of live, retrain.min_rel_improvement"
    family = f", Holm over {len(decision.results)} candidates" if len(decision.results) > 1 else ""
    confidence = f"{(1 - decision.alpha) * 100:.3g} %"
    return f"better by more than {decision.margin:.4g} ({source}) with {confidence} confidence{family}"


def decision_rows(decision: Decision) -> tuple[list[str], list[list[str]]]:
    """One row per candidate: its value, candidate − live with its interval, the test, Holm's p, the verdict."""
    headers = ["candidate", decision.metric, "Δ vs live [interval]", "test", "p (Holm)", "verdict"]
    rows = []
    for r in decision.results:
        c = r.comparison
        if c is None:
            rows.append([r.name, f"{r.value:.4f}", "—", r.why_not or "no test", "—", "not tested"])
            continue
        if decision.wins_primary(r):
            worse = decision.worse_on(r)
            verdict = "better, but worse on " + ", ".join(g.metric for g in worse) if worse else "better"
        else:
            verdict = "not shown better"
        if r.name == decision.chosen and decision.wins:
            verdict += " (registered)"
        rows.append(
            [
                r.name,
                f"{r.value:.4f}",
                f"{c.estimate:+.4f} [{c.low:+.4f}, {c.high:+.4f}]",
                f"{c.method}, {c.n:,} {c.unit}",
                f"{r.p_adjusted:.2g}",
                verdict,
            ]
        )
    return headers, rows


def describe_watched(decision: Decision) -> str:
    """Which metrics ``mlgate monitor`` judges on live labels, against the one retrain decided on, and why."""
    watched = [m for m in decision.watched if m != decision.metric]
    if decision.metric in decision.watched:
        extra = f"; also {', '.join(watched)}, on which a winner may not be worse beyond the margin" if watched else ""
        return f"mlgate monitor judges {decision.metric} on live labels too{extra}"
    if not watched:
        return (
            f"mlgate monitor cannot judge {decision.metric} on live labels (it needs predicted probabilities, "
            "which capture does not keep): watch drift, or add a label metric to metrics.names"
        )
    return (
        f"mlgate monitor judges {', '.join(watched)} on live labels, not {decision.metric} (it needs predicted "
        "probabilities, which capture does not keep): a winner may not be worse on them beyond the margin"
    )


def guard_lines(decision: Decision) -> list[str]:
    """The chosen candidate against live on each metric monitor watches: worse beyond the margin or not."""
    r = decision.result
    out = []
    for g in r.guards:
        if g.comparison is None:
            out.append(f"{g.metric}: no paired test ({g.why_not})")
            continue
        c = g.comparison
        state = "worse beyond the margin" if g in decision.worse_on(r) else "not worse beyond the margin"
        out.append(
            f"{g.metric} {g.value:.4f} vs {g.live_value:.4f}: Δ {c.estimate:+.4f} [{c.low:+.4f}, {c.high:+.4f}], "
            f"{state} {g.margin:.4g} (p = {g.p_adjusted:.2g})"
        )
    return out


def decision_data(d: Decision) -> dict[str, Any]:
    """The ``decision`` object of the JSON report (docs/schemas/retrain.schema.json)."""
    chosen = d.result.comparison
    return {
        "metric": d.metric,
        "direction": d.direction,
        "candidate": d.candidate,
        "candidate_value": d.candidate_value,
        "live_version": d.live_version,
        "live_value": d.live_value,
        "gain": d.gain,
        "margin": d.margin,
        "margin_source": d.margin_source,
        "wins": d.wins,
        "alpha": d.alpha,
        "evaluation": d.evaluation,
        "low": None if chosen is None else chosen.low,
        "high": None if chosen is None else chosen.high,
        "method": None if chosen is None else chosen.method,
        "n": None if chosen is None else chosen.n,
        "unit": "rows" if chosen is None else chosen.unit,
        "p_value": d.result.p_adjusted,
        "confidence": d.result.confidence,
        "candidates": [_candidate_test(d, r) for r in d.results],
        "watched": list(d.watched),
    }


def _test_data(c: Comparison | None) -> dict[str, Any] | None:
    if c is None:
        return None
    return {"low": c.low, "high": c.high, "method": c.method, "n": c.n, "unit": c.unit, "p_value": c.p_value}


def _candidate_test(d: Decision, r: CandidateResult) -> dict[str, Any]:
    worse = d.worse_on(r)
    guards = [
        {
            "metric": g.metric,
            "value": g.value,
            "live_value": g.live_value,
            "margin": g.margin,
            "test": _test_data(g.comparison),
            "why_not": g.why_not,
            "p_adjusted": g.p_adjusted,
            "worse": g in worse,
        }
        for g in r.guards
    ]
    return {
        "name": r.name,
        "value": r.value,
        "test": _test_data(r.comparison),
        "why_not": r.why_not,
        "p_adjusted": r.p_adjusted,
        "confidence": r.confidence,
        "wins": d.wins_primary(r) and not worse,
        "guards": guards,
    }
