"""The change of the primary metric per model, PR − baseline, as a range chart in plain text.

Why not a Mermaid bar chart of the values: ``xychart-beta`` draws every bar series at the same x, so the PR
bar hides the baseline bar behind it; its y axis must be cut to the values for a difference to show at all
(``0.990 --> 1.000``), which makes a change of 0.0008 fill the chart; a model without a baseline needs a
made-up baseline bar; and Mermaid has no error bars, so the uncertainty of a change cannot be drawn.

This chart draws what the gate judges, the change, on an axis that always includes 0 (``│``, no change):
``●`` is the change and ``├──┤`` its interval when the comparison ran a test (``Row.low``/``Row.high``). A
model without a baseline (or a removed one) gets words, never a bar. It is a fenced ``text`` block of
characters every monospace font has (WGL4: box drawing, ``●``, the minus sign), so its columns line up in
a PR comment, a job summary and a terminal alike. Labels are reduced to a safe alphabet: a model name
cannot end the block or inject markup.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence

from mlgate.compare import Comparison, Row
from mlgate.report.cells import delta_cell, delta_decimals, signed
from mlgate.text.actions_log import neutralise

MAX_MODELS = 20  # more lines than this are unreadable; the table has every value anyway
WIDTH = 41  # columns of the plot
_UNSAFE = re.compile(r"[^\w .:+/()#-]")


def render_chart(comparison: Comparison, precision: int) -> str | None:
    """The fenced ``text`` block, or None without a primary metric, without any change, or with too many models."""
    primary = comparison.primary
    rows = [r for r in comparison.rows if r.kind == "quality" and r.metric == primary]
    changed = [r for r in rows if r.diff is not None]
    if primary is None or not changed or len(rows) > MAX_MODELS:
        return None
    low, high = axis_range([v for r in changed for v in (r.diff, r.low, r.high) if v is not None])
    decimals = max(delta_decimals(r, precision) for r in changed)
    names = [label(r.model) for r in rows]
    indent = max(len(n) for n in names) + 2
    lines = ["```text", _title(comparison, rows), " " * indent + _scale(low, high, decimals)]
    for name, row in zip(names, rows, strict=True):
        if row.diff is None:
            lines.append(f"{name:<{indent}}{'no baseline' if row.new is not None else 'removed'}")
        else:
            lines.append(f"{name:<{indent}}{_bar(row, low, high)}  {delta_cell(row, precision)}")
    lines.append("```")
    return "\n".join(lines)


def axis_range(values: Sequence[float]) -> tuple[float, float]:
    """The plotted range: every value and 0, nothing else (a range of zero width becomes −1 … 1)."""
    finite = [v for v in values if math.isfinite(v)]
    low, high = min([0.0, *finite]), max([0.0, *finite])
    return (low, high) if high > low else (-1.0, 1.0)


def column(value: float, low: float, high: float) -> int:
    """The plot column of ``value`` on the axis ``low`` … ``high``."""
    clamped = min(max(value, low), high)
    return round((clamped - low) / (high - low) * (WIDTH - 1))


def label(text: str, limit: int = 30) -> str:
    """A chart label: word characters and a little punctuation only, bounded length."""
    safe = neutralise(_UNSAFE.sub("_", text))  # a label may start a line of the chart
    return safe if len(safe) <= limit else safe[: limit - 1] + "…"


def _title(comparison: Comparison, rows: Sequence[Row]) -> str:
    name = label(comparison.primary or "")
    direction = rows[0].direction
    better = {"higher": "; better →", "lower": "; ← better"}.get(direction, "")
    parts = [f"{name}: change PR − baseline{better}", "● change", "│ no change"]
    methods = sorted({label(r.method, 40) for r in rows if r.method and r.low is not None and r.high is not None})
    if methods:
        level = f"{(1 - 2 * comparison.alpha) * 100:g} %"
        parts.insert(2, f"├─┤ {level} interval ({', '.join(methods)})")
    return " · ".join(parts)


def _scale(low: float, high: float, decimals: int) -> str:
    """Labels of the axis ends, then of 0, each where it falls; a 0 that would overlap an end is left out (the
    zero line is drawn on every bar anyway)."""
    cells = [" "] * WIDTH
    marks = [(0, signed(low, decimals), "left")] if low < 0 else []
    marks += [(WIDTH - 1, signed(high, decimals), "right")] if high > 0 else []
    marks.append((column(0.0, low, high), "0", "center"))
    taken: list[tuple[int, int]] = []
    for at, text, how in marks:
        start = at if how == "left" else at - len(text) + 1 if how == "right" else at - len(text) // 2
        start = min(max(start, 0), WIDTH - len(text))
        span = (start - 1, start + len(text))  # one blank column between labels
        if any(a <= span[1] and span[0] <= b for a, b in taken):
            continue
        taken.append((start, start + len(text) - 1))
        cells[start : start + len(text)] = list(text)
    return "".join(cells).rstrip()


def _bar(row: Row, low: float, high: float) -> str:
    cells = [" "] * WIDTH
    if row.low is not None and row.high is not None:
        start, end = column(row.low, low, high), column(row.high, low, high)
        cells[start : end + 1] = ["─"] * (end - start + 1)
        cells[start], cells[end] = "├", "┤"
    zero = column(0.0, low, high)
    cells[zero] = {"─": "┼", " ": "│"}.get(cells[zero], cells[zero])
    cells[column(row.diff or 0.0, low, high)] = "●"
    return "".join(cells)
