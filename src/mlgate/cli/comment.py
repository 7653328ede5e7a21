"""``mlgate comment``: create or update the sticky PR comment from a rendered report."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

import click

from mlgate.cli.common import open_github
from mlgate.cli.output import echo
from mlgate.errors import ExitCode, InputError

if TYPE_CHECKING:
    from mlgate.github.publish import PublishResult


@click.command()
@click.option("--body-file", required=True, type=click.Path(path_type=Path, dir_okay=False),
              help="The markdown report (e.g. from mlgate check); a leading mlgate marker is replaced.")  # fmt: skip
@click.option("--key", help="Report key in the marker (default: workflow/job/matrix values).")
@click.option("--key-from-report", is_flag=True,
              help="Without --key, keep the key of the body's own marker (report.key, written by mlgate check).")  # fmt: skip
@click.option("--pr", "number", type=click.IntRange(min=1), help="PR number (default: from the event).")
@click.option("--head", help="The commit the report is about (default: the event's, else the body marker's).")
@click.option("--author", default="github-actions[bot]", show_default=True,
              help="Login the token posts as (an App or PAT token): only its comments are updated.")  # fmt: skip
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

    from mlgate.github import actions
    from mlgate.github.body import fit_report, strip_marker
    from mlgate.github.client import NotAccessibleError
    from mlgate.github.keys import default_key
    from mlgate.github.marker import parse_marker
    from mlgate.github.publish import publish_comment
    from mlgate.github.pulls import pull_from_event, read_event, resolve_pull
    from mlgate.report.budget import with_marker

    environ = dict(os.environ)
    text = read_body(body_file)
    report = strip_marker(text)
    given = parse_marker(text)
    event = pull_from_event(*read_event(environ))
    summary = Path(environ["GITHUB_STEP_SUMMARY"]) if environ.get("GITHUB_STEP_SUMMARY") else None
    where = "this run's job summary" if summary is not None else f"`{body_file.name}`"
    fitted, cut = fit_report(text, where=where)
    with open_github(environ, what="mlgate comment") as (client, repo):
        try:
            target = resolve_pull(client, repo, event=event, number=number)
            run_head = head or target.head_sha or (given.head if given else None)
            written = given.key if key_from_report and given else None
            body = with_marker(fitted, key=key or written or default_key(environ, matrix), head=run_head)
            result = publish_comment(client, repo, target, body, head=run_head, author=author)
        except NotAccessibleError as exc:  # a fork PR's read-only token, or a missing permission
            if summary is not None:
                actions.append_summary(summary, report)
            echo(actions.annotation("warning", f"{exc.message}. {exc.hint}", title="mlgate comment"))
            if strict:
                raise
            return ExitCode.OK
    if summary is not None and (cut or result.action == "stale"):
        actions.append_summary(summary, report)
    _report(result, run_head, environ)
    return ExitCode.OK


def _report(result: PublishResult, head: str | None, environ: dict[str, str]) -> None:
    """Tell the log (and GITHUB_OUTPUT) what happened."""
    from mlgate.github import actions

    if head is None:
        echo(actions.annotation("notice", "no head commit known: the stale-run guard was skipped (pass --head)"))
    if result.action == "stale":
        assert head is not None
        assert result.current_head is not None
        echo(
            actions.annotation(
                "notice",
                f"PR #{result.number} has moved on to {result.current_head[:7]}; this run is for {head[:7]}, so the "
                "comment was left alone and the report went to the job summary",
                title="mlgate comment",
            )
        )
    else:
        deleted = f"; deleted {len(result.deleted)} duplicate(s)" if result.deleted else ""
        echo(f"mlgate: comment {result.action} on PR #{result.number}: {result.url}{deleted}")
    if environ.get("GITHUB_OUTPUT"):
        values = {
            "result": result.action,
            "pr": str(result.number),
            "comment-id": str(result.comment_id or ""),
            "comment-url": result.url,
        }
        actions.append_outputs(Path(environ["GITHUB_OUTPUT"]), values)


MAX_BODY_BYTES = 4 << 20  # far above any report (the full one is capped at 1 MiB); the file may be untrusted


def read_body(path: Path) -> str:
    """Read the body file, which in the fork-safe poster comes from an untrusted artifact.

    A symlink (a crafted artifact pointing at a runner file) or anything but a regular file is refused, and
    so is a file too large to be a report, so nothing but the report itself can reach the PR.
    """
    from mlgate.files import read_text

    if path.is_symlink() or (path.exists() and not path.is_file()):
        raise InputError(f"comment body {path} is not a regular file", hint="pass the report file itself")
    if path.exists() and path.stat().st_size > MAX_BODY_BYTES:
        raise InputError(f"comment body {path} is larger than {MAX_BODY_BYTES >> 20} MiB: not an mlgate report")
    return read_text(path, what="comment body")
