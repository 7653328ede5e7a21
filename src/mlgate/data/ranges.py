"""What ``mlgate schema infer`` does with the ranges it observed: information, constraints, or wider ones.

The observed minimum and maximum of a training split are facts about that split, not rules of the data:
the test split and next season's rows fall outside them. So by default (``none``) they are only recorded,
under the field's ``x-mlgate.observed``; ``observed`` declares them as constraints, and ``widened`` declares
bounds with room around them (``widen_bounds``). Library code: returns data.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any, Literal

Ranges = Literal["none", "observed", "widened"]
RANGES: tuple[str, ...] = ("none", "observed", "widened")
_INT64 = (-(2**63), 2**63 - 1)
_DAY = dt.timedelta(days=1)


def widen_bounds(kind: str, low: Any, high: Any) -> tuple[Any, Any] | None:
    """Bounds around an observed [low, high]: half its width again on each side, rounded outward.

    The margin is half the observed span (at least one unit: 1, half the value for a constant number, one
    day); numbers are rounded outward to the margin's power of ten, so 18..90 becomes 0..130 and -17..40
    becomes -50..70. A bound never crosses zero that the data did not cross (counts stay >= 0). Dates move by
    whole days, datetimes to midnights. None when no bound can be written (an overflow).
    """
    if kind in ("integer", "year", "number"):
        return _widen_numbers(kind, low, high)
    if kind in ("date", "datetime"):
        return _widen_times(kind, low, high)
    return None


def widen_length(high: int) -> int:
    """The widened ``maxLength``: twice the longest value seen (``minLength`` is not declared)."""
    return 2 * high


def _widen_numbers(kind: str, low: Any, high: Any) -> tuple[Any, Any] | None:
    if kind != "number":  # integers stay exact, whatever their size
        margin = (high - low + 1) // 2 if high > low else max(abs(low) // 2, 1)
        step = 10 ** (len(str(margin)) - 1)
        lower, upper = (low - margin) // step * step, -((-(high + margin)) // step) * step
        lower, upper = _keep_sign(low, high, lower, upper, 0)
        return max(lower, _INT64[0]), min(upper, _INT64[1])
    if not (math.isfinite(low) and math.isfinite(high)):
        return None
    margin = high / 2 - low / 2 if high > low else (abs(low) / 2 or 1.0)  # halves first: no overflow
    exponent = math.floor(math.log10(margin))
    step, digits = 10.0**exponent, max(-exponent, 0)
    lower, upper = low - margin, high + margin
    if not (math.isfinite(lower) and math.isfinite(upper)):
        return None
    lower = round(math.floor(lower / step) * step, digits)
    upper = round(math.ceil(upper / step) * step, digits)
    lower, upper = _keep_sign(low, high, lower, upper, 0.0)
    return min(lower, low), max(upper, high)  # never inside what was seen, whatever the rounding


def _keep_sign(low: Any, high: Any, lower: Any, upper: Any, zero: Any) -> tuple[Any, Any]:
    """Data that never went below (above) zero gets no widened bound below (above) it; all zeros widen."""
    if low >= 0 and high > 0:
        lower = max(lower, zero)
    if high <= 0 and low < 0:
        upper = min(upper, zero)
    return lower, upper


def _widen_times(kind: str, low: dt.date, high: dt.date) -> tuple[Any, Any] | None:
    margin = max(_DAY, (high - low) / 2)
    if kind == "date":
        margin = dt.timedelta(days=math.ceil(margin / _DAY))
    try:
        lower, upper = low - margin, high + margin
    except OverflowError:
        return None
    if isinstance(lower, dt.datetime) and isinstance(upper, dt.datetime):
        lower = lower.replace(hour=0, minute=0, second=0, microsecond=0)
        midnight = upper.replace(hour=0, minute=0, second=0, microsecond=0)
        try:
            upper = midnight if midnight == upper else midnight + _DAY
        except OverflowError:
            return None
    return lower, upper
