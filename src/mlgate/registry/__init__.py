"""The model registry: versions, approval states and history behind one Protocol (see ``model``).

Backends are looked up in ``BACKENDS`` by ``registry.backend``; ``open_registry(config)`` is how every
command gets one. Building a version from a results folder lives in ``mlgate.registry.build`` (it reads
data and loads models, so it is imported only where it is needed).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from mlgate.config import Config
from mlgate.errors import ConfigError
from mlgate.registry.local import LocalRegistry
from mlgate.registry.mlflow_registry import open_mlflow_registry
from mlgate.registry.model import STATUSES, GoldenRow, HistoryEvent, ModelVersion, Registry, Status, StatusChange
from mlgate.registry.sagemaker import open_sagemaker

__all__ = [
    "BACKENDS",
    "STATUSES",
    "GoldenRow",
    "HistoryEvent",
    "LocalRegistry",
    "ModelVersion",
    "Registry",
    "Status",
    "StatusChange",
    "open_local",
    "open_registry",
]


def open_local(config: Config) -> LocalRegistry:
    """The ``local`` backend at ``registry.path`` (relative to the config's folder)."""
    location = config.registry.path
    if "://" in location:
        raise ConfigError(
            f"registry.path {config.registry.path!r} is a URI; the local backend needs a folder",
            hint="set registry.path to a folder, e.g. .mlgate/registry",
        )
    return LocalRegistry(Path(location).resolve())


BACKENDS: dict[str, Callable[[Config], Registry]] = {
    "local": open_local,
    "sagemaker": open_sagemaker,
    "mlflow": open_mlflow_registry,
}


def open_registry(config: Config) -> Registry:
    """The registry backend the config names."""
    factory = BACKENDS.get(config.registry.backend)
    if factory is None:
        raise ConfigError(
            f"registry.backend {config.registry.backend!r} is not known", hint=f"choose one of: {', '.join(BACKENDS)}"
        )
    return factory(config)
