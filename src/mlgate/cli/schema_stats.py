"""``mlgate schema stats``: write the reference statistics of a dataset (for drift checks)."""

from __future__ import annotations

from pathlib import Path

import click

from mlgate.cli.common import config_option, get_config
from mlgate.cli.progress import ProgressPrinter
from mlgate.errors import ExitCode, InputError


@click.command()
@click.argument("data")
@click.option(
    "-o", "--output", "output", type=click.Path(path_type=Path, dir_okay=False), required=True,
    help="Where to write the statistics (JSON), e.g. reference-stats.json.",
)  # fmt: skip
@click.option(
    "--schema",
    "schema_path",
    type=click.Path(path_type=Path),
    help="Table Schema file (default: data.schema in mlgate.yaml).",
)
@config_option
def stats(data: str, output: Path, schema_path: Path | None, config_path: Path | None) -> int:
    """Summarise DATA (CSV, .csv.gz, Parquet; local or s3://) into reference statistics for drift.

    Point the schema's x-mlgate.drift.reference at the written file. Exit 0 when written, 2 when an
    input is unusable.
    """
    from mlgate.data.schema import load_schema
    from mlgate.data.stats import compute_stats, save_stats

    config = get_config(config_path)
    if schema_path is None:
        if not config.data.schema:
            raise InputError(
                "no schema given: reference statistics follow the schema's field types",
                hint="pass --schema FILE or set data.schema in mlgate.yaml (draft one with: mlgate schema infer DATA)",
            )
        schema_path = Path(config.resolve(config.data.schema))
    schema = load_schema(schema_path)
    progress = ProgressPrinter()
    try:
        result = compute_stats(data, schema, csv=config.data.csv, progress=progress, fingerprint=True)
    finally:
        progress.close()
    save_stats(output, result)
    kinds = [f.kind for f in result.fields.values()]
    click.echo(
        f"wrote {output}: {result.rows:,} rows, {len(kinds)} fields "
        f"({kinds.count('numeric')} numeric, {kinds.count('categorical')} categorical) from {data}"
    )
    return ExitCode.OK
