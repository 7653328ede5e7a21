"""What a deploy or rollback returns: its steps with status and timing, and the endpoint's final state.

The ``outcome`` names what happened to the endpoint, with the same words for both commands:

| outcome | exit | the endpoint |
|---|---|---|
| ``deployed`` | 0 | serves the requested version (for ``rollback``: the version rolled back to), smoke test passed |
| ``no-op`` | 0 | already served it (or ``rollback --from``/``--live-before`` found no switch to undo): nothing changed |
| ``refused`` | 1 | unchanged: the version is not approved, nothing to roll back to, or the endpoint is busy |
| ``rolled-back`` | 1 | the requested version failed its checks; the endpoint is back on the previous version, verified |
| ``invalid`` | 2 | unchanged: the artifact is tampered, untrusted or unreadable, or the version is unknown |
| ``needs-person`` | 5 | the requested version failed and the previous one could not be restored and verified |
| ``timed-out`` | 6 | unknown: the endpoint did not report the new version in time; nothing further was changed |

Targets that watch a rollout (SageMaker) also report each watch (``Target.watches``): its class, the
endpoint's ``FailureReason`` and the guard alarms with their states.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from mlgate.errors import ExitCode

if TYPE_CHECKING:
    from mlgate.deploy.smoke import SmokeResult
    from mlgate.deploy.watch import Watch

Action = Literal["deploy", "rollback"]
Outcome = Literal["deployed", "no-op", "refused", "rolled-back", "invalid", "needs-person", "timed-out"]
StepStatus = Literal["ok", "failed", "skipped"]

EXIT_CODES: dict[Outcome, ExitCode] = {
    "deployed": ExitCode.OK,
    "no-op": ExitCode.OK,
    "refused": ExitCode.CHECKS_FAILED,
    "rolled-back": ExitCode.CHECKS_FAILED,
    "invalid": ExitCode.BAD_INPUT,
    "needs-person": ExitCode.NEEDS_PERSON,
    "timed-out": ExitCode.TIMED_OUT,
}


@dataclass(frozen=True)
class Step:
    """One step of the flow (``gate``, ``endpoint``, ``artifact``, ``switch``, ``wait``, ``smoke``, …)."""

    name: str
    status: StepStatus
    detail: str
    seconds: float
    hint: str | None = None


@dataclass(frozen=True)
class DeployOutcome:
    """The result of ``deploy`` or ``rollback``.

    ``version`` is the version the command tried to put live (None when none could be chosen),
    ``previous`` the version live before (the rollback target), ``live`` the version the endpoint is set
    to serve at the end. ``smoke`` is the new version's smoke test, ``verify`` the one after switching back.
    ``watches`` are the target's rollout watches, in order (the new version's, then the switch back's).
    """

    action: Action
    outcome: Outcome
    target: str
    version: str | None
    previous: str | None
    live: str | None
    reason: str
    steps: tuple[Step, ...]
    smoke: SmokeResult | None = None
    verify: SmokeResult | None = None
    rejected: bool = False
    seconds: float = 0.0
    watches: tuple[Watch, ...] = ()

    @property
    def exit_code(self) -> ExitCode:
        return EXIT_CODES[self.outcome]
