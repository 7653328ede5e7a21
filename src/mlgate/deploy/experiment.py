"""What a target does to run experiments beside its live version: a shadow, and an A/B split (``Experiments``).

A shadow answers a share of the live requests with another version where no client sees its answers; a split
serves a sticky share of the clients with a challenger version and the rest with the champion (the live version).
Both are started and ended by ``mlgate.deploy.shadow`` and ``mlgate.ab.flow`` under the target's
``exclusive`` lock, which also records them in the registry's history; the target only changes the endpoint.
``local`` keeps them in the state folder (``shadow.json``, ``ab.json``), ``sagemaker`` as production and shadow
variants of an endpoint config. ``find_experiments`` is the one place that says whether a target has them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from mlgate.errors import InputError

if TYPE_CHECKING:
    from mlgate.deploy.target import Target
    from mlgate.registry.model import ModelVersion


@dataclass(frozen=True)
class RunningShadow:
    """The version shadowing the live one, on which share of the requests, since when (ISO 8601)."""

    version: str
    fraction: float
    started_at: str


@dataclass(frozen=True)
class Split:
    """An A/B split: ``percent`` of the clients (by ``key``) go to ``challenger``, the rest to ``champion``."""

    champion: str
    challenger: str
    percent: float  # 0 < percent < 100
    key: str  # what makes a client sticky: "header:<Name>" or "feature:<name>" (documented in docs/experiments.md)
    started_at: str  # ISO 8601


@dataclass(frozen=True)
class VariantHealth:
    """How one version answered its share of a split since a moment (the guardrails' evidence)."""

    version: str
    requests: int  # invocations routed to it
    errors: int  # of which answered with a server error (5xx) or not at all
    p99_ms: float | None  # its p99 latency; None without enough requests to say
    source: str  # where the figures come from ("ab log <folder>", "CloudWatch AWS/SageMaker …")


@runtime_checkable
class Experiments(Protocol):
    """A target that can run a shadow and an A/B split beside its live version (call under ``exclusive``)."""

    def read_shadow(self) -> RunningShadow | None:
        """The running shadow, or None."""
        ...

    def start_shadow(self, version: ModelVersion, artifact: Path, fraction: float, started_at: str) -> None:
        """Shadow ``version`` (verified artifact at ``artifact``) on ``fraction`` of the live requests."""
        ...

    def stop_shadow(self) -> bool:
        """Stop shadowing; False when nothing was shadowing."""
        ...

    def read_split(self) -> Split | None:
        """The running A/B split, or None."""
        ...

    def start_split(self, split: Split, challenger: ModelVersion, artifact: Path) -> None:
        """Serve ``split.percent`` of the clients with ``challenger`` (verified artifact at ``artifact``); the
        live version keeps the rest. Returns once both variants answer; the champion never stops serving."""
        ...

    def end_split(self, winner: ModelVersion, artifact: Path) -> None:
        """Send all traffic to ``winner`` (the champion or the challenger of the running split) and remove the
        split; returns once only ``winner`` answers. Clients are answered throughout."""
        ...

    def read_health(self, split: Split, since: dt.datetime) -> Mapping[str, VariantHealth]:
        """Each variant's health since ``since``, by version."""
        ...


def find_experiments(target: Target) -> Experiments:
    """``target`` as ``Experiments``; an InputError for a target that has none."""
    if not isinstance(target, Experiments):
        raise InputError(
            f"the {target.name} target runs no shadow or A/B test",
            hint="use the local or the sagemaker target (docs/experiments.md)",
        )
    return target
