"""``mlgate rollback``: restore the previous approved live version (or a named one), smoke-tested."""

from __future__ import annotations

from pathlib import Path

import click

from mlgate.cli.common import get_config, resolve_format
from mlgate.cli.deploy import deploying, report_outcome, reporting_errors, target_options


@click.command()
@click.option("--to", "to", metavar="VERSION", help="Roll back to this approved version (default: the previous one).")
@click.option(
    "--from",
    "only_from",
    metavar="VERSION",
    help="Only roll back while VERSION is live; otherwise do nothing (exit 0).",
)
@click.option(
    "--live-before",
    "live_before",
    metavar="VERSION",
    help="The version live before the deploy began (its previous-version output; empty: none): "
    "do nothing (exit 0) when it is the live version, so only a switch that deploy made is undone.",
)
@target_options
def rollback(
    to: str | None,
    only_from: str | None,
    live_before: str | None,
    target_name: str | None,
    state: Path | None,
    by: str | None,
    summary_path: Path | None,
    github_output: bool,
    output_format: str | None,
    config_path: Path | None,
) -> int:
    """Put the previous approved live version (from the deploy history) or --to VERSION back live.

    The version is gated (it must be approved), its artifact verified and it is smoke-tested on the live
    endpoint exactly like a deploy; if it fails, the version that was live is restored. --from makes it
    safe to run after a failed deploy job: it does nothing unless that version is still live, and with
    --live-before nothing unless that deploy changed the live version.

    Exit codes: 0 rolled back (or nothing to do), 1 refused (nothing to roll back to, not approved,
    endpoint busy) or the rollback failed its checks and was undone, 2 tampered or untrusted artifact,
    3 endpoint unreachable, 5 needs a person, 6 timed out.
    """
    from mlgate.deploy import flow

    config = get_config(config_path)
    fmt = resolve_format(output_format)
    with (
        reporting_errors(github_output, to),
        deploying(config, target_name, state, by, fmt, title="mlgate rollback", notes=github_output) as deployer,
    ):
        outcome = flow.rollback(deployer, to=to, only_from=only_from, live_before=live_before)
    return report_outcome(outcome, fmt, summary_path=summary_path, github_output=github_output)
