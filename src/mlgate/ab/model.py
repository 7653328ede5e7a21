"""What the ``mlgate ab`` use cases return: a start or stop (``AbChange``), a decision (``AbResult``) and its
evidence (``Evidence``)."""

from __future__ import annotations

from dataclasses import dataclass

from mlgate.ab.decision import AbDecision, Arm
from mlgate.deploy.experiment import Split, VariantHealth
from mlgate.deploy.outcome import DeployOutcome


@dataclass(frozen=True)
class Evidence:
    """Both arms, the metric judged, and what the reading left out."""

    champion: Arm
    challenger: Arm
    metric: str
    labels: int  # labels in the file
    matched: int  # of which joined to an answer of either variant
    notes: tuple[str, ...]


@dataclass(frozen=True)
class AbChange:
    """What ``mlgate deploy --ab`` or ``mlgate ab stop`` did."""

    action: str  # "started" | "stopped" | "not-running"
    split: Split | None
    target: str
    message: str


@dataclass(frozen=True)
class AbResult:
    """``mlgate ab status`` / ``decide``: the split, its evidence, the decision and what was done about it."""

    split: Split
    target: str
    window_end: str
    health: tuple[VariantHealth, ...]
    evidence: Evidence | None  # None without labels (status only)
    decision: AbDecision | None
    acted: str  # "promoted" | "stopped" | "continued" | "not-acted" (status, --dry-run) | "refused"
    message: str
    deploy: DeployOutcome | None = None  # the promotion's deploy
    issue_url: str | None = None
