"""What ``mlgate registry register|approve|reject`` do to the registry, as data (the commands and the demo call these).

``register_results`` builds a version from a results folder and stores it (``register_candidate``), unless the
same artifact is already registered; ``change_status`` approves or rejects a version, and says when there was
nothing to change or another change arrived at the same time. Each returns a ``Change``: what was done and the
version as it now stands.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from mlgate.config import Config
from mlgate.registry.model import ModelVersion, Registry, Status

if TYPE_CHECKING:
    from mlgate.registry.build import Candidate

Action = Literal["registered", "unchanged"] | Status  # a status change is named by its new status


@dataclass(frozen=True)
class Change:
    """What a registry command did to ``version``; ``note`` says why nothing changed (None when it did)."""

    action: Action
    version: ModelVersion
    note: str | None = None


def register_results(
    store: Registry,
    results: Path,
    config: Config,
    *,
    model: str | None,
    best: bool,
    by: str,
    now: dt.datetime,
    progress: Callable[[str], None],
) -> Change:
    """Register a model of ``results`` (``model``, or the ``best`` one) as a new pending version.

    An artifact already in the registry (same SHA-256) is not stored again: the change is ``unchanged``.
    """
    from mlgate.registry.build import build_candidate

    return register_candidate(
        store, build_candidate(results, config, model=model, best=best, by=by, now=now, progress=progress)
    )


def register_candidate(store: Registry, candidate: Candidate) -> Change:
    """Store ``candidate`` as a new version, unless its artifact (same SHA-256) is already registered."""
    same = next((v for v in store.list() if v.sha256 == candidate.version.sha256), None)
    if same is not None:
        note = f"this artifact is already registered as version {same.version}; nothing was added"
        return Change("unchanged", same, note)
    return Change("registered", store.register(candidate.version, candidate.artifact_file))


def change_status(store: Registry, version: str, status: Status, *, by: str, reason: str) -> Change:
    """Set ``version``'s status to ``status`` as ``by`` for ``reason``.

    A version already in ``status`` is left alone (the note names the last change); when another change arrived
    at the same time, the change is ``unchanged`` and the note says where to look.
    """
    current = store.get(version)
    if current.status == status:
        last = current.history[-1] if current.history else None
        since = f" (by {last.by} at {last.at}: {last.reason})" if last is not None else ""
        return Change("unchanged", current, f"version {current.version} is already {status}{since}")
    updated = store.set_status(current.version, status, by=by, reason=reason)
    ours = len(updated.history) > len(current.history) and updated.history[-1].by == by
    if not ours:
        return Change("unchanged", updated, "another change arrived at the same time; see `mlgate registry history`")
    return Change(status, updated)
