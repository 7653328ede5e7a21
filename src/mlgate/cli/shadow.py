"""``mlgate shadow status`` and ``mlgate shadow stop``: the version running beside the live one (local target: the\nserver's shadow records; sagemaker: the endpoint's data capture of both variants)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from mlgate.cli.common import config_option, format_option, get_config, resolve_format
from mlgate.cli.output import emit
from mlgate.errors import ExitCode


@click.group()
def shadow() -> None:
    """Follow and stop a shadow version (start one with `mlgate deploy VERSION --shadow`)."""


@shadow.command()
@click.option("--target", "target_name", metavar="NAME", help="Deploy target (default: deploy.target, local).")
@click.option("--version", "version", help="The shadow version to report (default: the running one, else the last).")
@click.option("--since", help="Only records since then: a duration (24h) or an ISO 8601 time (default: the start).")
@click.option(
    "--state",
    type=click.Path(path_type=Path, file_okay=False),
    help="The server's state folder (default: deploy.state).",
)
@format_option()
@config_option
def status(
    target_name: str | None,
    version: str | None,
    since: str | None,
    state: Path | None,
    output_format: str | None,
    config_path: Path | None,
) -> int:
    """How the shadow answered the live traffic: disagreement with the live version (overall and per segment,
    with intervals), failures, both versions' latencies, the flips. Exit 0; 2 unusable input."""
    from mlgate.monitor.window import resolve_window
    from mlgate.replay.run import is_regression
    from mlgate.report import shadow as render
    from mlgate.shadow.status import read_status

    config = get_config(config_path)
    start = None
    if since:
        start, _ = resolve_window(since, None, now=dt.datetime.now(dt.timezone.utc), since_where="--since")
    regression = is_regression(config, None)
    if (target_name or config.deploy.target) == "sagemaker":
        from mlgate.deploy.targets import open_target
        from mlgate.registry import open_registry
        from mlgate.shadow.capture import read_endpoint_status

        target, registry = open_target(config, "sagemaker"), open_registry(config)
        found = read_endpoint_status(
            config,
            target,
            registry,
            version=version,
            since=start,
            regression=regression,
        )
    else:
        folder = state or Path(config.deploy.state)
        found = read_status(
            folder,
            version=version,
            since=start,
            regression=regression,
            settings=config.replay,
        )
    emit(found, render, resolve_format(output_format))
    return ExitCode.OK


@shadow.command()
@click.option(
    "--state",
    type=click.Path(path_type=Path, file_okay=False),
    help="The server's state folder (default: deploy.state).",
)
@click.option("--target", "target_name", metavar="NAME", help="Deploy target (default: deploy.target, local).")
@click.option("--by", help="Who is doing this (default: GITHUB_ACTOR, else the local user).")
@format_option()
@config_option
def stop(
    state: Path | None, target_name: str | None, by: str | None, output_format: str | None, config_path: Path | None
) -> int:
    """Stop shadowing (the local server stops within a poll; SageMaker returns to the live version's own config);
    recorded in the registry's history. Exit 0."""
    from mlgate.cli.deploy import deploying
    from mlgate.deploy.shadow import stop_shadow
    from mlgate.report import shadow_change as render

    config = get_config(config_path)
    fmt = resolve_format(output_format)
    with deploying(config, target_name, state, by, fmt, title="mlgate shadow stop", notes=False) as deployer:
        change = stop_shadow(deployer)
    emit(change, render, fmt)
    return ExitCode.OK
