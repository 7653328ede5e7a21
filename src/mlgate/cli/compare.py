"""``mlgate compare --baseline B --candidate C [C...]``: compare result sets, apply the gates, render the report."""

from __future__ import annotations

from pathlib import Path

import click

from mlgate.cli.common import actions_run_url, config_option, format_option, get_config, resolve_format
from mlgate.cli.output import bind, emit
from mlgate.errors import ExitCode

PATHS = click.Path(path_type=Path)


@click.command()
@click.option("--baseline", "baseline_path", type=PATHS, help="Baseline results folder or metrics file.")
@click.option(
    "--candidate", "candidate_paths", type=PATHS, multiple=True, help="Candidate results folder or metrics file."
)
@click.argument("more_candidates", nargs=-1, type=PATHS)
@click.option(
    "--require-baseline", is_flag=True, help="No baseline is an error, exit 2 (also: baseline.require in mlgate.yaml)."
)
@click.option("--baseline-note", help="How the baseline was obtained, for the report header.")
@click.option("--baseline-params", type=PATHS, help="DVC params.yaml of the baseline.")
@click.option("--candidate-params", type=PATHS, help="DVC params.yaml of the candidate.")
@click.option("--name", "model_name", help="Model name for DVC-style metrics files (default: the file's stem).")
@click.option("--key", help="Report key in the sticky marker (default: report.key).")
@click.option("--head", help="PR head commit for the report (default: the candidate's commit).")
@click.option("--out", "out_path", type=PATHS, help="Write the comment body (size-budgeted markdown) here.")
@click.option("--summary", "summary_path", type=PATHS, help="Write the full markdown report here.")
@format_option()
@config_option
def compare(
    baseline_path: Path | None,
    candidate_paths: tuple[Path, ...],
    more_candidates: tuple[Path, ...],
    require_baseline: bool,
    baseline_note: str | None,
    baseline_params: Path | None,
    candidate_params: Path | None,
    model_name: str | None,
    key: str | None,
    head: str | None,
    out_path: Path | None,
    summary_path: Path | None,
    output_format: str | None,
    config_path: Path | None,
) -> int:
    """Compare candidate results with a baseline and apply the metric gates.

    Candidates (after --candidate, repeated or followed by more paths) merge into one comparison, e.g.
    one results folder per matrix leg. Each path is an mlgate results folder, its metrics.json, or a
    DVC-style metrics file (JSON, YAML or TOML; nested keys become a.b.c). Without a usable baseline the
    report shows the current results only (bounds still apply).

    Exit codes: 0 every gate passed (warnings allowed), 1 a gate failed, 2 unusable input.
    """
    from mlgate.compare_folders import compare_folders
    from mlgate.files import write_atomic
    from mlgate.report import comparison as render
    from mlgate.report.context import FULL_REPORT_LIMIT, ReportContext

    config = get_config(config_path)
    comparison = compare_folders(
        config,
        candidate_paths + more_candidates,
        baseline_path,
        baseline_note=baseline_note,
        baseline_params=baseline_params,
        candidate_params=candidate_params,
        model=model_name,
        require_baseline=require_baseline,
    )
    context = ReportContext(
        key=key or config.report.key,
        head=head,
        precision=config.report.precision,
        run_url=actions_run_url(),
        full_report=None if summary_path is None else str(summary_path),
    )
    limit = config.report.max_comment_chars
    for path, budget in ((out_path, limit), (summary_path, FULL_REPORT_LIMIT)):
        if path is not None:
            write_atomic(path, render.render_markdown(comparison, context, limit=budget))
    emit(comparison, bind(render, context, markdown={"limit": limit}), resolve_format(output_format))
    return ExitCode.CHECKS_FAILED if comparison.verdict == "fail" else ExitCode.OK
