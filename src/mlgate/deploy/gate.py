"""The gate: which version a deploy or rollback may put live, and how its approval reads.

Only ``approved`` versions pass. A deploy without a version takes the newest approved one; a rollback
without ``--to`` takes the latest other version the endpoint was left on that is still approved.
"""

from __future__ import annotations

from dataclasses import dataclass

from mlgate.deploy.history import find_previous_live
from mlgate.errors import InputError
from mlgate.registry.model import ModelVersion, Registry, StatusChange


@dataclass(frozen=True)
class Refusal:
    """Why a version may not go live, and what to do about it."""

    message: str
    hint: str | None = None


def choose_for_deploy(registry: Registry, version: str | None) -> ModelVersion | Refusal:
    """``version`` (an unknown one is an InputError), or the newest approved version."""
    if version is not None:
        return check_approved(registry.get(version))
    approved = [v for v in registry.list() if v.status == "approved"]
    if not approved:
        return Refusal(
            "no approved version in the registry",
            hint="approve one first: mlgate registry approve VERSION --reason WHY",
        )
    return approved[-1]


def choose_for_rollback(registry: Registry, live: str | None, to: str | None) -> ModelVersion | Refusal:
    """``to`` (which must be approved), or the latest other approved version from the deploy history."""
    if to is not None:
        return check_approved(registry.get(to))
    chosen = find_previous_live(registry.history(), live, lambda v: is_approved(registry, v))
    if chosen is None:
        return Refusal(
            f"nothing to roll back to: no approved version other than {live or 'none'} was live before",
            hint="name one with --to VERSION",
        )
    return registry.get(chosen)


def check_approved(version: ModelVersion) -> ModelVersion | Refusal:
    """``version`` when approved, else a Refusal that says its status, who set it and why."""
    if version.status == "approved":
        return version
    outside = version.extra.get("outside_mlgate")
    if isinstance(outside, list) and outside:
        return Refusal(
            describe_outside(version, [str(item) for item in outside]),
            hint=f"if it should go live, approve it through mlgate (that records who and why): "
            f"mlgate registry approve {version.version} --reason WHY; otherwise undo the change in the registry",
        )
    change = version.history[-1] if version.history else None
    why = f" ({describe_change(change)})" if change else ""
    hint = (
        f"approve it first: mlgate registry approve {version.version} --reason WHY"
        if version.status == "pending"
        else "a rejected version is not deployed; register and approve a fixed one"
    )
    return Refusal(f"version {version.version} is {version.status}, not approved{why}", hint=hint)


def describe_outside(version: ModelVersion, outside: list[str]) -> str:
    """A version marked outside mlgate (an alias or status tag a person set in the registry's own UI or API)."""
    when = version.extra.get("outside_changed_at")
    stamp = f"; the version last changed {when}" if isinstance(when, str) and when else ""
    return (
        f"version {version.version} has {' and '.join(outside)} set outside mlgate (the registry records no author "
        f"for it{stamp}), but mlgate's history has no approval of it: it is {version.status}"
    )


def is_approved(registry: Registry, version: str) -> bool:
    """Whether ``version`` exists and is approved now."""
    try:
        return registry.get(version).status == "approved"
    except InputError:
        return False


def describe_change(change: StatusChange) -> str:
    """``by alice, 2026-11-20: "beats v6 on recall"``."""
    reason = f': "{change.reason}"' if change.reason else ""
    return f"by {change.by}, {change.at[:10]}{reason}"


def describe_approval(version: ModelVersion) -> str:
    """The gate line of an approved version."""
    change = version.history[-1] if version.history else None
    return f"version {version.version} is approved" + (f" ({describe_change(change)})" if change else "")
