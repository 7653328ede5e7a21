"""``mlgate data pull``: ``dvc pull`` the DVC-tracked datasets mlgate.yaml declares."""

from __future__ import annotations

import os
from pathlib import Path

import click

from mlgate.cli.common import config_option, get_config
from mlgate.cli.output import echo
from mlgate.errors import ExitCode


@click.command()
@click.option("--remote", help="The DVC remote to pull from (default: the repository's default remote).")
@config_option
def pull(remote: str | None, config_path: Path | None) -> int:
    """Pull data.train, data.test and data.datasets from the DVC remote into the workspace.

    Runs the `dvc` command (pip install 'mlgate[dvc]'); datasets no DVC file tracks are left alone.
    Exit codes: 0 pulled (or nothing to pull), 2 unusable input (no dvc, no remote, no credentials, data
    pushed nowhere), 3 the remote failed after DVC's retries.
    """
    from mlgate.dvc.pull import find_targets, pull_targets
    from mlgate.dvc.run import make_dvc_runner

    config = get_config(config_path, required=True)
    targets = find_targets(config)
    if not targets:
        echo("no dataset of the config is tracked by DVC: nothing to pull")
        return ExitCode.OK
    for done in pull_targets(targets, make_dvc_runner(os.environ), remote=remote):
        for target in done.targets:
            echo(f"{target.dataset}: md5 {target.tracked.md5[:12]} ({target.source})")
        echo(f"dvc pull: {done.summary}")
    return ExitCode.OK
