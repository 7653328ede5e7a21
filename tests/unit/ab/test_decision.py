"""decide_ab: guardrails first (they only stop), then the always-valid test of the primary metric."""

from __future__ import annotations

import dataclasses
from types import MappingProxyType
from typing import Any

import numpy as np
import pytest

from mlgate.ab.decision import Arm, check_settings, decide_ab
from mlgate.config import AbConfig
from mlgate.errors import ConfigError, InternalError
from mlgate.stats.sequential import estimate_remaining, test_sequential

SETTINGS = AbConfig()


def arm(
    accuracy: float,
    rows: int,
    *,
    seed: int,
    version: str = "1",
    requests: int = 5000,
    errors: int = 0,
    p99_ms: float | None = 20.0,
    guards: dict[str, tuple[float, ...]] | None = None,
) -> Arm:
    """An arm whose per-row gains are exactly round(accuracy · rows) ones, shuffled."""
    ones = round(accuracy * rows)
    gains = np.random.default_rng(seed).permutation([1.0] * ones + [0.0] * (rows - ones))
    return Arm(version, tuple(gains.tolist()), requests, errors, p99_ms, MappingProxyType(guards or {}))


def test_a_clearly_better_challenger_is_promoted() -> None:
    decision = decide_ab(arm(0.80, 2000, seed=1), arm(0.88, 2000, seed=2, version="2"), SETTINGS, metric="accuracy")
    assert decision.outcome == "promote"
    assert decision.primary is not None
    assert decision.primary.lower > 0
    assert decision.primary.estimate == pytest.approx(0.08)
    assert decision.reason.startswith("the challenger is better: accuracy +0.08 [")
    assert "(95% always-valid), above the required +0" in decision.reason
    assert decision.remaining is None
    assert [g.name for g in decision.guardrails] == ["server errors", "p99 latency"]
    assert decision.guardrails[0].measured == "no errors yet (champion 0.00% of 5,000, challenger 0.00% of 5,000)"
    assert not any(g.tripped for g in decision.guardrails)


def test_a_clearly_worse_challenger_is_stopped() -> None:
    decision = decide_ab(arm(0.88, 2000, seed=1), arm(0.80, 2000, seed=2), SETTINGS, metric="accuracy")
    assert decision.outcome == "stop"
    assert decision.primary is not None
    assert decision.primary.upper < 0
    assert decision.reason.startswith("the challenger is not better than required: accuracy -0.08 [")


def test_a_challenger_better_but_not_by_the_minimum_effect_is_stopped() -> None:
    settings = AbConfig(min_effect=0.2)
    decision = decide_ab(arm(0.80, 2000, seed=1), arm(0.88, 2000, seed=2), settings, metric="accuracy")
    assert decision.outcome == "stop"
    assert decision.primary is not None
    assert decision.primary.lower > 0
    assert decision.primary.upper < 0.2
    assert "below the required +0.2" in decision.reason


def test_fewer_labels_than_min_labels_continues_with_what_is_missing() -> None:
    decision = decide_ab(arm(0.5, 150, seed=1), arm(1.0, 180, seed=2), SETTINGS, metric="accuracy")
    assert decision.outcome == "continue"
    assert decision.remaining == 50
    assert decision.reason == "waiting for labels: 150 (champion) and 180 (challenger) of the 200 needed per variant"
    assert decision.primary is not None  # shown, not acted on


def test_no_labels_yet_continues_without_a_test() -> None:
    decision = decide_ab(arm(0.9, 0, seed=1), arm(0.9, 0, seed=2), SETTINGS, metric="accuracy")
    assert (decision.outcome, decision.primary, decision.remaining) == ("continue", None, 200)


def test_an_undecided_test_continues_with_the_labels_its_interval_needs() -> None:
    champion, challenger = arm(0.85, 400, seed=1), arm(0.87, 400, seed=2)
    decision = decide_ab(champion, challenger, SETTINGS, metric="accuracy")
    assert decision.outcome == "continue"
    test = test_sequential(champion.gains, challenger.gains, alpha=0.05, tau=None)
    expected = estimate_remaining(test, test.estimate)
    assert expected is not None
    assert decision.remaining == expected
    assert 0 < expected < SETTINGS.max_labels - 400
    assert decision.reason.startswith("not enough evidence yet: accuracy +0.02 [")
    assert decision.reason.endswith(f"includes the required +0; about {expected:,} more labels per variant")


def test_the_remaining_labels_are_capped_by_max_labels() -> None:
    settings = AbConfig(max_labels=450)
    decision = decide_ab(arm(0.85, 400, seed=1), arm(0.85, 400, seed=2), settings, metric="accuracy")
    assert (decision.outcome, decision.remaining) == ("continue", 50)  # estimate 0: the interval never clears it


def test_max_labels_without_a_decision_stops_and_the_champion_stays() -> None:
    settings = AbConfig(max_labels=400)
    decision = decide_ab(arm(0.85, 400, seed=1), arm(0.86, 400, seed=2), settings, metric="accuracy")
    assert decision.outcome == "stop"
    assert decision.reason.startswith("not shown better after 400 labels: the champion stays (accuracy +0.01 [")


def test_a_challenger_that_answers_nothing_stops_at_once() -> None:
    challenger = arm(0.95, 0, seed=2, requests=20, errors=20)
    decision = decide_ab(arm(0.9, 0, seed=1, requests=20), challenger, SETTINGS, metric="accuracy")
    assert decision.outcome == "stop"
    assert decision.reason == (
        "guardrail server errors tripped: the challenger stopped answering: none of its 20 requests answered"
    )
    assert decision.guardrails[0].tripped


def test_nineteen_unanswered_requests_are_not_judged_yet() -> None:
    challenger = arm(0.95, 0, seed=2, requests=19, errors=19)
    decision = decide_ab(arm(0.9, 0, seed=1, requests=19), challenger, SETTINGS, metric="accuracy")
    assert decision.outcome == "continue"
    assert decision.guardrails[0].measured.startswith("not judged before 20 requests per variant")


def test_an_error_rate_shown_above_the_allowed_increase_stops_even_a_better_challenger() -> None:
    champion = arm(0.80, 2000, seed=1, requests=2000, errors=2)
    challenger = arm(0.90, 2000, seed=2, requests=2000, errors=200)
    decision = decide_ab(champion, challenger, SETTINGS, metric="accuracy")
    assert decision.outcome == "stop"
    errors = decision.guardrails[0]
    assert errors.tripped
    assert errors.limit == "≤ +1.00% over the champion"
    assert errors.measured.startswith("+9.90% [")
    assert errors.measured.endswith("(champion 0.10% of 2,000, challenger 10.00% of 2,000)")
    assert decision.reason.startswith("guardrail server errors tripped: the challenger's error rate is shown +9.90% [")


def test_a_few_more_errors_within_the_allowance_do_not_stop() -> None:
    champion = arm(0.80, 2000, seed=1, requests=2000, errors=2)
    challenger = arm(0.90, 2000, seed=2, requests=2000, errors=12)
    decision = decide_ab(champion, challenger, SETTINGS, metric="accuracy")
    assert decision.outcome == "promote"
    assert not decision.guardrails[0].tripped


def test_a_slow_challenger_trips_the_latency_guardrail() -> None:
    champion = arm(0.80, 2000, seed=1, p99_ms=20.0)
    challenger = arm(0.90, 2000, seed=2, p99_ms=31.0)
    decision = decide_ab(champion, challenger, SETTINGS, metric="accuracy")
    assert decision.outcome == "stop"
    latency = decision.guardrails[1]
    assert (latency.tripped, latency.measured) == (True, "1.55× (31.0 ms vs 20.0 ms)")
    assert decision.reason == "guardrail p99 latency tripped: the challenger's p99 is 1.55× (31.0 ms vs 20.0 ms)"


@pytest.mark.parametrize(("requests", "p99"), [(99, 100.0), (5000, None)])
def test_latency_is_not_judged_before_min_requests_or_without_a_p99(requests: int, p99: float | None) -> None:
    champion = arm(0.80, 2000, seed=1, requests=requests, p99_ms=20.0)
    challenger = arm(0.90, 2000, seed=2, requests=requests, p99_ms=p99)
    decision = decide_ab(champion, challenger, SETTINGS, metric="accuracy")
    assert decision.outcome == "promote"
    assert decision.guardrails[1].measured == "not judged before 100 timed requests per variant"


def test_a_guard_metric_shown_worse_stops_and_one_within_its_margin_does_not() -> None:
    rng = np.random.default_rng(8)
    good, bad = tuple(rng.normal(0.0, 1.0, 2000).tolist()), tuple(rng.normal(-0.5, 1.0, 2000).tolist())
    champion = arm(0.80, 2000, seed=1, guards={"f1_macro": good})
    challenger = arm(0.90, 2000, seed=2, guards={"f1_macro": bad})
    stopped = decide_ab(champion, challenger, SETTINGS, metric="accuracy")
    assert stopped.outcome == "stop"
    assert stopped.guardrails[2].name == "f1_macro"
    assert stopped.reason.startswith("guardrail f1_macro tripped: f1_macro is shown worse: -0.")
    tolerant = decide_ab(champion, challenger, AbConfig(guard_margin=1.0), metric="accuracy")
    assert tolerant.outcome == "promote"
    assert tolerant.guardrails[2].limit == "≥ -1 vs the champion"
    assert not tolerant.guardrails[2].tripped


def test_a_guard_metric_is_not_judged_before_min_labels() -> None:
    champion = arm(0.80, 100, seed=1, guards={"r2": (1.0,) * 100})
    challenger = arm(0.90, 100, seed=2, guards={"r2": (0.0,) * 100})
    decision = decide_ab(champion, challenger, SETTINGS, metric="accuracy")
    assert decision.outcome == "continue"
    assert decision.guardrails[2].measured == "not judged before 200 labels per variant"


def test_a_guard_metric_measured_for_one_variant_only_is_a_bug() -> None:
    champion = arm(0.80, 300, seed=1, guards={"r2": (1.0,) * 300})
    with pytest.raises(InternalError, match="guard metric 'r2' was measured for one variant only"):
        decide_ab(champion, arm(0.9, 300, seed=2), SETTINGS, metric="accuracy")


def test_the_configured_mixture_is_used() -> None:
    decision = decide_ab(arm(0.80, 500, seed=1), arm(0.88, 500, seed=2), AbConfig(mixture=0.05), metric="accuracy")
    assert decision.primary is not None
    assert decision.primary.tau == 0.05


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"alpha": 0.5}, r"ab\.alpha is 0\.5; it must be between 0 and 0\.5"),
        ({"alpha": 0.0}, r"ab\.alpha is 0; it must be between 0 and 0\.5"),
        ({"min_effect": float("nan")}, r"ab\.min_effect is nan; it must be a finite number"),
        ({"mixture": 0.0}, r"ab\.mixture is 0; it must be a number > 0"),
        ({"min_labels": 0}, r"ab\.min_labels is 0 and ab\.max_labels 20000; they must be 1 ≤ min_labels ≤ max_labels"),
        ({"max_labels": 100}, r"ab\.min_labels is 200 and ab\.max_labels 100"),
        ({"max_error_increase": 1.0}, r"ab\.max_error_increase is 1; it must be a share in \[0, 1\)"),
        ({"max_p99_ratio": 0.9}, r"ab\.max_p99_ratio is 0\.9; it must be a number ≥ 1"),
        ({"min_requests": 0}, r"ab\.min_requests is 0; it must be ≥ 1"),
        ({"guard_margin": -0.1}, r"ab\.guard_margin is -0\.1; it must be a number ≥ 0"),
    ],
)
def test_unusable_settings_name_the_key(change: dict[str, Any], message: str) -> None:
    settings = dataclasses.replace(SETTINGS, **change)
    with pytest.raises(ConfigError, match=message):
        check_settings(settings)
    with pytest.raises(ConfigError, match=message):
        decide_ab(arm(0.8, 300, seed=1), arm(0.9, 300, seed=2), settings, metric="accuracy")


def test_the_defaults_are_usable() -> None:
    check_settings(SETTINGS)
    assert decide_ab(arm(0.9, 300, seed=1), arm(0.9, 300, seed=2), SETTINGS, metric="accuracy").outcome == "continue"
