"""test_sequential: the mSPRT of B − A and its confidence sequence, valid under continuous peeking."""

from __future__ import annotations

import math

import numpy as np
import pytest

from mlgate.errors import InputError
from mlgate.stats.sequential import (
    MIXTURE_SCALE,
    Moments,
    SequentialTest,
    estimate_remaining,
    measure_half_width,
    test_moments,
    test_sequential,
)


def test_a_hand_computed_look() -> None:
    # A = [0, 2]: mean 1, variance 2; B = [2, 4]: mean 3, variance 2; V = 2/2 + 2/2 = 2; tau = 1.
    result = test_sequential([0.0, 2.0], [2.0, 4.0], alpha=0.05, tau=1.0)
    assert result.estimate == 2.0
    assert (result.var_a, result.var_b) == (2.0, 2.0)
    # Lambda = sqrt(2/3) · exp(2² · 1 / (2 · 2 · 3)) = sqrt(2/3) · e^(1/3) ≈ 1.1395
    assert 1 / result.p_value == pytest.approx(math.sqrt(2 / 3) * math.exp(1 / 3))
    assert 1 / result.p_value == pytest.approx(1.13951, abs=1e-5)
    # half-width = sqrt(2 · 3 / 1 · (log(3/2) + 2 log 20)) ≈ 6.1953
    half = math.sqrt(6 * (math.log(1.5) + 2 * math.log(20)))
    assert half == pytest.approx(6.19529, abs=1e-5)
    assert result.lower == pytest.approx(2 - half)
    assert result.upper == pytest.approx(2 + half)
    assert (result.n_a, result.n_b, result.alpha, result.tau) == (2, 2, 0.05, 1.0)


def test_matches_johari_et_al_s_form_for_balanced_arms_of_known_variance() -> None:
    # Johari et al.: Lambda_n = sqrt(2σ²/(2σ² + nτ²)) · exp(n²τ²(Ȳ − X̄)² / (4σ²(2σ² + nτ²))) with σ² the variance.
    rng = np.random.default_rng(3)
    a, b = rng.normal(0.0, 1.0, 400), rng.normal(0.3, 1.0, 400)
    sigma2 = (np.var(a, ddof=1) + np.var(b, ddof=1)) / 2
    b = (b - b.mean()) / np.std(b, ddof=1) * math.sqrt(sigma2) + b.mean()  # the same variance in both arms
    a = (a - a.mean()) / np.std(a, ddof=1) * math.sqrt(sigma2) + a.mean()
    n, tau, diff = 400, 0.3, float(b.mean() - a.mean())
    johari = math.sqrt(2 * sigma2 / (2 * sigma2 + n * tau**2)) * math.exp(
        n**2 * tau**2 * diff**2 / (4 * sigma2 * (2 * sigma2 + n * tau**2))
    )
    result = test_sequential(a, b, alpha=0.05, tau=tau)
    assert johari > 20  # a clear effect: rejected
    assert 1 / johari == pytest.approx(result.p_value)
    assert result.lower > 0


def test_the_interval_excludes_zero_exactly_when_the_test_rejects() -> None:
    rng = np.random.default_rng(5)
    for shift in np.linspace(0.0, 0.4, 21):
        a, b = rng.normal(0, 1, 300), rng.normal(shift, 1, 300)
        result = test_sequential(a, b, alpha=0.1, tau=0.2)
        assert (result.lower > 0 or result.upper < 0) == (result.p_value <= 0.1)


def test_the_confidence_sequence_holds_the_truth_at_every_look_in_at_least_1_minus_alpha_of_runs() -> None:
    rng = np.random.default_rng(11)
    runs, misses, alpha = 400, 0, 0.05
    for _ in range(runs):
        a = (rng.random(2000) < 0.85).astype(float)
        b = (rng.random(2000) < 0.88).astype(float)
        for n in range(100, 2001, 50):  # peeking every 50 rows
            result = test_sequential(a[:n], b[:n], alpha=alpha, tau=None)
            if not result.lower <= 0.03 <= result.upper:
                misses += 1
                break
    assert misses / runs <= alpha


def test_the_interval_narrows_as_rows_come_in_and_the_p_value_falls_with_the_effect() -> None:
    rng = np.random.default_rng(2)
    a, b = rng.normal(0, 1, 4000), rng.normal(0, 1, 4000)
    widths = [test_sequential(a[:n], b[:n], alpha=0.05, tau=0.1) for n in (100, 400, 1600, 4000)]
    spans = [t.upper - t.lower for t in widths]
    assert spans == sorted(spans, reverse=True)
    p_values = [test_sequential(a, b + shift, alpha=0.05, tau=0.1).p_value for shift in (0.05, 0.1, 0.2)]
    assert p_values == sorted(p_values, reverse=True)
    assert p_values[-1] < 1e-6
    halves = [measure_half_width(v, 0.1, 0.05) for v in (1e-5, 1e-4, 1e-3, 1e-2, 1.0)]
    assert halves == sorted(halves)


def test_the_default_tau_is_a_tenth_of_the_pooled_standard_deviation() -> None:
    a, b = [0.0, 1.0, 0.0, 1.0], [1.0, 1.0, 1.0, 0.0]
    result = test_sequential(a, b, alpha=0.05, tau=None)
    assert MIXTURE_SCALE == 0.1
    assert result.tau == pytest.approx(0.1 * np.std(a + b, ddof=1))


@pytest.mark.parametrize(("a", "b"), [([], []), ([1.0], [0.0, 1.0]), ([0.0, 1.0], [1.0]), ([1.0] * 50, [1.0] * 50)])
def test_too_few_rows_or_no_spread_at_all_is_no_evidence(a: list[float], b: list[float]) -> None:
    result = test_sequential(a, b, alpha=0.05, tau=None)
    assert (result.lower, result.upper, result.p_value) == (-math.inf, math.inf, 1.0)
    assert not result.informative
    assert not math.isnan(result.estimate)
    assert estimate_remaining(result, 0.1) is None


def test_arms_without_spread_but_apart_take_the_pooled_variance() -> None:
    result = test_sequential([0.0] * 300, [1.0] * 300, alpha=0.05, tau=None)
    pooled = float(np.var([0.0] * 300 + [1.0] * 300, ddof=1))
    assert result.var_a == pytest.approx(pooled)
    assert result.var_b == pytest.approx(pooled)
    assert result.informative
    assert result.lower > 0.5
    assert result.p_value < 1e-6


def test_one_arm_without_spread_uses_the_other_arm_s_variance() -> None:
    a, b = [1.0] * 200, [1.0] * 190 + [0.0] * 10
    result = test_sequential(a, b, alpha=0.05, tau=None)
    assert result.var_a == 0
    assert result.var_b == pytest.approx(np.var(b, ddof=1))
    assert result.lower < -0.05 < result.upper


def test_counts_are_the_moments_of_their_indicators() -> None:
    counted = Moments.of_counts(7, 40)
    built = Moments.of([1.0] * 7 + [0.0] * 33)
    assert counted.n == built.n
    assert counted.mean == pytest.approx(built.mean)
    assert counted.squares == pytest.approx(built.squares)
    assert counted.variance == pytest.approx(np.var([1.0] * 7 + [0.0] * 33, ddof=1))
    assert Moments.of_counts(0, 0) == Moments(0, 0.0, 0.0)
    with_scale = test_moments(counted, Moments.of_counts(20, 40), alpha=0.05, tau=None, scale=1.0)
    assert with_scale.tau == pytest.approx(math.sqrt(27 * 53 / 80 / 79))


def test_remaining_rows_bring_the_half_width_just_below_the_effect() -> None:
    rng = np.random.default_rng(4)
    result = test_sequential(rng.normal(0, 1, 300), rng.normal(0, 2, 300), alpha=0.05, tau=0.2)
    more = estimate_remaining(result, -0.15)  # the sign does not matter
    assert more is not None
    assert more > 0

    def half(extra: int) -> float:
        return measure_half_width(result.var_a / (300 + extra) + result.var_b / (300 + extra), 0.2, 0.05)

    assert half(more) < 0.15 <= half(more - 1)


def test_remaining_is_zero_when_already_narrow_and_none_when_out_of_reach() -> None:
    rng = np.random.default_rng(6)
    result = test_sequential(rng.normal(0, 1, 500), rng.normal(0, 1, 500), alpha=0.05, tau=0.2)
    half = (result.upper - result.lower) / 2
    assert estimate_remaining(result, half * 1.01) == 0
    assert estimate_remaining(result, 0.0) is None
    assert estimate_remaining(result, 1e-5) is None  # beyond 10**7 more rows per arm


def test_bad_parameters_are_refused() -> None:
    with pytest.raises(InputError, match=r"alpha 1\.5 must be between 0 and 1"):
        test_sequential([0.0, 1.0], [0.0, 1.0], alpha=1.5, tau=None)
    with pytest.raises(InputError, match=r"tau -1\.0 must be a number > 0"):
        test_sequential([0.0, 1.0], [0.0, 1.0], alpha=0.05, tau=-1.0)
    with pytest.raises(InputError, match="every per-row value must be a finite number"):
        test_sequential([0.0, math.nan], [0.0, 1.0], alpha=0.05, tau=None)
    with pytest.raises(InputError, match="5 hits among 3 rows"):
        Moments.of_counts(5, 3)


def test_a_result_is_frozen() -> None:
    result = test_sequential([0.0, 1.0], [1.0, 1.0, 0.0], alpha=0.05, tau=0.5)
    assert isinstance(result, SequentialTest)
    with pytest.raises(AttributeError, match="cannot assign to field"):
        result.lower = 0.0  # type: ignore[misc]
