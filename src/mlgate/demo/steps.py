"""What the demo records about each step, and the runner that times them and stops at the first surprise.

A step is a function returning ``Outcome`` (did it behave as designed, a one-line summary, a text block to
show, JSON-safe facts). The runner times it with the injected clock, turns an mlgate error into a failed
step (the demo then stops: later steps need earlier ones) and tells the caller as each step ends.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mlgate.errors import MlgateError

Clock = Callable[[], float]


@dataclass(frozen=True)
class Outcome:
    """What a step function returns.

    ``ok``: the step behaved as designed. ``failed``: what it shows is a failure (invalid data, a blocked PR,
    a deploy rolled back, a drift breach), which is often the design: the gate said no as it should.
    """

    ok: bool
    summary: str
    detail: str = ""
    facts: dict[str, Any] = field(default_factory=dict)
    failed: bool = False


@dataclass(frozen=True)
class Step:
    """One finished step: its name and title, whether it went as designed, its timing and what it found."""

    name: str
    title: str
    ok: bool
    seconds: float
    summary: str
    detail: str = ""
    facts: dict[str, Any] = field(default_factory=dict)
    failed: bool = False  # what the step shows is a failure (see Outcome)


@dataclass(frozen=True)
class DemoResult:
    """The whole run: every step that ran, where everything lies, and whether it went as designed."""

    folder: Path
    steps: tuple[Step, ...]
    locations: dict[str, str]
    seconds: float
    planned: int
    kept: bool = True  # the folder is kept afterwards (else it is removed once the run ends)

    @property
    def ok(self) -> bool:
        return len(self.steps) == self.planned and all(step.ok for step in self.steps)


@dataclass
class StepRunner:
    """Runs step functions in order; ``begin(title)`` and ``done(step)`` narrate them as they happen."""

    clock: Clock
    begin: Callable[[int, str], None] = lambda _number, _title: None
    done: Callable[[Step], None] = lambda _step: None
    steps: list[Step] = field(default_factory=list)

    @property
    def failed(self) -> bool:
        return any(not step.ok for step in self.steps)

    def run(self, name: str, title: str, action: Callable[[], Outcome]) -> Outcome | None:
        """Run ``action`` unless an earlier step failed; None when skipped or failed with an error."""
        if self.failed:
            return None
        self.begin(len(self.steps) + 1, title)
        started = self.clock()
        try:
            outcome = action()
        except MlgateError as exc:
            hint = f" ({exc.hint})" if exc.hint else ""
            outcome = Outcome(False, f"error: {exc.message}{hint}")
        step = Step(
            name,
            title,
            outcome.ok,
            round(self.clock() - started, 3),
            outcome.summary,
            outcome.detail,
            dict(outcome.facts),
            outcome.failed,
        )
        self.steps.append(step)
        self.done(step)
        return outcome if outcome.ok else None
