"""What a target reports about a rollout it watched: how it ended, why, and the guard alarms' states.

``Target.watches()`` returns one ``Watch`` per wait of the current run, in order (the new version's, then
the switch back's); the deploy report shows them. A target that does not watch rollouts (``local``)
returns none. The SageMaker target fills them in ``mlgate.deploy.sagemaker.watch``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

WatchOutcome = Literal["succeeded", "rolled-back", "failed", "timed-out"]
MISSING = "missing"  # the state of a configured guard alarm that does not exist


@dataclass(frozen=True)
class AlarmState:
    """One guard alarm and its state (``OK``, ``ALARM``, ``INSUFFICIENT_DATA`` or ``missing``)."""

    name: str
    state: str


@dataclass(frozen=True)
class Watch:
    """How a create or update ended: the class, the last status and config, why, and the guard alarms."""

    outcome: WatchOutcome
    status: str
    config: str | None
    failure_reason: str | None
    alarms: tuple[AlarmState, ...] = ()
    version: str | None = None  # the version the watch waited for

    @property
    def firing(self) -> tuple[str, ...]:
        """The names of the guard alarms in ``ALARM``."""
        return tuple(a.name for a in self.alarms if a.state == "ALARM")

    def describe(self) -> str:
        """One line for the report."""
        parts = [f"status {self.status}", f"config {self.config or 'none'}"]
        if self.failure_reason:
            parts.append(f"FailureReason: {self.failure_reason}")
        if self.firing:
            parts.append(f"alarms in ALARM: {', '.join(self.firing)}")
        return "; ".join(parts)
