"""``mlgate ab status|decide|stop``: follow, judge and end the A/B test started by ``mlgate deploy VERSION --ab``."""

from __future__ import annotations

import os
from pathlib import Path

import click

from mlgate.cli.common import announce_issue_note, get_config, open_github, resolve_format, write_github_outputs
from mlgate.cli.deploy import deploying, target_options
from mlgate.cli.output import echo, emit
from mlgate.errors import ExitCode

LABELS_HELP = "Ground-truth labels (CSV, Parquet or JSONL) with the request id and the target, joined as monitor does."


@click.group()
def ab() -> None:
    """Follow, decide and end an A/B test (start one with `mlgate deploy VERSION --ab PERCENT`)."""


@ab.command()
@click.option("--labels", type=click.Path(path_type=Path, dir_okay=False, exists=True), help=LABELS_HELP)
@target_options
def status(
    labels: Path | None,
    target_name: str | None,
    state: Path | None,
    by: str | None,
    summary_path: Path | None,
    github_output: bool,
    output_format: str | None,
    config_path: Path | None,
) -> int:
    """The running test: each variant's traffic and health, and with --labels the evidence so far and what
    `decide` would do. Changes nothing, records nothing. Exit 0; 2 no test running or unusable labels."""
    return _run(labels, False, False, target_name, state, by, summary_path, github_output, output_format, config_path)


@ab.command()
@click.option("--labels", type=click.Path(path_type=Path, dir_okay=False, exists=True), required=True, help=LABELS_HELP)
@click.option("--dry-run", is_flag=True, help="Decide and record the decision, but do not carry it out.")
@click.option(
    "--if-running",
    is_flag=True,
    help="With no A/B test on the endpoint, say so and exit 0 (outcome none): for schedules.",
)
@click.option("--issue", is_flag=True, help="Also comment on the monitor issue (GITHUB_TOKEN, GITHUB_REPOSITORY).")
@click.option("--issue-key", default="mlgate-monitor", show_default=True, help="Key of the monitor issue's marker.")
@target_options
def decide(
    labels: Path,
    dry_run: bool,
    if_running: bool,
    issue: bool,
    issue_key: str,
    target_name: str | None,
    state: Path | None,
    by: str | None,
    summary_path: Path | None,
    github_output: bool,
    output_format: str | None,
    config_path: Path | None,
) -> int:
    """Judge the running test with the labels so far and act: promote (the challenger goes live through a deploy:
    approval gate, smoke test, automatic rollback), stop (everyone back to the champion; the challenger rejected) or
    continue. The sequential test stays valid however often this runs (docs/experiments.md).

    Exit codes: 0 decided (promote, stop or continue: see outcome; with --if-running also no test), 1 the decision could not be carried out (the
    challenger is not approved, or its deploy failed and was rolled back), 2 no test running or unusable labels,
    3 endpoint unreachable."""
    return _run(
        labels,
        True,
        dry_run,
        target_name,
        state,
        by,
        summary_path,
        github_output,
        output_format,
        config_path,
        issue_key=issue_key if issue else None,
        if_running=if_running,
    )


@ab.command()
@click.option("--reason", default="stopped by hand", show_default=True, help="Why (kept in the registry's history).")
@target_options
def stop(
    reason: str,
    target_name: str | None,
    state: Path | None,
    by: str | None,
    summary_path: Path | None,
    github_output: bool,
    output_format: str | None,
    config_path: Path | None,
) -> int:
    """End the running test now: every client back to the champion; nothing is rejected. Exit 0."""
    from mlgate.ab.flow import stop_ab
    from mlgate.report import ab as render

    config = get_config(config_path)
    fmt = resolve_format(output_format)
    with deploying(config, target_name, state, by, fmt, title="mlgate ab stop", notes=False) as deployer:
        change = stop_ab(deployer, reason)
    emit(change, render, fmt, summary=summary_path)
    return ExitCode.OK


def _run(
    labels: Path | None,
    act: bool,
    dry_run: bool,
    target_name: str | None,
    state: Path | None,
    by: str | None,
    summary_path: Path | None,
    github_output: bool,
    output_format: str | None,
    config_path: Path | None,
    *,
    issue_key: str | None = None,
    if_running: bool = False,
) -> int:
    from mlgate.ab.flow import NoTestRunning, decide_ab_test
    from mlgate.replay.run import is_regression
    from mlgate.report import ab as render

    config = get_config(config_path)
    fmt = resolve_format(output_format)
    title = "mlgate ab decide" if act else "mlgate ab status"
    with deploying(config, target_name, state, by, fmt, title=title, notes=False) as deployer:
        regression = is_regression(config, None)
        act_now = act and not dry_run
        try:
            result = decide_ab_test(deployer, config, labels=labels, act=act_now, regression=regression, record=act)
        except NoTestRunning as exc:
            if not if_running:
                raise
            echo(f"mlgate: {exc.message}: nothing to decide")
            if github_output:
                write_github_outputs({"outcome": "none", "acted": "not-acted", "exit-code": "0"})
            return ExitCode.OK
    code = result.deploy.exit_code if result.deploy is not None else ExitCode.OK  # a promotion exits as its deploy
    outputs = {
        "outcome": result.decision.outcome if result.decision is not None else "",
        "acted": result.acted,
        "challenger": result.split.challenger,
        "champion": result.split.champion,
        "exit-code": str(int(code)),
    }
    emit(result, render, fmt, summary=summary_path, outputs=outputs if github_output else None)
    if issue_key is not None and result.decision is not None:
        _post(result, issue_key)
    return code


def _post(result: object, key: str) -> None:
    from functools import partial

    from mlgate.ab.issue import report_on_issue
    from mlgate.ab.model import AbResult
    from mlgate.report import ab as render

    assert isinstance(result, AbResult)
    environ = dict(os.environ)
    fallback = Path(environ["GITHUB_STEP_SUMMARY"]) if environ.get("GITHUB_STEP_SUMMARY") else None
    connect = partial(open_github, environ, what="--issue")
    posted = report_on_issue(result, render.render_markdown(result), key=key, connect=connect, summary=fallback)
    announce_issue_note(posted, title="mlgate ab")
