"""``mlgate schema diff OLD NEW``: classify the changes between two schemas; exit 1 if any is breaking."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import click

from mlgate.cli.common import config_option, format_option, get_config, resolve_format
from mlgate.cli.output import echo
from mlgate.data.schema import load_schema
from mlgate.data.schema_diff import SchemaDiff, diff_schemas
from mlgate.errors import ExitCode
from mlgate.report.schema_diff import render_github, render_json, render_markdown, render_text

RENDERERS: dict[str, Callable[[SchemaDiff, str, str], str]] = {
    "text": render_text,
    "markdown": render_markdown,
    "json": render_json,
    "github": render_github,
}


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
    render = RENDERERS[resolve_format(output_format)]
    echo(render(result, str(old), str(new)), nl=False)
    return ExitCode.CHECKS_FAILED if result.breaking else ExitCode.OK
