"""``mlgate registry``: register model versions, approve or reject them, list them, read their history."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from mlgate.cli.common import config_option, get_config
from mlgate.cli.output import echo, emit
from mlgate.clock import utc_now
from mlgate.errors import ExitCode
from mlgate.registry import STATUSES, Status, open_registry
from mlgate.registry.actor import resolve_actor
from mlgate.registry.render import CHANGE_VIEW, HISTORY_VIEW, LIST_VIEW, VERSION_VIEW

F = TypeVar("F", bound=Callable[..., Any])


def output_option(func: F) -> F:
    """``--format text|json``."""
    return click.option(
        "--format",
        "output_format",
        type=click.Choice(["text", "json"]),
        default="text",
        show_default=True,
        help="Output format.",
    )(func)


def by_option(func: F) -> F:
    """``--by WHO``: who makes the change (default: GITHUB_ACTOR, else the local user)."""
    return click.option(
        "--by", default=None, help="Who makes the change (default: $GITHUB_ACTOR, else your user name)."
    )(func)


@click.group()
def registry() -> None:
    """Model versions, their approval and their history.

    Only approved versions can be deployed. Every change records who (--by, else $GITHUB_ACTOR, else the
    local user), why (--reason) and when. Unknown versions exit 2.
    """


@registry.command()
@click.argument("results", type=click.Path(path_type=Path))
@click.option("--best", is_flag=True, help="Register the winner by the primary metric (the first one on ties).")
@click.option("--model", "model_name", default=None, help="Register this model of the results.")
@click.option("--github-output", is_flag=True, help="Also write version, status and created to $GITHUB_OUTPUT.")
@by_option
@output_option
@config_option
def register(
    results: Path,
    best: bool,
    model_name: str | None,
    github_output: bool,
    by: str | None,
    output_format: str,
    config_path: Path | None,
) -> int:
    """Register a model of a RESULTS folder as a new pending version.

    RESULTS is a folder written by `mlgate train`.

    The artifact's SHA-256 is verified and the model loaded (trusted types only) before anything is stored;
    a tampered or untrusted artifact exits 2. An artifact already in the registry is not stored again.
    """
    from mlgate.registry.changes import register_results

    config = get_config(config_path)
    actor = resolve_actor(by, os.environ)
    store = open_registry(config)
    say = _progress if output_format == "text" else _quiet
    change = register_results(
        store, results, config, model=model_name, best=best, by=actor, now=utc_now(), progress=say
    )
    stored, created = change.version, change.action == "registered"
    outputs = {"version": stored.version, "status": stored.status, "created": str(created).lower()}
    emit(change, CHANGE_VIEW, output_format, outputs=outputs if github_output else None)
    return ExitCode.OK


@registry.command(name="list")
@click.option("--status", "status", type=click.Choice(STATUSES), default=None, help="Only versions in this status.")
@output_option
@config_option
def list_versions(status: str | None, output_format: str, config_path: Path | None) -> int:
    """List the versions, oldest first."""
    versions = [v for v in open_registry(get_config(config_path)).list() if status is None or v.status == status]
    emit(versions, LIST_VIEW, output_format)
    return ExitCode.OK


@registry.command()
@click.argument("version")
@click.option(
    "--require",
    "required",
    type=click.Choice(["pending", "approved", "rejected"]),
    default=None,
    help="Exit 1 unless VERSION has this status (a deploy workflow's approval gate).",
)
@output_option
@config_option
def show(version: str, required: str | None, output_format: str, config_path: Path | None) -> int:
    """Show everything recorded about VERSION."""
    found = open_registry(get_config(config_path)).get(version)
    emit(found, VERSION_VIEW, output_format)
    if required is not None and found.status != required:
        echo(f"mlgate: version {found.version} is {found.status}, not {required}", err=True)
        return ExitCode.CHECKS_FAILED
    return ExitCode.OK


@registry.command()
@click.argument("version")
@click.option("--reason", required=True, help="Why it may be deployed (recorded with who and when).")
@by_option
@output_option
@config_option
def approve(version: str, reason: str, by: str | None, output_format: str, config_path: Path | None) -> int:
    """Approve VERSION for deployment (a reason is required)."""
    return _change_status(
        version, "approved", reason=reason, by=by, output_format=output_format, config_path=config_path
    )


@registry.command()
@click.argument("version")
@click.option("--reason", required=True, help="Why it must not be deployed (recorded with who and when).")
@by_option
@output_option
@config_option
def reject(version: str, reason: str, by: str | None, output_format: str, config_path: Path | None) -> int:
    """Reject VERSION (a reason is required).

    Rejected versions are never deployed.
    """
    return _change_status(
        version, "rejected", reason=reason, by=by, output_format=output_format, config_path=config_path
    )


@registry.command()
@click.argument("version", required=False)
@output_option
@config_option
def history(version: str | None, output_format: str, config_path: Path | None) -> int:
    """Show the history of the registry or of VERSION, oldest first."""
    events = open_registry(get_config(config_path)).history(version)
    emit(events, HISTORY_VIEW, output_format)
    return ExitCode.OK


def _change_status(
    version: str, status: Status, *, reason: str, by: str | None, output_format: str, config_path: Path | None
) -> int:
    from mlgate.registry.changes import change_status

    store = open_registry(get_config(config_path))
    actor = resolve_actor(by, os.environ)
    emit(change_status(store, version, status, by=actor, reason=reason), CHANGE_VIEW, output_format)
    return ExitCode.OK


def _progress(message: str) -> None:
    """Progress lines on stderr (text output)."""
    echo(f"  … {message}", err=True)


def _quiet(_message: str) -> None:
    """A progress sink that says nothing (JSON output)."""
