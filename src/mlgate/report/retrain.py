"""Renderers of ``mlgate retrain``: text, markdown (job summary, issue comment), JSON, GitHub annotations.

Sections, in the order things happened: the live version, what was fetched, the data gate, the
candidates on the fresh data, the live version re-scored on the same data, the decision, and the version
registered (always pending). JSON Schema: docs/schemas/retrain.schema.json.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from mlgate import __version__
from mlgate.report import validation as validation_report
from mlgate.report.escape import command_data, command_property, md

if TYPE_CHECKING:  # types only: renderers never train or register anything
    from mlgate.retrain.decide import CandidateResult, Decision
    from mlgate.retrain.fetch import FetchResult
    from mlgate.retrain.paired import Comparison
    from mlgate.retrain.run import RetrainResult

SCHEMA_VERSION = 1
_TITLES = {
    "registered": "🆕 a retrained model was registered as pending",
    "already-registered": "♻️ the retrained model is already registered",
    "not-better": "✅ no retrained model beats the live version",
    "data-invalid": "❌ the fresh data failed the data gate",
}


def describe_outcome(result: RetrainResult) -> str:
    """One sentence: what was decided and what was registered."""
    live = result.live.version.version
    if result.outcome == "data-invalid":
        return f"the fresh data failed the data gate; nothing was trained or registered (live: version {live})"
    decision = result.decision
    assert decision is not None
    if result.outcome == "not-better":
        return f"nothing registered: {decision.describe()}"
    assert result.version is not None
    if result.outcome == "already-registered":
        return f"{decision.describe()}; it is already registered as version {result.version.version}"
    return (f"registered version {result.version.version} as pending: {decision.describe()}; "
            f"approve it with `mlgate registry approve {result.version.version} --reason TEXT`")  # fmt: skip


def describe_fetch(fetch: FetchResult) -> str:
    """What the fetch did, in one line."""
    names = ", ".join(f.path for f in fetch.files)
    if fetch.kind == "none":
        return f"{fetch.note or 'nothing fetched'} ({names})"
    how = f"ran `{fetch.source}`" if fetch.kind == "command" else f"copied from {fetch.source}"
    return f"{how} -> {names} ({fetch.seconds:.1f} s)"


def _candidate_rows(result: RetrainResult) -> tuple[list[str], list[list[str]]]:
    results = result.candidates
    if results is None:
        return [], []
    names = sorted({k for m in results.models.values() for k in m.metrics})
    rows = [[name, *(f"{m.metrics[k]:.4f}" if k in m.metrics else "—" for k in names)]
            for name, m in results.models.items()]  # fmt: skip
    if result.live_scores is not None:
        scores = result.live_scores
        label = f"live v{scores.version} ({scores.model})"
        rows.append([label, *(f"{scores.metrics[k]:.4f}" if k in scores.metrics else "—" for k in names)])
    return ["model", *names], rows


def describe_gate(result: RetrainResult) -> str:
    """``passed: 4,800 rows, 0 error(s), 2 warning(s)``: the data gate in the same words in every format."""
    v = result.validation
    if v is None:
        return "no schema configured: not validated"
    mark = "passed" if v.valid else "FAILED"
    return f"{mark}: {v.rows:,} rows, {v.errors:,} error(s), {v.warnings:,} warning(s)"


def describe_margin(decision: Decision) -> str:
    """``better by more than 0.0081 (1 % of live, retrain.min_rel_improvement) with 95 % confidence``."""
    if decision.margin_source == "retrain.min_improvement":
        source = "retrain.min_improvement"
    else:
        rel = decision.margin / abs(decision.live_value) if decision.live_value else 0.0
        source = f"{rel:.2%} of live, retrain.min_rel_improvement".replace(".00%", " %")
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
        rows.append([r.name, f"{r.value:.4f}", f"{c.estimate:+.4f} [{c.low:+.4f}, {c.high:+.4f}]",
                     f"{c.method}, {c.n:,} {c.unit}", f"{r.p_adjusted:.2g}", verdict])  # fmt: skip
    return headers, rows


def describe_watched(decision: Decision) -> str | None:
    """Which metrics ``mlgate monitor`` judges on live labels, against the one retrain decided on, and why."""
    watched = [m for m in decision.watched if m != decision.metric]
    if decision.metric in decision.watched:
        extra = f"; also {', '.join(watched)}, on which a winner may not be worse beyond the margin" if watched else ""
        return f"mlgate monitor judges {decision.metric} on live labels too{extra}"
    if not watched:
        return (f"mlgate monitor cannot judge {decision.metric} on live labels (it needs predicted probabilities, "
                "which capture does not keep): watch drift, or add a label metric to metrics.names")  # fmt: skip
    return (f"mlgate monitor judges {', '.join(watched)} on live labels, not {decision.metric} (it needs predicted "
            "probabilities, which capture does not keep): a winner may not be worse on them beyond the margin")  # fmt: skip


def _guard_lines(decision: Decision) -> list[str]:
    r = decision.result
    out = []
    for g in r.guards:
        if g.comparison is None:
            out.append(f"{g.metric}: no paired test ({g.why_not})")
            continue
        c = g.comparison
        state = "worse beyond the margin" if g in decision.worse_on(r) else "not worse beyond the margin"
        out.append(f"{g.metric} {g.value:.4f} vs {g.live_value:.4f}: Δ {c.estimate:+.4f} [{c.low:+.4f}, {c.high:+.4f}], "
                   f"{state} {g.margin:.4g} (p = {g.p_adjusted:.2g})")  # fmt: skip
    return out


def render_text(result: RetrainResult) -> str:
    """The narration for people: one line per step, the table of scores, the decision, the outcome."""
    from tabulate import tabulate

    live = result.live.version
    lines = [
        f"▸ live        version {live.version} ({live.model}), from the {result.live.source}",
        f"▸ fetch       {describe_fetch(result.fetch)}",
        *(f"  ⚠ {w}" for w in result.fetch.warnings),
        f"▸ data gate   {describe_gate(result)}",
    ]
    if result.validation is not None and (not result.validation.valid or result.validation.warnings):
        lines += [
            "",
            *("  " + line for line in validation_report.render_text(result.validation).rstrip("\n").splitlines()),
            "",
        ]
    headers, rows = _candidate_rows(result)
    if rows:
        primary = result.candidates.primary if result.candidates is not None else None
        lines += [f"▸ scores      on the fresh evaluation data (primary: {primary})", ""]
        lines += ["  " + row for row in tabulate(rows, headers, tablefmt="plain").splitlines()] + [""]
    d = result.decision
    if d is not None:
        lines += [
            f"▸ decision    {d.metric}, candidate − live v{d.live_version} on the same rows; needed: {describe_margin(d)}",
            "",
        ]
        headers, rows = decision_rows(d)
        lines += ["  " + row for row in tabulate(rows, headers, tablefmt="plain", disable_numparse=True).splitlines()]
        lines += ["", *(f"  {line}" for line in _guard_lines(d))]
        watched = describe_watched(d)
        lines += [f"  {watched}", ""] if watched else [""]
    lines.append(f"▸ result      {describe_outcome(result)}")
    lines.append(f"exit {int(result.exit_code)}")
    return "\n".join(lines) + "\n"


def render_markdown(result: RetrainResult) -> str:
    """The job summary (and the text of the monitor issue's comment)."""
    from tabulate import tabulate

    live = result.live.version
    out = [f"### {_TITLES[result.outcome]}", "", md(describe_outcome(result), 600), ""]
    out += ["| step | detail |", "|---|---|"]
    out.append(f"| live version | {md(live.version, 20)} ({md(live.model)}), from the {result.live.source} |")
    out.append(f"| fetch | {md(describe_fetch(result.fetch), 400)} |")
    for warning in result.fetch.warnings:
        out.append(f"| fetch ⚠️ | {md(warning, 400)} |")
    valid = result.validation is None or result.validation.valid
    mark = "" if result.validation is None else "✓ " if valid else "✗ "
    out.append(f"| data gate | {mark}{md(describe_gate(result).replace('FAILED', 'failed'))} |")
    d = result.decision
    if d is not None:
        out.append(
            f"| decision | {md(d.metric)}, candidate − live on the same rows; needed: {md(describe_margin(d), 300)} |"
        )
    if result.version is not None:
        out.append(f"| registered | version {md(result.version.version, 20)}, status `{result.version.status}` |")
    headers, rows = _candidate_rows(result)
    if rows:
        out += ["", "**Scores on the fresh evaluation data**", ""]
        out.append(tabulate([[md(c, 80) for c in row] for row in rows], headers, tablefmt="github"))
    if d is not None:
        headers, rows = decision_rows(d)
        out += ["", f"**Each candidate against live version {md(d.live_version, 20)}**", ""]
        out.append(
            tabulate([[md(c, 120) for c in row] for row in rows], headers, tablefmt="github", disable_numparse=True)
        )
        notes = [*_guard_lines(d), *([describe_watched(d)] if describe_watched(d) else [])]
        out += ["", *(f"- {md(str(n), 400)}" for n in notes)] if notes else []
    if result.validation is not None and (not result.validation.valid or result.validation.warnings):
        out += ["", validation_report.render_markdown(result.validation).rstrip("\n")]
    out += ["", f"<sub>mlgate {__version__} · outcome `{result.outcome}` · exit {int(result.exit_code)}</sub>"]
    return "\n".join(out) + "\n"


def render_github(result: RetrainResult) -> str:
    """The data gate's annotations when it failed, the narration, then one annotation with the outcome."""
    head = ""
    if result.validation is not None and (not result.validation.valid or result.validation.warnings):
        annotations = validation_report.render_github(result.validation)
        head = "".join(line + "\n" for line in annotations.splitlines() if line.startswith("::"))
    for warning in result.fetch.warnings:
        head += f"::warning title={command_property('mlgate retrain: fetch')}::{command_data(warning)}\n"
    level = "error" if result.exit_code else "notice"
    title = command_property(f"mlgate retrain: {result.outcome}")
    return head + render_text(result) + f"::{level} title={title}::{command_data(describe_outcome(result))}\n"


def to_data(result: RetrainResult) -> dict[str, Any]:
    """The JSON document (JSON Schema: docs/schemas/retrain.schema.json)."""
    live = result.live.version
    return {
        "schema_version": SCHEMA_VERSION,
        "mlgate_version": __version__,
        "outcome": result.outcome,
        "exit_code": int(result.exit_code),
        "summary": describe_outcome(result),
        "live": {"version": live.version, "model": live.model, "source": result.live.source},
        "fetch": _fetch_data(result.fetch),
        "data_gate": None if result.validation is None else validation_report.to_data(result.validation),
        "candidates": _candidates_data(result),
        "live_scores": _live_scores_data(result),
        "decision": _decision_data(result),
        "registered": _registered_data(result),
    }


def _fetch_data(fetch: FetchResult) -> dict[str, Any]:
    files = [{"path": f.path, "bytes": f.bytes, "sha256": f.sha256} for f in fetch.files]
    return {"kind": fetch.kind, "source": fetch.source, "note": fetch.note, "seconds": round(fetch.seconds, 3),
            "warnings": list(fetch.warnings), "files": files}  # fmt: skip


def _candidates_data(result: RetrainResult) -> dict[str, Any] | None:
    if result.candidates is None:
        return None
    models = {n: dict(m.metrics) for n, m in result.candidates.models.items()}
    folder = str(result.results_folder) if result.results_folder is not None else None
    return {"results": folder, "primary": result.candidates.primary, "models": models}


def _live_scores_data(result: RetrainResult) -> dict[str, Any] | None:
    scores = result.live_scores
    if scores is None:
        return None
    return {"version": scores.version, "model": scores.model, "metrics": dict(scores.metrics),
            "registered_metrics": dict(scores.registered), "notes": list(scores.notes)}  # fmt: skip


def _decision_data(result: RetrainResult) -> dict[str, Any] | None:
    d = result.decision
    if d is None:
        return None
    chosen = d.result.comparison
    return {"metric": d.metric, "direction": d.direction, "candidate": d.candidate,
            "candidate_value": d.candidate_value, "live_version": d.live_version, "live_value": d.live_value,
            "gain": d.gain, "margin": d.margin, "margin_source": d.margin_source, "wins": d.wins, "alpha": d.alpha,
            "evaluation": d.evaluation, "low": None if chosen is None else chosen.low,
            "high": None if chosen is None else chosen.high, "method": None if chosen is None else chosen.method,
            "n": None if chosen is None else chosen.n, "unit": "rows" if chosen is None else chosen.unit,
            "p_value": d.result.p_adjusted, "confidence": d.result.confidence,
            "candidates": [_candidate_test(d, r) for r in d.results], "watched": list(d.watched)}  # fmt: skip


def _test_data(c: Comparison | None) -> dict[str, Any] | None:
    if c is None:
        return None
    return {"low": c.low, "high": c.high, "method": c.method, "n": c.n, "unit": c.unit, "p_value": c.p_value}


def _candidate_test(d: Decision, r: CandidateResult) -> dict[str, Any]:
    worse = d.worse_on(r)
    guards = [{"metric": g.metric, "value": g.value, "live_value": g.live_value, "margin": g.margin,
               "test": _test_data(g.comparison), "why_not": g.why_not, "p_adjusted": g.p_adjusted,
               "worse": g in worse} for g in r.guards]  # fmt: skip
    return {"name": r.name, "value": r.value, "test": _test_data(r.comparison), "why_not": r.why_not,
            "p_adjusted": r.p_adjusted, "confidence": r.confidence, "wins": d.wins_primary(r) and not worse,
            "guards": guards}  # fmt: skip


def _registered_data(result: RetrainResult) -> dict[str, Any] | None:
    v = result.version
    if v is None:
        return None
    return {"version": v.version, "model": v.model, "status": v.status, "created": result.outcome == "registered",
            "reason": result.reason}  # fmt: skip


def render_json(result: RetrainResult) -> str:
    return json.dumps(to_data(result), indent=2, ensure_ascii=False, default=str) + "\n"
