"""Baseline vs candidate: deltas, directions, tolerances, significance and gate verdicts (pure).

``compare_results`` turns two result sets into a ``Comparison``: one ``Row`` per model and metric (timings
included), the changed parameters, the best model and notes a reader needs (a baseline evaluated on other
data, a gate naming no metric). The rules of one gate live in ``mlgate.gates``; renderers in ``mlgate.report``.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, Literal

from mlgate.config import MetricsConfig
from mlgate.errors import InputError
from mlgate.evidence import Settings, find_evidence
from mlgate.gates import (
    Direction,
    Gate,
    Kind,
    Severity,
    Status,
    check_metrics_config,
    infer_direction,
    judge_change,
    judge_tested,
    judge_value,
    resolve_gate,
    spread,
)
from mlgate.results import TIMING_LABELS, ModelResult, ResultSet
from mlgate.stats import adjust_holm

if TYPE_CHECKING:
    from mlgate.stats import PairedTest

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
    direction: Direction = "none"
    rule: str | None = None  # the short rule a fail/warn broke: "tolerance 2 %", "min 0.9"
    low: float | None = None  # the interval of diff (two-sided 1 - 2·alpha), when a test was run
    high: float | None = None
    method: str | None = None  # the test that gave the interval: "McNemar (exact)", "DeLong", ...
    mde: float | None = None  # the smallest drop this evaluation could detect (80 % power), when known
    p_worse: float | None = None  # one-sided p of "not worse beyond the margin" (Holm-adjusted)
    base_own: float | None = None  # the baseline model's score on the merge-base's own data, when that differs

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
    incomparable_severity: Severity = "fail"
    methods: tuple[str, ...] = ()  # the tests behind the rows' intervals, for the report's footer
    data_changed: bool = False  # the evaluation data differ between the merge-base and the PR

    @property
    def failed(self) -> tuple[Row, ...]:
        blocked = self.incomparable_severity == "fail"
        return tuple(r for r in self.rows if r.status == "fail" or (blocked and r.status == "incomparable"))

    @property
    def warned(self) -> tuple[Row, ...]:
        warned = self.incomparable_severity == "warn"
        return tuple(r for r in self.rows if r.status == "warn" or (warned and r.status == "incomparable"))

    @property
    def incomparable(self) -> tuple[Row, ...]:
        return tuple(r for r in self.rows if r.status == "incomparable")

    @property
    def verdict(self) -> Verdict:
        """``fail`` on a failed gate (or a model not comparable, by default); ``warn`` on a warning that is not a
        timing (timings reach the verdict only as failures: they depend on the machine)."""
        return "fail" if self.failed else "warn" if any(r.kind != "timing" for r in self.warned) else "pass"

    @property
    def has_baseline(self) -> bool:
        return self.baseline is not None

    @property
    def folds(self) -> int | None:
        """The fold count when any row was tested for significance."""
        sizes = [len(m.folds[k]) for m in self.candidate.models.values() for k in m.folds]
        return max(sizes) if sizes and any(r.method and "Nadeau" in r.method for r in self.rows) else None

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
    stored: ResultSet | None = None,
    skipped: Mapping[str, str] | None = None,
    timings: Mapping[str, Mapping[str, Any]] | None = None,
    incomparable: Severity = "fail",
    seed: int = 0,
    seed_fits: int = 3,
) -> Comparison:
    """Compare ``candidates`` (merged) with ``baseline`` (None: current-only, bounds still apply).

    ``stored``: the baseline as its own run scored it (on the merge-base's data): the fallback for the models
    in ``skipped`` (name -> why they could not be scored on this data), and the "before" of a data change.
    ``timings``: per model and timing key, a side-by-side measurement (``PairedTiming``) from this job; a
    timing without one gets no status. ``seed_fits``: the reseeded fits behind the models' ``seed_sd``.
    """
    check_metrics_config(metrics)
    candidate = merge_candidates(candidates)
    settings = Settings(alpha=metrics.alpha, samples=metrics.bootstrap_samples, seed=seed, seed_fits=seed_fits)
    context = _Context(metrics, settings, dict(skipped or {}), stored, timings or {}, has_baseline=baseline is not None)
    names = list(candidate.models) + [n for n in (baseline.models if baseline else {}) if n not in candidate.models]
    names += [n for n in context.skipped if n not in names and stored is not None and n in stored.models]
    drafts: list[_Draft] = []
    for name in names:
        drafts += _model_rows(name, baseline, candidate, context)
    rows = _settle(drafts, metrics.alpha)
    primary = _primary(candidate, metrics)
    return Comparison(
        rows=tuple(rows),
        candidate=candidate,
        baseline=baseline,
        primary=primary,
        best_model=find_best_model(candidate, primary, metrics),
        baseline_best=None if baseline is None else find_best_model(baseline, primary, metrics),
        params=() if baseline is None else _changes(_with_stored(baseline, stored), candidate, stored),
        notes=tuple(_notes(baseline, candidate, metrics, rows)),
        baseline_note=baseline_note,
        alpha=metrics.alpha,
        incomparable_severity=incomparable,
        methods=tuple(dict.fromkeys(d.test.method for d in drafts if d.test is not None)),
        data_changed=_data_changed(stored, candidate),
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
        predictions=_merge_predictions([r.predictions for r in sets]),
    )


def _merge_predictions(sets: Sequence[Any]) -> Any:
    """One prediction set from the legs' (same rows: same data digest, checked above), or None if any lacks one."""
    if not sets or any(p is None for p in sets):
        return None
    models = {name: rows for p in sets for name, rows in p.models.items()}
    return replace(sets[0], models=models)


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


def diff_features(baseline: ResultSet, candidate: ResultSet) -> tuple[ParamChange, ...]:
    """The feature columns added or removed between the two runs, as changes of every model on both sides."""
    old = baseline.evaluation.features if baseline.evaluation else ()
    new = candidate.evaluation.features if candidate.evaluation else ()
    if not old or not new or old == new:
        return ()
    removed, added = [f for f in old if f not in new], [f for f in new if f not in old]
    changes: list[ParamChange] = []
    for name in (n for n in candidate.models if n in baseline.models):
        changes += [ParamChange(name, f"features[{f}]", "removed", f, None) for f in removed]
        changes += [ParamChange(name, f"features[{f}]", "added", None, f) for f in added]
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


@dataclass(frozen=True)
class _Context:
    metrics: MetricsConfig
    settings: Settings
    skipped: dict[str, str]
    stored: ResultSet | None
    timings: Mapping[str, Mapping[str, Any]]
    has_baseline: bool


@dataclass(frozen=True)
class _Draft:
    """A row before the report-wide Holm adjustment: its gate and test, if any."""

    row: Row
    gate: Gate
    test: PairedTest | None = None
    note: str | None = None  # what the test was run on, when not the whole evaluation set


def _model_rows(name: str, baseline: ResultSet | None, candidate: ResultSet, context: _Context) -> list[_Draft]:
    base_set = baseline
    new = candidate.models.get(name)
    base = baseline.models.get(name) if baseline is not None else None
    fallback = context.stored is not None and name in context.skipped and name in context.stored.models
    if base is None and fallback:
        assert context.stored is not None
        base_set, base = context.stored, context.stored.models[name]
    drafts = []
    for kind, attribute in _KINDS:
        preferred = context.metrics.names if kind == "quality" else tuple(TIMING_LABELS)
        values = [getattr(m, attribute) for m in (new, base) if m is not None]
        for metric in _ordered((k for v in values for k in v), preferred):
            gate = resolve_gate(metric, kind, context.metrics)
            draft = _draft(name, metric, kind, base, new, gate, context)
            if kind == "quality" and fallback and draft.row.base is not None and draft.row.new is not None:
                draft = _judge_fallback(draft, base_set, candidate, context)
            elif kind == "quality" and base_set is not None and draft.row.diff is not None:
                draft = _with_evidence(draft, base_set, candidate, context)
            drafts.append(_with_own(draft, base_set, context))
    return drafts


def _draft(
    model: str,
    metric: str,
    kind: Kind,
    base_model: ModelResult | None,
    new_model: ModelResult | None,
    gate: Gate,
    context: _Context,
) -> _Draft:
    def pick(m: ModelResult | None) -> tuple[float | None, tuple[float, ...]]:
        if m is None:
            return None, ()
        values = m.metrics if kind == "quality" else m.timings
        return values.get(metric), (m.folds.get(metric, ()) if kind == "quality" else ())

    base, base_folds = pick(base_model)
    new, new_folds = pick(new_model)
    row = Row(
        model=model,
        metric=metric,
        kind=kind,
        base=base,
        new=new,
        diff=None,
        pct=None,
        status="removed",
        severity=gate.severity if gate.judged else None,
        reason="",
        base_std=spread(base_folds),
        new_std=spread(new_folds),
        direction=gate.direction,
    )
    if new is None:
        return _Draft(replace(row, reason=f"{'model' if new_model is None else 'metric'} removed"), gate)
    if base is None:
        j = judge_value(gate, new, status="new" if context.has_baseline else "current")
        return _Draft(replace(row, status=j.status, reason=j.reason, rule=j.rule), gate)
    diff = new - base
    row = replace(row, diff=diff, pct=diff / abs(base) * 100 if base else None)
    if kind == "timing":
        return _Draft(_judge_timing_row(row, gate, context.timings.get(model, {}).get(metric), context), gate)
    j = judge_change(gate, base, new, p_value=None, alpha=context.metrics.alpha)
    return _Draft(replace(row, status=j.status, reason=j.reason, rule=j.rule), gate)


def _with_evidence(draft: _Draft, base: ResultSet, new: ResultSet, context: _Context) -> _Draft:
    row = draft.row
    assert row.base is not None
    assert row.new is not None
    found = find_evidence(
        row.model, row.metric, base, new, draft.gate, draft.gate.tolerance(row.base), context.settings
    )
    if found.test is None:
        return draft
    return _Draft(_tested(row, found.test), draft.gate, found.test, found.shared)


def _judge_fallback(draft: _Draft, base: ResultSet | None, new: ResultSet, context: _Context) -> _Draft:
    """A baseline model that could not be scored on the PR's data: compare it on shared rows, or not at all."""
    row = draft.row
    assert base is not None
    assert row.base is not None
    why = context.skipped[row.model]
    found = find_evidence(
        row.model, row.metric, base, new, draft.gate, draft.gate.tolerance(row.base), context.settings
    )
    if found.test is None:
        reason = f"not comparable: the baseline model cannot be scored on this PR's data ({why})"
        if found.why_not:
            reason += f"; {found.why_not}"
        return _Draft(replace(row, status="incomparable", reason=reason, rule="not comparable"), draft.gate)
    rows = found.shared or "on the same evaluation rows"
    note = f"{rows}, the baseline model scored on the merge-base's version of them"
    return _Draft(_tested(row, found.test), draft.gate, found.test, note)


def _tested(row: Row, test: PairedTest) -> Row:
    finite = math.isfinite(test.low) and math.isfinite(test.high)
    return replace(
        row,
        low=test.low if finite else None,
        high=test.high if finite else None,
        method=test.method,
        mde=test.mde,
        p_worse=test.p_worse,
    )


def _with_own(draft: _Draft, base: ResultSet | None, context: _Context) -> _Draft:
    """Add the baseline model's score on its own (merge-base) data when the PR's evaluation data differ."""
    stored = context.stored
    row = draft.row
    if stored is None or base is stored or row.kind != "quality" or not _data_changed(stored, base):
        return draft
    model = stored.models.get(row.model)
    own = None if model is None else model.metrics.get(row.metric)
    return _Draft(replace(row, base_own=own), draft.gate, draft.test, draft.note)


def _settle(drafts: Sequence[_Draft], alpha: float) -> list[Row]:
    """Holm-adjust the tested rows' p-values over the report and judge each tested row by them.

    The family is every gated value whose two models predict differently: a value with identical predictions on
    both sides can never be rejected, whatever the data, so counting it would only blunt the others' tests.
    """
    judged = [i for i, d in enumerate(drafts) if d.test is not None and d.gate.judged]
    family = [i for i in judged if not _identical(drafts[i].test)]
    worse = dict(zip(family, adjust_holm([drafts[i].test.p_worse for i in family]), strict=True))  # type: ignore[union-attr]
    better = dict(zip(family, adjust_holm([drafts[i].test.p_better for i in family]), strict=True))  # type: ignore[union-attr]
    rows = [d.row for d in drafts]
    for index in judged:
        draft = drafts[index]
        row, test = draft.row, draft.test
        assert test is not None
        assert row.base is not None
        assert row.new is not None
        p_worse, p_better = worse.get(index, test.p_worse), better.get(index, test.p_better)
        j = judge_tested(draft.gate, row.base, row.new, test, p_worse=p_worse, p_better=p_better, alpha=alpha)
        reason = j.reason
        if j.status == "same" and test.p_worse < alpha <= p_worse:
            reason = (
                f"a drop beyond the margin at p = {test.p_worse:.2g}, but not after Holm's adjustment over "
                f"{len(family)} gated values (p = {p_worse:.2g})"
            )
        reason += f"; {draft.note}" if draft.note else ""
        rows[index] = replace(row, status=j.status, reason=reason, rule=j.rule, p_worse=p_worse)
    return rows


def _identical(test: PairedTest | None) -> bool:
    """Whether a test saw the same predictions on both sides (no difference, no spread)."""
    return test is not None and test.estimate == 0 and test.low == 0 and test.high == 0


def _judge_timing_row(row: Row, gate: Gate, paired: Any, context: _Context) -> Row:
    """A timing gets a status only from a side-by-side measurement whose interval is beyond tolerance and floor."""
    if row.metric == "model_kb":
        assert row.base is not None
        assert row.new is not None
        j = judge_change(gate, row.base, row.new, p_value=None, alpha=context.metrics.alpha)
        return replace(row, status=j.status, reason=j.reason, rule=j.rule)
    if paired is None:
        return replace(row, status="unjudged", reason="not measured side by side in this job: not judged")
    from mlgate.training.timing_rule import judge_timing

    timing = context.metrics.timing
    floor = timing.fit_floor_s if row.metric == "fit_s" else timing.latency_floor_ms
    verdict = judge_timing(paired, rel_tol=gate.rel_tol, floor=floor)
    low = None if paired.low is None else paired.base * (paired.low - 1)
    high = None if paired.high is None else paired.base * (paired.high - 1)
    row = replace(
        row,
        base=paired.base,
        new=paired.new,
        diff=paired.new - paired.base,
        pct=(paired.ratio - 1) * 100,
        low=low,
        high=high,
        method="interleaved timing",
    )
    if verdict == "worse":
        return replace(
            row,
            status=gate.severity,
            reason=f"slower beyond {gate.describe_tolerance()}",
            rule=gate.describe_tolerance(),
        )
    if verdict == "better":
        return replace(row, status="better", reason="faster beyond the noise")
    if verdict == "same":
        return replace(row, status="same", reason="within tolerance or below the noise floor")
    return replace(row, status="unjudged", reason="too few side-by-side measurements to judge")


def _changes(baseline: ResultSet, candidate: ResultSet, stored: ResultSet | None) -> tuple[ParamChange, ...]:
    """Changed parameters, then the features added or removed since the baseline's own run, per model."""
    both = diff_params(baseline, candidate) + diff_features(stored or baseline, candidate)
    order = {name: index for index, name in enumerate(candidate.models)}
    return tuple(sorted(both, key=lambda c: order.get(c.model, len(order))))


def _with_stored(baseline: ResultSet, stored: ResultSet | None) -> ResultSet:
    """The baseline plus the stored models it lacks (skipped ones), so their changed parameters are shown."""
    if stored is None:
        return baseline
    extra = {n: m for n, m in stored.models.items() if n not in baseline.models}
    return baseline if not extra else replace(baseline, models={**baseline.models, **extra})


def _data_changed(stored: ResultSet | None, now: ResultSet | None) -> bool:
    old = None if stored is None else stored.evaluation
    new = None if now is None else now.evaluation
    return bool(old and new and old.data_sha256 and new.data_sha256 and old.data_sha256 != new.data_sha256)


def _notes(baseline: ResultSet | None, candidate: ResultSet, metrics: MetricsConfig, rows: list[Row]) -> list[str]:
    notes = []
    measured = {r.metric for r in rows}
    for name in metrics.gates:
        if name not in measured:
            notes.append(f"metrics.gates.{name} matches no metric in these results")
    if metrics.meaningful_only or any(g.meaningful_only is not None for g in metrics.gates.values()):
        notes.append("meaningful_only is deprecated and has no effect: every quality gate is a significance test now")
    if baseline is None:
        return notes
    old, new = baseline.evaluation, candidate.evaluation
    if old and new and old.data_sha256 and new.data_sha256 and old.data_sha256 != new.data_sha256:
        notes.append("the baseline was evaluated on different data than the PR: deltas mix model and data changes")
    if old and new and old.kind != new.kind:
        notes.append(f"the baseline was evaluated by {old.kind}, the PR by {new.kind}: scores may not be comparable")
    untested = [r for r in rows if r.kind == "quality" and r.diff is not None and r.method is None and r.diff != 0]
    if untested and any(r.direction != "none" for r in untested):
        notes.append(
            f"{len(untested)} quality row(s) compared as point values: no per-row predictions or "
            "matching folds on both sides"
        )
    return notes
