"""Renderers of ``mlgate deploy`` and ``mlgate rollback``: the narration, the job summary, JSON, annotations.

The narration is one line per step (``▸ gate      version 7 is approved … ✓``), then one per rollout
watch (SageMaker: the class, ``FailureReason`` and the guard alarms' states); its last lines say what
happened and what mlgate did about it. JSON Schema: docs/schemas/deploy.schema.json.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import TYPE_CHECKING, Any

from mlgate import __version__
from mlgate.text import terminal
from mlgate.text.actions_log import escape_data, escape_property
from mlgate.text.markdown import md

if TYPE_CHECKING:  # types only: renderers never reach the endpoint
    from mlgate.deploy.outcome import DeployOutcome, Step
    from mlgate.deploy.smoke import SmokeResult
    from mlgate.deploy.watch import Watch

SCHEMA_VERSION = 1
WIDTH = 84  # where the ✓ / ✗ column sits in the narration
_MARKS = {"ok": "✓", "failed": "✗", "skipped": "·", "pass": "✓", "fail": "✗", "skip": "·"}
_TITLES = {
    "deployed": "✅",
    "no-op": "✅",
    "refused": "⛔",
    "rolled-back": "↩️",
    "invalid": "❌",
    "needs-person": "🚨",
    "timed-out": "⏱️",
}


def describe_result(outcome: DeployOutcome) -> str:
    """One sentence: what happened to the endpoint and what mlgate did about it."""
    v, live = outcome.version, outcome.live
    rejected = f"; version {v} marked rejected" if outcome.rejected else ""
    if outcome.outcome == "deployed":
        verb = "deployed" if outcome.action == "deploy" else "rolled back"
        return f"{verb}: the endpoint serves version {v}"
    if outcome.outcome == "no-op":
        return f"nothing to do: {outcome.reason}"
    if outcome.outcome == "refused":
        return f"refused: {outcome.reason}; nothing changed"
    if outcome.outcome == "invalid":
        return f"not deployed: {outcome.reason}; nothing changed"
    if outcome.outcome == "rolled-back":
        return f"version {v} failed ({outcome.reason}); the endpoint serves version {live} again{rejected}"
    if outcome.outcome == "timed-out":
        return f"timed out: {outcome.reason}; the pointer names version {live}, what is served is unknown"
    return f"needs a person: {outcome.reason}; the endpoint is set to version {live or 'none'}{rejected}"


def render_text(outcome: DeployOutcome) -> str:
    """The narration, as MOCKUPS.md §3 shows it; each line inert (reasons and details carry data)."""
    lines: list[str] = []
    for step in outcome.steps:
        smoke = outcome.smoke if step.name == "smoke" else outcome.verify if step.name == "verify" else None
        lines += _step_lines(step, smoke)
    lines += [f"▸ {'watch':<11} {describe_watch(watch)}" for watch in outcome.watches]
    lines.append(f"▸ {'result':<11} {describe_result(outcome)} ({outcome.seconds:.1f} s)")
    if outcome.exit_code:
        lines.append(f"exit {int(outcome.exit_code)}")
    return "".join(terminal.escape(line, None) + "\n" for line in lines)


def _step_lines(step: Step, smoke: SmokeResult | None) -> list[str]:
    if smoke is None:
        lines = [_marked(f"▸ {step.name:<11} {step.detail}", _MARKS[step.status])]
    else:
        lines = [
            _marked(f"{'▸ ' + step.name if i == 0 else '':<13} {c.name}: {c.detail}", _MARKS[c.status])
            for i, c in enumerate(smoke.checks)
        ]
    if step.hint:
        lines.append(f"{'':<13} hint: {step.hint}")
    return lines


def describe_watch(watch: Watch) -> str:
    """One line: the version watched, how the rollout ended, FailureReason and the guard alarms' states."""
    parts = [f"version {watch.version or '?'}: {watch.outcome} ({watch.status})"]
    if watch.failure_reason:
        parts.append(f"FailureReason: {watch.failure_reason}")
    if watch.alarms:
        parts.append("alarms: " + ", ".join(f"{a.name} {a.state}" for a in watch.alarms))
    return "; ".join(parts)


def _marked(text: str, mark: str) -> str:
    return f"{text:<{WIDTH}} {mark}" if len(text) < WIDTH else f"{text} {mark}"


def render_markdown(outcome: DeployOutcome) -> str:
    """The job summary: a headline, the steps, the smoke tests."""
    verb = "mlgate deploy" if outcome.action == "deploy" else "mlgate rollback"
    out = [f"### {_TITLES[outcome.outcome]} {verb}: {md(describe_result(outcome), 300)}", ""]
    out += ["| step | | detail | time |", "|---|---|---|---:|"]
    for step in outcome.steps:
        hint = f" — hint: {md(step.hint, 200)}" if step.hint else ""
        out.append(f"| {step.name} | {_MARKS[step.status]} | {md(step.detail, 300)}{hint} | {step.seconds:.1f} s |")
    for title, smoke in (("Smoke test", outcome.smoke), ("Verification after switching back", outcome.verify)):
        if smoke is not None:
            out += ["", f"**{title} of version {md(smoke.version, 20)}**", "", "| check | | detail |", "|---|---|---|"]
            out += [f"| {c.name} | {_MARKS[c.status]} | {md(c.detail, 300)} |" for c in smoke.checks]
    out += _watch_table(outcome.watches)
    out += ["", f"outcome `{outcome.outcome}`, exit {int(outcome.exit_code)}, {outcome.seconds:.1f} s"]
    return "\n".join(out) + "\n"


def _watch_table(watches: tuple[Watch, ...]) -> list[str]:
    if not watches:
        return []
    out = [
        "",
        "**Rollout watch**",
        "",
        "| version | outcome | status | FailureReason | guard alarms |",
        "|---|---|---|---|---|",
    ]
    for w in watches:
        alarms = ", ".join(f"{md(a.name, 100)} `{a.state}`" for a in w.alarms) or "none"
        reason = md(w.failure_reason, 300) if w.failure_reason else "—"
        out.append(f"| {md(w.version or '?', 20)} | {w.outcome} | {md(w.status, 40)} | {reason} | {alarms} |")
    return out


def render_github(outcome: DeployOutcome) -> str:
    """The narration, then one annotation: a notice when the endpoint is as asked, an error otherwise."""
    level = "notice" if outcome.exit_code == 0 else "error"
    title = escape_property(f"mlgate {outcome.action}: {outcome.outcome}")
    return render_text(outcome) + f"::{level} title={title}::{escape_data(describe_result(outcome))}\n"


def to_data(outcome: DeployOutcome) -> dict[str, Any]:
    """The JSON document (JSON Schema: docs/schemas/deploy.schema.json)."""
    return {
        "schema_version": SCHEMA_VERSION,
        "mlgate_version": __version__,
        "action": outcome.action,
        "outcome": outcome.outcome,
        "exit_code": int(outcome.exit_code),
        "target": outcome.target,
        "version": outcome.version,
        "previous": outcome.previous,
        "live": outcome.live,
        "reason": outcome.reason,
        "rejected": outcome.rejected,
        "seconds": outcome.seconds,
        "steps": [asdict(step) for step in outcome.steps],
        "smoke": _smoke_data(outcome.smoke),
        "verify": _smoke_data(outcome.verify),
        "watches": [_watch_data(w) for w in outcome.watches],
    }


def _watch_data(watch: Watch) -> dict[str, Any]:
    return {
        "version": watch.version,
        "outcome": watch.outcome,
        "status": watch.status,
        "config": watch.config,
        "failure_reason": watch.failure_reason,
        "alarms": [{"name": a.name, "state": a.state} for a in watch.alarms],
    }


def _smoke_data(smoke: SmokeResult | None) -> dict[str, Any] | None:
    if smoke is None:
        return None
    return {"version": smoke.version, "passed": smoke.passed, "checks": [asdict(c) for c in smoke.checks]}


def render_json(outcome: DeployOutcome) -> str:
    return json.dumps(to_data(outcome), indent=2, ensure_ascii=False) + "\n"
