"""Which version is live, so the monitor compares traffic with the right reference statistics.

``--version`` wins; else the local target's deploy state (``live.json`` in ``deploy.state``); else the last
version the registry history says was put live (deploys and rollbacks, any target).
"""

from __future__ import annotations

from dataclasses import dataclass

from mlgate.config import DeployConfig
from mlgate.deploy.live import find_live
from mlgate.errors import InputError
from mlgate.registry.model import ModelVersion, Registry


@dataclass(frozen=True)
class LiveVersion:
    version: ModelVersion
    source: str  # "--version", "deploy state", "registry history"


def find_live_version(deploy: DeployConfig, registry: Registry, *, override: str | None = None) -> LiveVersion:
    """The version to judge the traffic against; none known is an InputError saying how to name one."""
    found = find_live(deploy, registry, given=override or None)
    if found is None:
        raise InputError("no live version is known: nothing was deployed from this registry",
                         hint="deploy a version first, or pass --version V")  # fmt: skip
    version, source = found
    return LiveVersion(registry.get(version), "--version" if source == "given" else source)
