"""The decision: is a retrained model better than the live version, beyond a margin, with confidence 1 − alpha?

Every candidate and the live version are scored on the same fresh evaluation rows (or folds), and each
candidate is compared with the live version on the primary metric by the PR gate's paired tests
(``mlgate.retrain.paired``). A candidate **wins** when

1. its gain on the primary metric is beyond the margin: the p-value of H0 "gain ≤ margin" is below
   ``retrain.alpha`` after Holm's adjustment over the candidates (the best of several is no free pick), and
2. it is not worse, beyond the same relative margin, on the metrics ``mlgate monitor`` judges from live
   labels (``watched_metrics``: those computed from predicted labels alone), Holm-adjusted over them.

The winner is the best winning candidate by its value; with none, nothing is registered. The margin is
``retrain.min_improvement`` (metric units) when set, else ``retrain.min_rel_improvement`` × |live value|
(default 1 %). ``low``/``high`` bound candidate − live, each end one-sided at the level Holm's procedure
tested that candidate at (1 − alpha/m for the most significant of m candidates), so a winner's interval
lies wholly beyond the margin. A primary metric with no known direction cannot decide anything.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, Literal

from mlgate.config import MetricsConfig, RetrainConfig
from mlgate.errors import ConfigError, InputError
from mlgate.gates import resolve_gate
from mlgate.retrain.paired import Comparison, FreshRows, compare_with_live

MarginSource = Literal["retrain.min_improvement", "retrain.min_rel_improvement"]


@dataclass(frozen=True)
class Guard:
    """A candidate against the live version on a metric monitor watches: worse beyond the margin or not."""

    metric: str
    value: float
    live_value: float
    margin: float
    comparison: Comparison | None
    why_not: str | None = None
    p_adjusted: float = 1.0


@dataclass(frozen=True)
class CandidateResult:
    """One candidate against the live version on the primary metric, and on the watched metrics."""

    name: str
    value: float
    comparison: Comparison | None
    why_not: str | None = None
    p_adjusted: float = 1.0
    confidence: float = 0.95  # one-sided confidence of each end of the comparison's interval
    guards: tuple[Guard, ...] = ()


@dataclass(frozen=True)
class Decision:
    """The comparison on the primary metric and its outcome (the chosen candidate: the winner, else the best)."""

    metric: str
    direction: Literal["higher", "lower"]
    live_version: str
    live_value: float
    margin: float
    margin_source: MarginSource
    alpha: float
    results: tuple[CandidateResult, ...]
    chosen: str
    wins: bool
    evaluation: str | None = None  # the evaluation data's digest: candidates and live were scored on it
    watched: tuple[str, ...] = ()  # the metrics mlgate monitor judges from live labels (see watched_metrics)

    @property
    def result(self) -> CandidateResult:
        return next(r for r in self.results if r.name == self.chosen)

    @property
    def candidate(self) -> str:
        return self.chosen

    @property
    def candidate_value(self) -> float:
        return self.result.value

    @property
    def gain(self) -> float:
        """The chosen candidate's gain in the metric's direction (negative: worse)."""
        diff = self.result.value - self.live_value
        return diff if self.direction == "higher" else -diff

    def wins_primary(self, result: CandidateResult) -> bool:
        return result.comparison is not None and result.p_adjusted < self.alpha

    def worse_on(self, result: CandidateResult) -> list[Guard]:
        """The watched metrics on which ``result`` is worse than the live version beyond the margin."""
        return [g for g in result.guards if g.comparison is not None and g.p_adjusted < self.alpha]

    def describe(self) -> str:
        """One sentence: the difference, its interval, the margin and the verdict."""
        r = self.result
        head = (
            f"{r.name} {'beats' if self.wins else 'does not beat'} live version {self.live_version} on {self.metric}: "
        )
        values = f"{r.value:.4f} vs {self.live_value:.4f}"
        if r.comparison is None:
            return head + f"{values}, no paired test ({r.why_not})"
        c = r.comparison
        family = f", Holm over {len(self.results)} candidates" if len(self.results) > 1 else ""
        where = f"{c.method}, {c.n:,} {c.unit}"
        interval = f"Δ {c.estimate:+.4f} [{c.low:+.4f}, {c.high:+.4f}]"
        verdict = "beyond" if self.wins_primary(r) else "not beyond"
        text = (
            f"{head}{values}, {interval} ({where}), {verdict} the margin {self.margin:.4g} "
            f"(p = {r.p_adjusted:.2g}{family}, alpha {self.alpha:g})"
        )
        worse = self.worse_on(r)
        if worse and self.wins_primary(r):
            text += "; but worse on " + ", ".join(
                f"{g.metric} (Δ {g.comparison.estimate:+.4f})" for g in worse if g.comparison
            )
        return text

    def record(self) -> dict[str, Any]:
        """What the registered version keeps of the decision (its ``decision`` field)."""
        r = self.result
        c = r.comparison
        return {
            "metric": self.metric,
            "direction": self.direction,
            "live_version": self.live_version,
            "live": self.live_value,
            "new": r.value,
            "low": None if c is None else c.low,
            "high": None if c is None else c.high,
            "method": None if c is None else c.method,
            "n": None if c is None else c.n,
            "unit": "rows" if c is None else c.unit,
            "alpha": self.alpha,
            "confidence": r.confidence,
            "margin": self.margin,
            "margin_source": self.margin_source,
            "p_value": r.p_adjusted,
            "candidates": len(self.results),
            "evaluation": self.evaluation,
        }


def find_margin(live_value: float, retrain: RetrainConfig) -> tuple[float, MarginSource]:
    """How much better the candidate must be (see the module docstring) and where that number comes from."""
    if retrain.min_improvement is not None:
        if retrain.min_improvement < 0 or not math.isfinite(retrain.min_improvement):
            raise ConfigError(
                f"retrain.min_improvement is {retrain.min_improvement:g}; it cannot be negative",
                hint="use 0 to register any significant improvement",
            )
        return retrain.min_improvement, "retrain.min_improvement"
    return relative_margin(live_value, retrain), "retrain.min_rel_improvement"


def relative_margin(live_value: float, retrain: RetrainConfig) -> float:
    rel = retrain.min_rel_improvement
    if rel < 0 or not math.isfinite(rel):
        raise ConfigError(f"retrain.min_rel_improvement is {rel:g}; it must be a finite number ≥ 0 (e.g. 0.01)")
    return rel * abs(live_value)


def check_alpha(retrain: RetrainConfig) -> float:
    if not 0 < retrain.alpha < 0.5:
        raise ConfigError(f"retrain.alpha is {retrain.alpha:g}; it must lie between 0 and 0.5 (e.g. 0.05)")
    return retrain.alpha


def watched_metrics(names: Sequence[str]) -> tuple[str, ...]:
    """The metrics ``mlgate monitor`` can judge from live labels: scorers of predicted labels alone (accuracy,
    f1, MAE…; not ROC AUC or log loss, which need probabilities that capture does not keep)."""
    from mlgate.stats.scoring import find_scorer

    watched = []
    for name in names:
        try:
            methods = find_scorer(name).scorer._response_method
        except InputError:
            continue
        if methods == "predict":
            watched.append(name)
    return tuple(watched)


def decide(
    *,
    metric: str,
    candidates: Mapping[str, Mapping[str, float]],
    live_version: str,
    live_metrics: Mapping[str, float],
    rows: FreshRows,
    metrics: MetricsConfig,
    retrain: RetrainConfig,
    evaluation: str | None = None,
) -> Decision:
    """Compare every candidate (name -> its metrics on the fresh data) with the live version on ``metric``."""
    direction = resolve_gate(metric, "quality", metrics).direction
    if direction == "none":
        raise ConfigError(
            f"the primary metric {metric!r} has no known direction: retrain cannot tell better from worse",
            hint=f"set metrics.gates.{metric}.direction to higher or lower",
        )
    if not candidates:
        raise InputError("no candidate model to compare with the live version", hint="check models in mlgate.yaml")
    for side, values in (*candidates.items(), (f"live version {live_version}", live_metrics)):
        if metric not in values:
            raise InputError(
                f"{side} has no {metric} score on the fresh data",
                hint="check metrics.names and metrics.primary in mlgate.yaml",
            )
    alpha = check_alpha(retrain)
    old = live_metrics[metric]
    margin, source = find_margin(old, retrain)
    results = _test_candidates(metric, candidates, rows, direction=direction, margin=margin, alpha=alpha)
    decision = Decision(
        metric=metric,
        direction=direction,
        live_version=live_version,
        live_value=old,
        margin=margin,
        margin_source=source,
        alpha=alpha,
        results=results,
        chosen=results[0].name,
        wins=False,
        evaluation=evaluation,
    )
    guarded = tuple(
        replace(r, guards=_guards(r, metric, candidates[r.name], live_metrics, rows, metrics, retrain, alpha))
        if decision.wins_primary(r)
        else r
        for r in results
    )
    decision = replace(decision, results=guarded)
    winners = [r for r in guarded if decision.wins_primary(r) and not decision.worse_on(r)]
    pool = winners or list(guarded)
    best = pool[0]
    for r in pool[1:]:
        if (r.value > best.value) if direction == "higher" else (r.value < best.value):
            best = r
    watched = watched_metrics(list(candidates[best.name]))
    return replace(decision, chosen=best.name, wins=bool(winners), watched=watched)


def _test_candidates(
    metric: str,
    candidates: Mapping[str, Mapping[str, float]],
    rows: FreshRows,
    *,
    direction: str,
    margin: float,
    alpha: float,
) -> tuple[CandidateResult, ...]:
    from mlgate.stats import adjust_holm

    first = {
        name: compare_with_live(rows, name, metric, direction=direction, margin=margin, alpha=alpha, ask="better")
        for name in candidates
    }
    p_values = [c.p_value if isinstance(c, Comparison) else 1.0 for c in first.values()]
    adjusted = dict(zip(first, adjust_holm(p_values), strict=True))
    ranked = sorted(first, key=lambda name: p_values[list(first).index(name)])
    results = []
    for name, found in first.items():
        level = alpha / (len(first) - ranked.index(name))  # Holm's level for this candidate's step
        if isinstance(found, Comparison) and level != alpha:  # the interval at that level (the p-value is the same)
            again = compare_with_live(rows, name, metric, direction=direction, margin=margin, alpha=level, ask="better")
            found = replace(again, p_value=found.p_value) if isinstance(again, Comparison) else found
        value = float(candidates[name][metric])
        if isinstance(found, str):
            results.append(CandidateResult(name, value, None, why_not=found, confidence=1 - level))
        else:
            results.append(CandidateResult(name, value, found, p_adjusted=adjusted[name], confidence=1 - level))
    return tuple(results)


def _guards(
    result: CandidateResult,
    primary: str,
    ours: Mapping[str, float],
    live: Mapping[str, float],
    rows: FreshRows,
    metrics: MetricsConfig,
    retrain: RetrainConfig,
    alpha: float,
) -> tuple[Guard, ...]:
    from mlgate.stats import adjust_holm

    guards = []
    for name in watched_metrics(list(ours)):
        if name == primary or name not in live or resolve_gate(name, "quality", metrics).direction == "none":
            continue
        margin = relative_margin(live[name], retrain)
        direction = resolve_gate(name, "quality", metrics).direction
        found = compare_with_live(
            rows, result.name, name, direction=direction, margin=margin, alpha=alpha, ask="not worse"
        )
        comparison, why = (found, None) if isinstance(found, Comparison) else (None, found)
        guards.append(Guard(name, float(ours[name]), float(live[name]), margin, comparison, why))
    adjusted = adjust_holm([g.comparison.p_value if g.comparison else 1.0 for g in guards])
    return tuple(replace(g, p_adjusted=p) for g, p in zip(guards, adjusted, strict=True))
