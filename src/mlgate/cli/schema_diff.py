"""``mlgate schema diff OLD NEW``: classify the changes between two schemas; exit 1 if any is breaking."""

from __future__ import annotations

from pathlib import Path

import click

from mlgate.cli.common import config_option, format_option, get_config, resolve_format
from mlgate.cli.output import bind, emit
from mlgate.data.schema import load_schema
from mlgate.data.schema_diff import diff_schemas
from mlgate.errors import ExitCode
from mlgate.report import schema_diff as render


@click.command()
@click.argument("old", type=click.Path(path_type=Path, dir_okay=False))
@click.argument("new", type=click.Path(path_type=Path, dir_okay=False))
@format_option()
@config_option
def diff(old: Path, new: Path, output_format: str | None, config_path: Path | None) -> int:
    """Classify the changes from schema OLD to schema NEW.

    Each change is rated for the data contract (breaking / compatible) and for the fitted model
    (retrain / risk). Exit codes: 0 nothing breaking, 1 a breaking change, 2 an invalid schema.
    """
    get_config(config_path)  # a broken mlgate.yaml is reported the same way by every command
    result = diff_schemas(load_schema(old), load_schema(new))
    emit(result, bind(render, str(old), str(new)), resolve_format(output_format))
    return ExitCode.CHECKS_FAILED if result.breaking else ExitCode.OK
