"""Render ``mlgate monitor``'s result with the shadow beside it (``mlgate.shadow.watch.Watched``).

The monitor's report comes first and is unchanged; a shadow section follows when something was shadowed in the
window (``mlgate.report.shadow``), with the labelled quality difference when there are labels. JSON: the monitor's
document (docs/schemas/monitor.schema.json) with ``shadow`` (null, or docs/schemas/shadow.schema.json's document).
"""

from __future__ import annotations

import json
from typing import Any

from mlgate.report import monitor, shadow
from mlgate.shadow.status import ShadowStatus, Watched
from mlgate.text import terminal
from mlgate.text.markdown import md


def render_text(watched: Watched) -> str:
    return monitor.render_text(watched.monitor) + _shadow_text(watched.shadow)


def render_markdown(watched: Watched) -> str:
    text = monitor.render_markdown(watched.monitor)
    if watched.shadow is None:
        return text
    return (
        text
        + "\n"
        + shadow.render_markdown(watched.shadow).replace("### ", "#### ", 1)
        + _quality(watched.shadow, markdown=True)
    )


def render_github(watched: Watched) -> str:
    return monitor.render_github(watched.monitor) + _shadow_text(watched.shadow)


def _shadow_text(status: ShadowStatus | None) -> str:
    if status is None:
        return ""
    return "\nShadow: " + shadow.render_text(status) + _quality(status, markdown=False)


def to_data(watched: Watched) -> dict[str, Any]:
    return {
        **monitor.to_data(watched.monitor),
        "shadow": None if watched.shadow is None else shadow.to_data(watched.shadow),
    }


def render_json(watched: Watched) -> str:
    return json.dumps(to_data(watched), indent=2, ensure_ascii=False, allow_nan=False) + "\n"


def _quality(status: ShadowStatus, *, markdown: bool) -> str:
    q = status.quality
    if q is None:
        return ""

    def show(value: object) -> str:
        return md(value, 60) if markdown else terminal.escape(value, 60)

    return (
        f"\nLabelled: {q.n:,} row(s), {show(q.metric)} ({q.direction} is better): live {q.live:.4f}, shadow "
        f"{q.replayed:.4f}; difference {q.estimate:+.4f} [{q.low:+.4f}, {q.high:+.4f}] ({show(q.method)})\n"
    )
