"""Holm's (1979) step-down adjustment: family-wise error control over the gates of one report."""

from __future__ import annotations

import math
from collections.abc import Sequence

from mlgate.errors import InputError


def adjust_holm(p_values: Sequence[float]) -> list[float]:
    """Holm-adjusted p-values in the input order: the i-th smallest of m becomes the running maximum of
    (m − j + 1)·p_(j) over j ≤ i, capped at 1. Rejecting where the adjusted p is below alpha is Holm's test."""
    for p in p_values:
        if not (math.isfinite(p) and 0 <= p <= 1):
            raise InputError(f"p-value {p} is not a probability between 0 and 1")
    m = len(p_values)
    adjusted = [0.0] * m
    running = 0.0
    for rank, index in enumerate(sorted(range(m), key=lambda i: p_values[i])):
        running = max(running, min(1.0, (m - rank) * p_values[index]))
        adjusted[index] = running
    return adjusted
