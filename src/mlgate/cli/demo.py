"""``mlgate demo``: the whole lifecycle, offline, narrated, on a project generated from the bundled template."""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING

import click

from mlgate.cli.output import echo, emit
from mlgate.errors import ExitCode

if TYPE_CHECKING:
    from mlgate.cli.progress import StepPrinter
    from mlgate.demo.steps import StepRunner


@click.command()
@click.option(
    "--dir",
    "folder",
    type=click.Path(path_type=Path, file_okay=False),
    help="Run in this folder (new or empty; kept afterwards). Default: a new temporary folder.",
)
@click.option("--keep", is_flag=True, help="Keep the temporary folder afterwards (a --dir folder is always kept).")
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="text: narrated as it runs; json: one document at the end.",
)
@click.option(
    "--registry",
    type=click.Choice(["local", "mlflow"]),
    default="local",
    show_default=True,
    help="mlflow: the registry is a local MLflow server the demo starts (needs `pip install mlflow`).",
)
def demo(folder: Path | None, keep: bool, output_format: str, registry: str) -> int:
    """Generate a project, validate its data, train, check a pull request, post its comment, register,
    approve, serve, deploy, call the endpoint, deploy a version that fails its live smoke test and roll
    back automatically; then show the history and where everything lies. Offline, in under a minute.

    Exit 0 when every step behaved as designed (the failed deploy and its rollback are part of the
    design), 1 when one did not, 2 when --dir is not empty (or, with --registry mlflow, MLflow is not
    installed).
    """
    from mlgate.cli.progress import StepPrinter
    from mlgate.demo import render
    from mlgate.demo.run import prepare_folder, run_demo

    text = output_format == "text"
    root = prepare_folder(folder)
    with StepPrinter(enabled=text, title="mlgate demo") as printer:
        if text:
            echo(f"mlgate demo: working in {root}")
        runner = narrate(printer, enabled=text)
        result = run_demo(root, runner, kept=keep or folder is not None, say=printer, registry=registry)
    emit(result, render, output_format)
    return ExitCode.OK if result.ok else ExitCode.CHECKS_FAILED


def narrate(printer: StepPrinter, *, enabled: bool) -> StepRunner:
    """The step runner: in text, each step's heading as it starts and its outcome as it ends (JSON: silent)."""
    from mlgate.demo.lifecycle import PLANNED_STEPS
    from mlgate.demo.render import render_begin, render_step
    from mlgate.demo.steps import Step, StepRunner

    if not enabled:
        return StepRunner(clock=time.perf_counter)

    def begin(number: int, title: str) -> None:
        printer.close()
        echo(render_begin(number, PLANNED_STEPS, title), nl=False)

    def done(step: Step) -> None:
        printer.close()
        echo(render_step(step), nl=False)

    return StepRunner(clock=time.perf_counter, begin=begin, done=done)
