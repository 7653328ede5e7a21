"""Cells of the comparison report: numbers at a fixed precision, status marks, safe names, GitHub tables."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Literal

from tabulate import tabulate

from mlgate.compare import Row

Align = Literal["left", "right", "center"]

ICONS = {"fail": "❌", "warn": "⚠️", "better": "✅", "same": "➖", "changed": "🔄", "new": "🆕", "removed": "🗑",
         "current": "—"}  # fmt: skip
MARKS = {"fail": "✗ fail", "warn": "⚠ warn", "better": "✓ better", "same": "· same", "changed": "~ changed",
         "new": "+ new", "removed": "- removed", "current": "· current"}  # fmt: skip
LEGEND = "✅ better · ➖ unchanged or within tolerance · ⚠️ warning · ❌ failed gate · 🆕 new · 🗑 removed · 🔄 changed, no direction"
MINUS = "−"  # U+2212: a sign that is not a hyphen


def number(value: float | None, precision: int) -> str:
    """``0.9371`` at ``precision`` decimals; a tiny non-zero value in scientific notation, never ``0.0000``."""
    if value is None:
        return "—"
    if value != 0 and abs(value) < 0.5 * 10.0**-precision:
        return f"{value:.{max(precision - 1, 1)}e}"
    return f"{value:.{precision}f}"


def signed(value: float | None, precision: int, unit: str = "") -> str:
    """``+0.0420`` / ``−0.0420`` (a true minus sign) / ``0.0000``."""
    if value is None:
        return "—"
    magnitude = number(abs(value), precision)
    if float(magnitude) == 0:
        return magnitude + unit
    return ("+" if value > 0 else MINUS) + magnitude + unit


def percent(value: float | None) -> str:
    return signed(value, 2, " %")


def value_cell(value: float | None, std: float | None, precision: int) -> str:
    """The value, with ``± std`` over folds under cross-validation."""
    return number(value, precision) + ("" if std is None or value is None else f" ± {number(std, precision)}")


def change_summary(row: Row, precision: int) -> str:
    """How a failing/warning value broke its gate, in a few words: ``−4.48 % (tolerance 2 %)``, ``0.81 (min 0.9)``."""
    if row.diff is not None and row.rule and row.rule.startswith(("tolerance", "no tolerance")):
        change = percent(row.pct) if row.pct is not None else signed(row.diff, precision)
        return f"{change} ({row.rule})"
    return f"{number(row.new, precision)} ({row.rule or row.reason})"


def code(value: object, limit: int = 80) -> str:
    """A value inside an inline code span outside tables: no backticks, no line breaks, bounded length."""
    text = re.sub(r"[\x00-\x1f\x7f]", " ", str(value)).replace("`", "'")
    return text if len(text) <= limit else text[: limit - 1] + "…"


def plain(value: object, limit: int = 200) -> str:
    """A value for a terminal: control characters shown as ``\\xNN`` so nothing can move the cursor."""
    text = str(value)
    text = text if len(text) <= limit else text[: limit - 1] + "…"
    return re.sub(r"[\x00-\x1f\x7f]", lambda m: f"\\x{ord(m.group()):02x}", text)


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
            ":" + "-" * (width - 1) if how == "left" else "-" * (width - 1) + ":" if how == "right"
            else ":" + "-" * (width - 2) + ":"
        )  # fmt: skip
    return "\n".join([head, "|" + "|".join(marks) + "|", *body])
