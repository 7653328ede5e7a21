"""The traffic the demo sends its endpoint: a drifted copy of the test rows, in requests (pure).

``drift_rows`` shifts a few fields of those rows the way a changed population would: numbers scaled and
moved (kept inside the schema's bounds, so the rows stay valid and only their distribution changes) and a
category replaced, so ``mlgate monitor`` must name exactly those fields.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

Row = dict[str, Any]


@dataclass(frozen=True)
class Shift:
    """How one field moves: a number becomes ``value * scale + offset`` (clamped), a category becomes ``to``."""

    field: str
    scale: float = 1.0
    offset: float = 0.0
    to: str | None = None
    minimum: float | None = None
    maximum: float | None = None

    def describe(self) -> str:
        if self.to is not None:
            return f"{self.field} → {self.to!r} for every row"
        parts = [f"×{self.scale:g}" if self.scale != 1 else "", f"{self.offset:+g}" if self.offset else ""]
        return f"{self.field} {' '.join(p for p in parts if p)}"


# The churn example's shift: pricier plans, longer-standing customers, everyone on premium.
CHURN_SHIFTS = (
    Shift("monthly_charges", scale=1.6, offset=15.0, minimum=0.0),
    Shift("tenure_months", offset=36.0, minimum=0.0, maximum=120.0),
    Shift("plan", to="premium"),
)


def drift_rows(rows: Sequence[Row], shifts: Sequence[Shift]) -> list[Row]:
    """A copy of ``rows`` with every shift applied (None stays None; integers stay integers)."""
    return [_shifted(row, shifts) for row in rows]


def _shifted(row: Row, shifts: Sequence[Shift]) -> Row:
    out = dict(row)
    for shift in shifts:
        value = out.get(shift.field)
        if value is None or shift.field not in out:
            continue
        if shift.to is not None:
            out[shift.field] = shift.to
            continue
        moved = float(value) * shift.scale + shift.offset
        if shift.minimum is not None:
            moved = max(shift.minimum, moved)
        if shift.maximum is not None:
            moved = min(shift.maximum, moved)
        out[shift.field] = round(moved) if isinstance(value, int) else round(moved, 2)
    return out


def batches(rows: Sequence[Row], size: int) -> list[list[Row]]:
    """``rows`` in consecutive requests of at most ``size`` rows."""
    return [list(rows[start : start + size]) for start in range(0, len(rows), max(1, size))]
