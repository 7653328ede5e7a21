"""What ``mlgate registry`` prints: text for people, JSON documents for scripts (schema_version 1).

JSON documents (docs/schemas/registry.schema.json), told apart by ``kind``:
``mlgate-model-version`` (``show``: the whole record), ``mlgate-registry-list`` (``list``: records without
golden rows and statistics), ``mlgate-registry-change`` (``register``/``approve``/``reject``: what was done,
``registered`` | ``approved`` | ``rejected`` | ``unchanged``, a note, and the record) and
``mlgate-registry-history`` (``history``: the events).

Each command's result comes with its ``View``: the text and JSON renderers ``mlgate.cli.output.emit`` picks from.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from tabulate import tabulate

from mlgate.registry.model import HistoryEvent, ModelVersion
from mlgate.registry.records import SCHEMA_VERSION, event_to_data, summary_data, version_to_data
from mlgate.text import terminal

if TYPE_CHECKING:
    from mlgate.registry.changes import Change

T = TypeVar("T")


@dataclass(frozen=True)
class View(Generic[T]):
    """A command's result in each ``--format``: ``render_text`` for people, ``render_json`` for scripts."""

    render_text: Callable[[T], str]
    render_json: Callable[[T], str]


def render_json(document: dict[str, Any]) -> str:
    return json.dumps(document, indent=2, ensure_ascii=False, allow_nan=False) + "\n"


def show_document(version: ModelVersion) -> dict[str, Any]:
    return version_to_data(version)


def list_document(versions: Sequence[ModelVersion]) -> dict[str, Any]:
    return {
        "schema_version": SCHEMA_VERSION,
        "kind": "mlgate-registry-list",
        "versions": [summary_data(v) for v in versions],
    }


def change_document(action: str, version: ModelVersion, note: str | None) -> dict[str, Any]:
    return {
        "schema_version": SCHEMA_VERSION,
        "kind": "mlgate-registry-change",
        "action": action,
        "note": note,
        "version": summary_data(version),
    }


def history_document(events: Sequence[HistoryEvent]) -> dict[str, Any]:
    return {
        "schema_version": SCHEMA_VERSION,
        "kind": "mlgate-registry-history",
        "events": [event_to_data(e) for e in events],
    }


def render_list(versions: Sequence[ModelVersion]) -> str:
    """A table of versions, oldest first: the primary metric with the evaluation data it was measured on
    (``eval``: values of different evaluations are not comparable), how ``mlgate retrain`` judged the version
    against the live one on the same rows (``vs live``), and the last status change."""
    if not versions:
        return "no versions registered yet\n  add one: mlgate registry register --best RESULTS\n"
    rows = []
    for v in versions:
        last = v.history[-1] if v.history else None
        change = f"{_line(last.by)}: {_clip(last.reason)}" if last is not None else ""
        rows.append(
            [
                _line(v.version),
                _line(v.model),
                v.status,
                _line(_primary(v)),
                _eval_id(v.data_sha256),
                _line(_versus(v.decision)),
                _line(v.registered_at),
                _line(v.registered_by),
                _short(v.commit),
                _clip(change, 90),
            ]
        )
    headers = ["version", "model", "status", "primary", "eval", "vs live", "registered", "by", "commit", "last change"]
    text = tabulate(rows, headers, tablefmt="plain", disable_numparse=True) + "\n"
    evaluations = {v.data_sha256 for v in versions if _primary(v)}
    if len(evaluations) > 1:
        text += (
            "\nprimary values measured on different evaluation data (eval) are not comparable: each is a version's "
            "score on its own test rows.\n'vs live' compares a retrained version with the then live one on the same "
            "rows: new − live [interval].\n"
        )
    return text


def render_version(version: ModelVersion) -> str:
    """Everything about one version, history last."""
    v = version
    lines = [
        f"version {v.version} · {v.model} ({v.estimator}) · {v.status}",
        f"  artifact    {v.artifact}",
        f"  sha256      {v.sha256}",
        f"  metrics     {_metrics(v.metrics)} (on evaluation data {_eval_id(v.data_sha256)})",
        *([f"  decision    {_decision(v.decision)}"] if v.decision else []),
        f"  registered  {v.registered_at} by {v.registered_by}",
        f"  commit      {v.commit or '-'}",
        f"  data        sha256 {_short(v.data_sha256)} · schema sha256 {_short(v.schema_sha256)}",
        f"  features    {', '.join(v.features) or '-'}",
        f"  trusts      {', '.join(v.trusted_types) or '(the defaults only)'}",
        f"  golden      {len(v.golden)} row(s) with the model's predictions",
        f"  statistics  {_stats(v.reference_stats, 'training data')} · {_stats(v.prediction_stats, 'predictions')}",
        *_registry_lines(v.extra),
        "  history",
    ]
    lines = [_line(line, None) for line in lines]
    for c in v.history:
        lines.append(_line(f"    {c.at}  {c.status:<9} by {c.by}: ", None) + _reason(c.reason, " " * 6))
    return "\n".join(lines) + "\n"


def _registry_lines(extra: dict[str, Any]) -> list[str]:
    """What an MLflow-backed version shows of MLflow: its run and aliases, and anything set outside mlgate."""
    lines = []
    mlflow = extra.get("mlflow")
    if isinstance(mlflow, dict):
        aliases = ", ".join(str(a) for a in mlflow.get("aliases") or []) or "none"
        lines.append(f"  mlflow      {mlflow.get('name')} version · run {mlflow.get('run_id')} · aliases: {aliases}")
    outside = extra.get("outside_mlgate")
    if isinstance(outside, list) and outside:
        when = extra.get("outside_changed_at") or "?"
        lines.append(
            f"  WARNING     {' and '.join(map(str, outside))} set outside mlgate (version last changed {when}):"
        )
        lines.append("              a deploy refuses it unless mlgate's history approves it")
    return lines


def render_change(action: str, version: ModelVersion, note: str | None) -> str:
    """One or two lines: what happened to which version, and the note."""
    v = version
    head = {
        "registered": f"registered version {v.version}: {v.model} (sha256 {v.sha256[:12]}…) · {_primary(v) or '-'} · "
        f"{v.status}",
        "unchanged": f"version {v.version} ({v.model}) unchanged: {v.status}",
    }.get(action, f"version {v.version} ({v.model}) is now {v.status}")
    out = [_line(head, None)]
    if action in ("approved", "rejected") and v.history:
        last = v.history[-1]
        out.append(_line(f"  by {last.by} at {last.at}: ", None) + _reason(last.reason, " " * 4))
    if note:
        out.append(_line(f"  note: {note}", None))
    if action == "registered":
        out.append(_line(f"  approve it with: mlgate registry approve {v.version} --reason TEXT", None))
    return "\n".join(out) + "\n"


def render_history(events: Sequence[HistoryEvent]) -> str:
    """One line per event, oldest first."""
    if not events:
        return "no history yet\n"
    rows = [
        [_line(e.at), _line(e.event), "-" if e.version is None else _line(e.version), _line(e.by), _clip(e.reason)]
        for e in events
    ]
    return tabulate(rows, ["at", "event", "version", "by", "reason"], tablefmt="plain", disable_numparse=True) + "\n"


LIST_VIEW: View[Sequence[ModelVersion]] = View(render_list, lambda versions: render_json(list_document(versions)))
VERSION_VIEW: View[ModelVersion] = View(render_version, lambda version: render_json(show_document(version)))
HISTORY_VIEW: View[Sequence[HistoryEvent]] = View(render_history, lambda events: render_json(history_document(events)))
CHANGE_VIEW: View[Change] = View(
    lambda change: render_change(change.action, change.version, change.note),
    lambda change: render_json(change_document(change.action, change.version, change.note)),
)


def _primary(version: ModelVersion) -> str:
    name = version.extra.get("primary")
    if isinstance(name, str) and name in version.metrics:
        return f"{name} {version.metrics[name]:.4f}"
    return ""


def _eval_id(digest: str | None) -> str:
    """The evaluation data's short id: the first 8 hex digits of its digest."""
    return digest[:8] if digest else "-"


def _versus(decision: dict[str, Any] | None) -> str:
    """``+0.0392 [+0.0120, +0.0660] vs v4``: the retrain decision's new − live and its interval."""
    if not decision:
        return "-"
    try:
        diff = float(decision["new"]) - float(decision["live"])
        low, high = decision.get("low"), decision.get("high")
        interval = f" [{float(low):+.4f}, {float(high):+.4f}]" if low is not None and high is not None else ""
        return f"{diff:+.4f}{interval} vs v{decision.get('live_version', '?')}"
    except (KeyError, TypeError, ValueError):
        return "?"


def _decision(decision: dict[str, Any]) -> str:
    """The retrain decision in one line: both values on the same rows, the interval, the test, the margin."""
    try:
        head = (
            f"vs live version {decision.get('live_version', '?')} on {decision['metric']}, the same fresh rows "
            f"(eval {_eval_id(decision.get('evaluation'))}): {float(decision['new']):.4f} vs "
            f"{float(decision['live']):.4f}"
        )
        if decision.get("low") is None or decision.get("high") is None:
            return head + ", no paired test"
        confidence = float(decision.get("confidence") or 1 - float(decision["alpha"]))
        family = int(decision.get("candidates") or 1)
        holm = f", Holm over {family} candidates" if family > 1 else ""
        return (
            f"{head}, Δ {_versus(decision).split(' vs ')[0]} ({decision.get('method')}, {int(decision['n']):,} "
            f"{decision.get('unit', 'rows')}, each end {_percent(confidence)} "
            f"one-sided), needed better by > {float(decision['margin']):.4g} "
            f"(p = {float(decision['p_value']):.2g}{holm}, alpha {float(decision['alpha']):g})"
        )
    except (KeyError, TypeError, ValueError):
        return "recorded, but not in a form this mlgate reads"


def _percent(share: float) -> str:
    """``97.5 %``, ``95 %``."""
    return f"{share * 100:.3g} %"


def _metrics(metrics: dict[str, float]) -> str:
    return " · ".join(f"{k} {v:.4f}" for k, v in metrics.items()) or "-"


def _stats(document: dict[str, Any] | None, what: str) -> str:
    if not document:
        return f"no {what} statistics"
    fields = document.get("fields") or {}
    return f"{what}: {len(fields)} field(s) over {document.get('rows', 0):,} rows"


def _short(digest: str | None) -> str:
    return f"{digest[:12]}…" if digest and len(digest) > 12 else digest or "-"


def _clip(text: str, width: int = 60) -> str:
    """The first line of ``text``, cut to ``width``, shown safely."""
    line = text.splitlines()[0] if text else ""
    return terminal.escape(line, width)


def _reason(text: str, indent: str) -> str:
    """A reason typed by a person: each of its lines inert, the ones after the first indented by ``indent``."""
    return ("\n" + indent).join(_line(line, None) for line in text.splitlines() or [""])


def _line(value: object, limit: int | None = 100) -> str:
    """A value from the record (a name, a reason, who did it), or a whole line of them, as one inert line."""
    return terminal.escape(value, limit)
