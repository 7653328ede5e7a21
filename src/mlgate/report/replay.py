"""Render a replay result as text, markdown (job summary), JSON (docs/schemas/replay.schema.json) or GitHub
annotations followed by the text report.

Top-down: the verdict and why; how sure (every share with its interval); the gates; a chart of the segments
that disagree most (bars on one scale from 0, the overall share marked); the largest flips with their request
ids; with labels, the quality difference. Every value that came from traffic (feature values, request ids,
answers) is escaped for where it is shown.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable
from typing import Any

from tabulate import tabulate

from mlgate.replay.model import Rate, ReplayResult, Segment
from mlgate.text import terminal
from mlgate.text.actions_log import escape_data
from mlgate.text.markdown import md

KIND = "mlgate-replay"
SCHEMA_VERSION = 1
CHART = 8  # segments charted (the most disagreeing); the JSON has them all
WIDTH = 30  # characters of the longest bar
_MARKS = {"pass": "✓", "fail": "✗", "inconclusive": "⚠"}


def headline(result: ReplayResult) -> str:
    """One line: the verdict, the two versions, the disagreement."""
    share = format_rate(result.disagreement)
    return (
        f"replay {result.verdict}: version {result.version} vs live version {result.live_version} on "
        f"{result.replayed:,} captured row(s): disagreement {share}"
    )


def render_text(result: ReplayResult) -> str:
    """The report for a terminal; every piece of traffic data is one inert line."""
    lines = [f"{_MARKS[result.verdict]} {_line(headline(result))}", f"  {_line(result.reason)}", ""]
    lines += _body(result, markdown=False)
    return "\n".join(lines).rstrip() + "\n"


def render_markdown(result: ReplayResult) -> str:
    """The job summary / PR-comment form."""
    icon = {"pass": "✅", "fail": "❌", "inconclusive": "⚠️"}[result.verdict]
    lines = [f"### {icon} mlgate replay: version {md(result.version)} vs live {md(result.live_version)}", ""]
    lines += [f"**{result.verdict}**: {md(result.reason, None)}", ""]
    lines += _body(result, markdown=True)
    return "\n".join(lines).rstrip() + "\n"


def render_github(result: ReplayResult) -> str:
    """An annotation for a failed or inconclusive replay, then the text report."""
    out = []
    if result.verdict != "pass":
        kind = "error" if result.verdict == "fail" else "warning"
        out.append(f"::{kind} title=mlgate replay::{escape_data(headline(result) + ': ' + result.reason)}")
    return "\n".join([*out, render_text(result)])


def to_data(result: ReplayResult) -> dict[str, Any]:
    return {"schema_version": SCHEMA_VERSION, "kind": KIND, **dataclasses.asdict(result)}


def render_json(result: ReplayResult) -> str:
    return json.dumps(to_data(result), indent=2, ensure_ascii=False, allow_nan=False) + "\n"


def _body(result: ReplayResult, *, markdown: bool) -> list[str]:
    fmt = "github" if markdown else "plain"

    def show(value: object) -> str:
        return md(value, 60) if markdown else _line(value, 60)

    lines = [
        f"Window {result.window_start} → {result.window_end}, capture {show(result.location)}: "
        f"{result.rows:,} row(s) answered by the live version, {result.replayed:,} replayed, "
        f"{result.invalid:,} the replayed version could not read.",
        "",
    ]
    if result.gates:
        rows = [
            [g.name, g.required, g.measured, {True: "pass", False: "FAIL", None: "not judged"}[g.passed]]
            for g in result.gates
        ]
        lines += [tabulate(rows, ["gate", "required", "measured", "result"], tablefmt=fmt), ""]
    if result.quality is not None:
        q = result.quality
        lines += [
            f"Quality on {q.n:,} labelled row(s), {show(q.metric)} ({q.direction} is better): live {q.live:.4f}, "
            f"replayed {q.replayed:.4f}; difference {q.estimate:+.4f} [{q.low:+.4f}, {q.high:+.4f}] ({q.method}, "
            f"p(better) {q.p_better:.3g})"
            + (f"; {q.unmatched:,} label(s) matched no replayed row" if q.unmatched else ""),
            "",
        ]
    if result.mean_difference is not None:
        lines += [f"Mean absolute difference of the answers: {result.mean_difference:.4g}", ""]
    segments = sorted(result.segments, key=lambda s: -s.rate.share)[:CHART]
    if segments and result.disagreement.n:
        chart = chart_lines(segments, result.disagreement, in_code_block)
        lines += ["Disagreement by segment (the most disagreeing; | marks the overall share):", ""]
        lines += (["```text", *chart, "```"] if markdown else chart) + [""]
    if result.flips:
        headers = ["request id", "live", "replayed"]
        rows = [[show(f.request_id), show(f.live), show(f.replayed)] for f in result.flips]
        if result.task == "regression":
            headers.append("difference")
            for row, flip in zip(rows, result.flips, strict=True):
                row.append("" if flip.difference is None else f"{flip.difference:.4g}")
        title = "Largest disagreements:" if result.task == "regression" else "Disagreements (first in the window):"
        lines += [title, "", tabulate(rows, headers, tablefmt=fmt), ""]
    if result.invalid_examples:
        lines += ["Rows the replayed version could not read:", *[f"- {show(e)}" for e in result.invalid_examples], ""]
    lines.append(
        f"Replayed version's prediction time (offline, this machine): {result.seconds_per_1k:.3f} s per 1,000 rows"
    )
    lines += [f"note: {show(n)}" for n in result.notes]
    return lines


def chart_lines(segments: list[Segment], overall: Rate, show: Callable[[object], str]) -> list[str]:
    """Bars on one scale from 0 to the largest upper bound; each with its share and interval."""
    top = max(max(s.rate.high for s in segments), overall.high, 1e-9)
    labels = [f"{show(s.feature)} = {show(s.value)}" for s in segments]
    width = max(len(label) for label in labels)
    marker = round(overall.share / top * WIDTH)
    out = []
    for label, segment in zip(labels, segments, strict=True):
        filled = round(segment.rate.share / top * WIDTH)
        bar = ("█" * filled).ljust(WIDTH)
        bar = bar[:marker] + "|" + bar[marker + 1 :] if marker < WIDTH else bar + "|"
        out.append(f"{label.ljust(width)}  {bar}  {format_rate(segment.rate)}")
    out.append(f"{''.ljust(width)}  0{'':{WIDTH - len(f'{top:.0%}') - 1}}{top:.0%}")
    return out


def in_code_block(value: object) -> str:
    """A value inside a fenced block: no HTML escaping there (it would show), one inert line, no backticks."""
    return _line(value, 60).replace("`", "'")


def format_rate(rate: Rate) -> str:
    return f"{rate.share:.1%} [{rate.low:.1%}, {rate.high:.1%}] ({rate.count:,}/{rate.n:,})"


def _line(value: object, limit: int | None = None) -> str:
    return terminal.escape(value, limit)


__all__ = ["headline", "render_github", "render_json", "render_markdown", "render_text", "to_data"]
