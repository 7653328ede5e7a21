"""A Mermaid ``xychart-beta`` bar chart of the primary metric per model, baseline vs PR.

GitHub renders Mermaid blocks in comments, so the chart needs no image hosting. Two bar series: the
baseline first, the PR second (Mermaid versions that overlay series draw the PR bar over the baseline
one). A side without a value gets the axis floor, an invisible bar. Labels are reduced to a safe
alphabet so a model name cannot end the block or inject markup.
"""

from __future__ import annotations

import math
import re

from mlgate.compare import Comparison

MAX_MODELS = 20  # more bars than this are unreadable; the table has every value anyway
_UNSAFE = re.compile(r"[^\w .:+/()#-]")


def render_chart(comparison: Comparison, precision: int) -> str | None:
    """The fenced ``mermaid`` block, or None when there is no primary metric or too many models."""
    primary = comparison.primary
    rows = [r for r in comparison.rows if r.kind == "quality" and r.metric == primary]
    values = [v for r in rows for v in (r.base, r.new) if v is not None]
    if primary is None or not values or len(rows) > MAX_MODELS:
        return None
    low, high, decimals = axis_range(values)
    digits = max(precision, decimals)
    both = comparison.has_baseline and any(r.base is not None for r in rows)

    def series(points: list[float | None]) -> str:
        return "[" + ", ".join(f"{low if p is None else p:.{digits}f}" for p in points) + "]"

    name = label(primary)
    title = f"{name} by model: baseline (first bar) vs PR" if both else f"{name} by model"
    lines = [
        "```mermaid",
        "xychart-beta",
        f'  title "{title}"',
        "  x-axis [" + ", ".join(f'"{label(r.model)}"' for r in rows) + "]",
        f'  y-axis "{name}" {low:.{decimals}f} --> {high:.{decimals}f}',
    ]
    if both:
        lines.append(f"  bar {series([r.base for r in rows])}")
    lines += [f"  bar {series([r.new for r in rows])}", "```"]
    return "\n".join(lines)


def axis_range(values: list[float]) -> tuple[float, float, int]:
    """A y-axis from a little below the smallest value to a little above the largest, on round numbers.

    The floor is not zero: differences of a few tenths of a percent must stay visible. Scores that all
    lie in [0, 1] keep the axis inside [0, 1]; non-negative values keep it at or above 0.
    """
    low, high = min(values), max(values)
    span = high - low or (abs(high) * 0.1 or 1.0)
    low, high = low - span * 0.5, high + span * 0.25
    raw = (high - low) / 5
    magnitude = 10.0 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw * (1 - 1e-9))
    decimals = max(0, -math.floor(math.log10(step)))
    low, high = math.floor(low / step) * step, math.ceil(high / step) * step
    if min(values) >= 0:
        low = max(low, 0.0)
    if min(values) >= 0 and max(values) <= 1:
        high = min(high, 1.0)
    return round(low, decimals), round(high, decimals), decimals


def label(text: str, limit: int = 30) -> str:
    """A chart label: word characters and a little punctuation only, bounded length."""
    safe = _UNSAFE.sub("_", text)
    return safe if len(safe) <= limit else safe[: limit - 1] + "…"
