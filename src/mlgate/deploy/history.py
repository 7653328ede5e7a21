"""Deploys and rollbacks in the registry's history, and the live versions read back from it.

Every deploy or rollback that changed the endpoint appends one event whose ``detail["live"]`` names the
version live after it and ``detail["previous"]`` the one before. Read in order, those events are the
endpoint's timeline; ``rollback`` without
``--to`` goes to the latest version in it that is not live now and is still approved.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from mlgate.deploy.outcome import DeployOutcome
from mlgate.registry.model import HistoryEvent

LIVE_EVENTS = frozenset({"deployed", "rolled-back", "deploy-failed", "rollback-failed"})


def live_sequence(events: Iterable[HistoryEvent]) -> list[str]:
    """The versions the endpoint served, oldest first: each event's ``previous`` (unless the timeline already
    ends with it; it may have been put live before anything was recorded) and its ``live``."""
    sequence: list[str] = []
    for e in events:
        if e.event not in LIVE_EVENTS or not isinstance(e.detail.get("live"), str):
            continue
        previous = e.detail.get("previous")
        if isinstance(previous, str) and (not sequence or sequence[-1] != previous):
            sequence.append(previous)
        sequence.append(str(e.detail["live"]))
    return sequence


def find_previous_live(
    events: Iterable[HistoryEvent], current: str | None, is_approved: Callable[[str], bool]
) -> str | None:
    """The latest version in the timeline that is not ``current`` and is still approved."""
    for version in reversed(live_sequence(events)):
        if version != current and is_approved(version):
            return version
    return None


def build_event(outcome: DeployOutcome, *, by: str, at: str) -> HistoryEvent | None:
    """The history event of ``outcome``, or None when the endpoint was not touched (no-op, refused, invalid)."""
    if outcome.outcome in ("no-op", "refused", "invalid"):
        return None
    detail: dict[str, Any] = {"outcome": outcome.outcome, "target": outcome.target, "previous": outcome.previous}
    if outcome.outcome == "timed-out":
        name = f"{outcome.action}-timed-out"
        detail["pointer"] = outcome.live  # what the endpoint was told to serve; what it serves is unknown
    else:
        detail["live"] = outcome.live
        if outcome.outcome == "deployed":
            name = "deployed" if outcome.action == "deploy" else "rolled-back"
        else:
            name = f"{outcome.action}-failed"
    if outcome.smoke is not None:
        detail["smoke"] = outcome.smoke.summary()
    if outcome.verify is not None:
        detail["verify"] = outcome.verify.summary()
    return HistoryEvent(at=at, event=name, version=outcome.version, by=by, reason=outcome.reason, detail=detail)
