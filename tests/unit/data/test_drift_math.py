"""Unit tests for mlgate.data.drift_math: PSI, the KS and chi-square p-values, medians and chart bins on counts."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import special
from scipy import stats as scipy_stats

from mlgate.data.drift_math import (
    CHART_BINS,
    PSI_EPSILON,
    chart_categorical,
    chart_numeric,
    chi_square_pvalue,
    ks_pvalue,
    population_stability,
    quantile_at,
)


def test_population_stability_is_the_symmetric_kl_sum_with_floored_shares() -> None:
    reference, current = [40, 30, 20, 10, 0], [30, 30, 30, 0, 10]
    q = np.maximum(np.asarray(reference) / 100, PSI_EPSILON)
    p = np.maximum(np.asarray(current) / 100, PSI_EPSILON)
    expected = float(np.sum(special.rel_entr(p, q) + special.rel_entr(q, p)))
    assert population_stability(reference, current) == pytest.approx(expected, rel=1e-12)
    assert population_stability([5, 5], [50, 50]) == 0.0  # shares, not counts, are compared
    assert population_stability([0, 0], [0, 0]) == 0.0  # empty vectors do not divide by zero


def test_ks_pvalue_is_the_asymptotic_kolmogorov_tail() -> None:
    en = np.sqrt(1000 * 3000 / 4000)
    assert ks_pvalue(0.05, 1000, 3000) == pytest.approx(special.kolmogorov((en + 0.12 + 0.11 / en) * 0.05), rel=1e-9)
    assert ks_pvalue(0.5, 0, 10) == 1.0  # nothing to compare with
    assert ks_pvalue(0.9, 500, 500) == pytest.approx(0.0, abs=1e-12)
    assert ks_pvalue(0.001, 100, 100) == 1.0


@pytest.mark.parametrize(
    ("names", "count", "labels"),
    [(["a", "b"], 2, ("a", "b")), ([f"c{i}" for i in range(12)], 12, (*[f"c{i}" for i in range(9)], "(other)"))],
)
def test_chart_categorical_folds_the_tail_into_other(names: list[str], count: int, labels: tuple[str, ...]) -> None:
    reference, current = np.ones(count), np.arange(count, dtype=np.float64)
    shown, ref_shares, cur_shares = chart_categorical(names, reference, current)
    assert shown == labels
    assert len(shown) <= CHART_BINS
    assert sum(ref_shares) == pytest.approx(1.0)
    assert sum(cur_shares) == pytest.approx(1.0)
    assert ref_shares[0] == pytest.approx(1 / count)


def test_chart_numeric_labels_the_bins_between_edges() -> None:
    labels, ref_shares, cur_shares = chart_numeric([1.5, 3.0], [1, 2, 1], np.array([0, 0, 4]))
    assert labels == ("≤1.5", "1.5–3", ">3")
    assert ref_shares == (0.25, 0.5, 0.25)
    assert cur_shares == (0.0, 0.0, 1.0)
    assert chart_numeric([], [3], np.array([3]))[0] == ("all",)


def test_chi_square_matches_scipy_and_pools_sparse_bins() -> None:
    ref, cur = [400, 300, 200, 100], [30, 40, 20, 10]
    expected = scipy_stats.chi2_contingency(np.array([ref, cur]), correction=False).pvalue
    assert chi_square_pvalue(ref, cur) == pytest.approx(expected)
    # bins 3 and 4 expect fewer than 5 current rows: pooled (and "other", empty in both, dropped); the pool still
    # expects fewer than 5, so it joins the smallest bin left
    sparse_ref, sparse_cur = [500, 400, 20, 10, 0], [50, 40, 3, 1, 0]
    pooled = scipy_stats.chi2_contingency(np.array([[500, 430], [50, 44]]), correction=False).pvalue
    assert chi_square_pvalue(sparse_ref, sparse_cur) == pytest.approx(pooled)
    big_pool = scipy_stats.chi2_contingency(np.array([[500, 400, 60], [50, 40, 12]]), correction=False).pvalue
    assert chi_square_pvalue([500, 400, 30, 30], [50, 40, 6, 6]) == pytest.approx(big_pool)
    assert chi_square_pvalue(sparse_ref, sparse_cur) == pytest.approx(pooled)
    assert chi_square_pvalue([10, 0], [0, 0]) == 1.0  # no current rows: nothing to test
    assert chi_square_pvalue([100, 1], [10, 0]) == 1.0  # one cell left after pooling


def test_quantile_at_reads_the_median_off_cut_points() -> None:
    assert quantile_at([1, 2, 3, 4], [0.2, 0.45, 0.7, 1.0], 0.5) == 3.0
    assert quantile_at([1, 2, 3], [0.1, 0.2, 0.3], 0.5) is None  # the median lies beyond the last cut point
