"""``mlgate train``: fit, score and time the candidate models; write metrics, artifacts and manifest."""

from __future__ import annotations

from pathlib import Path

import click

from mlgate.cli.common import config_option, get_config
from mlgate.cli.output import emit
from mlgate.cli.progress import StepPrinter
from mlgate.errors import ExitCode
from mlgate.files import display_path


@click.command()
@click.option(
    "--out",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    help="Results folder (default: train.out in mlgate.yaml, .mlgate/results).",
)
@click.option("--only", multiple=True, metavar="NAME", help="Train only this model (repeat, or comma-separate).")
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json"]),
    default="text",
    help="text: a table of the results; json: the metrics.json document.",
)
@config_option
def train(out: Path | None, only: tuple[str, ...], output_format: str, config_path: Path | None) -> int:
    """Train and evaluate the candidate models of mlgate.yaml.

    Writes OUT/metrics.json, OUT/manifest.json and OUT/models/<name>/model.skops.
    Exit 0 when done, 2 when the config, data or a model cannot be used.
    """
    from mlgate.report import training as render
    from mlgate.tracking.commands import track_training
    from mlgate.training.run import train_models

    config = get_config(config_path, required=True)
    folder = out if out is not None else Path(display_path(config.train.out))
    progress = StepPrinter()
    try:
        run = train_models(config, out=folder, only=only, progress=progress)
        track_training(config, run, say=progress)
    finally:
        progress.close()
    emit(run, render, output_format)
    return ExitCode.OK
