"""How a deploy or a rollback gets its ``Deployer``: the registry, the target with its HTTP client, the settings.

``open_deployer`` is what ``mlgate deploy`` and ``mlgate rollback`` run under: it opens the registry and the HTTP
client the target talks through, and closes the client when the block ends. ``make_deployer`` builds one around
a registry and a client already open (the demo keeps both for all its deploys); ``open_http`` is that client.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import httpx

    from mlgate.config import Config
    from mlgate.deploy.flow import Deployer
    from mlgate.deploy.target import TargetOptions
    from mlgate.registry.model import Registry

Note = Callable[[dict[str, str]], None]


def open_http(config: Config) -> httpx.Client:
    """The client for the endpoint: ``deploy.timeout_s`` per request (at least 1 s; 5 s to connect), no proxy
    settings from the environment (the endpoint is the target's, not the internet's)."""
    import httpx

    return httpx.Client(timeout=httpx.Timeout(max(config.deploy.timeout_s, 1.0), connect=5.0), trust_env=False)


def make_deployer(
    config: Config,
    registry: Registry,
    target: str | None,
    options: TargetOptions,
    *,
    actor: str,
    say: Callable[[str], None],
    note: Note | None = None,
    now: Callable[[], dt.datetime] | None = None,
) -> Deployer:
    """A deployer acting as ``actor`` on the target ``target`` (default ``deploy.target``) built with ``options``.

    ``say`` gets the progress lines; ``note`` the facts a caller must have even if the process dies later
    (``previous-version``, then ``switched``); ``now``: the clock of the history (default: UTC now).
    """
    from mlgate.deploy.flow import Deployer, FlowSettings
    from mlgate.deploy.targets import open_target

    deployer = Deployer(
        registry=registry,
        target=open_target(config, target, options),
        actor=actor,
        settings=FlowSettings.from_config(config),
        say=say,
        note=note or _ignore,
    )
    return deployer if now is None else dataclasses.replace(deployer, now=now)


@contextmanager
def open_deployer(
    config: Config,
    target: str | None,
    state: Path | None,
    *,
    actor: str,
    say: Callable[[str], None],
    note: Note | None = None,
) -> Iterator[Deployer]:
    """A deployer on the config's registry and the target ``target``; ``state``: the local target's state folder.

    The HTTP client is closed when the block ends.
    """
    from mlgate.deploy.target import TargetOptions
    from mlgate.registry import open_registry

    registry = open_registry(config)
    with open_http(config) as http:
        yield make_deployer(
            config, registry, target, TargetOptions(state=state, http=http), actor=actor, say=say, note=note
        )


def _ignore(_facts: dict[str, str]) -> None:
    """No caller asked for the facts."""
