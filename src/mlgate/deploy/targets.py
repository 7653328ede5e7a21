"""The deploy targets by name, and ``open_target``: the one place that knows every target.

Each target module implements ``mlgate.deploy.target.Target``; this module imports them lazily (a
target's dependencies load only when it is opened) and nothing in ``mlgate.deploy`` imports it back.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from mlgate.deploy.target import Target, TargetOptions
from mlgate.errors import InputError

if TYPE_CHECKING:
    from mlgate.config import Config

TargetFactory = Callable[["Config", TargetOptions], Target]


def _open_local(config: Config, options: TargetOptions) -> Target:
    from mlgate.deploy.local import open_local_target

    return open_local_target(config, options)


def _open_sagemaker(config: Config, options: TargetOptions) -> Target:
    from mlgate.deploy.sagemaker.target import open_sagemaker_target

    return open_sagemaker_target(config, options)


TARGETS: dict[str, TargetFactory] = {"local": _open_local, "sagemaker": _open_sagemaker}


def open_target(config: Config, name: str | None = None, options: TargetOptions | None = None) -> Target:
    """The target ``name`` (default ``deploy.target``) built from the config."""
    chosen = name or config.deploy.target
    if chosen not in TARGETS:
        raise InputError(f"unknown deploy target {chosen!r}", hint=f"use one of: {', '.join(sorted(TARGETS))}")
    return TARGETS[chosen](config, options or TargetOptions())
