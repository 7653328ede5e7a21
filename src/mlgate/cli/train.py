"""``mlgate train``: fit, score and time the candidate models; write metrics, artifacts and manifest."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

import click

from mlgate.cli.common import config_option, get_config
from mlgate.cli.output import echo
from mlgate.errors import ExitCode
from mlgate.files import display_path
from mlgate.text import terminal

if TYPE_CHECKING:
    from mlgate.results import ResultSet


class StepPrinter:
    """Progress lines on stderr: one rewritten line on a TTY, plain lines elsewhere, folded in GitHub Actions."""

    def __init__(
        self,
        stream: TextIO | None = None,
        *,
        enabled: bool = True,
        actions: bool | None = None,
        title: str = "mlgate: training",
    ) -> None:
        self.title = title
        self.stream = stream or sys.stderr
        self.tty = self.stream.isatty() and os.environ.get("TERM") != "dumb"
        self.actions = os.environ.get("GITHUB_ACTIONS") == "true" if actions is None else actions
        self.enabled = enabled
        self.opened = False
        self.drawn = False

    def __call__(self, message: str) -> None:
        if not self.enabled:
            return
        message = terminal.escape(message, None)  # the narration names models, files and versions: data
        if self.tty:
            self.stream.write("\r\033[K  " + message[:150])
            self.drawn = True
        else:
            if self.actions and not self.opened:
                self.stream.write(f"::group::{self.title}\n")
                self.opened = True
            self.stream.write(f"  {message}\n")
        self.stream.flush()

    def close(self) -> None:
        """Clear the TTY line or close the log fold."""
        if self.drawn:
            self.stream.write("\r\033[K")
            self.drawn = False
        if self.opened:
            self.stream.write("::endgroup::\n")
            self.opened = False
        self.stream.flush()


@click.command()
@click.option("--out", type=click.Path(path_type=Path, file_okay=False), default=None,
              help="Results folder (default: train.out in mlgate.yaml, .mlgate/results).")  # fmt: skip
@click.option("--only", multiple=True, metavar="NAME", help="Train only this model (repeat, or comma-separate).")
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text",
              help="text: a table of the results; json: the metrics.json document.")  # fmt: skip
@config_option
def train(out: Path | None, only: tuple[str, ...], output_format: str, config_path: Path | None) -> int:
    """Train and evaluate the candidate models of mlgate.yaml.

    Writes OUT/metrics.json, OUT/manifest.json and OUT/models/<name>/model.skops.
    Exit 0 when done, 2 when the config, data or a model cannot be used.
    """
    from mlgate.results import to_data
    from mlgate.training.run import train_models

    config = get_config(config_path, required=True)
    folder = out if out is not None else Path(display_path(config.train.out))
    progress = StepPrinter()
    try:
        run = train_models(config, out=folder, only=only, progress=progress)
    finally:
        progress.close()
    if output_format == "json":
        echo(json.dumps(to_data(run.results), indent=2, allow_nan=False))
    else:
        echo(render_text(run.results, folder), nl=False)
    return ExitCode.OK


def render_text(results: ResultSet, folder: Path) -> str:
    """A table: one row per model, quality metrics (mean ± std under CV), then timings."""
    from tabulate import tabulate

    from mlgate.results import TIMING_LABELS

    metrics: list[str] = []
    for model in results.models.values():
        metrics += [m for m in model.metrics if m not in metrics]
    timings = [t for t in TIMING_LABELS if any(t in m.timings for m in results.models.values())]
    rows = []
    for name, model in results.models.items():
        cells = [_metric_cell(model.metrics.get(m), model.folds.get(m)) for m in metrics]
        rows.append([name, *cells, *(_number(model.timings.get(t)) for t in timings)])
    headers = ["model", *metrics, *(TIMING_LABELS[t] for t in timings)]
    evaluation = results.evaluation
    how = ""
    if evaluation is not None:
        how = (f"{evaluation.folds}-fold cross-validation over {evaluation.train_rows} rows" if evaluation.kind == "cv"
               else f"holdout: {evaluation.train_rows} training rows, {evaluation.test_rows} test rows")  # fmt: skip
    lines = [
        f"mlgate train: {len(results.models)} model(s), {how}" + (f", primary metric {results.primary}" if results.primary else ""),
        "",
        tabulate(rows, headers=headers, tablefmt="simple", disable_numparse=True),
        "",
        f"Results: {folder}/metrics.json · provenance: {folder}/manifest.json",
    ]  # fmt: skip
    return "\n".join(lines) + "\n"


def _metric_cell(mean: float | None, folds: tuple[float, ...] | None) -> str:
    if mean is None:
        return "–"
    if folds and len(folds) > 1:
        import statistics

        return f"{mean:.4f} ± {statistics.stdev(folds):.4f}"
    return f"{mean:.4f}"


def _number(value: float | None) -> str:
    return "–" if value is None else f"{value:.4g}"
