"""``deploy`` and ``rollback``: gate, verify, switch, wait, smoke-test; on failure switch back and verify.

Order of a deploy: the gate (approved?) → hold the endpoint (busy → refused) → the live version is the
rollback target (already live → no-op) → the artifact's digest and types are verified by loading it
(tampered → invalid, nothing deployed) → switch → wait until clients get it (timeout → timed-out,
nothing further changed) → smoke test on the live endpoint. When the new version cannot be loaded or
fails its smoke test: switch back to the rollback target, wait, smoke-test it, mark the failed version
rejected (unless ``deploy.reject_on_failure`` is false) → rolled-back; when that cannot be done or
verified → needs-person. A rollback is the same with another gate. While an A/B test runs, a deploy may only ship
its challenger (a promotion: the test ends on it); a rollback first ends the test on its champion. Every run that touched the endpoint
appends one event to the registry's history. Nothing here prints: progress goes to ``say``.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from mlgate.deploy.deployer import Deployer, FlowSettings, Run
from mlgate.deploy.experiment import Experiments, Split
from mlgate.deploy.gate import Refusal, choose_for_deploy, choose_for_rollback, describe_approval
from mlgate.deploy.outcome import DeployOutcome
from mlgate.deploy.target import LoadFailed, Target, TargetBusy, TargetTimeout
from mlgate.errors import InputError, MlgateError
from mlgate.registry.actor import format_time
from mlgate.registry.model import HistoryEvent

if TYPE_CHECKING:
    from mlgate.registry.model import ModelVersion, Registry

__all__ = ["Deployer", "FlowSettings", "deploy", "rollback"]


def deploy(deployer: Deployer, version: str | None = None) -> DeployOutcome:
    """Put ``version`` (default: the newest approved) live on the target; see the module docstring."""
    run = Run(deployer, "deploy")
    try:
        chosen = choose_for_deploy(deployer.registry, version)
    except InputError as exc:
        return run.stop("gate", "invalid", exc, version=version)
    if isinstance(chosen, Refusal):
        return run.stop("gate", "refused", chosen, version=version)
    run.step("gate", "ok", describe_approval(chosen))
    try:
        with deployer.target.exclusive():
            return _ship(run, chosen)
    except TargetBusy as exc:
        return run.stop("endpoint", "refused", exc, version=chosen.version)


def rollback(
    deployer: Deployer, *, to: str | None = None, only_from: str | None = None, live_before: str | None = None
) -> DeployOutcome:
    """Restore the previous approved live version (or ``to``).

    With ``only_from``, only while that version is live; with ``live_before`` (the version live before the
    deploy that may have switched, ``""`` for none), only when the live version differs from it: the automatic
    rollback of a deploy run undoes a switch that run made, never a version that was already live.
    """
    run = Run(deployer, "rollback")
    try:
        with deployer.target.exclusive():
            live = deployer.target.current()
            unchanged = _describe_unchanged(live, only_from, live_before)
            if unchanged is not None:
                run.step("gate", "skipped", unchanged)
                return run.finish("no-op", unchanged, live=live)
            try:
                chosen = choose_for_rollback(deployer.registry, live, to)
            except InputError as exc:
                return run.stop("gate", "invalid", exc, version=to)
            if isinstance(chosen, Refusal):
                return run.stop("gate", "refused", chosen, version=to)
            run.step("gate", "ok", f"{describe_approval(chosen)}; live now: {live or 'none'}")
            return _ship(run, chosen)
    except TargetBusy as exc:
        return run.stop("endpoint", "refused", exc, version=to)


def _describe_unchanged(live: str | None, only_from: str | None, live_before: str | None) -> str | None:
    """Why a conditional rollback has nothing to undo, or None when it goes ahead."""
    if only_from is not None and live != only_from:
        return f"version {only_from} is not live (live: {live or 'none'}): nothing to roll back"
    if live_before is not None and (live_before or None) == live:
        return f"version {live or 'none'} was already live before the deploy started: no switch of it to undo"
    return None


def _ship(run: Run, version: ModelVersion) -> DeployOutcome:
    d, v = run.deployer, version.version
    run.version = v
    live = d.target.current()
    d.note({"previous-version": live or ""})  # before anything can change: what this run would have to undo
    serving = _served_version(d.target)  # an unreachable endpoint is a ServiceError: nothing was changed
    run.previous = live
    if live == v and serving == v:
        run.step("endpoint", "ok", f"{d.target.describe()} already serves version {v}")
        return run.finish("no-op", f"version {v} is already live", live=live)
    previous = _previous_version(d.registry, live)
    state = f"serves version {serving}" if serving else "serves no version"
    if previous is not None:
        plan = f"rollback target recorded: version {previous.version}"
    elif live is not None:
        plan = f"the live version {live} is not in the registry: no rollback target"
    else:
        plan = "nothing was live: no rollback target"
    run.step("endpoint", "ok", f"{d.target.describe()} {state} → {plan}")
    try:
        artifact = d.check_artifact(version)
    except InputError as exc:
        return run.stop("artifact", "invalid", exc, version=v, live=live)
    run.step("artifact", "ok", f"sha256 {version.sha256[:12]}… verified, types trusted")
    now = d.registry.get(v).status  # the hard gate again, right before the first change: approvals can be revoked
    if now != "approved":
        why = Refusal(f"version {v} is {now} now: its approval was withdrawn during the deploy", None)
        return run.stop("gate", "refused", why, version=v, live=live)
    split = _running_split(d.target)
    if split is not None and v != split.challenger and run.action == "deploy":
        why = Refusal(
            f"an A/B test runs on {d.target.describe()} (version {split.challenger} on {split.percent:g}% against "
            f"version {split.champion}): a deploy of version {v} would end it unjudged",
            hint="decide it (mlgate ab decide --labels FILE) or end it (mlgate ab stop) first; "
            "`mlgate rollback` still works",
        )
        return run.stop("gate", "refused", why, version=v, live=live)
    shadow = d.target.read_shadow() if isinstance(d.target, Experiments) else None
    d.note({"switched": "true"})  # before the call: a run that dies in it may have switched
    if split is not None:
        run.step("switch", "ok", _end_split(run, split, version, artifact))
        if v != split.challenger:
            d.target.switch(version, artifact)
    else:
        d.target.switch(version, artifact)
    run.step("switch", "ok", f"pointer → version {v}")
    if shadow is not None and isinstance(d.target, Experiments) and d.target.read_shadow() is None:
        _record_shadow_end(run, shadow.version)
    try:
        d.target.wait_until_serving(v, d.settings.timeout_s)
    except TargetTimeout as exc:
        return run.stop("wait", "timed-out", exc, version=v, live=v)
    except LoadFailed as exc:
        run.step("wait", "failed", exc.message)
        return _recover(run, version, previous, exc.message)
    run.step("wait", "ok", f"serving version {v}")
    run.smoke = d.smoke_test(version, reference=previous.version if previous is not None else None)
    if run.smoke.passed:
        run.step("smoke", "ok", run.smoke.summary())
        return run.finish("deployed", f"version {v} is live and passed its smoke test", live=v)
    run.step("smoke", "failed", run.smoke.summary())
    return _recover(run, version, previous, f"smoke test failed: {run.smoke.summary()}")


def _recover(run: Run, failed: ModelVersion, previous: ModelVersion | None, failure: str) -> DeployOutcome:
    d, v = run.deployer, failed.version
    if previous is None:
        run.step(
            "switch-back",
            "failed",
            f"no previous version to return to: version {v} stays live",
            hint=f"a person must decide: fix the endpoint, or deploy another approved version over {v}",
        )
        _reject(run, failed, failure)
        return run.finish("needs-person", f"{failure}; nothing to return to, version {v} stays live", live=v)
    p = previous.version
    try:
        artifact = d.check_artifact(previous)
        d.target.switch(previous, artifact)
    except MlgateError as exc:
        run.step(
            "switch-back",
            "failed",
            f"cannot return to version {p}: {exc.message}",
            hint=f"version {v} stays live; restore version {p}'s artifact, then run `mlgate rollback`",
        )
        _reject(run, failed, failure)
        return run.finish("needs-person", f"{failure}; could not return to version {p}: {exc.message}", live=v)
    run.step("switch-back", "ok", f"pointer → version {p}")
    try:
        d.target.wait_until_serving(p, d.settings.timeout_s)
    except (TargetTimeout, LoadFailed) as exc:
        run.step("wait-back", "failed", exc.message, hint=exc.hint)
        _reject(run, failed, failure)
        return run.finish("needs-person", f"{failure}; switching back to version {p}: {exc.message}", live=p)
    run.step("wait-back", "ok", f"serving version {p} again")
    run.verify = d.smoke_test(previous)
    run.step("verify", "ok" if run.verify.passed else "failed", run.verify.summary())
    _reject(run, failed, failure)
    if not run.verify.passed:
        reason = f"{failure}; version {p} is back but fails its smoke test: {run.verify.summary()}"
        return run.finish("needs-person", reason, live=p)
    return run.finish("rolled-back", failure, live=p)


def _reject(run: Run, failed: ModelVersion, failure: str) -> None:
    d, v = run.deployer, failed.version
    if not d.settings.reject_on_failure:
        run.step("registry", "skipped", f"version {v} stays approved (deploy.reject_on_failure is false)")
        return
    reason = f"{run.action} to {d.target.name} failed its checks: {failure}"
    try:
        d.registry.set_status(v, "rejected", by=d.actor, reason=reason)
    except MlgateError as exc:
        run.step("registry", "failed", f"could not mark version {v} rejected: {exc.message}", hint=exc.hint)
        return
    run.rejected = True
    run.step("registry", "ok", f"version {v} marked rejected")


def _running_split(target: Target) -> Split | None:
    return target.read_split() if isinstance(target, Experiments) else None


def _end_split(run: Run, split: Split, version: ModelVersion, artifact: Path) -> str:
    """End the running A/B test: on the challenger when it is the version shipped (a promotion), else on the
    champion (a rollback during the test), recorded in the history."""
    d = run.deployer
    assert isinstance(d.target, Experiments)
    if version.version == split.challenger:
        d.target.end_split(version, artifact)
        return f"the A/B test ends: its challenger, version {version.version}, takes all traffic"
    champion = d.registry.get(split.champion)
    d.target.end_split(champion, d.check_artifact(champion))
    detail = {
        "champion": split.champion,
        "reason": f"{run.action} to version {version.version}",
        "target": d.target.name,
    }
    at = format_time(d.now())
    event = HistoryEvent(at, "ab-stopped", split.challenger, d.actor, detail["reason"], detail)
    d.registry.record(event)
    return f"the A/B test of version {split.challenger} ends: version {split.champion} takes all traffic first"


def _record_shadow_end(run: Run, version: str) -> None:
    """The switch replaced the endpoint's shadow (SageMaker: a new config): the history says so."""
    d = run.deployer
    detail = {"target": d.target.name, "reason": f"{run.action} to version {run.version}"}
    at = format_time(d.now())
    d.registry.record(HistoryEvent(at, "shadow-stopped", version, d.actor, detail["reason"], detail))
    run.step("switch", "ok", f"the shadow of version {version} ended with the switch")


def _served_version(target: Target) -> str | None:
    reply = target.ping()
    if reply.status != 200:
        return None
    body_version = reply.body.get("version") if isinstance(reply.body, dict) else None
    return reply.version or (str(body_version) if body_version is not None else None)


def _previous_version(registry: Registry, live: str | None) -> ModelVersion | None:
    if live is None:
        return None
    try:
        return registry.get(live)
    except InputError:
        return None  # a pointer to a version the registry does not know cannot be restored from it
