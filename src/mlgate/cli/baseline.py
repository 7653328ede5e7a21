"""``mlgate baseline locate``: the PR head, its merge-base and that commit's cache key, for workflows."""

from __future__ import annotations

import os
from pathlib import Path

import click

from mlgate.cli.common import config_option, get_config, write_github_outputs
from mlgate.cli.output import emit
from mlgate.errors import ExitCode


@click.group()
def baseline() -> None:
    """Find a pull request's baseline (the merge-base) and where its cached results live."""


@baseline.command()
@click.option("--head", help="The PR head commit (default: pull_request.head.sha from the event, else HEAD).")
@click.option(
    "--base",
    help="The base branch (default: the event's base ref, else baseline.base_branch, "
    "else the repository's default branch).",
)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json"]),
    default="text",
    help="text: one key=value per line; json: an object.",
)
@click.option(
    "--github-output",
    is_flag=True,
    help="Also write head, merge-base, cache-key, cache-path and cached to $GITHUB_OUTPUT.",
)
@config_option
def locate(
    head: str | None, base: str | None, output_format: str, github_output: bool, config_path: Path | None
) -> int:
    """Print the PR head, its merge-base with the base branch, and the merge-base's cache key and folder.

    A workflow restores the Actions cache with this key before `mlgate check`, so the baseline's models
    are re-scored instead of retrained. The folder is relative to $GITHUB_WORKSPACE (else the current
    folder), the same text on every runner. Shallow clones are deepened as needed (baseline.fetch).
    """
    from mlgate.baseline.location import locate_baseline, location_outputs
    from mlgate.report import baseline as render

    found = locate_baseline(get_config(config_path), os.environ, head=head, base=base)
    values = location_outputs(found, os.environ)
    if github_output:  # before the report: a run outside Actions prints nothing
        write_github_outputs(values)
    emit(values, render, output_format)
    return ExitCode.OK
