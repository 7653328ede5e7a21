"""``mlgate deploy``: put an approved registry version live, smoke-test it, roll back on failure.

The helpers below are shared with ``mlgate rollback``: the deployer (``mlgate.deploy.open``) as the actor
with progress lines, and reporting the outcome (format, job summary, step outputs).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from mlgate.cli.common import (
    config_option,
    format_option,
    get_config,
    resolve_format,
    write_github_outputs,
)
from mlgate.cli.output import emit
from mlgate.cli.progress import StepPrinter
from mlgate.errors import exit_code_for

if TYPE_CHECKING:
    from mlgate.config import Config
    from mlgate.deploy.flow import Deployer
    from mlgate.deploy.outcome import DeployOutcome

F = Callable[..., Any]


def target_options(func: F) -> F:
    """``--target``, ``--state``, ``--by``, ``--summary``, ``--github-output``, ``--format``, ``--config``."""
    decorators = [
        click.option("--target", "target_name", metavar="NAME", help="Deploy target (default: deploy.target, local)."),
        click.option(
            "--state",
            type=click.Path(path_type=Path, file_okay=False),
            help="local target: the server's state folder (default: deploy.state).",
        ),
        click.option("--by", help="Who is doing this (default: GITHUB_ACTOR, else the local user)."),
        click.option(
            "--summary",
            "summary_path",
            type=click.Path(path_type=Path, dir_okay=False),
            help="Also append the markdown report to this file (e.g. $GITHUB_STEP_SUMMARY).",
        ),
        click.option(
            "--github-output",
            is_flag=True,
            help="Also write outcome, version, live-version, previous-version and exit-code to $GITHUB_OUTPUT, and "
            "switched=true right before the endpoint is switched.",
        ),
        format_option(),
        config_option,
    ]
    for decorate in reversed(decorators):
        func = decorate(func)
    return func


@click.command()
@click.argument("version", required=False)
@click.option(
    "--shadow",
    is_flag=True,
    help="Do not switch: run VERSION beside the live one on a share of the requests, off the request path "
    "(local target; see `mlgate shadow status`).",
)
@click.option(
    "--fraction",
    type=float,
    default=0.1,
    show_default=True,
    help="With --shadow, the share of requests the shadow also answers.",
)
@click.option(
    "--ab",
    "ab_percent",
    type=float,
    metavar="PERCENT",
    help="Do not switch: serve PERCENT of the clients with VERSION (approved) beside the live one, an A/B test "
    "decided by `mlgate ab decide`.",
)
@click.option("--key", "ab_key", metavar="KIND:NAME", help="With --ab, what keeps a client sticky (default: ab.key).")
@target_options
def deploy(
    version: str | None,
    shadow: bool,
    fraction: float,
    ab_percent: float | None,
    ab_key: str | None,
    target_name: str | None,
    state: Path | None,
    by: str | None,
    summary_path: Path | None,
    github_output: bool,
    output_format: str | None,
    config_path: Path | None,
) -> int:
    """Deploy VERSION (default: the newest approved version) to the target, then smoke-test it live.

    Only approved versions are deployed. The artifact's digest is verified first, the live version is
    recorded as the rollback target, the pointer is switched and the new version smoke-tested on the live
    endpoint (/ping, golden predictions, response schema, p95 latency). On failure the previous version
    is restored and verified, and the failed one marked rejected.

    With --ab PERCENT, nothing is switched: VERSION (approved, not live) answers PERCENT of the clients (sticky by
    --key, default ab.key) until `mlgate ab decide` promotes or stops it. Refused (exit 1): a version not approved,
    a second A/B test on the endpoint.

    With --shadow, nothing is switched: VERSION (registered, not rejected, not live) answers a share of the live
    requests beside the live version, off the request path, until `mlgate shadow stop`.

    Exit codes: 0 deployed or already live, 1 refused (not approved, endpoint busy) or failed and rolled
    back, 2 tampered or untrusted artifact (nothing deployed), 3 endpoint unreachable (nothing changed),
    5 failed and could not be rolled back (needs a person), 6 timed out (state unknown).
    """
    from mlgate.deploy import flow

    config = get_config(config_path)
    fmt = resolve_format(output_format)
    if shadow and ab_percent is not None:
        from mlgate.errors import InputError

        raise InputError("--shadow and --ab cannot be combined", hint="start the shadow or the A/B test, not both")
    if shadow:
        return _shadow(config, version, fraction, target_name, state, by, fmt)
    if ab_percent is not None:
        return _ab(config, version, ab_percent, ab_key or config.ab.key, target_name, state, by, fmt)
    with (
        reporting_errors(github_output, version),
        deploying(config, target_name, state, by, fmt, title="mlgate deploy", notes=github_output) as deployer,
    ):
        outcome = flow.deploy(deployer, version)
    return report_outcome(outcome, fmt, summary_path=summary_path, github_output=github_output)


def _shadow(
    config: Config,
    version: str | None,
    fraction: float,
    target_name: str | None,
    state: Path | None,
    by: str | None,
    fmt: str,
) -> int:
    from mlgate.deploy.shadow import start_shadow
    from mlgate.errors import ExitCode, InputError
    from mlgate.report import shadow_change as render

    if version is None:
        raise InputError("--shadow needs the VERSION to shadow", hint="mlgate deploy VERSION --shadow [--fraction F]")
    with deploying(config, target_name, state, by, fmt, title="mlgate deploy --shadow", notes=False) as deployer:
        change = start_shadow(deployer, version, fraction)
    emit(change, render, fmt)
    return ExitCode.OK


def _ab(
    config: Config,
    version: str | None,
    percent: float,
    key: str,
    target_name: str | None,
    state: Path | None,
    by: str | None,
    fmt: str,
) -> int:
    from mlgate.ab.flow import start_ab
    from mlgate.errors import ExitCode, InputError
    from mlgate.report import ab as render

    if version is None:
        raise InputError("--ab needs the VERSION to test", hint="mlgate deploy VERSION --ab PERCENT")
    with deploying(config, target_name, state, by, fmt, title="mlgate deploy --ab", notes=False) as deployer:
        change = start_ab(deployer, version, percent, key)
    emit(change, render, fmt)
    return ExitCode.OK


@contextmanager
def deploying(
    config: Config, target_name: str | None, state: Path | None, by: str | None, fmt: str, *, title: str, notes: bool
) -> Iterator[Deployer]:
    """``mlgate.deploy.open.open_deployer`` as the actor (--by, else $GITHUB_ACTOR, else the user), with progress
    lines on stderr. With ``notes``, the flow's facts (``previous-version``, then ``switched``) go to
    ``$GITHUB_OUTPUT`` the moment they hold, so a job that dies later still tells the automatic rollback whether
    it switched.
    """
    from mlgate.deploy.open import open_deployer
    from mlgate.registry.actor import resolve_actor

    actor = resolve_actor(by, os.environ)
    note = write_github_outputs if notes else None
    with (
        StepPrinter(enabled=fmt != "json", title=title) as printer,
        open_deployer(config, target_name, state, actor=actor, say=printer, note=note) as deployer,
    ):
        yield deployer


@contextmanager
def reporting_errors(github_output: bool, version: str | None) -> Iterator[None]:
    """With ``--github-output``, a command that fails before it has an outcome still sets ``outcome=error``."""
    try:
        yield
    except Exception as exc:
        if github_output and os.environ.get("GITHUB_OUTPUT"):
            code = int(exit_code_for(exc))
            write_github_outputs(
                {"outcome": "error", "version": version or "", "live-version": "", "exit-code": str(code)}
            )
        raise


def report_outcome(outcome: DeployOutcome, fmt: str, *, summary_path: Path | None, github_output: bool) -> int:
    """Print the outcome in ``fmt``, append the job summary, write the step outputs; return the exit code."""
    from mlgate.report import deploy as render

    code = int(outcome.exit_code)
    outputs = {
        "outcome": outcome.outcome,
        "version": outcome.version or "",
        "live-version": outcome.live or "",
        "previous-version": outcome.previous or "",
        "exit-code": str(code),
    }
    emit(outcome, render, fmt, summary=summary_path, outputs=outputs if github_output else None)
    return code
