"""Render ``mlgate shadow status``: the shadow beside the live version, as text, markdown or JSON.

Top-down: which version shadows which, since when, how many rows; its failures; the disagreement with its
interval and per segment (the replay chart: one scale from 0); latencies of both versions; the flips. Values from
traffic are escaped for where they are shown.
"""

from __future__ import annotations

import dataclasses
import json
from typing import Any

from tabulate import tabulate

from mlgate.report.replay import chart_lines, format_rate, in_code_block
from mlgate.shadow.status import Latency, ShadowStatus
from mlgate.text import terminal
from mlgate.text.actions_log import escape_data
from mlgate.text.markdown import md

KIND = "mlgate-shadow-status"
SCHEMA_VERSION = 1
CHART = 8


def headline(status: ShadowStatus) -> str:
    if status.version is None:
        return "no shadow: nothing is shadowing and no shadow records were found"
    state = f"shadowing on {status.fraction:.0%} of requests" if status.running and status.fraction else "stopped"
    return (
        f"version {status.version} ({state}): {status.rows:,} row(s), disagreement "
        f"{format_rate(status.disagreement)}, failures {format_rate(status.failures)}"
    )


def render_text(status: ShadowStatus) -> str:
    return "\n".join([terminal.escape(headline(status), None), "", *_body(status, markdown=False)]).rstrip() + "\n"


def render_markdown(status: ShadowStatus) -> str:
    lines = [f"### mlgate shadow: {md(headline(status), None)}", "", *_body(status, markdown=True)]
    return "\n".join(lines).rstrip() + "\n"


def render_github(status: ShadowStatus) -> str:
    note = f"::notice title=mlgate shadow::{escape_data(headline(status))}"
    return note + "\n" + render_text(status)


def to_data(status: ShadowStatus) -> dict[str, Any]:
    return {"schema_version": SCHEMA_VERSION, "kind": KIND, **dataclasses.asdict(status)}


def render_json(status: ShadowStatus) -> str:
    return json.dumps(to_data(status), indent=2, ensure_ascii=False, allow_nan=False) + "\n"


def _body(status: ShadowStatus, *, markdown: bool) -> list[str]:
    if status.version is None:
        return ["Start one with: mlgate deploy VERSION --shadow [--fraction F]"]
    fmt = "github" if markdown else "plain"

    def show(value: object) -> str:
        return md(value, 60) if markdown else terminal.escape(value, 60)

    lives = ", ".join(show(v) for v in status.live_versions) or "-"
    lines = [
        f"Since {status.window_start or 'the first record'}, beside live version(s) {lives}: {status.rows:,} row(s) "
        f"given to the shadow, {status.answered:,} answered.",
        "",
        tabulate(
            [
                _latency_row("live", status.live_latency),
                _latency_row(f"shadow {status.version}", status.shadow_latency),
            ],
            ["version", "requests", "p50 (ms)", "p95 (ms)"],
            tablefmt=fmt,
            disable_numparse=True,
            colalign=("left", "right", "right", "right"),
        ),
        "",
    ]
    if status.errors:
        lines += ["Why the shadow gave no answer:", *[f"- {show(e)}" for e in status.errors], ""]
    segments = sorted(status.segments, key=lambda s: -s.rate.share)[:CHART]
    if segments and status.disagreement.n:
        chart = chart_lines(segments, status.disagreement, in_code_block)
        lines += ["Disagreement by segment (| marks the overall share):", ""]
        lines += (["```text", *chart, "```"] if markdown else chart) + [""]
    if status.flips:
        rows = [[show(f.request_id), show(f.live), show(f.replayed)] for f in status.flips]
        lines += ["Disagreements:", "", tabulate(rows, ["request id", "live", "shadow"], tablefmt=fmt), ""]
    if status.malformed:
        lines.append(f"note: {status.malformed:,} record line(s) could not be read and were left out")
    return lines


def _latency_row(name: str, latency: Latency) -> list[str]:
    def ms(value: float | None) -> str:
        return "-" if value is None else f"{value:.2f}"

    return [name, f"{latency.n:,}", ms(latency.p50_ms), ms(latency.p95_ms)]
