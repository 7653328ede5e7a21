"""Cells of the comparison report: numbers at a fixed precision, status marks, safe names, GitHub tables."""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from typing import Literal

from tabulate import tabulate

from mlgate.compare import Row
from mlgate.text.markdown import md

Align = Literal["left", "right", "center"]

ICONS = {
    "fail": "❌",
    "warn": "⚠️",
    "better": "✅",
    "same": "➖",
    "changed": "🔄",
    "new": "🆕",
    "removed": "🗑",
    "current": "—",
    "incomparable": "⛔",
    "unjudged": "·",
}
MARKS = {
    "fail": "✗ fail",
    "warn": "⚠ warn",
    "better": "✓ better",
    "same": "· same",
    "changed": "~ changed",
    "new": "+ new",
    "removed": "- removed",
    "current": "· current",
    "incomparable": "✗ not comparable",
    "unjudged": "· not judged",
}
LEGEND = (
    "✅ significantly better · ➖ no significant change · ⚠️ warning · ❌ failed gate · ⛔ not comparable · "
    "🆕 new · 🗑 removed · 🔄 changed, no direction · · not judged (timings not measured side by side)"
)
MINUS = "−"  # U+2212: a sign that is not a hyphen


QUALITY_DIGITS = 6  # significant digits of a quality metric, at most ``report.precision`` decimals
MEASURE_DIGITS = 4  # significant digits of a timing or a size ...
MEASURE_DECIMALS = 3  # ... at most this many decimals: 0.493 s, 31.42 ms, 185.6 KiB, 6,194 KiB
DELTA_DIGITS = 2  # a change shows at least this many significant digits (within the same bounds)
PERCENT_DIGITS = 3  # +366 %, +40.2 %, −4.48 %, at most 2 decimals


def decimals_for(magnitude: float, significant: int, most: int) -> int:
    """The decimals that show ``significant`` digits of ``magnitude``: never negative, at most ``most``."""
    if magnitude == 0 or not math.isfinite(magnitude):
        return most
    return max(0, min(most, significant - 1 - math.floor(math.log10(abs(magnitude)))))


def row_decimals(row: Row, precision: int) -> int:
    """One row's decimals, from the larger of its values: base, PR and spreads line up."""
    significant, most = (QUALITY_DIGITS, precision) if row.kind == "quality" else (MEASURE_DIGITS, MEASURE_DECIMALS)
    values = [abs(v) for v in (row.base, row.new) if v is not None and math.isfinite(v)]
    return decimals_for(max(values, default=0.0), significant, most)


def delta_decimals(row: Row, precision: int) -> int:
    """The decimals of a row's change: the row's, or more when that would show fewer than two digits of it."""
    most = precision if row.kind == "quality" else MEASURE_DECIMALS
    own = decimals_for(abs(row.diff), DELTA_DIGITS, most) if row.diff else 0
    return max(row_decimals(row, precision), own)


def quality_decimals(value: float | None, precision: int) -> int:
    """The decimals of a quality metric shown on its own (the best model's score)."""
    return decimals_for(abs(value) if value is not None else 0.0, QUALITY_DIGITS, precision)


def number(value: float | None, decimals: int) -> str:
    """``0.9371``, ``6,194`` at ``decimals``; a tiny non-zero value in scientific notation, never ``0.0000``."""
    if value is None:
        return "—"
    if not math.isfinite(value):
        return str(value)
    if value != 0 and abs(value) < 0.5 * 10.0**-decimals:
        return f"{value:.{max(decimals - 1, 1)}e}"
    return f"{value:,.{decimals}f}"


def signed(value: float | None, decimals: int, unit: str = "") -> str:
    """``+0.0420`` / ``−0.0420`` (a true minus sign) / ``0.0000``."""
    if value is None:
        return "—"
    magnitude = number(abs(value), decimals)
    if value == 0 or magnitude.strip("0.,") == "":
        return magnitude + unit
    return ("+" if value > 0 else MINUS) + magnitude + unit


def percent(value: float | None) -> str:
    """A relative change at three significant digits, at most two decimals: ``+366 %``, ``−4.48 %``."""
    return signed(value, decimals_for(abs(value or 0.0) or 1.0, PERCENT_DIGITS, 2), " %")


def value_cell(value: float | None, std: float | None, decimals: int) -> str:
    """The value, with ``± std`` over folds under cross-validation."""
    return number(value, decimals) + ("" if std is None or value is None else f" ± {number(std, decimals)}")


def delta_cell(row: Row, precision: int) -> str:
    """The change, with its interval when a test gave one: ``−0.0210 [−0.0480, +0.0040]``."""
    decimals = delta_decimals(row, precision)
    text = signed(row.diff, decimals)
    if row.diff is not None and row.low is not None and row.high is not None:
        text += f" [{signed(row.low, decimals)}, {signed(row.high, decimals)}]"
    return text


def change_summary(row: Row, precision: int) -> str:
    """How a failing/warning value broke its gate, the change in the unit of its tolerance.

    ``−4.48 % (tolerance 2 %)``, ``−0.0210 (tolerance 0.01)``, ``−0.0210 (−2.13 %; tolerance 0.01 or 2 %)``,
    ``0.81 (min 0.9)``.
    """
    rule = row.rule or ""
    if row.status == "incomparable":
        return "not comparable with the baseline"
    prefixes = ("tolerance ", "default margin ")
    if row.diff is not None and (rule.startswith(prefixes) or rule == "no tolerance"):
        body = next((rule.removeprefix(p) for p in prefixes if rule.startswith(p)), "")
        parts = body.split(" or ") if body else []
        relative, absolute = any(p.endswith("%") for p in parts), any(not p.endswith("%") for p in parts)
        decimals = delta_decimals(row, precision)
        change = signed(row.diff, decimals)
        if row.low is not None and row.high is not None:
            change += f" [{signed(row.low, decimals)}, {signed(row.high, decimals)}]"
        if row.pct is None or (absolute and not relative):
            return f"{change} ({rule})"
        return f"{percent(row.pct)} ({rule})" if relative and not absolute else f"{change} ({percent(row.pct)}; {rule})"
    return f"{number(row.new, row_decimals(row, precision))} ({row.rule or row.reason})"


def python_value(value: object) -> str:
    """A parameter value as Python spells it (``None``, ``True``, ``1e-05``, ``[1, 2]``); strings as they are."""
    return value if isinstance(value, str) else repr(value)


def run_link(url: str | None) -> str | None:
    """``[workflow run](URL)`` for an http(s) address with nothing that could end the link; else None."""
    if url and re.fullmatch(r"https?://[^\s()<>\[\]\"'`]+", url):
        return f"[workflow run]({url})"
    return None


def tracked_links(runs: Sequence[tuple[str, str]]) -> str | None:
    """``MLflow runs: [model](URL) · ...`` for the runs with a safe http(s) address; None when there is none."""
    links = [f"[{md(name, 60)}]({url})" for name, url in runs if re.fullmatch(r"https?://[^\s()<>\[\]\"'`\\]+", url)]
    return "MLflow runs: " + " · ".join(links) if links else None


def short_sha(sha: str | None) -> str | None:
    """The first 7 characters of a hex commit id; anything else (a tag, garbage) becomes None."""
    return sha[:7].lower() if sha and re.fullmatch(r"[0-9a-fA-F]{7,64}", sha) else None


def github_table(rows: Sequence[Sequence[str]], headers: Sequence[str], align: Sequence[Align]) -> str:
    """A tabulate ``github`` table whose rule line carries the column alignment (``|---:|``)."""
    text = tabulate(rows, headers=list(headers), tablefmt="github", disable_numparse=True, colalign=list(align))
    head, rule, *body = text.split("\n")
    cells = rule.strip("|").split("|")
    marks = []
    for cell, how in zip(cells, align, strict=True):
        width = len(cell)
        marks.append(
            ":" + "-" * (width - 1)
            if how == "left"
            else "-" * (width - 1) + ":"
            if how == "right"
            else ":" + "-" * (width - 2) + ":"
        )
    return "\n".join([head, "|" + "|".join(marks) + "|", *body])
