"""``mlgate replay VERSION``: a registered version answers the captured traffic offline, against the live one."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import click

from mlgate.cli.common import config_option, format_option, get_config, resolve_format
from mlgate.cli.output import emit
from mlgate.errors import ExitCode


@click.command()
@click.argument("version", required=False)
@click.option(
    "--since",
    help="The window's start, as `mlgate monitor --since` (24h, 7d, or an ISO 8601 time). Default: monitor.since.",
)
@click.option("--until", help="The window's end: an ISO 8601 time or a duration back from now. Default: now.")
@click.option("--capture", help="Captured traffic: a folder or s3:// prefix (default: monitor.capture, capture.path).")
@click.option(
    "--labels",
    "labels_path",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Ground-truth labels (CSV, Parquet, JSONL) joined by request id: the paired quality difference.",
)
@click.option(
    "--out",
    "out_dir",
    type=click.Path(path_type=Path, file_okay=False),
    help="Also write replay.json and replay.md to this folder.",
)
@format_option()
@config_option
def replay(
    version: str | None,
    since: str | None,
    until: str | None,
    capture: str | None,
    labels_path: Path | None,
    out_dir: Path | None,
    output_format: str | None,
    config_path: Path | None,
) -> int:
    """Answer the captured traffic with VERSION (default: the newest approved version that is not live, the
    one `mlgate deploy` would pick) and compare it with what the live version answered:
    disagreement overall and per segment, the largest flips, schema violations, and with --labels the
    paired quality difference; then the replay.* gates.

    Exit 0 pass, 1 a gate failed or too few rows to judge (inconclusive), 2 unusable input, 3 a service failed.
    """
    from mlgate.data.arrow import skip_pandas_integration
    from mlgate.files import write_atomic
    from mlgate.registry import open_registry
    from mlgate.replay.run import ReplayRequest, run_replay
    from mlgate.report import replay as render

    config = get_config(config_path)
    skip_pandas_integration()
    request = ReplayRequest(version=version, since=since, until=until, capture=capture, labels=labels_path)
    result = run_replay(config, open_registry(config), request, now=dt.datetime.now(dt.timezone.utc))
    fmt = resolve_format(output_format)
    summary = os.environ.get("GITHUB_STEP_SUMMARY")
    emit(result, render, fmt, summary=Path(summary) if fmt == "github" and summary else None)
    if out_dir is not None:
        write_atomic(out_dir / "replay.json", render.render_json(result))
        write_atomic(out_dir / "replay.md", render.render_markdown(result))
    return ExitCode.OK if result.verdict == "pass" else ExitCode.CHECKS_FAILED
