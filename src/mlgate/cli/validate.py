"""``mlgate validate``: check datasets against their schema."""

from __future__ import annotations

from pathlib import Path

import click

from mlgate.cli.common import config_option, format_option, get_config, resolve_format
from mlgate.cli.output import bind, emit
from mlgate.cli.progress import ProgressPrinter
from mlgate.errors import ExitCode


@click.command()
@click.argument("data", nargs=-1)
@click.option(
    "--schema",
    "schema_path",
    type=click.Path(path_type=Path),
    help="Table Schema file (default: data.schema in mlgate.yaml).",
)
@click.option(
    "--max-examples", type=click.IntRange(0, 100), default=None, help="Example values kept per check (default 5)."
)
@click.option(
    "--summary",
    "summary_path",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Also append the markdown report to this file (e.g. $GITHUB_STEP_SUMMARY).",
)
@click.option("--github-output", is_flag=True, help="Also write verdict and exit-code to $GITHUB_OUTPUT.")
@format_option()
@config_option
def validate(
    data: tuple[str, ...],
    schema_path: Path | None,
    max_examples: int | None,
    summary_path: Path | None,
    github_output: bool,
    output_format: str | None,
    config_path: Path | None,
) -> int:
    """Validate DATA files (CSV, .csv.gz, Parquet; local or s3://) against the schema.

    Exit 0 when valid, 1 when there are violations of error severity, 2 when an input is unusable.
    """
    from mlgate.data import validate_datasets
    from mlgate.data.arrow import skip_pandas_integration
    from mlgate.report import validation as render

    config = get_config(config_path)
    skip_pandas_integration()
    fmt = resolve_format(output_format)
    with ProgressPrinter(enabled=fmt != "json") as progress:
        result = validate_datasets(config, data, schema_path, max_examples=max_examples, progress=progress)
    failed = not result.valid or (config.validate.fail_on_warnings and result.warnings > 0)
    code = ExitCode.CHECKS_FAILED if failed else ExitCode.OK
    verdict = "fail" if failed else "warn" if result.warnings else "pass"
    renderers = bind(render, github={"limit": config.validate.max_annotations})
    outputs = {"verdict": verdict, "exit-code": str(int(code))} if github_output else None
    emit(result, renderers, fmt, summary=summary_path, outputs=outputs)
    return code
