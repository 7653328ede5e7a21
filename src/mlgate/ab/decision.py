"""``decide_ab``: promote, stop or continue an A/B test, from the rows and requests each variant has seen so far.

Pure: ``mlgate ab decide`` and ``scripts/bench_ab.py`` call this same function. The rules, in order:

1. **Settings** (``check_settings``): unusable ``ab.*`` values raise a ConfigError naming the key.
2. **Guardrails** (each can only stop; fail safe, so a doubtful guardrail never promotes anything):
   - *server errors*: once both variants have min(20, ``min_requests``) requests, a challenger that answered none
     of them "stopped answering" and stops at once; otherwise the always-valid test (``mlgate.stats.sequential``)
     of B − A on 0/1 error indicators trips when its lower bound is above ``max_error_increase``. Its tau is the
     pooled standard deviation itself (``BREAKAGE_SCALE``): a guardrail looks for breakage, found in few requests.
   - *p99 latency*: once both have ``min_requests`` requests, B / A above ``max_p99_ratio`` (a point comparison).
   - *each guard metric* (the names in the arms' ``guards``): once both have ``min_labels`` rows, the test of B − A
     trips when its upper bound is below −``guard_margin`` (shown worse than allowed).
3. **Quality**: fewer than ``min_labels`` labelled rows in either arm: continue. Else the always-valid test of the
   primary metric's per-row gains B − A (tau: ``ab.mixture``, else the default rule): promote when its lower bound
   is above ``min_effect``; stop when its upper bound is below it (shown not better than required); stop when
   either arm reached ``max_labels`` with neither (the champion stays: not shown better); continue otherwise.

Error rates: a false promotion (true B − A ≤ min_effect, lower bound above it) and a false stop on quality (true
B − A ≥ min_effect, upper bound below it) each need the truth outside the confidence sequence, which happens at
some look with chance ≤ alpha in all: both together stay ≤ alpha however often ``decide`` runs. Each guardrail
test adds its own (one-sided) chance of a false stop; stops cost power, never safety. ``remaining`` (continue)
is the labels per variant until the interval, centred at today's estimate with today's variances, clears
``min_effect``: its half-width must fall below |estimate − min_effect|; capped by what ``max_labels`` leaves, the
experiment's end at the latest (so the figure is always finite).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from mlgate.config import AbConfig
from mlgate.errors import ConfigError, InternalError
from mlgate.stats.sequential import Moments, SequentialTest, estimate_remaining, test_moments, test_sequential

BREAKAGE_SCALE = 1.0  # the error guardrail's tau: this × the pooled standard deviation of the error indicators
ANSWERING_FLOOR = 20  # requests before "stopped answering" and the error test are judged (or min_requests if less)


@dataclass(frozen=True)
class Arm:
    """What one variant has seen: per-row gains of the primary metric (higher is better) and its requests."""

    version: str
    gains: tuple[float, ...]
    requests: int
    errors: int
    p99_ms: float | None
    guards: Mapping[str, tuple[float, ...]] = field(default_factory=lambda: MappingProxyType({}))


@dataclass(frozen=True)
class Guardrail:
    name: str
    limit: str
    measured: str
    tripped: bool
    detail: str


@dataclass(frozen=True)
class AbDecision:
    outcome: str  # "promote" | "stop" | "continue"
    reason: str
    primary: SequentialTest | None
    guardrails: tuple[Guardrail, ...]
    remaining: int | None  # continue: labels per variant still expected to be needed


def check_settings(settings: AbConfig) -> None:
    """Usable ``ab.*`` settings, else a ConfigError naming the key and what to set."""
    s = settings
    if not (math.isfinite(s.alpha) and 0 < s.alpha < 0.5):
        raise ConfigError(f"ab.alpha is {s.alpha:g}; it must be between 0 and 0.5", hint="0.05 is usual")
    if not math.isfinite(s.min_effect):
        raise ConfigError(f"ab.min_effect is {s.min_effect:g}; it must be a finite number (metric units)")
    if s.mixture is not None and not (math.isfinite(s.mixture) and s.mixture > 0):
        raise ConfigError(
            f"ab.mixture is {s.mixture:g}; it must be a number > 0 (metric units)",
            hint="leave it unset for the default: 0.1 of the metric's standard deviation",
        )
    if s.min_labels < 1 or s.max_labels < s.min_labels:
        raise ConfigError(
            f"ab.min_labels is {s.min_labels} and ab.max_labels {s.max_labels}; they must be 1 ≤ min_labels ≤ max_labels"
        )
    if not (math.isfinite(s.max_error_increase) and 0 <= s.max_error_increase < 1):
        raise ConfigError(
            f"ab.max_error_increase is {s.max_error_increase:g}; it must be a share in [0, 1) (0.01: 1 %)"
        )
    if not (math.isfinite(s.max_p99_ratio) and s.max_p99_ratio >= 1):
        raise ConfigError(f"ab.max_p99_ratio is {s.max_p99_ratio:g}; it must be a number ≥ 1 (1.5: 50 % slower)")
    if s.min_requests < 1:
        raise ConfigError(f"ab.min_requests is {s.min_requests}; it must be ≥ 1")
    if not (math.isfinite(s.guard_margin) and s.guard_margin >= 0):
        raise ConfigError(f"ab.guard_margin is {s.guard_margin:g}; it must be a number ≥ 0 (metric units)")


def decide_ab(champion: Arm, challenger: Arm, settings: AbConfig, *, metric: str) -> AbDecision:
    """The decision on ``challenger`` against ``champion`` (rules in the module docstring)."""
    check_settings(settings)
    guardrails = (
        judge_errors(champion, challenger, settings),
        judge_latency(champion, challenger, settings),
        *judge_guards(champion, challenger, settings),
    )
    n_a, n_b = len(champion.gains), len(challenger.gains)
    test = test_sequential(champion.gains, challenger.gains, alpha=settings.alpha, tau=settings.mixture)
    primary = test if n_a and n_b else None
    tripped = next((g for g in guardrails if g.tripped), None)
    if tripped is not None:
        return AbDecision("stop", f"guardrail {tripped.name} tripped: {tripped.detail}", primary, guardrails, None)
    bar = settings.min_effect
    if min(n_a, n_b) < settings.min_labels:
        missing = settings.min_labels - min(n_a, n_b)
        reason = (
            f"waiting for labels: {n_a:,} (champion) and {n_b:,} (challenger) of the {settings.min_labels:,} "
            "needed per variant"
        )
        return AbDecision("continue", reason, primary, guardrails, missing)
    shown = f"{metric} {show_interval(test)}"
    if test.lower > bar:
        reason = f"the challenger is better: {shown}, above the required {bar:+.4g}"
        return AbDecision("promote", reason, test, guardrails, None)
    if test.upper < bar:
        reason = f"the challenger is not better than required: {shown}, below the required {bar:+.4g}"
        return AbDecision("stop", reason, test, guardrails, None)
    if max(n_a, n_b) >= settings.max_labels:
        reason = f"not shown better after {max(n_a, n_b):,} labels: the champion stays ({shown})"
        return AbDecision("stop", reason, test, guardrails, None)
    left = settings.max_labels - max(n_a, n_b)
    needed = estimate_remaining(test, test.estimate - bar)
    remaining = max(1, min(left, needed if needed is not None else left))
    reason = f"not enough evidence yet: {shown} includes the required {bar:+.4g}; about {remaining:,} more labels per variant"
    return AbDecision("continue", reason, test, guardrails, remaining)


def judge_errors(champion: Arm, challenger: Arm, settings: AbConfig) -> Guardrail:
    """The server-error guardrail: stopped answering, or an error rate shown above the allowed increase."""
    floor = min(ANSWERING_FLOOR, settings.min_requests)
    limit = f"≤ {settings.max_error_increase:+.2%} over the champion"
    rates = f"champion {_rate(champion)}, challenger {_rate(challenger)}"
    if challenger.requests >= floor and challenger.errors >= challenger.requests:
        detail = f"the challenger stopped answering: none of its {challenger.requests:,} requests answered"
        return Guardrail("server errors", limit, rates, True, detail)
    if min(champion.requests, challenger.requests) < floor:
        return Guardrail("server errors", limit, f"not judged before {floor} requests per variant ({rates})", False, "")
    test = test_moments(
        Moments.of_counts(champion.errors, champion.requests),
        Moments.of_counts(challenger.errors, challenger.requests),
        alpha=settings.alpha,
        tau=None,
        scale=BREAKAGE_SCALE,
    )
    tripped = test.lower > settings.max_error_increase
    measured = f"{_percent_interval(test)} ({rates})" if test.informative else f"no errors yet ({rates})"
    detail = f"the challenger's error rate is shown {_percent_interval(test)} above the champion's" if tripped else ""
    return Guardrail("server errors", limit, measured, tripped, detail)


def judge_latency(champion: Arm, challenger: Arm, settings: AbConfig) -> Guardrail:
    """The p99 guardrail: the challenger's p99 over the champion's, once both have ``min_requests`` requests."""
    limit = f"≤ {settings.max_p99_ratio:g}× the champion's p99"
    a, b = champion.p99_ms, challenger.p99_ms
    if min(champion.requests, challenger.requests) < settings.min_requests or a is None or b is None or a <= 0:
        return Guardrail(
            "p99 latency", limit, f"not judged before {settings.min_requests} timed requests per variant", False, ""
        )
    ratio = b / a
    measured = f"{ratio:.2f}× ({b:.1f} ms vs {a:.1f} ms)"
    tripped = ratio > settings.max_p99_ratio
    return Guardrail("p99 latency", limit, measured, tripped, f"the challenger's p99 is {measured}" if tripped else "")


def judge_guards(champion: Arm, challenger: Arm, settings: AbConfig) -> tuple[Guardrail, ...]:
    """One guardrail per guard metric: tripped when B − A is shown below −``guard_margin``."""
    names = tuple(dict.fromkeys([*champion.guards, *challenger.guards]))
    judged = []
    for name in names:
        if name not in champion.guards or name not in challenger.guards:
            raise InternalError(f"guard metric {name!r} was measured for one variant only")
        a, b = champion.guards[name], challenger.guards[name]
        limit = f"≥ {-settings.guard_margin:+.4g} vs the champion"
        if min(len(a), len(b)) < settings.min_labels:
            judged.append(
                Guardrail(name, limit, f"not judged before {settings.min_labels:,} labels per variant", False, "")
            )
            continue
        test = test_sequential(a, b, alpha=settings.alpha, tau=None)
        tripped = test.upper < -settings.guard_margin
        detail = f"{name} is shown worse: {show_interval(test)}" if tripped else ""
        judged.append(Guardrail(name, limit, show_interval(test), tripped, detail))
    return tuple(judged)


def show_interval(test: SequentialTest) -> str:
    """``+0.021 [+0.008, +0.034] (95% always-valid)``."""
    return f"{test.estimate:+.4g} [{test.lower:+.4g}, {test.upper:+.4g}] ({1 - test.alpha:.0%} always-valid)"


def _percent_interval(test: SequentialTest) -> str:
    return f"{test.estimate:+.2%} [{test.lower:+.2%}, {test.upper:+.2%}]"


def _rate(arm: Arm) -> str:
    share = arm.errors / arm.requests if arm.requests else 0.0
    return f"{share:.2%} of {arm.requests:,}"
