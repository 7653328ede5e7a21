"""The monitor issue: ONE open GitHub issue per key that says a production model drifted or decayed.

The issue is found again by its first body line, ``<!-- mlgate:monitor v=1 key=KEY -->``, and its author
(the token's identity, ``github-actions[bot]`` for ``GITHUB_TOKEN``), among the repository's OPEN issues
(pull requests, which the issues list also returns, are skipped). Callers pass the report without a marker:
this module writes it. Operations: issues list (all pages), create, update; issue comments create.

- ``sync_monitor_issue`` after a monitor run: on a breach, create the issue or update it (no write when
  title and body are unchanged); when healthy, close it with a note on top of the healthy report, or do
  nothing. Of several open matches (two runs raced) the oldest is kept and the others closed as duplicates.
- ``note_retrain`` after a retrain run: a comment on the open issue; with none open, a new issue only when
  a version was registered (something for a person to approve), else nothing.

Bodies over GitHub's 65,536-character limit are cut with a note (``body.fit_body``), never refused. A token
that may not write issues raises :class:`NotAccessibleError` with a hint about ``issues: write``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Literal

from mlgate.errors import InputError
from mlgate.github.body import COMMENT_LIMIT, fit_body, fit_report, is_ours, strip_marker
from mlgate.github.client import GitHubClient, NotAccessibleError, read_field, read_object
from mlgate.github.comments import BOT_LOGIN
from mlgate.github.marker import format_marker
from mlgate.github.writes import create_once

TITLE_LIMIT = 256  # GitHub's limit on an issue title, in characters
_KEY = re.compile(r"[A-Za-z0-9._/:@+]+(?:-[A-Za-z0-9._/:@+]+)*")  # no "--": it would end the HTML comment
CLOSING_NOTE = (
    "> [!NOTE]\n> Healthy again: the latest `mlgate monitor` run passed, so mlgate closed this issue. "
    "A new breach opens a new issue.\n\n"
)


@dataclass(frozen=True)
class Issue:
    """The parts of an issue the monitor logic reads."""

    number: int
    author: str
    title: str
    body: str
    url: str = ""

    @classmethod
    def from_api(cls, item: Any, where: str = "GET issues") -> Issue:
        """From a GitHub ``issue`` object (a deleted user has no ``user``; an empty body is null)."""
        user = read_object(item, where).get("user") or {}
        return cls(
            read_field(item, "number", int, where),
            str((user.get("login") if isinstance(user, dict) else None) or ""),
            str(item.get("title") or ""),
            str(item.get("body") or ""),
            str(item.get("html_url") or ""),
        )


@dataclass(frozen=True)
class IssueResult:
    """What was done, on which issue (None with ``none``), and which duplicate issues were closed."""

    action: Literal["created", "updated", "closed", "commented", "unchanged", "none"]
    number: int | None
    url: str | None
    duplicates: tuple[int, ...] = ()


def check_key(key: str) -> str:
    """``key`` if it can live in the marker line (1-100 of ``A-Za-z0-9._/:@+-``, no ``--``), else InputError."""
    if len(key) > 100 or not _KEY.fullmatch(key):
        raise InputError(
            f"issue key {key!r} cannot go in the issue's marker line",
            hint="use 1-100 letters, digits and . _ / : @ + - (no '--'), e.g. --issue-key mlgate-monitor",
        )
    return key


def make_marker(key: str) -> str:
    """The first line of a monitor issue's body (without its newline)."""
    return format_marker("monitor", key=check_key(key))


def build_issue_body(key: str, body: str) -> str:
    """``body`` (an old marker dropped) under the marker for ``key``, cut to GitHub's size limit."""
    fitted, _cut = fit_report(body, where="the job log", kind="monitor")
    return make_marker(key) + "\n" + fitted


def list_open_issues(client: GitHubClient, repo: str) -> list[Issue]:
    """Every open issue of ``repo`` (all pages), pull requests left out."""
    items = client.paginate(f"/repos/{repo}/issues", {"state": "open"})
    where = f"GET /repos/{repo}/issues"
    return [Issue.from_api(item, where) for item in items if not (isinstance(item, dict) and "pull_request" in item)]


def find_monitor_issues(issues: Iterable[Issue], *, key: str, author: str) -> list[Issue]:
    """The monitor issues for ``key`` that ``author`` opened, oldest (lowest number) first."""
    ours = [i for i in issues if is_ours(i.body, i.author, key=key, author=author, kind="monitor")]
    return sorted(ours, key=lambda i: i.number)


def sync_monitor_issue(
    client: GitHubClient, repo: str, *, key: str, title: str, body: str, breach: bool, author: str = BOT_LOGIN
) -> IssueResult:
    """Make the monitor issue for ``key`` reflect the latest run: open/updated on ``breach``, else closed."""
    report = strip_marker(body, kind="monitor")
    full = build_issue_body(key, report if breach else CLOSING_NOTE + report)
    with _explain_refusal():
        return _sync(client, repo, key=key, title=_fit_title(title), full=full, breach=breach, author=author)


def _sync(
    client: GitHubClient, repo: str, *, key: str, title: str, full: str, breach: bool, author: str
) -> IssueResult:
    ours = find_monitor_issues(list_open_issues(client, repo), key=key, author=author)
    if not ours:
        if not breach:
            return IssueResult("none", None, None)
        made = read_object(_open_issue(client, repo, title=title, body=full, key=key, author=author), "POST issues")
        return IssueResult("created", read_field(made, "number", int, "POST issues"), str(made.get("html_url") or ""))
    keep, rest = ours[0], ours[1:]
    duplicates = _close_duplicates(client, repo, rest)
    if not breach:
        patch = {"body": full, "state": "closed", "state_reason": "completed"}
        done = read_object(client.patch(f"/repos/{repo}/issues/{keep.number}", patch), "PATCH issue")
        return IssueResult("closed", keep.number, str(done.get("html_url") or keep.url), duplicates)
    if _is_unchanged(keep.body, full) and keep.title == title:
        return IssueResult("unchanged", keep.number, keep.url, duplicates)
    done = read_object(
        client.patch(f"/repos/{repo}/issues/{keep.number}", {"title": title, "body": full}), "PATCH issue"
    )
    return IssueResult("updated", keep.number, str(done.get("html_url") or keep.url), duplicates)


def note_retrain(
    client: GitHubClient, repo: str, *, key: str, title: str, body: str, registered: bool, author: str = BOT_LOGIN
) -> IssueResult:
    """Report a retrain run on the open monitor issue for ``key`` (a comment); open one only if ``registered``."""
    check_key(key)
    with _explain_refusal():
        return _note(client, repo, key=key, title=title, body=body, registered=registered, author=author)


def _note(
    client: GitHubClient, repo: str, *, key: str, title: str, body: str, registered: bool, author: str
) -> IssueResult:
    ours = find_monitor_issues(list_open_issues(client, repo), key=key, author=author)
    if ours:
        issue = ours[0]
        text, _cut = fit_body(body, limit=COMMENT_LIMIT, where="the job log")
        path = f"/repos/{repo}/issues/{issue.number}/comments"
        made = read_object(
            create_once(client, path, {"body": text}, look=lambda: _find_comment(client, path, text, author)),
            f"POST {path}",
        )
        return IssueResult("commented", issue.number, str(made.get("html_url") or issue.url))
    if not registered:
        return IssueResult("none", None, None)
    made = read_object(
        _open_issue(client, repo, title=_fit_title(title), body=build_issue_body(key, body), key=key, author=author),
        "POST issues",
    )
    return IssueResult("created", read_field(made, "number", int, "POST issues"), str(made.get("html_url") or ""))


def _open_issue(client: GitHubClient, repo: str, *, title: str, body: str, key: str, author: str) -> Mapping[str, Any]:
    """Open the monitor issue exactly once: after a lost answer, an open issue with our marker is the result."""

    def look() -> Mapping[str, Any] | None:
        found = find_monitor_issues(list_open_issues(client, repo), key=key, author=author)
        return {"number": found[0].number, "html_url": found[0].url} if found else None

    return create_once(client, f"/repos/{repo}/issues", {"title": title, "body": body}, look=look)


def _find_comment(client: GitHubClient, path: str, text: str, author: str) -> Mapping[str, Any] | None:
    """The newest comment at ``path`` by ``author``, if it has exactly ``text`` (a lost create made it)."""
    ours = [
        item
        for item in client.paginate(path)
        if isinstance(item, dict) and (item.get("user") or {}).get("login") == author
    ]
    if ours and ours[-1].get("body") == text:
        return {"id": ours[-1].get("id"), "html_url": ours[-1].get("html_url")}
    return None


@contextmanager
def _explain_refusal() -> Iterator[None]:
    """Give a refused write the hint that fits issues (the client's speaks of pull requests)."""
    try:
        yield
    except NotAccessibleError as exc:
        hint = "give the job `permissions: issues: write` (docs/workflows.md, Monitoring and retraining)"
        raise NotAccessibleError(exc.message, hint=hint, status=exc.status) from exc


def _close_duplicates(client: GitHubClient, repo: str, issues: Iterable[Issue]) -> tuple[int, ...]:
    """Close later copies of the issue (a race between two runs) so the repository converges on one."""
    closed = []
    for issue in issues:
        client.patch(f"/repos/{repo}/issues/{issue.number}", {"state": "closed", "state_reason": "duplicate"})
        closed.append(issue.number)
    return tuple(closed)


def _fit_title(title: str) -> str:
    """``title`` on one line, within GitHub's limit; a blank one becomes a generic title."""
    line = " ".join(title.split()) or "mlgate monitor alert"
    return line if len(line) <= TITLE_LIMIT else line[: TITLE_LIMIT - 1] + "…"


def _is_unchanged(old: str, new: str) -> bool:
    """Bodies equal up to line endings and trailing whitespace (GitHub may store CRLF)."""
    return old.replace("\r\n", "\n").rstrip() == new.replace("\r\n", "\n").rstrip()
