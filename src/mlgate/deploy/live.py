"""Which version is live: the one rule the monitor and retraining share.

A version named by the user wins; else, for the ``local`` target, the pointer in the deploy state folder
(``live.json``, what ``mlgate serve`` loads); else the last version the registry history says was put live
(deploys and rollbacks, any target).
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from mlgate.config import DeployConfig
from mlgate.deploy.history import live_sequence
from mlgate.files import display_path
from mlgate.registry.model import Registry
from mlgate.serve.state import read_pointer

LiveSource = Literal["given", "deploy state", "registry history"]


def find_live(deploy: DeployConfig, registry: Registry, *, given: str | None) -> tuple[str, LiveSource] | None:
    """The live version's id and where it was read; None when nothing was ever deployed from this registry.

    A ``given`` id is returned as it is: the caller reads that version from the registry, which refuses one it does
    not hold.
    """
    if given is not None:
        return given, "given"
    if deploy.target == "local":
        pointer = read_pointer(Path(display_path(deploy.state)))
        if pointer is not None:
            return pointer.version, "deploy state"
    served = live_sequence(registry.history())
    return (served[-1], "registry history") if served else None
