"""Which version is live, so the monitor compares traffic with the right reference statistics.

``--version`` wins; else the local target's deploy state (``live.json`` in ``deploy.state``); else the last
version the registry history says was put live (deploys and rollbacks, any target).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from mlgate.config import Config
from mlgate.deploy.history import live_sequence
from mlgate.errors import InputError
from mlgate.registry.model import Registry
from mlgate.serve.state import read_pointer


@dataclass(frozen=True)
class LiveVersion:
    version: str
    source: str  # "--version", "deploy state", "registry history"


def find_live_version(config: Config, registry: Registry, *, override: str | None = None) -> LiveVersion:
    """The version to judge the traffic against; none known is an InputError saying how to name one."""
    if override:
        return LiveVersion(registry.get(override).version, "--version")
    if config.deploy.target == "local":
        pointer = read_pointer(Path(config.resolve(config.deploy.state)))
        if pointer is not None:
            return LiveVersion(pointer.version, "deploy state")
    sequence = live_sequence(registry.history())
    if sequence:
        return LiveVersion(sequence[-1], "registry history")
    raise InputError("no live version is known: nothing was deployed from this registry",
                     hint="deploy a version first, or pass --version V")  # fmt: skip
