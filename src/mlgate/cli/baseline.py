"""``mlgate baseline locate``: the PR head, its merge-base and that commit's cache key, for workflows."""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path

import click

from mlgate.cli.common import config_option, get_config, write_github_outputs
from mlgate.cli.output import echo
from mlgate.errors import ExitCode


@click.group()
def baseline() -> None:
    """Find a pull request's baseline (the merge-base) and where its cached results live."""


@baseline.command()
@click.option("--head", help="The PR head commit (default: pull_request.head.sha from the event, else HEAD).")
@click.option("--base", help="The base branch (default: the event's base ref, else baseline.base_branch, "
              "else the repository's default branch).")  # fmt: skip
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text",
              help="text: one key=value per line; json: an object.")  # fmt: skip
@click.option("--github-output", is_flag=True,
              help="Also write head, merge-base, cache-key, cache-path and cached to $GITHUB_OUTPUT.")  # fmt: skip
@config_option
def locate(
    head: str | None, base: str | None, output_format: str, github_output: bool, config_path: Path | None
) -> int:
    """Print the PR head, its merge-base with the base branch, and the merge-base's cache key and folder.

    A workflow restores the Actions cache with this key before `mlgate check`, so the baseline's models
    are re-scored instead of retrained. The folder is relative to $GITHUB_WORKSPACE (else the current
    folder), the same text on every runner. Shallow clones are deepened as needed (baseline.fetch).
    """
    from mlgate.check import CheckOptions, locate_baseline

    config = get_config(config_path)
    found = locate_baseline(config, CheckOptions(head=head, base=base), os.environ)
    values = {
        "head": found.head,
        "base-branch": found.base_branch or "",
        "merge-base": found.merge_base or "",
        "cache-key": found.cache_key or "",
        "cache-path": describe_cache_path(found.cache_path, os.environ),
        "cached": "true" if found.cached else "false",
    }
    if github_output:
        write_github_outputs(values)
    if output_format == "json":
        echo(json.dumps(values, indent=2))
    else:
        echo("".join(f"{k}={v}\n" for k, v in values.items()), nl=False)
    return ExitCode.OK


def describe_cache_path(path: Path | None, environ: Mapping[str, str]) -> str:
    """``path`` relative to the workspace (``$GITHUB_WORKSPACE``, else the current folder), in ``/`` form.

    actions/cache hashes the text of its ``path`` into the entry's version, so an absolute path would tie an
    entry to one workspace folder: a PR checked on another runner (or in a renamed repository) would never
    restore main's entry. A folder outside the workspace (an absolute ``baseline.cache_dir``) stays absolute.
    """
    if path is None:
        return ""
    workspace = Path(environ.get("GITHUB_WORKSPACE") or Path.cwd()).resolve()
    try:
        return path.resolve().relative_to(workspace).as_posix()
    except ValueError:
        return str(path)
