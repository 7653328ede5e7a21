"""``mlgate schema``: a group whose subcommands each live in their own module, imported on use."""

from __future__ import annotations

import click

from mlgate.cli.lazy import LazyGroup

SUBCOMMANDS: dict[str, tuple[str, str, str]] = {
    "infer": ("mlgate.cli.schema_infer", "infer", "Draft a schema from a full pass over a dataset."),
    "diff": ("mlgate.cli.schema_diff", "diff", "Classify the changes between two schemas."),
    "stats": ("mlgate.cli.schema_stats", "stats", "Write reference statistics of a dataset (for drift)."),
}


@click.group(cls=LazyGroup, registry=SUBCOMMANDS)
def schema() -> None:
    """Infer, diff and summarise data schemas."""
