"""What every deploy target does (the ``Target`` Protocol), its errors, and the explicit dict of targets.

A target is one live endpoint: it names the version it serves (``current``), switches to another
version, waits until the switch is visible to clients, and answers ``ping`` and ``invoke`` exactly as
clients see them, so the smoke test runs on the live endpoint. ``local`` is ``mlgate serve`` behind a
state folder; SageMaker plugs in behind the same Protocol.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from mlgate.errors import ExitCode, InputError, MlgateError

if TYPE_CHECKING:
    import httpx

    from mlgate.config import Config
    from mlgate.registry.model import ModelVersion


def utc_now() -> datetime:
    """The current time in UTC (the default clock of pointers and history events)."""
    return datetime.now(timezone.utc)


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


@dataclass(frozen=True)
class TargetOptions:
    """What the command line can set for a target: the local state folder and the HTTP client."""

    state: Path | None = None
    http: httpx.Client | None = None


TargetFactory = Callable[["Config", TargetOptions], Target]


def _open_local(config: Config, options: TargetOptions) -> Target:
    from mlgate.deploy.local import open_local_target

    return open_local_target(config, options)


def _open_sagemaker(config: Config, options: TargetOptions) -> Target:
    from mlgate.deploy.sagemaker import open_sagemaker_target

    return open_sagemaker_target(config, options)


TARGETS: dict[str, TargetFactory] = {"local": _open_local, "sagemaker": _open_sagemaker}


def open_target(config: Config, name: str | None = None, options: TargetOptions | None = None) -> Target:
    """The target ``name`` (default ``deploy.target``) built from the config."""
    chosen = name or config.deploy.target
    if chosen not in TARGETS:
        raise InputError(f"unknown deploy target {chosen!r}", hint=f"use one of: {', '.join(sorted(TARGETS))}")
    return TARGETS[chosen](config, options or TargetOptions())
