"""What ``mlgate replay`` reports: the replayed version against the live one on the same captured rows."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

Verdict = Literal["pass", "fail", "inconclusive"]


@dataclass(frozen=True)
class Rate:
    """``count`` of ``n`` rows, the share and its interval (confidence 1 − 2·alpha; each end one-sided 1 − alpha)."""

    count: int
    n: int
    share: float
    low: float
    high: float


@dataclass(frozen=True)
class Segment:
    """The disagreement on the rows of one feature value (categorical) or quartile bin (numeric)."""

    feature: str
    value: str
    rate: Rate


@dataclass(frozen=True)
class Flip:
    """One row the two versions answered differently (``difference``: regression's absolute difference)."""

    request_id: str
    live: Any
    replayed: Any
    difference: float | None = None


@dataclass(frozen=True)
class Quality:
    """With labels: the paired difference replayed − live on ``metric`` over the labelled rows."""

    metric: str
    direction: str  # "higher" or "lower" is better
    live: float
    replayed: float
    estimate: float  # replayed − live
    low: float
    high: float
    p_better: float
    method: str
    n: int
    unmatched: int = 0  # labels that matched no replayed row


@dataclass(frozen=True)
class Gate:
    """One replay gate: what it requires, what was measured (the bound that decides), whether it passed."""

    name: str
    required: str
    measured: str
    passed: bool | None  # None: could not be judged (fails closed)


@dataclass(frozen=True)
class ReplayResult:
    """A whole replay; ``verdict`` is fail when a gate failed, inconclusive when there was not enough to judge."""

    version: str
    live_version: str
    window_start: str
    window_end: str
    location: str
    task: str
    rows: int  # captured rows the live version answered in the window
    replayed: int  # of those, the rows the replayed version answered
    invalid: int  # rows the replayed version could not read (schema violations), with examples
    invalid_examples: tuple[str, ...]
    disagreement: Rate
    segments: tuple[Segment, ...]
    flips: tuple[Flip, ...]
    mean_difference: float | None  # regression: mean absolute difference
    seconds_per_1k: float  # the replayed version's prediction time per 1,000 rows, offline, in this process
    quality: Quality | None
    gates: tuple[Gate, ...]
    verdict: Verdict
    reason: str
    notes: tuple[str, ...] = field(default_factory=tuple)
