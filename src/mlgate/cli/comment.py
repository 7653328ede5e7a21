"""``mlgate comment``: create or update the sticky PR comment from a rendered report."""

from __future__ import annotations

import os
from pathlib import Path

import click

from mlgate.cli.common import open_github
from mlgate.cli.output import echo
from mlgate.errors import ExitCode


@click.command()
@click.option(
    "--body-file",
    required=True,
    type=click.Path(path_type=Path, dir_okay=False),
    help="The markdown report (e.g. from mlgate check); a leading mlgate marker is replaced.",
)
@click.option("--key", help="Report key in the marker (default: workflow/job/matrix values).")
@click.option(
    "--key-from-report",
    is_flag=True,
    help="Without --key, keep the key of the body's own marker (report.key, written by mlgate check).",
)
@click.option("--pr", "number", type=click.IntRange(min=1), help="PR number (default: from the event).")
@click.option("--head", help="The commit the report is about (default: the event's, else the body marker's).")
@click.option(
    "--author",
    default="github-actions[bot]",
    show_default=True,
    help="Login the token posts as (an App or PAT token): only its comments are updated.",
)
@click.option("--matrix", help="The job's matrix as JSON (${{ toJSON(matrix) }}), for the default key.")
@click.option("--strict", is_flag=True, help="Exit 3 when GitHub refuses the write (fork PR, missing permission).")
def comment(
    body_file: Path,
    key: str | None,
    key_from_report: bool,
    number: int | None,
    head: str | None,
    author: str,
    matrix: str | None,
    strict: bool,
) -> int:
    """Post the --body-file report as the one sticky comment for its key on the pull request.

    Needs GITHUB_TOKEN (pull-requests: write) and GITHUB_REPOSITORY; GITHUB_API_URL for GHES. A run whose PR
    head has moved on writes only the job summary. Exit 0 when posted (or skipped as stale), 2 for unusable
    input, 3 when GitHub failed after retries (or, with --strict, refused the write).
    """
    from functools import partial

    from mlgate.github import actions
    from mlgate.github.publish import ReportOptions, describe_published, publish_report, step_outputs
    from mlgate.report.budget import with_marker

    environ = dict(os.environ)
    options = ReportOptions(
        key=key, key_from_report=key_from_report, number=number, head=head, author=author, matrix=matrix
    )
    connect = partial(open_github, environ, what="mlgate comment")
    published = publish_report(body_file, options, environ, connect=connect, mark=with_marker)
    if published.refused is not None:
        refused = published.refused
        echo(actions.annotation("warning", f"{refused.message}. {refused.hint}", title="mlgate comment"))
        if strict:
            raise refused
        return ExitCode.OK
    assert published.result is not None
    echo("\n".join(describe_published(published)))
    if environ.get("GITHUB_OUTPUT"):
        actions.append_outputs(Path(environ["GITHUB_OUTPUT"]), step_outputs(published.result))
    return ExitCode.OK
