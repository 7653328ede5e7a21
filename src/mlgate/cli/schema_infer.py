"""``mlgate schema infer``: draft a Table Schema from a full pass over a dataset."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from mlgate.cli.common import config_option, get_config
from mlgate.cli.output import echo, emit
from mlgate.errors import ExitCode

if TYPE_CHECKING:
    from mlgate.data.ranges import Ranges


@click.command()
@click.argument("data")
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="Write the schema to FILE (atomically) instead of stdout.",
)
@click.option(
    "--enum-max",
    type=click.IntRange(0, 10_000),
    default=20,
    show_default=True,
    help="Most distinct values a string column may have to get an enum.",
)
@click.option(
    "--ranges",
    type=click.Choice(["none", "observed", "widened"]),
    default="none",
    show_default=True,
    help="What to do with each field's observed min/max (and string lengths): none records them as "
    "information under x-mlgate.observed; observed declares them as constraints; widened declares "
    "bounds with half the observed width again on each side.",
)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["yaml", "json"]),
    default=None,
    help="Output format (default: json for a .json output file, else yaml).",
)
@config_option
def infer(
    data: str, output: Path | None, enum_max: int, ranges: Ranges, output_format: str | None, config_path: Path | None
) -> int:
    """Draft a schema for DATA (CSV, .csv.gz, Parquet; local or s3://) from every row.

    The draft declares types, required fields, enums and unique columns as rules, and keeps the observed
    ranges as information (see --ranges); review it before committing it. The CSV dialect comes from
    data.csv in mlgate.yaml.
    """
    from mlgate.cli.progress import ProgressPrinter
    from mlgate.data.arrow import skip_pandas_integration
    from mlgate.data.infer import infer_dataset
    from mlgate.report import inference as render

    config = get_config(config_path)
    skip_pandas_integration()
    with ProgressPrinter() as progress:
        result = infer_dataset(data, csv=config.data.csv, enum_max=enum_max, ranges=ranges, progress=progress)
    emit(result, render, render.choose_format(output_format, output), to=output)
    echo(render.render_note(result, data, output), err=True)
    return ExitCode.OK
