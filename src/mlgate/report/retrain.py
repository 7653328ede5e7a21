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
from mlgate.report.retrain_decision import decision_data, decision_rows, describe_margin, describe_watched, guard_lines
from mlgate.text.actions_log import escape_data, escape_property
from mlgate.text.markdown import md

if TYPE_CHECKING:  # types only: renderers never train or register anything
    from mlgate.retrain.fetch import FetchResult
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
    return (
        f"registered version {result.version.version} as pending: {decision.describe()}; "
        f"approve it with `mlgate registry approve {result.version.version} --reason TEXT`"
    )


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
    rows = [
        [name, *(f"{m.metrics[k]:.4f}" if k in m.metrics else "—" for k in names)] for name, m in results.models.items()
    ]
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
        lines += ["", *(f"  {line}" for line in (*guard_lines(d), describe_watched(d))), ""]
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
        out += ["", *(f"- {md(note, 400)}" for note in (*guard_lines(d), describe_watched(d)))]
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
        head += f"::warning title={escape_property('mlgate retrain: fetch')}::{escape_data(warning)}\n"
    level = "error" if result.exit_code else "notice"
    title = escape_property(f"mlgate retrain: {result.outcome}")
    return head + render_text(result) + f"::{level} title={title}::{escape_data(describe_outcome(result))}\n"


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
        "decision": None if result.decision is None else decision_data(result.decision),
        "registered": _registered_data(result),
    }


def _fetch_data(fetch: FetchResult) -> dict[str, Any]:
    files = [{"path": f.path, "bytes": f.bytes, "sha256": f.sha256} for f in fetch.files]
    return {
        "kind": fetch.kind,
        "source": fetch.source,
        "note": fetch.note,
        "seconds": round(fetch.seconds, 3),
        "warnings": list(fetch.warnings),
        "files": files,
    }


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
    return {
        "version": scores.version,
        "model": scores.model,
        "metrics": dict(scores.metrics),
        "registered_metrics": dict(scores.registered),
        "notes": list(scores.notes),
    }


def _registered_data(result: RetrainResult) -> dict[str, Any] | None:
    v = result.version
    if v is None:
        return None
    return {
        "version": v.version,
        "model": v.model,
        "status": v.status,
        "created": result.outcome == "registered",
        "reason": result.reason,
    }


def render_json(result: RetrainResult) -> str:
    return json.dumps(to_data(result), indent=2, ensure_ascii=False, default=str) + "\n"
