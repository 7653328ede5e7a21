"""``mlgate schema stats``: write the reference statistics of a dataset (for drift checks)."""

from __future__ import annotations

from pathlib import Path

import click

from mlgate.cli.common import config_option, get_config
from mlgate.cli.output import echo
from mlgate.cli.progress import ProgressPrinter
from mlgate.errors import ExitCode
from mlgate.files import display_path

NO_SCHEMA = (
    "no schema given (--schema, data.schema): the field types were inferred from the data, as `mlgate schema infer` "
    "drafts them; to keep them fixed, save that schema (mlgate schema infer DATA -o schema.yaml) and set data.schema"
)


@click.command()
@click.argument("data")
@click.option(
    "-o",
    "--output",
    "output",
    type=click.Path(path_type=Path, dir_okay=False),
    required=True,
    help="Where to write the statistics (JSON), e.g. reference-stats.json.",
)
@click.option(
    "--schema",
    "schema_path",
    type=click.Path(path_type=Path),
    help="Table Schema file (default: data.schema in mlgate.yaml; without either, the types are inferred from DATA).",
)
@config_option
def stats(data: str, output: Path, schema_path: Path | None, config_path: Path | None) -> int:
    """Summarise DATA (CSV, .csv.gz, Parquet; local or s3://) into reference statistics for drift.

    The field types come from --schema, else data.schema, else they are inferred from DATA (a first pass, as
    `mlgate schema infer` does). Point the schema's x-mlgate.drift.reference at the written file. Exit 0 when
    written, 2 when an input is unusable.
    """
    from mlgate.data.schema import load_schema
    from mlgate.data.stats import compute_stats, infer_stats_schema, save_stats

    config = get_config(config_path)
    if schema_path is None and config.data.schema:
        schema_path = Path(display_path(config.data.schema))
    progress = ProgressPrinter()
    try:
        if schema_path is not None:
            schema = load_schema(schema_path)
        else:
            schema = infer_stats_schema(data, csv=config.data.csv, progress=progress)
            progress.close()
            echo(f"mlgate: {NO_SCHEMA}", err=True)
        result = compute_stats(data, schema, csv=config.data.csv, progress=progress, fingerprint=True)
    finally:
        progress.close()
    save_stats(output, result)
    kinds = [f.kind for f in result.fields.values()]
    echo(
        f"wrote {output}: {result.rows:,} rows, {len(kinds)} fields "
        f"({kinds.count('numeric')} numeric, {kinds.count('categorical')} categorical) from {data}"
    )
    return ExitCode.OK
