"""``mlgate data``: a group for the datasets' own storage; each subcommand lives in its own module."""

from __future__ import annotations

import click

from mlgate.cli.lazy import LazyGroup

SUBCOMMANDS: dict[str, tuple[str, str, str]] = {
    "pull": ("mlgate.cli.data_pull", "pull", "Fetch the declared datasets' DVC-tracked data (dvc pull)."),
}


@click.group(cls=LazyGroup, registry=SUBCOMMANDS)
def data() -> None:
    """Materialise the datasets of mlgate.yaml (DVC-tracked data)."""
