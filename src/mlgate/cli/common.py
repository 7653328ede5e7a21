"""Options and helpers shared by the commands."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from mlgate.config import Config, load_config

if TYPE_CHECKING:
    from mlgate.github.client import GitHubClient
    from mlgate.github.publish import IssuePosted

F = TypeVar("F", bound=Callable[..., Any])

FORMATS = ("text", "markdown", "json", "github")


def config_option(func: F) -> F:
    """Add ``--config FILE`` (default: mlgate.yaml found by walking up from the cwd)."""
    return click.option(
        "--config",
        "config_path",
        type=click.Path(path_type=Path, dir_okay=False),
        default=None,
        help="Config file (default: mlgate.yaml in this folder or the nearest parent).",
    )(func)


def format_option(default: str | None = None) -> Callable[[F], F]:
    """Add ``--format``; without a value, ``github`` inside GitHub Actions and ``text`` elsewhere."""
    return click.option(
        "--format",
        "output_format",
        type=click.Choice(FORMATS),
        default=default,
        help="Output format (default: github in GitHub Actions, text elsewhere).",
    )


def resolve_format(value: str | None) -> str:
    """The output format: the flag, else github in Actions, else text."""
    if value:
        return value
    return "github" if os.environ.get("GITHUB_ACTIONS") == "true" else "text"


def get_config(config_path: Path | None, *, required: bool = False) -> Config:
    """Load the config the command was pointed at; ``required``: no mlgate.yaml found is an error (exit 2)."""
    return load_config(config_path, required=required)


def actions_run_url() -> str | None:
    """The Actions run page, from the variables the runner sets; None outside Actions."""
    server, repo, run = (os.environ.get(f"GITHUB_{k}") for k in ("SERVER_URL", "REPOSITORY", "RUN_ID"))
    return f"{server}/{repo}/actions/runs/{run}" if server and repo and run else None


def write_github_outputs(values: dict[str, str]) -> None:
    """Append step outputs to ``$GITHUB_OUTPUT`` (multi-line safe); outside Actions it is an error."""
    from mlgate.errors import InputError
    from mlgate.github.actions import append_outputs

    target = os.environ.get("GITHUB_OUTPUT")
    if not target:
        raise InputError("--github-output: GITHUB_OUTPUT is not set", hint="it is set inside GitHub Actions steps")
    append_outputs(Path(target), values)


def append_job_summary(path: Path, markdown: str) -> None:
    """Append a markdown report to a job summary file, within GitHub's 1 MiB step-summary limit."""
    from mlgate.github.actions import append_summary

    append_summary(path, markdown)


@contextlib.contextmanager
def open_github(environ: Mapping[str, str], *, what: str) -> Iterator[tuple[GitHubClient, str]]:
    """A GitHub client for ``GITHUB_TOKEN`` on ``GITHUB_API_URL``, and ``GITHUB_REPOSITORY``; ``what`` names the caller.

    A missing token or a malformed repository is an InputError (exit 2) before any request is made.
    """
    import time

    import httpx

    from mlgate import __version__
    from mlgate.errors import InputError
    from mlgate.github.client import DEFAULT_API_URL, GitHubClient

    token, repo = environ.get("GITHUB_TOKEN", ""), environ.get("GITHUB_REPOSITORY", "")
    if not token:
        raise InputError(f"{what}: GITHUB_TOKEN is not set", hint="pass `env: GITHUB_TOKEN: ${{ github.token }}`")
    if repo.count("/") != 1 or not all(repo.split("/")):
        raise InputError(
            f"{what}: GITHUB_REPOSITORY must be owner/name, not {repo!r}", hint="it is set inside GitHub Actions"
        )
    with httpx.Client(timeout=30.0) as session:
        client = GitHubClient(
            session,
            base_url=environ.get("GITHUB_API_URL") or DEFAULT_API_URL,
            token=token,
            user_agent=f"mlgate/{__version__}",
            sleep=time.sleep,
            clock=time.time,
        )
        yield client, repo


def announce_issue_note(posted: IssuePosted, *, title: str) -> None:
    """Say what a note on the monitor issue did (``retrain --issue``, ``ab decide --issue``): a warning annotation
    when the token may not write issues (the report went to the job summary), else the issue and its action."""
    from mlgate.cli.output import echo
    from mlgate.github.actions import annotation

    if posted.refused is not None:
        fix = "give the job `permissions: issues: write`; the report is in the job summary"
        echo(annotation("warning", f"{posted.refused.message}. {fix}", title=title))
        return
    done = posted.result
    assert done is not None
    where = f" #{done.number}" if done.number is not None else ""
    echo(f"mlgate: monitor issue{where}: {done.action}" + (f" ({done.url})" if done.url else ""), err=True)
