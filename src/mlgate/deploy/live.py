"""Which version is live: the one rule the monitor and retraining share.

A version named by the user wins; else, for the ``local`` target, the pointer in the deploy state folder
(``live.json``, what ``mlgate serve`` loads); else the last version the registry history says was put live
(deploys and rollbacks, any target). ``find_live`` answers with the id, ``find_live_version`` with the
registered version; each caller words "nothing is live" for its own command.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from mlgate.config import DeployConfig
from mlgate.deploy.history import live_sequence
from mlgate.registry.model import ModelVersion, Registry
from mlgate.serve.state import read_pointer

LiveSource = Literal["given", "deploy state", "registry history"]


@dataclass(frozen=True)
class LiveVersion:
    """The live version and where that was read."""

    version: ModelVersion
    source: str  # the caller's name for a version the user gave (``--version``, ``option``), or a LiveSource


def find_live(deploy: DeployConfig, registry: Registry, *, given: str | None) -> tuple[str, LiveSource] | None:
    """The live version's id and where it was read; None when nothing was ever deployed from this registry.

    A ``given`` id is returned as it is: the caller reads that version from the registry, which refuses one it does
    not hold.
    """
    if given is not None:
        return given, "given"
    if deploy.target == "local":
        pointer = read_pointer(Path(deploy.state))
        if pointer is not None:
            return pointer.version, "deploy state"
    served = live_sequence(registry.history())
    return (served[-1], "registry history") if served else None


def find_live_version(
    deploy: DeployConfig, registry: Registry, *, given: str | None, given_as: str = "given"
) -> LiveVersion | None:
    """The live version read from ``registry`` (an unknown ``given`` one is the registry's InputError), or None.

    ``given_as`` names the source of a version the user gave, as the caller's report shows it.
    """
    found = find_live(deploy, registry, given=given)
    if found is None:
        return None
    version, source = found
    return LiveVersion(registry.get(version), given_as if source == "given" else source)
