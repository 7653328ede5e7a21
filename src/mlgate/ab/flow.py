"""``mlgate deploy VERSION --ab PERCENT``, ``mlgate ab status|decide|stop``: run an A/B test and act on its decision.

- **start**: the challenger must be *approved* (it answers real clients), must not be live, its artifact must load
  (digest, trusted types), something must be live (the champion), and no other split may run on the endpoint.
  The target starts the split under its deploy lock; the history gets ``ab-started``.
- **decide**: the labels are joined to what each variant answered (``mlgate.ab.evidence``), the guardrails and the
  sequential test judge (``mlgate.ab.decision``), the history gets ``ab-decision`` with the evidence, and unless
  ``dry_run`` the decision is carried out:
  ``promote`` is a deploy of the challenger (``mlgate.deploy.flow.deploy``: the approval gate again — promoting a
  version that is not approved is impossible —, the switch, the smoke test, the automatic rollback), then the split
  ends; ``stop`` sends every client back to the champion and marks the challenger rejected with the reason;
  ``continue`` changes nothing.
- **stop** (by hand): the split ends, the champion answers everyone; nothing is rejected.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from mlgate.ab.answers import AnswersReader, read_answers
from mlgate.ab.decision import AbDecision, decide_ab
from mlgate.ab.evidence import gather_evidence
from mlgate.ab.model import AbChange, AbResult, Evidence
from mlgate.config import Config
from mlgate.deploy import flow
from mlgate.deploy.deployer import Deployer
from mlgate.deploy.experiment import Experiments, Split, VariantHealth, find_experiments
from mlgate.deploy.gate import Refusal, check_approved
from mlgate.errors import ExitCode, InputError, MlgateError
from mlgate.registry.actor import format_time
from mlgate.registry.model import HistoryEvent
from mlgate.serve.ab_state import check_percent, split_key


class NoTestRunning(InputError):
    """``decide`` or ``status`` with no A/B test on the endpoint."""


class AbRefused(MlgateError):
    """The A/B test cannot start or be acted on as asked (nothing was changed)."""

    exit_code = ExitCode.CHECKS_FAILED


def start_ab(deployer: Deployer, version: str, percent: float, key: str) -> AbChange:
    """Serve ``percent`` of the clients (by ``key``) with ``version`` beside the live one."""
    target = deployer.target
    experiments = find_experiments(target)
    share = check_percent(percent)
    split_key(key)
    chosen = deployer.registry.get(version)
    approved = check_approved(chosen)
    if isinstance(approved, Refusal):
        raise AbRefused(
            f"version {chosen.version} is {chosen.status}: an A/B test serves real clients, so only approved "
            f"versions take part ({approved.message})",
            hint=approved.hint or f"mlgate registry approve {chosen.version} --reason WHY, or shadow it instead",
        )
    with target.exclusive():
        champion = target.current()
        running = experiments.read_split()
        if running is not None:
            raise AbRefused(
                f"an A/B test already runs on {target.describe()}: version {running.challenger} on "
                f"{running.percent:g}% against version {running.champion} since {running.started_at}",
                hint="decide it (mlgate ab decide --labels FILE) or end it (mlgate ab stop) before starting another",
            )
        if champion is None:
            raise AbRefused("nothing is live: an A/B test needs a champion", hint="deploy a version first")
        if champion == chosen.version:
            raise AbRefused(f"version {chosen.version} is the live version: it cannot be its own challenger")
        artifact = deployer.check_artifact(chosen)
        deployer.say(f"artifact of version {chosen.version}: sha256 {chosen.sha256[:12]}… verified, types trusted")
        now = format_time(deployer.now())
        split = Split(champion, chosen.version, share, key, now)
        experiments.start_split(split, chosen, artifact)
        detail = {"champion": champion, "percent": share, "key": key, "target": target.name}
        why = f"A/B test: {share:g}% of the clients (by {key}) against version {champion}"
        _record(deployer, "ab-started", chosen.version, now, detail, why)
    message = (
        f"version {chosen.version} answers {share:g}% of the clients (by {key}) on {target.describe()}; "
        f"version {champion} the rest (`mlgate ab status`, `mlgate ab decide --labels FILE`)"
    )
    return AbChange("started", split, target.name, message)


def stop_ab(deployer: Deployer, reason: str) -> AbChange:
    """End the running split by hand: every client back to the champion (nothing rejected)."""
    target = deployer.target
    experiments = find_experiments(target)
    with target.exclusive():
        split = experiments.read_split()
        if split is None:
            return AbChange("not-running", None, target.name, "no A/B test was running")
        champion = deployer.registry.get(split.champion)
        experiments.end_split(champion, deployer.check_artifact(champion))
        detail = {"champion": split.champion, "reason": reason, "target": target.name}
        _record(deployer, "ab-stopped", split.challenger, format_time(deployer.now()), detail, reason)
    return AbChange("stopped", split, target.name, f"version {split.champion} answers every client again")


def decide_ab_test(
    deployer: Deployer,
    config: Config,
    *,
    labels: Path | None,
    act: bool,
    regression: bool,
    record: bool = True,
    read: AnswersReader = read_answers,
) -> AbResult:
    """Judge the running split (with ``labels``; without, only its health); with ``record`` the decision goes to
    the registry's history, with ``act`` it is carried out. ``read`` finds what each variant answered."""
    target = deployer.target
    experiments = find_experiments(target)
    split = experiments.read_split()
    if split is None:
        raise NoTestRunning(
            f"no A/B test runs on {target.describe()}",
            hint="start one with mlgate deploy VERSION --ab PERCENT",
        )
    now = deployer.now()
    since = dt.datetime.fromisoformat(split.started_at.replace("Z", "+00:00"))
    health = experiments.read_health(split, since)
    evidence = decision = None
    if labels is not None:
        features = deployer.registry.get(split.champion).features
        answers = read(config, target, split, since=since, until=now, features=features)
        evidence = gather_evidence(config, split, answers, health, labels, regression=regression)
        decision = decide_ab(evidence.champion, evidence.challenger, config.ab, metric=evidence.metric)
    base = AbResult(split, target.name, format_time(now), _ordered(health, split), evidence, decision, "not-acted", "")
    if decision is None:
        return _with(base, "not-acted", "no labels: the health of both variants only (decide needs --labels)")
    if record:
        detail = _evidence(split, decision, evidence, act)
        why = f"{decision.outcome}: {decision.reason}"
        _record(deployer, "ab-decision", split.challenger, format_time(now), detail, why)
    if not act:
        return _with(base, "not-acted", f"decision {decision.outcome} (not carried out)")
    if decision.outcome == "promote":
        return _promote(deployer, experiments, base, split)
    if decision.outcome == "stop":
        return _stop(deployer, experiments, base, split, decision)
    return _with(base, "continued", f"the test goes on: {decision.reason}")


def _promote(deployer: Deployer, experiments: Experiments, base: AbResult, split: Split) -> AbResult:
    """A deploy of the challenger; the flow ends the split on it. A deploy that did not go through (refused, rolled
    back) leaves the champion live: the split, if the flow had not ended it yet, ends on the champion."""
    outcome = flow.deploy(deployer, split.challenger)
    if outcome.outcome not in ("deployed", "no-op"):
        champion = deployer.registry.get(split.champion)
        with deployer.target.exclusive():
            if experiments.read_split() is not None:
                experiments.end_split(champion, deployer.check_artifact(champion))
        acted = "refused" if outcome.outcome == "refused" else "stopped"
        return _with(
            base, acted, f"promotion of version {split.challenger} {outcome.outcome}: {outcome.reason}", outcome
        )
    message = f"version {split.challenger} promoted: it answers every client (was version {split.champion})"
    return _with(base, "promoted", message, outcome)


def _stop(deployer: Deployer, experiments: Experiments, base: AbResult, split: Split, decision: AbDecision) -> AbResult:
    champion = deployer.registry.get(split.champion)
    with deployer.target.exclusive():
        experiments.end_split(champion, deployer.check_artifact(champion))
    reason = f"A/B test against version {split.champion} stopped: {decision.reason}"
    deployer.registry.set_status(split.challenger, "rejected", by=deployer.actor, reason=reason[:500])
    message = f"version {split.champion} answers every client again; version {split.challenger} rejected"
    return _with(base, "stopped", message)


def _with(base: AbResult, acted: str, message: str, deploy: Any = None) -> AbResult:
    from dataclasses import replace

    return replace(base, acted=acted, message=message, deploy=deploy)


def _ordered(health: Mapping[str, VariantHealth], split: Split) -> tuple[VariantHealth, ...]:
    return tuple(health[v] for v in (split.champion, split.challenger) if v in health)


def _evidence(split: Split, decision: AbDecision, evidence: Evidence | None, act: bool) -> dict[str, Any]:
    detail: dict[str, Any] = {"outcome": decision.outcome, "reason": decision.reason, "champion": split.champion}
    detail["acted"] = act
    if evidence is not None:
        detail |= {
            "metric": evidence.metric,
            "labels": {split.champion: len(evidence.champion.gains), split.challenger: len(evidence.challenger.gains)},
        }
    if decision.primary is not None:
        test = decision.primary
        bounds = {"estimate": test.estimate, "lower": test.lower, "upper": test.upper}
        detail |= {k: (v if math.isfinite(v) else None) for k, v in bounds.items()} | {"alpha": test.alpha}
    tripped = [g.name for g in decision.guardrails if g.tripped]
    if tripped:
        detail["guardrails"] = tripped
    return detail


def _record(deployer: Deployer, event: str, version: str, at: str, detail: dict[str, Any], reason: str) -> None:
    event_ = HistoryEvent(at=at, event=event, version=version, by=deployer.actor, reason=reason[:500], detail=detail)
    deployer.registry.record(event_)
