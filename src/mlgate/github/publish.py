"""The ``mlgate comment`` flow: ``publish_report`` posts a report file as the PR's sticky comment.

The whole journey lives here (the command calls ``publish_report``; the demo, offline, ``read_body`` and
``compose_comment``, the body as it is posted):

- the body file may come from an untrusted artifact (the fork-safe poster): ``read_body`` refuses a symlink,
  anything but a regular file, and a file too large to be a report, so nothing but the report reaches the PR;
- the body is cut to GitHub's size limit and gets its marker (``compose_comment``; key and head: the options,
  else the event, else the body's own marker);
- a run never overwrites a newer one (``publish_comment``): right before writing it compares the PR's current
  head with the commit it is about, and a stale run writes nothing;
- the job summary is the fallback: the whole report goes there when the comment was cut, when the run was
  stale, or when GitHub refused the write (a fork PR's read-only token, a missing permission).

``post_to_issue`` applies the same fallback to the monitor issue (``mlgate monitor --issue``, ``mlgate retrain
--issue``).

Requests: one GET for the PR, ceil(comments / 100) GETs for the list, at most one write (plus deletes of
duplicates).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from mlgate.errors import InputError
from mlgate.github.client import GitHubClient, NotAccessibleError
from mlgate.github.comments import BOT_LOGIN, upsert_sticky
from mlgate.github.pulls import PullTarget, current_head

if TYPE_CHECKING:
    from mlgate.github.issues import IssueResult

MAX_BODY_BYTES = 4 << 20  # far above any report (the full one is capped at 1 MiB); the file may be untrusted
Connect = Callable[[], AbstractContextManager[tuple[GitHubClient, str]]]  # opens the client and names the repo
Mark = Callable[..., str]  # the report's marker writer: mark(body, key=..., head=...) -> body with its marker line


@dataclass(frozen=True)
class PublishResult:
    """What happened on the PR: ``created``, ``updated``, ``unchanged`` or ``stale`` (nothing written)."""

    action: Literal["created", "updated", "unchanged", "stale"]
    number: int
    head: str | None
    current_head: str | None = None
    comment_id: int | None = None
    url: str = ""
    deleted: tuple[int, ...] = ()


def publish_comment(
    client: GitHubClient, repo: str, target: PullTarget, body: str, *, head: str | None, author: str = BOT_LOGIN
) -> PublishResult:
    """Make ``body`` the sticky comment on ``target`` unless the PR's head is no longer ``head``.

    ``head`` None skips the guard (the caller says so: nothing tells which commit the report is about).
    """
    now = None
    if head is not None:
        now = current_head(client, repo, target.number)
        if now != head.lower():
            return PublishResult("stale", target.number, head, now)
    done = upsert_sticky(client, repo, target.number, body, author=author)
    return PublishResult(done.action, target.number, head, now, done.comment_id, done.url, done.deleted)


@dataclass(frozen=True)
class ReportOptions:
    """What the command line adds: the marker key, the PR, the head, whose comments are ours."""

    key: str | None = None
    key_from_report: bool = False  # without ``key``: keep the key of the body's own marker
    number: int | None = None
    head: str | None = None
    author: str = BOT_LOGIN
    matrix: str | None = None  # the job's matrix as JSON, for the default key


@dataclass(frozen=True)
class ReportPublished:
    """What ``publish_report`` did: ``result`` (None when GitHub refused), the head it is about, the summary."""

    result: PublishResult | None
    head: str | None
    refused: NotAccessibleError | None = None
    in_summary: bool = False  # the report went to the job summary


def publish_report(
    body_file: Path,
    options: ReportOptions,
    environ: Mapping[str, str],
    *,
    connect: Connect,
    mark: Mark,
) -> ReportPublished:
    """Post ``body_file`` as the sticky comment for its key on the run's PR (module docstring).

    ``connect`` opens the GitHub client (only once the body is read: a bad file fails before any request);
    ``mark`` writes the marker line (``mlgate.report.budget.with_marker``: github/ takes strings only).
    """
    from mlgate.github.actions import append_summary
    from mlgate.github.body import strip_marker
    from mlgate.github.pulls import pull_from_event, read_event, resolve_pull

    text = read_body(body_file)
    report = strip_marker(text)
    event = pull_from_event(*read_event(environ))
    summary = Path(environ["GITHUB_STEP_SUMMARY"]) if environ.get("GITHUB_STEP_SUMMARY") else None
    where = "this run's job summary" if summary is not None else f"`{body_file.name}`"
    head = None
    with connect() as (client, repo):
        try:
            target = resolve_pull(client, repo, event=event, number=options.number)
            comment = compose_comment(text, options, environ, pull_head=target.head_sha, where=where, mark=mark)
            head = comment.head
            result = publish_comment(client, repo, target, comment.body, head=head, author=options.author)
        except NotAccessibleError as exc:  # a fork PR's read-only token, or a missing permission
            if summary is not None:
                append_summary(summary, report)
            return ReportPublished(None, head, refused=exc, in_summary=summary is not None)
    fallback = summary is not None and (comment.cut or result.action == "stale")
    if fallback:
        assert summary is not None
        append_summary(summary, report)
    return ReportPublished(result, head, in_summary=fallback)


@dataclass(frozen=True)
class Comment:
    """A report as it is posted: ``body`` (cut to GitHub's limit, with its marker), its key and head, whether cut."""

    body: str
    key: str
    head: str | None
    cut: bool


def compose_comment(
    text: str,
    options: ReportOptions,
    environ: Mapping[str, str],
    *,
    pull_head: str | None,
    where: str,
    mark: Mark,
) -> Comment:
    """The comment for a report file's ``text``: cut to fit (``where`` names the whole report), with its marker.

    The head is ``options.head``, else the PR's (``pull_head``), else the one in the text's own marker; the key
    is ``options.key``, else (with ``key_from_report``) the text's own, else the workflow's default key.
    """
    from mlgate.github.body import fit_report
    from mlgate.github.keys import default_key
    from mlgate.github.marker import parse_marker

    given = parse_marker(text)
    fitted, cut = fit_report(text, where=where)
    head = options.head or pull_head or (given.head if given else None)
    written = given.key if options.key_from_report and given else None
    key = options.key or written or default_key(environ, options.matrix)
    return Comment(mark(fitted, key=key, head=head), key, head, cut)


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


def describe_published(published: ReportPublished) -> list[str]:
    """The log lines for ``published``: workflow commands (notices) and the one-line result."""
    from mlgate.github.actions import annotation

    result, head = published.result, published.head
    assert result is not None
    lines = []
    if head is None:
        lines.append(annotation("notice", "no head commit known: the stale-run guard was skipped (pass --head)"))
    if result.action == "stale":
        assert head is not None
        assert result.current_head is not None
        moved = (
            f"PR #{result.number} has moved on to {result.current_head[:7]}; this run is for {head[:7]}, so the "
            "comment was left alone and the report went to the job summary"
        )
        lines.append(annotation("notice", moved, title="mlgate comment"))
    else:
        deleted = f"; deleted {len(result.deleted)} duplicate(s)" if result.deleted else ""
        lines.append(f"mlgate: comment {result.action} on PR #{result.number}: {result.url}{deleted}")
    return lines


def step_outputs(result: PublishResult) -> dict[str, str]:
    """The step outputs of ``mlgate comment``: what happened, the PR, the comment's id and address."""
    return {
        "result": result.action,
        "pr": str(result.number),
        "comment-id": str(result.comment_id or ""),
        "comment-url": result.url,
    }


@dataclass(frozen=True)
class IssuePosted:
    """What a write to the monitor issue did: ``result``, or the refusal (the report then went to the summary)."""

    result: IssueResult | None
    refused: NotAccessibleError | None = None
    in_summary: bool = False


def post_to_issue(
    connect: Connect, write: Callable[[GitHubClient, str], IssueResult], *, report: str, summary: Path | None
) -> IssuePosted:
    """Run ``write`` (an ``mlgate.github.issues`` call) on the repository; a token that may not write issues
    (``issues: write`` missing) puts ``report`` in the job summary ``summary`` instead, as ``publish_report`` does.
    """
    from mlgate.github.actions import append_summary

    with connect() as (client, repo):
        try:
            return IssuePosted(write(client, repo))
        except NotAccessibleError as exc:
            if summary is not None:
                append_summary(summary, report)
            return IssuePosted(None, refused=exc, in_summary=summary is not None)
