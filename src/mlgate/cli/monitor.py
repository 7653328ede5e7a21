"""``mlgate monitor``: judge captured production traffic against the live version."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import TYPE_CHECKING

import click

from mlgate.cli.common import config_option, format_option, get_config, open_github, resolve_format
from mlgate.cli.output import echo, emit
from mlgate.errors import ExitCode

if TYPE_CHECKING:
    from mlgate.monitor.model import MonitorResult
    from mlgate.registry.model import Registry

DEFAULT_ISSUE_KEY = "mlgate-monitor"


@click.command()
@click.option(
    "--since",
    help="The window's start: how far back from its end, a number and a unit s, m, h, d or w "
    "(90s, 30m, 24h, 7d, 2w), or an ISO 8601 time (2026-11-20T08:00:00Z, 2026-11-20; UTC "
    "unless it has an offset). Default: monitor.since (24h).",
)
@click.option(
    "--until",
    help="The window's end, to check a past window again: an ISO 8601 time, or a duration back "
    "from now (2d). Default: now.",
)
@click.option(
    "--labels",
    "labels_path",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Ground-truth labels (CSV, Parquet, JSONL) joined by request id: live metrics vs registered.",
)
@click.option("--capture", help="Captured traffic: a folder or s3:// prefix (default: monitor.capture, capture.path).")
@click.option("--version", "version", help="Judge against this registry version (default: the live one).")
@click.option(
    "--out",
    "out_dir",
    type=click.Path(path_type=Path, file_okay=False),
    help="Also write monitor.json and monitor.md to this folder.",
)
@click.option("--issue", is_flag=True, help="Open, update or close the ONE monitor issue on GitHub (GITHUB_TOKEN).")
@click.option("--issue-key", default=DEFAULT_ISSUE_KEY, show_default=True, help="The monitor issue's marker key.")
@format_option()
@config_option
def monitor(
    since: str | None,
    until: str | None,
    labels_path: Path | None,
    capture: str | None,
    version: str | None,
    out_dir: Path | None,
    issue: bool,
    issue_key: str,
    output_format: str | None,
    config_path: Path | None,
) -> int:
    """Check captured traffic for schema violations, feature and prediction drift, and (with --labels) decay;
    when a version shadowed the live one in the window (deploy --shadow), how it answered the same traffic.

    Exit 0 healthy (or too little data: a warning), 1 breach, 2 unusable input, 3 a service failed.
    """
    from mlgate.data.arrow import skip_pandas_integration
    from mlgate.files import write_atomic
    from mlgate.monitor.run import MonitorRequest, run_monitor
    from mlgate.registry import open_registry
    from mlgate.report import monitor_shadow as render
    from mlgate.shadow.watch import watch_shadow

    config = get_config(config_path)
    if issue:
        from mlgate.github.issues import check_key

        check_key(issue_key)
    skip_pandas_integration()
    request = MonitorRequest(since=since, until=until, capture=capture, labels=labels_path, version=version)
    registry = open_registry(config)
    result = run_monitor(config, registry, request, now=dt.datetime.now(dt.timezone.utc))
    features = _features(registry, result.version) if config.deploy.target == "sagemaker" else ()
    watched = watch_shadow(config, Path(config.deploy.state), result, labels_path, features=features)
    fmt = resolve_format(output_format)
    summary = os.environ.get("GITHUB_STEP_SUMMARY")
    emit(watched, render, fmt, summary=Path(summary) if fmt == "github" and summary else None)
    markdown = render.render_markdown(watched)
    if out_dir is not None:
        write_atomic(out_dir / "monitor.json", render.render_json(watched))
        write_atomic(out_dir / "monitor.md", markdown)
    if issue:
        _sync_issue(result, markdown, issue_key)
    return ExitCode.CHECKS_FAILED if result.verdict == "breach" else ExitCode.OK


def _features(registry: Registry, version: str) -> tuple[str, ...]:
    """The live version's features (SageMaker's capture may hold list rows in that order); none when unknown."""
    from mlgate.errors import InputError

    try:
        return tuple(registry.get(version).features)
    except InputError:
        return ()


def _sync_issue(result: MonitorResult, markdown: str, key: str) -> None:
    """Reflect the verdict in the monitor issue (``mlgate.monitor.issue``) and say what happened."""
    from functools import partial

    from mlgate.github.actions import annotation
    from mlgate.monitor.issue import report_on_issue

    summary = os.environ.get("GITHUB_STEP_SUMMARY")
    connect = partial(open_github, os.environ, what="--issue")
    posted = report_on_issue(result, markdown, key=key, connect=connect, summary=Path(summary) if summary else None)
    if posted is None:
        echo("mlgate: monitor issue left as it is: not enough captured rows to judge")
    elif posted.refused is not None:  # the token may not write issues (missing `issues: write`)
        echo(annotation("warning", f"{posted.refused.message}. {posted.refused.hint}", title="mlgate monitor"))
    elif posted.result is not None:
        where = f" #{posted.result.number}: {posted.result.url}" if posted.result.number is not None else ""
        echo(f"mlgate: monitor issue {posted.result.action}{where}")
