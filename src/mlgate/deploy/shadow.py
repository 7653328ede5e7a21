"""``mlgate deploy VERSION --shadow`` and ``mlgate shadow stop``: start and stop shadowing on the local target.

Starting: the version must be registered and not rejected (a shadow answers no client, so approval is not needed:
shadowing is how evidence for an approval is gathered), must not be the live version, and its artifact must load
(digest first, then only trusted types: the server loads it the same way). Then ``shadow.json`` is written
atomically (the server starts within a poll) and the registry's history gets ``shadow-started``. Stopping removes
``shadow.json`` and records ``shadow-stopped``. Both hold the endpoint's deploy lock, so they never interleave
with a deploy or rollback. Other targets have no shadow yet (an InputError saying so).
"""

from __future__ import annotations

from mlgate.deploy.deployer import Deployer
from mlgate.deploy.local import LocalTarget
from mlgate.errors import InputError
from mlgate.registry.actor import format_time
from mlgate.registry.model import HistoryEvent
from mlgate.serve.shadow_state import (
    ShadowChange,
    ShadowPointer,
    check_fraction,
    clear_shadow,
    read_shadow,
    write_shadow,
)
from mlgate.serve.state import LivePointer, read_pointer


def start_shadow(deployer: Deployer, version: str, fraction: float) -> ShadowChange:
    """Shadow ``version`` on ``fraction`` of the live requests (see the module docstring)."""
    target = _local(deployer)
    share = check_fraction(fraction)
    chosen = deployer.registry.get(version)
    if chosen.status == "rejected":
        raise InputError(
            f"version {chosen.version} is rejected: it is not shadowed", hint="register and shadow a fixed version"
        )
    with target.exclusive():
        live = read_pointer(target.state)
        if live is not None and live.version == chosen.version:
            raise InputError(
                f"version {chosen.version} is the live version: a shadow answers beside another version",
                hint="shadow a candidate, e.g. the newest registered version",
            )
        artifact = deployer.check_artifact(chosen)
        deployer.say(f"artifact of version {chosen.version}: sha256 {chosen.sha256[:12]}… verified, types trusted")
        now = deployer.now()
        pointer = LivePointer(
            version=chosen.version,
            model=chosen.model,
            artifact=str(artifact.resolve()),
            sha256=chosen.sha256,
            trusted_types=target.trusted_types,
            features=tuple(chosen.features),
            switched_at=now.isoformat(timespec="milliseconds"),
            feature_schema=chosen.feature_schema,
        )
        previous = read_shadow(target.state)
        write_shadow(target.state, ShadowPointer(pointer, share, format_time(now)))
        detail = {"fraction": share, "target": target.name, "live": live.version if live else None}
        if previous is not None and previous.pointer.version != chosen.version:
            detail["replaced"] = previous.pointer.version
        deployer.registry.record(
            HistoryEvent(
                at=format_time(now), event="shadow-started", version=chosen.version, by=deployer.actor, detail=detail
            )
        )
    live_version = live.version if live else None
    message = (
        f"version {chosen.version} shadows {'version ' + live_version if live_version else 'the endpoint'} on "
        f"{share:.0%} of requests; its answers go to {target.state / 'shadow'} (`mlgate shadow status`)"
    )
    return ShadowChange("started", chosen.version, share, live_version, str(target.state), message)


def stop_shadow(deployer: Deployer) -> ShadowChange:
    """Stop shadowing; a no-op (``not-running``) when nothing shadows."""
    target = _local(deployer)
    with target.exclusive():
        current = read_shadow(target.state)
        live = read_pointer(target.state)
        live_version = live.version if live else None
        if current is None or not clear_shadow(target.state):
            return ShadowChange("not-running", None, None, live_version, str(target.state), "nothing was shadowing")
        version = current.pointer.version
        now = format_time(deployer.now())
        deployer.registry.record(
            HistoryEvent(
                at=now, event="shadow-stopped", version=version, by=deployer.actor, detail={"target": target.name}
            )
        )
    return ShadowChange(
        "stopped", version, current.fraction, live_version, str(target.state), f"version {version} no longer shadows"
    )


def _local(deployer: Deployer) -> LocalTarget:
    target = deployer.target
    if not isinstance(target, LocalTarget):
        raise InputError(
            f"shadowing runs on the local target only; {target.name} has no shadow yet",
            hint="replay the captured traffic instead: mlgate replay VERSION (docs/experiments.md)",
        )
    return target
