"""``mlgate compare --baseline B --candidate C [C...]``: compare result sets, apply the gates, render the report."""

from __future__ import annotations

from pathlib import Path

import click

from mlgate.cli.common import actions_run_url, config_option, format_option, get_config, resolve_format
from mlgate.cli.output import echo
from mlgate.errors import ExitCode, InputError

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
    from mlgate.compare import compare_results
    from mlgate.files import write_atomic
    from mlgate.interop import read_result_set
    from mlgate.report import comparison as render
    from mlgate.report.context import FULL_REPORT_LIMIT, ReportContext
    from mlgate.training.predictions import attach_predictions

    config = get_config(config_path)
    paths = candidate_paths + more_candidates
    if not paths:
        raise InputError("no candidate results given", hint="pass --candidate DIR (a results folder or metrics file)")
    if candidate_params is not None and len(paths) > 1:
        raise InputError("--candidate-params needs exactly one candidate", hint="merge params per leg before comparing")
    candidates = [attach_predictions(read_result_set(p, params=candidate_params, model=model_name), p) for p in paths]
    baseline = None
    note = baseline_note
    if baseline_path is not None and baseline_path.exists():
        read = read_result_set(baseline_path, params=baseline_params, model=model_name)
        baseline = attach_predictions(read, baseline_path)
    elif note is None:
        note = f"{baseline_path} does not exist" if baseline_path is not None else "no --baseline was given"
    if baseline is None and (require_baseline or config.baseline.require):
        raise InputError(f"no baseline: {note}", hint="pass --baseline DIR, or drop --require-baseline")
    comparison = compare_results(
        baseline,
        candidates,
        config.metrics,
        baseline_note=note,
        incomparable=config.baseline.incomparable,
        seed=config.train.seed,
        seed_fits=config.train.seed_fits,
    )
    context = ReportContext(
        key=key or config.report.key,
        head=head,
        precision=config.report.precision,
        run_url=actions_run_url(),
        full_report=str(summary_path) if summary_path is not None else None,
    )
    fmt = resolve_format(output_format)
    comment = None
    if out_path is not None or fmt == "markdown":
        comment = render.render_markdown(comparison, context, limit=config.report.max_comment_chars)
    if out_path is not None and comment is not None:
        write_atomic(out_path, comment)
    if summary_path is not None:
        write_atomic(summary_path, render.render_markdown(comparison, context, limit=FULL_REPORT_LIMIT))
    if comment is not None and fmt == "markdown":
        text = comment
    elif fmt == "json":
        text = render.render_json(comparison, context)
    elif fmt == "github":
        text = render.render_github(comparison, context)
    else:
        text = render.render_text(comparison, context)
    echo(text, nl=False)
    return ExitCode.CHECKS_FAILED if comparison.verdict == "fail" else ExitCode.OK
