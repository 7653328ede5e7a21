"""``mlgate check``: validate + train + compare with the merge-base baseline + report, as the PR check does."""

from __future__ import annotations

import os
from pathlib import Path

import click

from mlgate.cli.common import actions_run_url, config_option, format_option, get_config, resolve_format
from mlgate.cli.output import bind, emit
from mlgate.cli.progress import StepPrinter
from mlgate.errors import ExitCode


@click.command()
@click.option(
    "--out",
    type=click.Path(path_type=Path, file_okay=False),
    default=Path(".mlgate/check"),
    show_default=True,
    help="Folder for the candidate results and the report files.",
)
@click.option("--head", help="The PR head commit (default: pull_request.head.sha from the event, else HEAD).")
@click.option(
    "--base",
    help="The base branch (default: the event's base ref, else baseline.base_branch, "
    "else the repository's default branch).",
)
@click.option("--require-baseline", is_flag=True, help="No baseline is an error (exit 2), not a current-only report.")
@click.option("--key", help="Report key in the sticky marker (default: report.key).")
@click.option(
    "--cache/--no-cache",
    "cache_results",
    default=None,
    help="Store these results as the baseline of the head commit (default: on non-PR runs of a clean tree).",
)
@click.option(
    "--candidate",
    "candidates",
    type=click.Path(path_type=Path, file_okay=False),
    multiple=True,
    help="Compare these results folders (e.g. one per matrix leg) instead of training here.",
)
@click.option(
    "--github-output", is_flag=True, help="Also write verdict, exit-code and the report paths to $GITHUB_OUTPUT."
)
@format_option()
@config_option
def check(
    out: Path,
    head: str | None,
    base: str | None,
    require_baseline: bool,
    key: str | None,
    cache_results: bool | None,
    candidates: tuple[Path, ...],
    github_output: bool,
    output_format: str | None,
    config_path: Path | None,
) -> int:
    """Validate the data, train the candidates, compare them with the merge-base's models, apply the gates.

    Writes OUT/candidate/ (results), OUT/comment.md (the size-budgeted PR comment), OUT/summary.md (the
    full report, for the job summary) and OUT/report.json. The baseline is the merge-base of the PR head
    with the base branch: its cached models are re-scored on this PR's data, or it is trained in a
    temporary git worktree when nothing is cached.

    Exit codes: 0 every gate passed (warnings allowed), 1 a gate failed or the data is invalid,
    2 unusable input.
    """
    from mlgate.check import CheckOptions, run_check
    from mlgate.files import write_atomic
    from mlgate.report import check as render
    from mlgate.tracking.commands import track_check

    config = get_config(config_path, required=True)
    fmt = resolve_format(output_format)
    options = CheckOptions(
        head=head, base=base, require_baseline=require_baseline, cache_results=cache_results, candidates=candidates
    )
    with StepPrinter(enabled=fmt != "json", title="mlgate check") as printer:
        result = run_check(config, out=out, options=options, environ=os.environ, step=printer)
        tracked = track_check(config, result, candidate=out / "candidate", legs=candidates, say=printer)
    context = render.build_context(
        result,
        key=key or config.report.key,
        precision=config.report.precision,
        run_url=actions_run_url(),
        full_report=FULL_REPORT_NOTE,
        tracked=tuple(tracked.values()),
    )
    limit = config.report.max_comment_chars
    for name, text in render.render_files(result, context, limit=limit).items():
        write_atomic(out / name, text)
    code = ExitCode.CHECKS_FAILED if result.verdict == "fail" else ExitCode.OK
    emit(
        result,
        bind(render, context, markdown={"limit": limit}),
        fmt,
        outputs=_outputs(result.verdict, code, out) if github_output else None,
    )
    return code


FULL_REPORT_NOTE = "the job summary and the `mlgate-report` artifact"


def _outputs(verdict: str, code: int, out: Path) -> dict[str, str]:
    """The step outputs: the verdict, the exit code and where the report files are."""
    files = {"report-dir": "", "comment-file": "comment.md", "summary-file": "summary.md", "report-file": "report.json"}
    return {"verdict": verdict, "exit-code": str(code)} | {key: str(out / name) for key, name in files.items()}
