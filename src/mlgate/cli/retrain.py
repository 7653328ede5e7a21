"""``mlgate retrain``: fetch fresh data, validate, train, compare with the live version, register a winner as pending."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

import click

from mlgate.cli.common import (
    append_job_summary,
    config_option,
    format_option,
    get_config,
    open_github,
    resolve_format,
    write_github_outputs,
)
from mlgate.cli.output import echo

if TYPE_CHECKING:
    from mlgate.retrain.run import RetrainResult


@click.command()
@click.option("--no-fetch", is_flag=True, help="Use the data in place; do not run retrain.fetch.")
@click.option("--version", "version", default=None, help="Compare with this registered version, not the live one.")
@click.option("--out", type=click.Path(path_type=Path, file_okay=False), default=Path(".mlgate/retrain"),
              show_default=True, help="Folder for the candidates' results and the report files.")  # fmt: skip
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
    from mlgate.cli.progress import StepPrinter
    from mlgate.files import write_atomic
    from mlgate.registry import open_registry
    from mlgate.registry.actor import resolve_actor
    from mlgate.report import retrain as render
    from mlgate.retrain.run import RetrainOptions, run_retrain

    config = get_config(config_path, required=True)
    fmt = resolve_format(output_format)
    actor = resolve_actor(by, os.environ)
    options = RetrainOptions(out=out, by=actor, fetch=not no_fetch, version=version)
    printer = StepPrinter(title="mlgate retrain")
    try:
        result = run_retrain(config, open_registry(config), options, say=printer,
                             s3=lambda: aws.client("s3", max_attempts=config.sagemaker.max_attempts))  # fmt: skip
    finally:
        printer.close()
    summary = render.render_markdown(result)
    write_atomic(out / "summary.md", summary)
    write_atomic(out / "report.json", render.render_json(result))
    shown = {"markdown": lambda: summary, "json": lambda: render.render_json(result),
             "github": lambda: render.render_github(result)}  # fmt: skip
    echo(shown.get(fmt, lambda: render.render_text(result))(), nl=False)
    step_summary = os.environ.get("GITHUB_STEP_SUMMARY")
    in_summary = fmt == "github" and bool(step_summary)  # in Actions: the report goes to the job summary, once
    if github_output:
        registered = result.version.version if result.version is not None else ""
        write_github_outputs({"outcome": result.outcome, "version": registered,
                              "exit-code": str(int(result.exit_code)), "summary-file": str(out / "summary.md")})  # fmt: skip
    if issue:
        report_on_issue(result, summary, key=issue_key, in_summary=in_summary)
    if in_summary:
        try:
            append_job_summary(Path(str(step_summary)), summary)
        except OSError as exc:
            echo(f"mlgate: warning: the job summary could not be written ({exc.strerror}); the report is in "
                       f"{out / 'summary.md'}", err=True)  # fmt: skip
    return result.exit_code


def report_on_issue(result: RetrainResult, summary: str, *, key: str, in_summary: bool = False) -> None:
    """A comment on the open monitor issue (a new issue only when a version was registered).

    Needs GITHUB_TOKEN (issues: write) and GITHUB_REPOSITORY; a token that may not write issues gets a
    warning and the report in the job summary (unless ``in_summary``: it is there already), as
    ``mlgate comment`` does.
    """

    from mlgate.github import actions
    from mlgate.github.client import NotAccessibleError
    from mlgate.github.issues import IssueResult, note_retrain

    environ = dict(os.environ)
    registered = result.outcome == "registered"
    title = _issue_title(result)
    summary_file = Path(environ["GITHUB_STEP_SUMMARY"]) if environ.get("GITHUB_STEP_SUMMARY") else None
    with open_github(environ, what="--issue") as (client, repo):
        try:
            done: IssueResult = note_retrain(client, repo, key=key, title=title, body=summary, registered=registered)
        except NotAccessibleError as exc:
            if summary_file is not None and not in_summary:
                append_job_summary(summary_file, summary)
            fix = "give the job `permissions: issues: write`; the report is in the job summary"
            echo(actions.annotation("warning", f"{exc.message}. {fix}", title="mlgate retrain"))
            return
    where = f" #{done.number}" if done.number is not None else ""
    echo(f"mlgate: monitor issue{where}: {done.action}" + (f" ({done.url})" if done.url else ""), err=True)


def _issue_title(result: RetrainResult) -> str:
    if result.version is not None and result.outcome == "registered":
        return f"mlgate retrain: version {result.version.version} is pending approval"
    return f"mlgate retrain: {result.outcome}"
