"""What every deploy target does (the ``Target`` Protocol), its errors and ``Reply``.

A target is one live endpoint: it names the version it serves (``current``), switches to another
version, waits until the switch is visible to clients, answers ``ping`` and ``invoke`` exactly as
clients see them, so the smoke test runs on the live endpoint, and reports the rollouts it watched
(``watches``). ``local`` is ``mlgate serve`` behind a state folder (``mlgate.deploy.local``), ``sagemaker`` a
SageMaker real-time endpoint (``mlgate.deploy.sagemaker.target``); ``mlgate.deploy.targets`` names them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from mlgate.errors import ExitCode, MlgateError

if TYPE_CHECKING:
    import httpx

    from mlgate.deploy.watch import Watch
    from mlgate.registry.model import ModelVersion


class TargetBusy(MlgateError):
    """Another deploy or rollback holds the endpoint (a refusal: nothing was changed)."""

    exit_code = ExitCode.CHECKS_FAILED


class TargetTimeout(MlgateError):
    """The endpoint did not reach the expected state in time; its state is unknown."""

    exit_code = ExitCode.TIMED_OUT


class LoadFailed(MlgateError):
    """The endpoint reported that it could not load the version (it keeps serving the old one)."""

    exit_code = ExitCode.CHECKS_FAILED


@dataclass(frozen=True)
class Reply:
    """One answer of the live endpoint, as a client sees it."""

    status: int
    version: str | None  # the version the endpoint says answered (header or body)
    body: Any  # the parsed JSON body, or None when it is not JSON
    text: str
    predict_ms: float | None = None  # the endpoint's own time for a prediction (``Server-Timing``), when it says


class Target(Protocol):
    """One live endpoint that serves registry versions."""

    name: str

    def describe(self) -> str:
        """A short human description (``local server 127.0.0.1:8080``)."""
        ...

    def exclusive(self) -> AbstractContextManager[None]:
        """Hold the endpoint for one deploy or rollback; raises TargetBusy when someone else holds it."""
        ...

    def current(self) -> str | None:
        """The version the endpoint is set to serve, or None when none is."""
        ...

    def switch(self, version: ModelVersion, artifact: Path) -> None:
        """Point the endpoint at ``version`` (whose verified artifact is at ``artifact``)."""
        ...

    def wait_until_serving(self, version: str, timeout: float) -> None:
        """Return once clients get ``version``; LoadFailed when the endpoint cannot load it; TargetTimeout."""
        ...

    def ping(self) -> Reply:
        """The health check (``GET /ping``); ServiceError when the endpoint cannot be reached."""
        ...

    def invoke(self, rows: Sequence[Mapping[str, Any]], *, smoke: bool = False) -> Reply:
        """Predictions for ``rows`` (feature name -> value); ServiceError when it cannot be reached. ``smoke``
        marks the request as a smoke test (``mlgate.serve.marks``), so monitoring leaves its rows out."""
        ...

    def watches(self) -> Sequence[Watch]:
        """The rollouts watched since ``exclusive`` was entered, in order; empty for a target that watches none."""
        ...


@dataclass(frozen=True)
class TargetOptions:
    """What the command line can set for a target: the local state folder and the HTTP client."""

    state: Path | None = None
    http: httpx.Client | None = None
