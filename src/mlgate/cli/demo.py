"""``mlgate demo``: the whole lifecycle, offline, narrated, on a project generated from the bundled template."""

from __future__ import annotations

import shutil
import tempfile
import time
from pathlib import Path

import click

from mlgate.cli.output import echo
from mlgate.errors import ExitCode, InputError


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
def demo(folder: Path | None, keep: bool, output_format: str) -> int:
    """Generate a project, validate its data, train, check a pull request, post its comment, register,
    approve, serve, deploy, call the endpoint, deploy a version that fails its live smoke test and roll
    back automatically; then show the history and where everything lies. Offline, in under a minute.

    Exit 0 when every step behaved as designed (the failed deploy and its rollback are part of the
    design), 1 when one did not, 2 when --dir is not empty.
    """
    import datetime as dt

    from mlgate.cli.progress import StepPrinter
    from mlgate.demo.lifecycle import PLANNED_STEPS, Demo
    from mlgate.demo.render import render_begin, render_json, render_step, render_summary
    from mlgate.demo.steps import StepRunner

    text = output_format == "text"
    kept = keep or folder is not None
    if folder is not None:
        if folder.exists() and any(folder.iterdir()):
            raise InputError(f"--dir {folder} is not empty", hint="pass a new or empty folder, or leave --dir out")
        folder.mkdir(parents=True, exist_ok=True)
        root = folder.resolve()
    else:
        root = Path(tempfile.mkdtemp(prefix="mlgate-demo-"))
    printer = StepPrinter(enabled=text, title="mlgate demo")

    def begin(number: int, title: str) -> None:
        printer.close()
        echo(render_begin(number, PLANNED_STEPS, title), nl=False)

    def done(step: object) -> None:
        printer.close()
        echo(render_step(step), nl=False)  # type: ignore[arg-type]

    if text:
        echo(f"mlgate demo: working in {root}")
    runner = StepRunner(
        clock=time.perf_counter, begin=begin if text else _quiet_begin, done=done if text else _quiet_done
    )
    session = Demo(folder=root, clock=time.perf_counter, now=lambda: dt.datetime.now(dt.timezone.utc), say=printer)
    try:
        result = session.run(runner)
    finally:
        printer.close()
        if not kept:
            shutil.rmtree(root, ignore_errors=True)
    echo(render_summary(result, kept=kept) if text else render_json(result), nl=False)
    return ExitCode.OK if result.ok else ExitCode.CHECKS_FAILED


def _quiet_begin(_number: int, _title: str) -> None:
    """JSON output: no narration."""


def _quiet_done(_step: object) -> None:
    """JSON output: no narration."""
