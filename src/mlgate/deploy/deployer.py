"""What a deploy or rollback works with (``Deployer``), its settings, and the log of its steps (``Run``)."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from mlgate.clock import utc_now
from mlgate.config import SmokeConfig
from mlgate.deploy.gate import Refusal
from mlgate.deploy.history import build_event
from mlgate.deploy.outcome import Action, DeployOutcome, Outcome, Step, StepStatus
from mlgate.deploy.smoke import SmokeResult, run_smoke
from mlgate.deploy.target import Target
from mlgate.errors import MlgateError
from mlgate.progress import Say

if TYPE_CHECKING:
    from mlgate.config import Config
    from mlgate.registry.model import ModelVersion, Registry

Verifier = Callable[[Path, "ModelVersion"], None]


@dataclass(frozen=True)
class FlowSettings:
    """The deploy settings the flow uses (``deploy.*`` and ``artifacts.trusted_types``)."""

    timeout_s: float = 60.0
    reject_on_failure: bool = True
    smoke: SmokeConfig = field(default_factory=SmokeConfig)
    trusted_types: tuple[str, ...] = ()

    @classmethod
    def from_config(cls, config: Config) -> FlowSettings:
        deploy = config.deploy
        return cls(deploy.timeout_s, deploy.reject_on_failure, deploy.smoke, config.artifacts.trusted_types)


@dataclass(frozen=True)
class Deployer:
    """Everything a deploy or rollback works with; tests pass fakes for any of it."""

    registry: Registry
    target: Target
    actor: str
    settings: FlowSettings = field(default_factory=FlowSettings)
    say: Say = lambda _message: None
    now: Callable[[], datetime] = utc_now
    clock: Callable[[], float] = time.monotonic
    latency_clock: Callable[[], float] = time.perf_counter
    verify: Verifier | None = None  # default: load the artifact with its digest and the trusted types
    # Facts the caller must have even if the process dies later, reported the moment they hold: the version
    # live before anything changes (``previous-version``), then ``switched`` right before the first switch.
    note: Callable[[dict[str, str]], None] = lambda _facts: None

    def check_artifact(self, version: ModelVersion) -> Path:
        """The version's artifact path, after loading it (digest first, then trusted types)."""
        path = self.registry.artifact_path(version)
        if self.verify is not None:
            self.verify(path, version)
        else:
            from mlgate.artifacts import load_model

            load_model(path, sha256=version.sha256, trusted=self.settings.trusted_types)
        return path

    def smoke_test(self, version: ModelVersion, *, reference: str | None = None) -> SmokeResult:
        """Smoke-test ``version``; ``reference``: the version live before it, timed in the same window if possible."""
        return run_smoke(
            self.target, version, self.settings.smoke, clock=self.latency_clock, say=self.say, reference=reference
        )


class Run:
    """The steps of one deploy or rollback, timed with the deployer's clock; builds the outcome."""

    def __init__(self, deployer: Deployer, action: Action) -> None:
        self.deployer = deployer
        self.action: Action = action
        self.steps: list[Step] = []
        self.started = self.mark = deployer.clock()
        self.version: str | None = None
        self.previous: str | None = None
        self.smoke: SmokeResult | None = None
        self.verify: SmokeResult | None = None
        self.rejected = False

    def step(self, name: str, status: StepStatus, detail: str, *, hint: str | None = None) -> None:
        now = self.deployer.clock()
        self.steps.append(Step(name, status, detail, round(now - self.mark, 3), hint))
        self.mark = now
        self.deployer.say(f"{name}: {detail}")

    def stop(
        self, name: str, outcome: Outcome, why: MlgateError | Refusal, *, version: str | None, live: str | None = None
    ) -> DeployOutcome:
        """End at step ``name`` with ``outcome`` for the reason ``why``."""
        self.version = self.version or version
        self.step(name, "failed", why.message, hint=why.hint)
        if live is None and outcome in ("refused", "invalid"):
            live = self._current()
        return self.finish(outcome, why.message, live=live)

    def finish(self, outcome: Outcome, reason: str, *, live: str | None) -> DeployOutcome:
        d = self.deployer
        result = DeployOutcome(
            action=self.action,
            outcome=outcome,
            target=d.target.name,
            version=self.version,
            previous=self.previous,
            live=live,
            reason=reason,
            steps=tuple(self.steps),
            smoke=self.smoke,
            verify=self.verify,
            rejected=self.rejected,
            seconds=round(d.clock() - self.started, 3),
            watches=tuple(d.target.watches()),
        )
        event = build_event(result, by=d.actor, at=d.now().isoformat(timespec="seconds"))
        if event is None:
            return result
        try:
            d.registry.record(event)
        except MlgateError as exc:
            self.step("history", "failed", f"could not append to the registry history: {exc.message}")
            return replace(result, steps=tuple(self.steps))
        return result

    def _current(self) -> str | None:
        try:
            return self.deployer.target.current()
        except MlgateError:
            return None
