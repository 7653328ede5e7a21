"""test_shift: a live value against the registered one, two independent samples."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from mlgate.stats import Predictions
from mlgate.stats.uncertainty import Spread, estimate_spread
from mlgate.stats.unpaired import LIVE_ONLY, test_shift


def test_means_of_losses_match_welchs_t_test() -> None:
    rng = np.random.default_rng(0)
    y_reg, y_live = rng.normal(size=300), rng.normal(size=120)
    reg_pred, live_pred = y_reg + rng.normal(0, 1.0, 300), y_live + rng.normal(0.2, 1.3, 120)
    registered = estimate_spread("mean_absolute_error", y_reg, Predictions(pred=reg_pred))
    live = estimate_spread("mean_absolute_error", y_live, Predictions(pred=live_pred))
    result = test_shift(registered, live, direction="lower", margin=0.0, alpha=0.05)
    welch = stats.ttest_ind(
        np.abs(y_live - live_pred), np.abs(y_reg - reg_pred), equal_var=False, alternative="greater"
    )
    assert result.p_worse == pytest.approx(welch.pvalue)
    assert result.estimate == pytest.approx(live.value - registered.value)
    assert result.method == "two-sample Welch t (s/√n of per-row absolute error)"
    assert result.n == 120


def test_a_z_test_with_a_margin_and_its_interval() -> None:
    registered, live = Spread(0.90, 0.01, 1000, "binomial"), Spread(0.86, 0.02, 300, "binomial")
    se = np.hypot(0.01, 0.02)
    result = test_shift(registered, live, direction="higher", margin=0.01, alpha=0.05)
    assert result.p_worse == pytest.approx(stats.norm.cdf((-0.04 + 0.01) / se))
    assert result.p_better == pytest.approx(stats.norm.sf(-0.04 / se))
    assert (result.low, result.high) == pytest.approx((-0.04 - 1.6449 * se, -0.04 + 1.6449 * se), abs=1e-4)
    assert result.se == pytest.approx(se)


def test_without_the_registered_se_the_live_se_is_used_alone_and_said() -> None:
    registered, live = Spread(0.90, None, 1000, "binomial"), Spread(0.86, 0.02, 300, "binomial")
    result = test_shift(registered, live, direction="higher", margin=0.0, alpha=0.05)
    assert result.method.endswith(LIVE_ONLY)
    assert result.p_worse == pytest.approx(stats.norm.cdf(-0.04 / 0.02))


def test_no_live_spread_decides_nothing() -> None:
    result = test_shift(
        Spread(0.9, 0.01, 100, "DeLong"), Spread(0.5, None, 3, "DeLong"), direction="higher", margin=0.0, alpha=0.05
    )
    assert (result.p_worse, result.low, result.high) == (1.0, -np.inf, np.inf)
