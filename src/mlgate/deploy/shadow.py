"""``mlgate deploy VERSION --shadow`` and ``mlgate shadow stop``: start and stop shadowing on the local target.

Starting: the version must be registered and not rejected (a shadow answers no client, so approval is not needed:
shadowing is how evidence for an approval is gathered), must not be the live version, and its artifact must load
(digest first, then only trusted types: the server loads it the same way). Then ``shadow.json`` is written
atomically (the server starts within a poll) and the registry's history gets ``shadow-started``. Stopping removes
``shadow.json`` and records ``shadow-stopped``. Both hold the endpoint's deploy lock, so they never interleave
with a deploy or rollback. The target does the rest (``mlgate.deploy.experiment.Experiments``: ``shadow.json`` on the
local target, a shadow variant on SageMaker).
"""

from __future__ import annotations

from typing import Any

from mlgate.deploy.deployer import Deployer
from mlgate.deploy.experiment import find_experiments
from mlgate.deploy.local import LocalTarget
from mlgate.deploy.target import Target
from mlgate.errors import InputError
from mlgate.registry.actor import format_time
from mlgate.registry.model import HistoryEvent
from mlgate.serve.shadow_state import ShadowChange, check_fraction


def start_shadow(deployer: Deployer, version: str, fraction: float) -> ShadowChange:
    """Shadow ``version`` on ``fraction`` of the live requests (see the module docstring)."""
    target = deployer.target
    experiments = find_experiments(target)
    share = check_fraction(fraction)
    chosen = deployer.registry.get(version)
    if chosen.status == "rejected":
        raise InputError(
            f"version {chosen.version} is rejected: it is not shadowed", hint="register and shadow a fixed version"
        )
    with target.exclusive():
        live_version = target.current()
        if live_version == chosen.version:
            raise InputError(
                f"version {chosen.version} is the live version: a shadow answers beside another version",
                hint="shadow a candidate, e.g. the newest registered version",
            )
        artifact = deployer.check_artifact(chosen)
        deployer.say(f"artifact of version {chosen.version}: sha256 {chosen.sha256[:12]}… verified, types trusted")
        now = format_time(deployer.now())
        previous = experiments.read_shadow()
        experiments.start_shadow(chosen, artifact, share, now)
        detail: dict[str, Any] = {"fraction": share, "target": target.name, "live": live_version}
        if previous is not None and previous.version != chosen.version:
            detail["replaced"] = previous.version
        deployer.registry.record(
            HistoryEvent(
                at=now,
                event="shadow-started",
                version=chosen.version,
                by=deployer.actor,
                reason=f"shadows version {live_version or 'none'} on {share:.0%} of the requests",
                detail=detail,
            )
        )
    message = (
        f"version {chosen.version} shadows {'version ' + live_version if live_version else 'the endpoint'} on "
        f"{share:.0%} of requests on {target.describe()} (`mlgate shadow status`)"
    )
    return ShadowChange("started", chosen.version, share, live_version, _where(target), message)


def stop_shadow(deployer: Deployer) -> ShadowChange:
    """Stop shadowing; a no-op (``not-running``) when nothing shadows."""
    target = deployer.target
    experiments = find_experiments(target)
    with target.exclusive():
        current = experiments.read_shadow()
        live_version = target.current()
        if current is None or not experiments.stop_shadow():
            return ShadowChange("not-running", None, None, live_version, _where(target), "nothing was shadowing")
        now = format_time(deployer.now())
        deployer.registry.record(
            HistoryEvent(
                at=now,
                event="shadow-stopped",
                version=current.version,
                reason="stopped by hand",
                by=deployer.actor,
                detail={"target": target.name},
            )
        )
    return ShadowChange(
        "stopped",
        current.version,
        current.fraction,
        live_version,
        _where(target),
        f"version {current.version} no longer shadows",
    )


def _where(target: Target) -> str:
    """The local target's state folder (where the records go), else the target's description."""
    return str(target.state) if isinstance(target, LocalTarget) else target.describe()
