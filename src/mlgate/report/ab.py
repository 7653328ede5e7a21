"""Render ``mlgate ab status|decide`` and what ``mlgate deploy --ab`` / ``mlgate ab stop`` did.

Top-down: the decision and what was done; the split (who, what share, since when); each variant's traffic and
health; the primary metric's difference with its always-valid interval, drawn on one axis with 0 and the
required effect marked (the interval shrinks as labels arrive; promote once it clears the mark); the guardrails.
Values from configs and the registry are escaped for where they are shown.
"""

from __future__ import annotations

import dataclasses
import json
import math
from typing import Any

from tabulate import tabulate

from mlgate.ab.decision import Arm
from mlgate.ab.model import AbChange, AbResult
from mlgate.stats.sequential import SequentialTest
from mlgate.text import terminal
from mlgate.text.actions_log import escape_data
from mlgate.text.markdown import md

KIND = "mlgate-ab"
CHANGE_KIND = "mlgate-ab-change"
SCHEMA_VERSION = 1
WIDTH = 48


def headline(result: AbResult) -> str:
    split = result.split
    who = f"version {split.challenger} ({split.percent:g}%) vs version {split.champion}"
    if result.decision is None:
        return f"A/B test {who}: {result.message}"
    return f"A/B test {who}: {result.decision.outcome} — {result.decision.reason}"


def render_text(result: AbResult | AbChange) -> str:
    if isinstance(result, AbChange):
        return f"mlgate: {terminal.escape(result.message, None)}\n"
    lines = [terminal.escape(headline(result), None), "", *_body(result, markdown=False)]
    return "\n".join(lines).rstrip() + "\n"


def render_markdown(result: AbResult | AbChange) -> str:
    if isinstance(result, AbChange):
        return f"**mlgate ab**: {md(result.message, None)}\n"
    lines = [f"### mlgate ab: {md(headline(result), None)}", "", *_body(result, markdown=True)]
    return "\n".join(lines).rstrip() + "\n"


def render_github(result: AbResult | AbChange) -> str:
    text = result.message if isinstance(result, AbChange) else headline(result)
    return f"::notice title=mlgate ab::{escape_data(text)}\n" + render_text(result)


def to_data(result: AbResult | AbChange) -> dict[str, Any]:
    if isinstance(result, AbChange):
        return {"schema_version": SCHEMA_VERSION, "kind": CHANGE_KIND, **_finite(dataclasses.asdict(result))}
    document = dataclasses.asdict(dataclasses.replace(result, evidence=None))
    evidence = result.evidence
    if evidence is not None:  # the per-row values stay out: counts and means say it
        document["evidence"] = {
            "champion": _arm(evidence.champion),
            "challenger": _arm(evidence.challenger),
            "metric": evidence.metric,
            "labels": evidence.labels,
            "matched": evidence.matched,
            "notes": list(evidence.notes),
        }
    return {"schema_version": SCHEMA_VERSION, "kind": KIND, **_finite(document)}


def _arm(arm: Arm) -> dict[str, Any]:
    mean = sum(arm.gains) / len(arm.gains) if arm.gains else None
    return {
        "version": arm.version,
        "requests": arm.requests,
        "errors": arm.errors,
        "p99_ms": arm.p99_ms,
        "labelled": len(arm.gains),
        "mean": mean,
    }


def render_json(result: AbResult | AbChange) -> str:
    return json.dumps(to_data(result), indent=2, ensure_ascii=False, allow_nan=False) + "\n"


def _finite(value: Any) -> Any:
    """JSON has no infinity: an unbounded interval end is null."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_finite(v) for v in value]
    return value


def _body(result: AbResult, *, markdown: bool) -> list[str]:
    fmt = "github" if markdown else "plain"

    def show(value: object) -> str:
        return md(value, 60) if markdown else terminal.escape(value, 60)

    split = result.split
    lines = [
        f"Since {show(split.started_at)} on the {show(result.target)} target, clients by {show(split.key)}: "
        f"{split.percent:g}% to version {show(split.challenger)}, the rest to version {show(split.champion)}.",
        f"Done: {show(result.message)}",
        "",
    ]
    evidence = result.evidence
    rows = []
    for role, version in (("champion", split.champion), ("challenger", split.challenger)):
        health = next((h for h in result.health if h.version == version), None)
        arm = None if evidence is None else getattr(evidence, role)
        mean = "-" if arm is None or not arm.gains else f"{sum(arm.gains) / len(arm.gains):.4g}"
        rows.append(
            [
                f"{role} {show(version)}",
                "-" if health is None else f"{health.requests:,}",
                "-" if health is None else f"{health.errors:,}",
                "-" if health is None or health.p99_ms is None else f"{health.p99_ms:.1f}",
                "-" if arm is None else f"{len(arm.gains):,}",
                mean,
            ]
        )
    metric = evidence.metric if evidence is not None else "metric"
    headers = ["variant", "requests", "server errors", "p99 (ms)", "labelled", f"{show(metric)} (per row)"]
    lines += [tabulate(rows, headers, tablefmt=fmt, disable_numparse=True), ""]
    if result.health:
        lines += [f"Health from {show(result.health[0].source)}.", ""]
    decision = result.decision
    if decision is None:
        return lines
    if decision.primary is not None:
        lines += _primary(decision.primary, show(metric), markdown=markdown)
    if decision.guardrails:
        guard_rows = [
            [show(g.name), show(g.limit), show(g.measured), "STOP" if g.tripped else "ok"] for g in decision.guardrails
        ]
        lines += ["Guardrails:", "", tabulate(guard_rows, ["guardrail", "limit", "measured", "result"], tablefmt=fmt)]
        lines.append("")
    if decision.outcome == "continue" and decision.remaining is not None:
        lines.append(f"Expected labels still needed per variant: about {decision.remaining:,}.")
    if evidence is not None:
        lines += [f"note: {show(n)}" for n in evidence.notes]
    return lines


def _primary(test: SequentialTest, metric: str, *, markdown: bool) -> list[str]:
    sure = 1 - test.alpha
    if not (math.isfinite(test.lower) and math.isfinite(test.upper)):
        return [f"{metric}: challenger − champion {test.estimate:+.4g}; not enough labels for an interval yet.", ""]
    lines = [
        f"{metric}: challenger − champion {test.estimate:+.4g}, always-valid {sure:.0%} interval "
        f"[{test.lower:+.4g}, {test.upper:+.4g}] on {test.n_a:,} + {test.n_b:,} labelled rows",
        "",
    ]
    chart = chart_interval(test.lower, test.estimate, test.upper)
    return [*lines, *(["```text", *chart, "```"] if markdown else chart), ""]


def chart_interval(lower: float, estimate: float, upper: float) -> list[str]:
    """The interval ``[lower, upper]`` with the estimate ``•`` and 0 ``|`` on one linear axis that holds all three."""
    low, high = min(lower, 0.0), max(upper, 0.0)
    span = (high - low) or 1.0
    low, high = low - 0.05 * span, high + 0.05 * span

    def at(value: float) -> int:
        return min(WIDTH - 1, max(0, round((value - low) / (high - low) * (WIDTH - 1))))

    cells = [" "] * WIDTH
    for i in range(at(lower), at(upper) + 1):
        cells[i] = "─"
    cells[at(lower)], cells[at(upper)] = "[", "]"
    cells[at(0.0)] = "|"
    cells[at(estimate)] = "•"
    scale = f"{low:+.3g}".ljust(WIDTH // 2) + f"{high:+.3g}".rjust(WIDTH - WIDTH // 2)
    return ["".join(cells), scale, "| is 0 (no difference); • the estimate; [ ] the interval, valid at every look"]
