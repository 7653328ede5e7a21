"""Baseline vs candidate: deltas, directions, tolerances, significance and gate verdicts (pure).

``compare_results`` turns two result sets into a ``Comparison``: one ``Row`` per model and metric (timings
included), the changed parameters, the best model and notes a reader needs (a baseline evaluated on other
data, a gate naming no metric). The rules of one gate live in ``mlgate.gates``; renderers in ``mlgate.report``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Any, Literal

from mlgate.config import MetricsConfig
from mlgate.errors import InputError
from mlgate.gates import (
    Direction,
    Gate,
    Kind,
    Severity,
    Status,
    check_metrics_config,
    infer_direction,
    judge_change,
    judge_value,
    paired_p_value,
    resolve_gate,
    spread,
)
from mlgate.results import TIMING_LABELS, ModelResult, ResultSet

__all__ = [
    "Comparison",
    "ParamChange",
    "Row",
    "compare_results",
    "diff_params",
    "find_best_model",
    "infer_direction",
    "merge_candidates",
]

Verdict = Literal["pass", "warn", "fail"]
ChangeKind = Literal["changed", "added", "removed"]
_KINDS: tuple[tuple[Kind, str], ...] = (("quality", "metrics"), ("timing", "timings"))


@dataclass(frozen=True)
class Row:
    """One model's metric (or timing) on both sides; ``base``/``new`` are None where a side lacks it."""

    model: str
    metric: str
    kind: Kind
    base: float | None
    new: float | None
    diff: float | None
    pct: float | None
    status: Status
    severity: Severity | None
    reason: str
    base_std: float | None = None
    new_std: float | None = None
    p_value: float | None = None
    meaningful: bool | None = None
    direction: Direction = "none"
    rule: str | None = None  # the short rule a fail/warn broke: "tolerance 2 %", "min 0.9"
    low: float | None = None  # the interval of diff (two-sided 1 - 2·alpha), when a test was run
    high: float | None = None
    method: str | None = None  # the test that gave the interval: "McNemar (exact)", "DeLong", ...
    mde: float | None = None  # the smallest drop this evaluation could detect (80 % power), when known
    p_worse: float | None = None  # one-sided p of "not worse beyond the margin" (Holm-adjusted)

    @property
    def label(self) -> str:
        """The metric as readers see it: timing keys become ``predict p95 (ms, 1 row)`` and the like."""
        return TIMING_LABELS.get(self.metric, self.metric) if self.kind == "timing" else self.metric


@dataclass(frozen=True)
class ParamChange:
    """A hyperparameter that differs between the baseline and the candidate of one model."""

    model: str
    parameter: str
    change: ChangeKind
    base: Any = None
    new: Any = None


@dataclass(frozen=True)
class Comparison:
    """Everything a report shows; verdict properties summarise the gates."""

    rows: tuple[Row, ...]
    candidate: ResultSet
    baseline: ResultSet | None
    primary: str | None
    best_model: str | None
    baseline_best: str | None = None
    params: tuple[ParamChange, ...] = ()
    notes: tuple[str, ...] = ()
    baseline_note: str | None = None
    alpha: float = 0.05

    @property
    def failed(self) -> tuple[Row, ...]:
        return tuple(r for r in self.rows if r.status == "fail")

    @property
    def warned(self) -> tuple[Row, ...]:
        return tuple(r for r in self.rows if r.status == "warn")

    @property
    def verdict(self) -> Verdict:
        return "fail" if self.failed else "warn" if self.warned else "pass"

    @property
    def has_baseline(self) -> bool:
        return self.baseline is not None

    @property
    def folds(self) -> int | None:
        """The fold count when any row was tested for significance."""
        sizes = [len(m.folds[k]) for m in self.candidate.models.values() for k in m.folds]
        return max(sizes) if sizes and any(r.p_value is not None for r in self.rows) else None

    def best_value(self) -> float | None:
        if self.best_model is None or self.primary is None:
            return None
        return self.candidate.models[self.best_model].metrics.get(self.primary)


def compare_results(
    baseline: ResultSet | None,
    candidates: Sequence[ResultSet],
    metrics: MetricsConfig,
    *,
    baseline_note: str | None = None,
) -> Comparison:
    """Compare ``candidates`` (merged) with ``baseline`` (None: current-only, bounds still apply)."""
    check_metrics_config(metrics)
    candidate = merge_candidates(candidates)
    rows: list[Row] = []
    names = list(candidate.models) + [n for n in (baseline.models if baseline else {}) if n not in candidate.models]
    for name in names:
        new = candidate.models.get(name)
        base = baseline.models.get(name) if baseline is not None else None
        rows += _model_rows(name, base, new, metrics, has_baseline=baseline is not None)
    primary = _primary(candidate, metrics)
    return Comparison(
        rows=tuple(rows),
        candidate=candidate,
        baseline=baseline,
        primary=primary,
        best_model=find_best_model(candidate, primary, metrics),
        baseline_best=None if baseline is None else find_best_model(baseline, primary, metrics),
        params=() if baseline is None else diff_params(baseline, candidate),
        notes=tuple(_notes(baseline, candidate, metrics, rows)),
        baseline_note=baseline_note,
        alpha=metrics.alpha,
    )


def merge_candidates(sets: Sequence[ResultSet]) -> ResultSet:
    """One result set from several (e.g. one per matrix leg); a model name in two sets is an InputError."""
    if not sets:
        raise InputError("no candidate results to compare", hint="pass --candidate DIR (a results folder)")
    if len(sets) == 1:
        return sets[0]
    models: dict[str, ModelResult] = {}
    owners: dict[str, str] = {}
    for index, results in enumerate(sets):
        source = results.source or f"candidate set {index + 1}"
        for name, model in results.models.items():
            if name in models:
                raise InputError(
                    f"model '{name}' is in two candidate sets: {owners[name]} and {source}",
                    hint="give each matrix leg its own models (e.g. `mlgate train --only NAME`)",
                )
            models[name] = model
            owners[name] = source
    evaluations = [r.evaluation for r in sets if r.evaluation is not None]
    _agree(sets, "task", [r.task for r in sets])
    _agree(sets, "commit", [r.commit for r in sets])
    _agree(sets, "evaluation data", [r.evaluation.data_sha256 if r.evaluation else None for r in sets])
    return ResultSet(
        models=models,
        task=next((r.task for r in sets if r.task), None),
        primary=next((r.primary for r in sets if r.primary), None),
        evaluation=evaluations[0] if evaluations else None,
        commit=next((r.commit for r in sets if r.commit), None),
        mlgate_version=next((r.mlgate_version for r in sets if r.mlgate_version), None),
        source=", ".join(r.source for r in sets if r.source) or None,
    )


def find_best_model(results: ResultSet, primary: str | None, metrics: MetricsConfig) -> str | None:
    """The model with the best ``primary`` value (first on ties); None when the metric has no direction."""
    if primary is None:
        return None
    direction = resolve_gate(primary, "quality", metrics).direction
    scored = [(name, m.metrics[primary]) for name, m in results.models.items() if primary in m.metrics]
    if direction == "none" or not scored:
        return None
    sign = 1.0 if direction == "higher" else -1.0
    return max(scored, key=lambda item: sign * item[1])[0]


def diff_params(baseline: ResultSet, candidate: ResultSet) -> tuple[ParamChange, ...]:
    """Changed hyperparameters of the models on both sides (deepdiff; 1 and 1.0 are equal)."""
    from mlgate.imports import refusing

    with refusing("pydantic"):  # deepdiff imports it only to diff pydantic models; parameters are plain data
        from deepdiff import DeepDiff
        from deepdiff.helper import notpresent

    changes: list[ParamChange] = []
    for name, model in candidate.models.items():
        if name not in baseline.models or baseline.models[name].params == model.params:
            continue
        tree = DeepDiff(baseline.models[name].params, model.params, ignore_numeric_type_changes=True, view="tree")
        found = []
        for items in tree.values():
            for item in items:
                path = _param_path(item.path(output_format="list"))
                kind: ChangeKind = (
                    "added" if item.t1 is notpresent else "removed" if item.t2 is notpresent else "changed"
                )
                base = None if item.t1 is notpresent else item.t1
                new = None if item.t2 is notpresent else item.t2
                found.append(ParamChange(name, path, kind, base, new))
        changes += sorted(found, key=lambda c: c.parameter)
    return tuple(changes)


def _param_path(parts: Iterable[Any]) -> str:
    text = ""
    for part in parts:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def _agree(sets: Sequence[ResultSet], what: str, values: Sequence[str | None]) -> None:
    known = [(v, r.source or "?") for v, r in zip(values, sets, strict=True) if v]
    for value, source in known[1:]:
        if value != known[0][0]:
            raise InputError(
                f"candidate sets disagree on {what}: {known[0][0]!r} ({known[0][1]}) vs {value!r} ({source})",
                hint="merge only results of one commit trained on the same data",
            )


def _primary(candidate: ResultSet, metrics: MetricsConfig) -> str | None:
    present = [k for m in candidate.models.values() for k in m.metrics]
    for name in (candidate.primary, metrics.primary, *metrics.names, *present):
        if name and name in present:
            return name
    return None


def _ordered(names: Iterable[str], preferred: Sequence[str]) -> list[str]:
    unique = list(dict.fromkeys(names))
    return [n for n in preferred if n in unique] + [n for n in unique if n not in preferred]


def _model_rows(
    name: str, base: ModelResult | None, new: ModelResult | None, metrics: MetricsConfig, *, has_baseline: bool
) -> list[Row]:
    rows = []
    for kind, attribute in _KINDS:
        preferred = metrics.names if kind == "quality" else tuple(TIMING_LABELS)
        values = [getattr(m, attribute) for m in (new, base) if m is not None]
        for metric in _ordered((k for v in values for k in v), preferred):
            rows.append(_row(name, metric, kind, base, new, resolve_gate(metric, kind, metrics), metrics.alpha,
                             has_baseline=has_baseline))  # fmt: skip
    return rows


def _row(
    model: str,
    metric: str,
    kind: Kind,
    base_model: ModelResult | None,
    new_model: ModelResult | None,
    gate: Gate,
    alpha: float,
    *,
    has_baseline: bool,
) -> Row:
    def pick(m: ModelResult | None) -> tuple[float | None, tuple[float, ...]]:
        if m is None:
            return None, ()
        values = m.metrics if kind == "quality" else m.timings
        return values.get(metric), (m.folds.get(metric, ()) if kind == "quality" else ())

    base, base_folds = pick(base_model)
    new, new_folds = pick(new_model)
    row = Row(
        model=model, metric=metric, kind=kind, base=base, new=new, diff=None, pct=None, status="removed",
        severity=gate.severity if gate.judged else None, reason="", base_std=spread(base_folds),
        new_std=spread(new_folds), direction=gate.direction,
    )  # fmt: skip
    if new is None:
        return replace(row, reason=f"{'model' if new_model is None else 'metric'} removed")
    if base is None:
        j = judge_value(gate, new, status="new" if has_baseline else "current")
        return replace(row, status=j.status, reason=j.reason, rule=j.rule)
    p_value = paired_p_value(base_folds, new_folds) if base_folds and new_folds else None
    j = judge_change(gate, base, new, p_value=p_value, alpha=alpha)
    diff = new - base
    return replace(
        row,
        diff=diff,
        pct=diff / abs(base) * 100 if base else None,
        status=j.status,
        reason=j.reason,
        rule=j.rule,
        p_value=p_value,
        meaningful=None if p_value is None else p_value < alpha,
    )


def _notes(baseline: ResultSet | None, candidate: ResultSet, metrics: MetricsConfig, rows: list[Row]) -> list[str]:
    notes = []
    measured = {r.metric for r in rows}
    for name in metrics.gates:
        if name not in measured:
            notes.append(f"metrics.gates.{name} matches no metric in these results")
    if baseline is None:
        return notes
    old, new = baseline.evaluation, candidate.evaluation
    if old and new and old.data_sha256 and new.data_sha256 and old.data_sha256 != new.data_sha256:
        notes.append("the baseline was evaluated on different data than the PR: deltas mix model and data changes")
    if old and new and old.kind != new.kind:
        notes.append(f"the baseline was evaluated by {old.kind}, the PR by {new.kind}: scores may not be comparable")
    mismatched = [r for r in rows if r.base_std is not None and r.new_std is not None and r.p_value is None]
    if mismatched:
        notes.append("fold counts differ between baseline and PR: significance was not tested")
    gated_on_folds = any(resolve_gate(r.metric, r.kind, metrics).meaningful_only for r in rows if r.kind == "quality")
    if gated_on_folds and not any(r.p_value is not None for r in rows):
        notes.append("meaningful_only is set but the results have no matching CV folds: gates use tolerances alone")
    return notes
