"""``mlgate schema``: a group whose subcommands each live in their own module, imported on use."""

from __future__ import annotations

import importlib

import click

SUBCOMMANDS: dict[str, tuple[str, str, str]] = {
    "infer": ("mlgate.cli.schema_infer", "infer", "Draft a schema from a full pass over a dataset."),
    "diff": ("mlgate.cli.schema_diff", "diff", "Classify the changes between two schemas."),
    "stats": ("mlgate.cli.schema_stats", "stats", "Write reference statistics of a dataset (for drift)."),
}


class _LazySchemaGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(SUBCOMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in SUBCOMMANDS:
            return None
        module, attribute, _ = SUBCOMMANDS[cmd_name]
        command = getattr(importlib.import_module(module), attribute)
        assert isinstance(command, click.Command)
        return command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        with formatter.section("Commands"):
            formatter.write_dl([(name, spec[2]) for name, spec in SUBCOMMANDS.items()])


@click.group(cls=_LazySchemaGroup)
def schema() -> None:
    """Infer, diff and summarise data schemas."""
