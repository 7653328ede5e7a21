"""Holm's step-down adjustment."""

from __future__ import annotations

import math

import pytest

from mlgate.errors import InputError
from mlgate.stats import adjust_holm


def test_textbook_example() -> None:
    # four tests at alpha 0.05: 0.005 < 0.05/4 and 0.01 < 0.05/3 are rejected, then 0.03 > 0.05/2 stops
    assert adjust_holm([0.01, 0.04, 0.03, 0.005]) == pytest.approx([0.03, 0.06, 0.06, 0.02])


def test_monotone_and_capped() -> None:
    p = [0.2, 0.001, 0.6, 0.04, 0.04, 0.9]
    adjusted = adjust_holm(p)
    ordered = [adjusted[i] for i in sorted(range(len(p)), key=lambda i: p[i])]
    assert ordered == sorted(ordered)
    assert all(a >= b for a, b in zip(adjusted, p, strict=True))
    assert max(adjusted) == 1.0
    assert adjust_holm([]) == []
    assert adjust_holm([0.3]) == [0.3]


@pytest.mark.parametrize("bad", [math.nan, -0.1, 1.5])
def test_not_a_probability(bad: float) -> None:
    with pytest.raises(InputError, match="is not a probability between 0 and 1"):
        adjust_holm([0.1, bad])
