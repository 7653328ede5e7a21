"""``mlgate validate``: check datasets against their schema."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

import click

from mlgate.cli.common import (
    append_job_summary,
    config_option,
    format_option,
    get_config,
    resolve_format,
    write_github_outputs,
)
from mlgate.cli.output import echo
from mlgate.cli.progress import ProgressPrinter
from mlgate.errors import ExitCode, InputError
from mlgate.files import display_path

if TYPE_CHECKING:
    from mlgate.data.results import ValidationResult


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
@click.option("--summary", "summary_path", type=click.Path(path_type=Path, dir_okay=False),
              help="Also append the markdown report to this file (e.g. $GITHUB_STEP_SUMMARY).")  # fmt: skip
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
    from mlgate.data.arrow import skip_pandas_integration
    from mlgate.data.schema import load_schema
    from mlgate.data.validate import validate_files
    from mlgate.report import validation as render

    config = get_config(config_path)
    uris = list(data) or [display_path(d) for d in config.data.validation_targets()]
    if not uris:
        raise InputError(
            "no datasets to validate",
            hint="pass DATA paths or set data.datasets (or data.train and data.test) in mlgate.yaml",
        )
    if schema_path is None:
        if not config.data.schema:
            raise InputError("no schema given", hint="pass --schema FILE or set data.schema in mlgate.yaml")
        schema_path = Path(display_path(config.data.schema))
    schema = load_schema(schema_path)
    skip_pandas_integration()
    reference = None
    if schema.drift is not None:
        from mlgate.data.drift import reference_for

        reference = reference_for(schema, csv=config.data.csv, check=config.check_inside)
    fmt = resolve_format(output_format)
    progress = ProgressPrinter(enabled=fmt != "json")
    try:
        result = validate_files(
            uris, schema, csv=config.data.csv,
            max_examples=config.validate.max_examples if max_examples is None else max_examples,
            progress=progress,
            drift=reference,
            roots=(config.root,),
        )  # fmt: skip
    finally:
        progress.close()
    renderers: dict[str, Callable[[ValidationResult], str]] = {
        "text": render.render_text,
        "markdown": render.render_markdown,
        "json": render.render_json,
        "github": partial(render.render_github, limit=config.validate.max_annotations),
    }
    echo(renderers[fmt](result), nl=False)
    if summary_path is not None:
        append_job_summary(summary_path, render.render_markdown(result))
    failed = not result.valid or (config.validate.fail_on_warnings and result.warnings > 0)
    code = ExitCode.CHECKS_FAILED if failed else ExitCode.OK
    if github_output:
        verdict = "fail" if failed else "warn" if result.warnings else "pass"
        write_github_outputs({"verdict": verdict, "exit-code": str(int(code))})
    return code
