"""``mlgate new``: generate a project from the cookiecutter template bundled with mlgate."""

from __future__ import annotations

from pathlib import Path

import click

from mlgate.cli.output import echo
from mlgate.errors import ExitCode


@click.command()
@click.argument("output_dir", required=False, type=click.Path(path_type=Path, file_okay=False), default=Path("."))
@click.option("--no-input", is_flag=True, help="Do not prompt: use the defaults and --extra answers.")
@click.option(
    "--replay-file",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Answer from a replay file (e.g. a project's .cookiecutter.json) instead of prompting.",
)
@click.option(
    "-x",
    "--extra",
    "extra",
    multiple=True,
    metavar="KEY=VALUE",
    help="Answer a question up front, e.g. -x task=regression (repeatable).",
)
@click.option("--overwrite-if-exists", is_flag=True, help="Write into an existing project folder.")
def new(
    output_dir: Path, no_input: bool, replay_file: Path | None, extra: tuple[str, ...], overwrite_if_exists: bool
) -> int:
    """Generate a new ML project wired to mlgate's gates, in OUTPUT_DIR (default: here).

    The questions: project name, slug and package, task (classification or regression), deploy target
    (local or sagemaker), Python version, example data, and the mlgate release the workflows pin.
    Exit 0 when the project was generated, 2 when an answer was rejected or the folder exists.
    """
    from mlgate.demo.generate import GenerateOptions, generate_project, parse_extra

    options = GenerateOptions(
        output_dir=output_dir,
        no_input=no_input,
        extra=parse_extra(extra),
        replay_file=replay_file,
        overwrite=overwrite_if_exists,
    )
    project = generate_project(options)
    echo(render_next_steps(project))
    return ExitCode.OK


def render_next_steps(project: Path) -> str:
    """Where the project is and what to do next."""
    has_data = (project / "data" / "train.csv").is_file()
    data_step = (
        "mlgate validate && mlgate check          # the data and model gates, as a PR runs them"
        if has_data
        else "see data/README.md: add data/train.csv and data/test.csv, then `mlgate schema infer`"
    )
    return "\n".join(
        [
            f"mlgate: created {project}",
            "",
            "Next steps:",
            f"  cd {project}",
            '  python -m pip install -e ".[dev]"',
            f"  {data_step}",
            "  git init -b main && git add -A && git commit -m 'Start from the mlgate template'",
            "  README.md lists what to set up on GitHub before the first push (environments, reviewers, variables).",
        ]
    )
