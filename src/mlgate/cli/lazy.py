"""A click group whose subcommands are imported only when they run (keeps ``--help`` fast)."""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from typing import Any

import click

# name -> (module, attribute, short help)
Registry = Mapping[str, tuple[str, str, str]]


class LazyGroup(click.Group):
    """A group over an explicit registry of commands, each imported on first use."""

    def __init__(self, *args: Any, registry: Registry, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.registry = registry

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(self.registry)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.registry:
            return None
        module, attribute, _ = self.registry[cmd_name]
        command = getattr(importlib.import_module(module), attribute)
        assert isinstance(command, click.Command)
        return command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        with formatter.section("Commands"):
            formatter.write_dl([(name, self.registry[name][2]) for name in self.list_commands(ctx)])
