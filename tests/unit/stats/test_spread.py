"""widen_by_seeds: the seed-to-seed variance added to a paired test, checked by hand."""

from __future__ import annotations

import math

import pytest
from scipy import stats

from mlgate.stats import PairedTest, widen_by_seeds

BASE = PairedTest(
    "paired t", estimate=-0.02, low=-0.03, high=-0.01, p_worse=0.001, p_better=1.0, se=0.006, mde=0.02, n=25_000
)


def test_the_seed_variance_of_both_sides_widens_the_test() -> None:
    wide = widen_by_seeds(BASE, base_sd=0.01, new_sd=0.012, fits=4, direction="higher", margin=0.005, alpha=0.05)
    extra = 0.01**2 + 0.012**2
    se = math.sqrt(0.006**2 + extra)
    df = (0.006**2 + extra) ** 2 / (extra**2 / 6)  # Welch–Satterthwaite: 3 df from each side's spread
    assert wide.se == pytest.approx(se)
    assert wide.p_worse == pytest.approx(stats.t(df).cdf((-0.02 + 0.005) / se))
    assert wide.p_worse > 0.05 > BASE.p_worse  # a seed-sized drop no longer fails
    assert wide.method == "paired t + seed spread (4 fits)"
    assert wide.low < BASE.low


def test_one_side_borrows_the_other_and_nothing_changes_without_a_spread() -> None:
    one = widen_by_seeds(BASE, base_sd=None, new_sd=0.01, fits=4, direction="higher", margin=0.0, alpha=0.05)
    assert one.se == pytest.approx(math.sqrt(0.006**2 + 2 * 0.01**2))
    for unchanged in (
        widen_by_seeds(BASE, base_sd=None, new_sd=None, fits=4, direction="higher", margin=0.0, alpha=0.05),
        widen_by_seeds(BASE, base_sd=0.0, new_sd=0.0, fits=4, direction="higher", margin=0.0, alpha=0.05),
        widen_by_seeds(BASE, base_sd=0.01, new_sd=0.01, fits=1, direction="higher", margin=0.0, alpha=0.05),
    ):
        assert unchanged is BASE
