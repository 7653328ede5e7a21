"""``mlgate retrain``: fetch fresh data, validate, train, compare with the live version, register a winner as pending."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

import click

from mlgate.cli.common import (
    announce_issue_note,
    append_job_summary,
    config_option,
    format_option,
    get_config,
    open_github,
    resolve_format,
)
from mlgate.cli.output import echo, emit
from mlgate.cli.progress import StepPrinter

if TYPE_CHECKING:
    from mlgate.retrain.run import RetrainResult


@click.command()
@click.option("--no-fetch", is_flag=True, help="Use the data in place; do not run retrain.fetch.")
@click.option("--version", "version", default=None, help="Compare with this registered version, not the live one.")
@click.option(
    "--out",
    type=click.Path(path_type=Path, file_okay=False),
    default=Path(".mlgate/retrain"),
    show_default=True,
    help="Folder for the candidates' results and the report files.",
)
@click.option("--by", default=None, help="Who registers a winner (default: $GITHUB_ACTOR, else your user name).")
@click.option("--issue", is_flag=True, help="Report on the monitor issue (GITHUB_TOKEN, GITHUB_REPOSITORY).")
@click.option("--issue-key", default="mlgate-monitor", show_default=True, help="Key of the monitor issue's marker.")
@click.option("--github-output", is_flag=True, help="Also write outcome, version and exit-code to $GITHUB_OUTPUT.")
@format_option()
@config_option
def retrain(
    no_fetch: bool,
    version: str | None,
    out: Path,
    by: str | None,
    issue: bool,
    issue_key: str,
    github_output: bool,
    output_format: str | None,
    config_path: Path | None,
) -> int:
    """Retrain on fresh data and register the result as PENDING if it beats the live version.

    Steps: fetch fresh data (retrain.fetch: a command or an s3:// prefix; --no-fetch uses the data in
    place), the data gate, training the candidates, re-scoring the live version's registered model on the
    same fresh evaluation data, and the decision on the primary metric: a paired test of each candidate
    against it on those rows, better by more than the margin (retrain.min_improvement, else
    retrain.min_rel_improvement of the live value) with confidence 1 - retrain.alpha, Holm over the
    candidates. Nothing is ever approved.

    Writes OUT/candidates/ (results), OUT/summary.md and OUT/report.json.

    Exit codes: 0 a decision was made (a version registered, or no better model), 1 the fresh data failed
    the data gate (nothing registered), 2 unusable input or config (a failing fetch command), 3 a service failed.
    """
    from mlgate import aws
    from mlgate.files import write_atomic
    from mlgate.registry import open_registry
    from mlgate.registry.actor import resolve_actor
    from mlgate.report import retrain as render
    from mlgate.retrain.run import RetrainOptions, run_retrain

    config = get_config(config_path, required=True)
    fmt = resolve_format(output_format)
    options = RetrainOptions(out=out, by=resolve_actor(by, os.environ), fetch=not no_fetch, version=version)
    with StepPrinter(title="mlgate retrain") as printer:
        result = run_retrain(
            config,
            open_registry(config),
            options,
            say=printer,
            s3=lambda: aws.client("s3", max_attempts=config.sagemaker.max_attempts),
        )
    summary = render.render_markdown(result)
    write_atomic(out / "summary.md", summary)
    write_atomic(out / "report.json", render.render_json(result))
    emit(result, render, fmt, outputs=_outputs(result, out) if github_output else None)
    step_summary = os.environ.get("GITHUB_STEP_SUMMARY")
    in_summary = fmt == "github" and bool(step_summary)  # in Actions: the report goes to the job summary, once
    if issue:
        _report_on_issue(result, summary, key=issue_key, in_summary=in_summary)
    if in_summary:
        _append_summary(Path(str(step_summary)), summary, out)
    return result.exit_code


def _outputs(result: RetrainResult, out: Path) -> dict[str, str]:
    registered = result.version.version if result.version is not None else ""
    return {
        "outcome": result.outcome,
        "version": registered,
        "exit-code": str(int(result.exit_code)),
        "summary-file": str(out / "summary.md"),
    }


def _append_summary(path: Path, summary: str, out: Path) -> None:
    """The report in the job summary; a summary that cannot be written is a warning (the report is in OUT)."""
    try:
        append_job_summary(path, summary)
    except OSError as exc:
        echo(
            f"mlgate: warning: the job summary could not be written ({exc.strerror}); the report is in "
            f"{out / 'summary.md'}",
            err=True,
        )


def _report_on_issue(result: RetrainResult, summary: str, *, key: str, in_summary: bool) -> None:
    """A note on the monitor issue (``mlgate.retrain.issue``); without ``in_summary`` a refusal puts the report in
    the job summary."""
    from functools import partial

    from mlgate.retrain.issue import report_on_issue

    environ = dict(os.environ)
    fallback = Path(environ["GITHUB_STEP_SUMMARY"]) if environ.get("GITHUB_STEP_SUMMARY") and not in_summary else None
    connect = partial(open_github, environ, what="--issue")
    posted = report_on_issue(result, summary, key=key, connect=connect, summary=fallback)
    announce_issue_note(posted, title="mlgate retrain")
