"""A local fake of the GitHub REST API whose every request and response is checked against GitHub's OpenAPI.

The description is ``tests/fixtures/github/openapi.json`` (``@octokit/openapi``, trimmed by
``scripts/trim_openapi.py`` to the operations in DESIGN.md). The server is stdlib ``http.server`` in a
thread on 127.0.0.1 (a free port), with in-memory comments and pulls. Each request is validated with
openapi-core (path parameters, query, body; plus: no undeclared query parameter, the API-version header
set); each response too (a status the operation does not declare, such as an injected 502 or a rate
limit, is checked against ``basic-error``). A violation is recorded, answered with 400, and fails the
test at teardown of the ``github_api`` fixture.

Use (the fixture is exposed to every test by tests/conftest.py)::

    def test_posts(github_api, monkeypatch, tmp_path):
        github_api.add_pull(7, head_sha="a" * 40)                  # PR #7, head owner "octo", branch "feature"
        github_api.add_comments(7, 120, author="octocat")           # noise, on pages 1 and 2
        for name, value in github_api.env(tmp_path, "pull_request", github_api.pull_request_event(7)).items():
            monkeypatch.setenv(name, value)                          # GITHUB_API_URL/TOKEN/REPOSITORY/EVENT_*
        ...run `mlgate comment`...
        assert [c.author for c in github_api.comments(7)][-1] == "github-actions[bot]"

Knobs: ``fail_next(count, status, headers=..., message=..., method=...)`` (the next matching requests get
that answer: 502, a 403 secondary rate limit with ``retry-after``, 429...), ``forbid_writes()`` (every
POST/PATCH/DELETE gets 403 "Resource not accessible by integration", as a fork PR's token does),
``move_head(number, sha)``, ``allow_writes()``, ``garble_next(raw, status=, content_type=, method=, path=)``
(the next matching request gets ``raw`` as it is, unchecked: a pull without ``head``, a comment without ``id``,
an HTML page with 200), ``fail_after_write(count, status, method=...)`` (the next matching writes are carried
out, then answered ``status``, e.g. 502, or with a dropped connection for status 0: a proxy that lost GitHub's
answer). Inspect ``requests`` (method, path, query, json), ``writes()``,
``comments(number)``. Like GitHub: comments list in ascending id order, ``per_page`` defaults to 30 (at
most 100) with ``Link`` headers; bodies over 65,536 characters get 422; only the author may edit or
delete a comment (403 otherwise); writes are attributed to ``identity`` (``github-actions[bot]``); a wrong
or missing ``Authorization: Bearer <token>`` gets 401.

Events: ``pull_request_event(number)`` and ``workflow_run_event(head_sha, head_branch=, head_owner=)``
(``pull_requests`` empty, as for a fork) build payloads; ``env(folder, name, payload)`` writes one and
returns the variables. A subprocess (e.g. a composite action's bash step running ``mlgate comment``) just
gets ``env(...)`` in its environment: the server thread keeps answering while it runs. Implemented:
issue comments list/create/update/delete, pulls get/list, and issues list/create/update (monitor alerts).

Artifacts (for actions/download-artifact with ``run-id``, tests/workflows): ``add_artifact(run_id, name, zip)``
keeps a run's artifact; ``GET .../actions/runs/{run_id}/artifacts`` lists them (``name`` filters) and ``GET
.../actions/artifacts/{id}/zip`` answers 302 to ``/_blobs/{id}.zip`` on the same server, which serves the zip
without a token, as GitHub's signed blob URL does. Those two operations come from octokit, not mlgate: the
OpenAPI checks apply to them, mlgate's header rules (API version, Accept) do not; ``token X`` authorizes like
``Bearer X``.

Issues: ``add_issue(title, body, author=..., state=...)`` seeds one (issues and pulls share one number
sequence); ``issues(state=None)`` lists them in number order. Like GitHub, the issues list returns pull
requests too (with a ``pull_request`` object), newest first by default (``sort=created``,
``direction=desc``), filtered by ``state`` (default open; ``closed``, ``all``) and ``creator``; issue bodies
over 65,536 characters get 422; comments can be posted on issues as on pulls.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest

from fakes.github_openapi import SPEC_HOST, check_request, check_response, instance

NOT_ACCESSIBLE = "Resource not accessible by integration"
BOT = "github-actions[bot]"
DOCS = "https://docs.github.com/rest"
SECONDARY_LIMIT = "You have exceeded a secondary rate limit. Please wait a few minutes before you try again."
OPERATIONS = (
    ("GET", "/repos/{owner}/{repo}/issues/{issue_number}/comments"),
    ("POST", "/repos/{owner}/{repo}/issues/{issue_number}/comments"),
    ("PATCH", "/repos/{owner}/{repo}/issues/comments/{comment_id}"),
    ("DELETE", "/repos/{owner}/{repo}/issues/comments/{comment_id}"),
    ("GET", "/repos/{owner}/{repo}/pulls/{pull_number}"),
    ("GET", "/repos/{owner}/{repo}/pulls"),
    ("GET", "/repos/{owner}/{repo}/issues"),
    ("POST", "/repos/{owner}/{repo}/issues"),
    ("PATCH", "/repos/{owner}/{repo}/issues/{issue_number}"),
    ("GET", "/repos/{owner}/{repo}/actions/runs/{run_id}/artifacts"),
    ("GET", "/repos/{owner}/{repo}/actions/artifacts/{artifact_id}/{archive_format}"),
)
# Asked for by actions/download-artifact (octokit), not by mlgate: the OpenAPI checks apply, mlgate's own header
# rules (X-GitHub-Api-Version, Accept) do not.
THIRD_PARTY = frozenset(t for _, t in OPERATIONS if "/actions/" in t)
# Where an artifact's download redirects to (GitHub: a signed blob-storage URL, no API headers, no token).
BLOB = re.compile(r"^/_blobs/(?P<artifact_id>\d+)\.zip$")
ROUTES = [(verb, re.compile("^" + re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", t) + "$"), t) for verb, t in OPERATIONS]


@dataclass
class FakeComment:
    id: int
    issue: int
    author: str
    body: str
    created_at: str


@dataclass
class FakePull:
    number: int
    head_sha: str
    head_ref: str
    head_owner: str
    state: str = "open"


@dataclass
class FakeIssue:
    number: int
    author: str
    title: str
    body: str | None
    state: str = "open"
    state_reason: str | None = None
    created_at: str = "2026-01-01T00:00:00Z"


@dataclass
class FakeArtifact:
    id: int
    run_id: int
    name: str
    data: bytes


@dataclass(frozen=True)
class Recorded:
    method: str
    path: str
    query: dict[str, str]
    json: Any


@dataclass
class Fault:
    count: int
    status: int
    headers: dict[str, str]
    message: str
    method: str | None


@dataclass
class Answer:
    status: int
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    raw: bytes | None = None  # sent as it is: a reply that breaks the description on purpose, or a zip


@dataclass
class Garbled:
    count: int
    raw: bytes
    status: int
    content_type: str
    method: str | None
    path: str | None


class FakeGitHub:
    """In-memory GitHub for one repository (``octo/demo``), served on ``url``."""

    def __init__(self, *, owner: str = "octo", repo: str = "demo", token: str = "ghs_FAKEtoken0123456789") -> None:
        self.owner, self.repo, self.token, self.identity = owner, repo, token, BOT
        self.pulls: dict[int, FakePull] = {}
        self._issues: dict[int, FakeIssue] = {}
        self._comments: dict[int, FakeComment] = {}
        self._artifacts: dict[int, FakeArtifact] = {}
        self.requests: list[Recorded] = []
        self.violations: list[str] = []
        self._faults: list[Fault] = []
        self._garbled: list[Garbled] = []
        self._lost: list[Fault] = []
        self._forbidden: str | None = None
        self._next_id = 1000
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self.url = ""

    # -- lifecycle -------------------------------------------------------------------------------
    def start(self) -> FakeGitHub:
        server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        server.daemon_threads = True
        server.fake = self  # type: ignore[attr-defined]
        self._server = server
        self.url = f"http://127.0.0.1:{server.server_address[1]}"
        self._thread = threading.Thread(target=server.serve_forever, args=(0.05,), name="fake-github", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            assert self._thread is not None
            self._thread.join(timeout=10)
            self._server = None

    # -- seeding and knobs -----------------------------------------------------------------------
    @property
    def repository(self) -> str:
        return f"{self.owner}/{self.repo}"

    def add_pull(
        self, number: int, *, head_sha: str, head_ref: str = "feature", head_owner: str | None = None
    ) -> FakePull:
        pull = FakePull(number, head_sha, head_ref, head_owner or self.owner)
        self.pulls[number] = pull
        return pull

    def add_issue(
        self, title: str, body: str | None, *, author: str = BOT, state: str = "open", number: int | None = None
    ) -> FakeIssue:
        with self._lock:
            return self._open_issue(title, body, author, state=state, number=number)

    def issues(self, state: str | None = None) -> list[FakeIssue]:
        return sorted((i for i in self._issues.values() if state in (None, i.state)), key=lambda i: i.number)

    def add_artifact(self, run_id: int, name: str, data: bytes) -> FakeArtifact:
        """A workflow run's artifact (``data``: the zip GitHub serves), listed and downloadable by later runs."""
        with self._lock:
            self._next_id += 1
            artifact = FakeArtifact(self._next_id, run_id, name, data)
            self._artifacts[artifact.id] = artifact
            return artifact

    def move_head(self, number: int, sha: str) -> None:
        self.pulls[number].head_sha = sha

    def add_comment(self, number: int, body: str, *, author: str = BOT) -> FakeComment:
        with self._lock:
            return self._create(number, body, author)

    def add_comments(self, number: int, count: int, *, author: str = "octocat", body: str = "comment {i}") -> None:
        for i in range(count):
            self.add_comment(number, body.format(i=i), author=author)

    def comments(self, number: int) -> list[FakeComment]:
        return sorted((c for c in self._comments.values() if c.issue == number), key=lambda c: c.id)

    def fail_next(
        self,
        count: int,
        status: int,
        *,
        headers: Mapping[str, str] | None = None,
        message: str = "Server Error",
        method: str | None = None,
    ) -> None:
        """The next ``count`` requests (of ``method``, if given) are answered ``status`` with ``message``."""
        self._faults.append(Fault(count, status, dict(headers or {}), message, method))

    def garble_next(
        self,
        raw: bytes | str,
        *,
        count: int = 1,
        status: int = 200,
        content_type: str = "application/json; charset=utf-8",
        method: str | None = None,
        path: str | None = None,
    ) -> None:
        """The next ``count`` requests (of ``method``, to paths containing ``path``, if given) get ``raw`` as
        the body, unchecked and with nothing done: a malformed payload, a proxy's HTML page, a truncated body."""
        data = raw.encode("utf-8") if isinstance(raw, str) else raw
        self._garbled.append(Garbled(count, data, status, content_type, method, path))

    def fail_after_write(self, count: int, status: int = 502, *, method: str | None = "POST") -> None:
        """The next ``count`` successful writes (of ``method``) are done, then answered ``status`` (0: no answer)."""
        self._lost.append(Fault(count, status, {}, "Bad Gateway", method))

    def forbid_writes(self, message: str = NOT_ACCESSIBLE) -> None:
        """Answer every write with 403 ``message`` (a fork PR's read-only token)."""
        self._forbidden = message

    def allow_writes(self) -> None:
        """Undo ``forbid_writes`` (the next run's token may write)."""
        self._forbidden = None

    def writes(self) -> list[Recorded]:
        return [r for r in self.requests if r.method != "GET"]

    # -- environment helpers -----------------------------------------------------------------------
    def env(self, folder: Path | None = None, event: str | None = None, payload: Any = None) -> dict[str, str]:
        """``GITHUB_API_URL``, ``GITHUB_TOKEN``, ``GITHUB_REPOSITORY`` (+ the event, written under ``folder``)."""
        values = {"GITHUB_API_URL": self.url, "GITHUB_TOKEN": self.token, "GITHUB_REPOSITORY": self.repository}
        if event is not None:
            assert folder is not None, "an event needs a folder to be written to"
            values |= write_event(folder, event, payload)
        return values

    def pull_request_event(self, number: int) -> dict[str, Any]:
        pull = self.pulls[number]
        head = {"sha": pull.head_sha, "ref": pull.head_ref, "repo": {"full_name": f"{pull.head_owner}/{self.repo}"}}
        return {
            "action": "synchronize",
            "number": number,
            "pull_request": {"number": number, "head": head, "base": {"ref": "main"}},
        }

    def workflow_run_event(
        self, head_sha: str, *, head_branch: str = "feature", head_owner: str | None = None
    ) -> dict[str, Any]:
        """A ``workflow_run`` payload as GitHub sends it for a fork: ``pull_requests`` is empty."""
        owner = head_owner or self.owner
        repository = {"full_name": f"{owner}/{self.repo}", "owner": {"login": owner}}
        run = {"head_sha": head_sha, "head_branch": head_branch, "head_repository": repository, "pull_requests": []}
        return {"action": "completed", "workflow_run": run}

    # -- request handling (server threads) ---------------------------------------------------------
    def handle(self, method: str, target: str, headers: Mapping[str, str], raw: bytes) -> tuple[Answer, str | None]:
        split = urlsplit(target)
        query = dict(parse_qsl(split.query, keep_blank_values=True))
        try:
            document = json.loads(raw) if raw else None
        except ValueError:
            document = raw.decode("utf-8", "replace")
        with self._lock:
            self.requests.append(Recorded(method, split.path, query, document))
        blob = BLOB.match(split.path)
        if method == "GET" and blob is not None:
            artifact = self._artifacts.get(int(blob["artifact_id"]))
            return (Answer(200, raw=artifact.data) if artifact else _not_found()), None
        if headers.get("authorization") not in (f"Bearer {self.token}", f"token {self.token}"):
            return Answer(401, {"message": "Bad credentials", "documentation_url": DOCS}), None
        route = next(((t, m) for verb, p, t in ROUTES if verb == method and (m := p.match(split.path))), None)
        if route is None:
            return self._violation(f"{method} {split.path}: not an operation of the trimmed description"), None
        template, match = route
        problem = check_request(
            method, template, split.path, split.query, headers, raw, api_headers=template not in THIRD_PARTY
        )
        if problem:
            return self._violation(f"{method} {target}: {problem}"), template
        with self._lock:
            garbled = next(
                (
                    g
                    for g in self._garbled
                    if g.count > 0 and g.method in (None, method) and (g.path is None or g.path in split.path)
                ),
                None,
            )
            if garbled is not None:
                garbled.count -= 1
                return Answer(garbled.status, headers={"Content-Type": garbled.content_type}, raw=garbled.raw), None
            fault = next((f for f in self._faults if f.count > 0 and f.method in (None, method)), None)
            if fault is not None:
                fault.count -= 1
                return Answer(
                    fault.status, {"message": fault.message, "documentation_url": DOCS}, fault.headers
                ), template
            if (match["owner"], match["repo"]) != (self.owner, self.repo):
                return Answer(404, {"message": "Not Found", "documentation_url": DOCS}), template
            if method != "GET" and self._forbidden is not None:
                return Answer(403, {"message": self._forbidden, "documentation_url": DOCS}), template
            answer = self._route(method, template, match, query, document)
            lost = next((f for f in self._lost if f.count > 0 and f.method in (None, method)), None)
            if lost is not None and method != "GET" and answer.status < 300:
                lost.count -= 1
                return Answer(lost.status, {"message": lost.message, "documentation_url": DOCS}), template
            return answer, template

    def _violation(self, text: str) -> Answer:
        with self._lock:
            self.violations.append(text)
        return Answer(400, {"message": f"fake GitHub: {text}", "documentation_url": DOCS})

    def _route(self, method: str, template: str, match: re.Match[str], query: dict[str, str], document: Any) -> Answer:
        if template in THIRD_PARTY:
            return self._route_artifacts(template, match, query)
        if template.endswith(("/issues", "/issues/{issue_number}")):
            return self._route_issues(method, match, query, document)
        if template.endswith("/pulls"):
            items = [p for p in self.pulls.values() if p.state == query.get("state", "open")]
            if "head" in query:
                items = [p for p in items if f"{p.head_owner}:{p.head_ref}" == query["head"]]
            return self._page(match.string, query, [self._pull_json(p, simple=True) for p in items])
        if "/pulls/" in template:
            pull = self.pulls.get(int(match["pull_number"]))
            return Answer(200, self._pull_json(pull)) if pull else _not_found()
        if template.endswith("/comments"):
            number = int(match["issue_number"])
            if number not in self.pulls and number not in self._issues:
                return _not_found()
            if method == "GET":
                return self._page(match.string, query, [self._comment_json(c) for c in self.comments(number)])
            if len(document["body"]) > 65_536:
                return _too_long()
            return Answer(201, self._comment_json(self._create(number, document["body"], self.identity)))
        comment = self._comments.get(int(match["comment_id"]))
        if comment is None:
            return _not_found()
        if comment.author != self.identity:
            return Answer(403, {"message": NOT_ACCESSIBLE, "documentation_url": DOCS})
        if method == "DELETE":
            del self._comments[comment.id]
            return Answer(204)
        if len(document["body"]) > 65_536:
            return _too_long()
        comment.body = document["body"]
        return Answer(200, self._comment_json(comment))

    def _route_artifacts(self, template: str, match: re.Match[str], query: dict[str, str]) -> Answer:
        if template.endswith("/artifacts"):
            run_id = int(match["run_id"])
            found = [a for a in self._artifacts.values() if a.run_id == run_id and query.get("name", a.name) == a.name]
            listed = [self._artifact_json(a) for a in sorted(found, key=lambda a: a.id)]
            return Answer(200, {"total_count": len(listed), "artifacts": listed})
        artifact = self._artifacts.get(int(match["artifact_id"]))
        if artifact is None or match["archive_format"] != "zip":
            return _not_found()
        return Answer(302, headers={"Location": f"{self.url}/_blobs/{artifact.id}.zip"})

    def _artifact_json(self, artifact: FakeArtifact) -> dict[str, Any]:
        base = f"{SPEC_HOST}/repos/{self.repository}/actions/artifacts/{artifact.id}"
        return instance(
            "artifact",
            {
                "id": artifact.id,
                "node_id": f"A_{artifact.id}",
                "name": artifact.name,
                "size_in_bytes": len(artifact.data),
                "url": base,
                "archive_download_url": f"{base}/zip",
                "expired": False,
                "created_at": "2026-01-01T00:00:00Z",
                "expires_at": "2026-04-01T00:00:00Z",
                "updated_at": "2026-01-01T00:00:00Z",
            },
        )

    def _route_issues(self, method: str, match: re.Match[str], query: dict[str, str], document: Any) -> Answer:
        if method == "GET":
            state = query.get("state", "open")
            items = [(i.number, i.author, i.state, self._issue_json(i)) for i in self._issues.values()]
            items += [(p.number, p.head_owner, p.state, self._pull_as_issue_json(p)) for p in self.pulls.values()]
            chosen = [
                (number, item)
                for number, author, item_state, item in items
                if state in ("all", item_state) and query.get("creator", author) == author
            ]
            newest_first = query.get("direction", "desc") == "desc"
            chosen.sort(key=lambda pair: pair[0], reverse=newest_first)
            return self._page(match.string, query, [item for _, item in chosen])
        if len(document.get("body") or "") > 65_536:
            return _too_long("Issue")
        if method == "POST":
            made = self._open_issue(str(document["title"]), document.get("body"), self.identity)
            return Answer(201, self._issue_json(made))
        issue = self._issues.get(int(match["issue_number"]))
        if issue is None:
            return _not_found()
        for name in ("title", "body"):
            if document.get(name) is not None:
                setattr(issue, name, str(document[name]))
        if document.get("state") in ("open", "closed") and document["state"] != issue.state:
            issue.state = document["state"]
            closed = issue.state == "closed"
            issue.state_reason = (document.get("state_reason") or "completed") if closed else "reopened"
        return Answer(200, self._issue_json(issue))

    def _open_issue(
        self, title: str, body: str | None, author: str, *, state: str = "open", number: int | None = None
    ) -> FakeIssue:
        number = number or max([0, *self.pulls, *self._issues]) + 1
        issue = FakeIssue(number, author, title, body, state, "completed" if state == "closed" else None)
        self._issues[number] = issue
        return issue

    def _issue_json(self, issue: FakeIssue) -> dict[str, Any]:
        base = f"{SPEC_HOST}/repos/{self.repository}/issues/{issue.number}"
        closed_at = "2026-01-02T00:00:00Z" if issue.state == "closed" else None
        reason = {"state_reason": issue.state_reason} if issue.state_reason else {}  # OpenAPI 3.0: null not in enum
        return instance(
            "issue",
            reason
            | {
                "id": 500_000 + issue.number,
                "node_id": f"I_{issue.number}",
                "number": issue.number,
                "title": issue.title,
                "body": issue.body,
                "user": user_json(issue.author),
                "state": issue.state,
                "url": base,
                "html_url": f"https://github.com/{self.repository}/issues/{issue.number}",
                "comments": sum(1 for c in self._comments.values() if c.issue == issue.number),
                "created_at": issue.created_at,
                "updated_at": issue.created_at,
                "closed_at": closed_at,
                "author_association": "NONE",
            },
        )

    def _pull_as_issue_json(self, pull: FakePull) -> dict[str, Any]:
        """A pull request as the issues list shows it: an issue with a ``pull_request`` object."""
        html = f"https://github.com/{self.repository}/pull/{pull.number}"
        links = {"url": f"{SPEC_HOST}/repos/{self.repository}/pulls/{pull.number}", "html_url": html}
        links |= {"diff_url": f"{html}.diff", "patch_url": f"{html}.patch"}
        issue = FakeIssue(pull.number, pull.head_owner, f"PR {pull.number}", None, pull.state)
        return self._issue_json(issue) | {"html_url": html, "pull_request": links}

    def _create(self, number: int, body: str, author: str) -> FakeComment:
        self._next_id += 1
        comment = FakeComment(self._next_id, number, author, body, f"2026-01-01T00:{self._next_id % 60:02d}:00Z")
        self._comments[comment.id] = comment
        return comment

    def _page(self, path: str, query: dict[str, str], items: list[Any]) -> Answer:
        per_page, page = min(int(query.get("per_page", 30)), 100), int(query.get("page", 1))
        last = max(1, -(-len(items) // per_page))
        links = [
            (rel, n)
            for rel, n in (("prev", page - 1), ("next", page + 1), ("first", 1), ("last", last))
            if 1 <= n <= last and n != page
        ]
        rest = "&".join(f"{k}={v}" for k, v in query.items() if k not in ("page", "per_page"))
        link = ", ".join(
            f'<{self.url}{path}?per_page={per_page}&page={n}{"&" + rest if rest else ""}>; rel="{rel}"'
            for rel, n in links
        )
        return Answer(200, items[(page - 1) * per_page : page * per_page], {"Link": link} if link else {})

    def _comment_json(self, comment: FakeComment) -> dict[str, Any]:
        base = f"{SPEC_HOST}/repos/{self.repository}/issues"
        kind = "pull" if comment.issue in self.pulls else "issues"
        return instance(
            "issue-comment",
            {
                "id": comment.id,
                "node_id": f"IC_{comment.id}",
                "body": comment.body,
                "user": user_json(comment.author),
                "url": f"{base}/comments/{comment.id}",
                "issue_url": f"{base}/{comment.issue}",
                "html_url": f"https://github.com/{self.repository}/{kind}/{comment.issue}#issuecomment-{comment.id}",
                "created_at": comment.created_at,
                "updated_at": comment.created_at,
                "author_association": "NONE",
            },
        )

    def _pull_json(self, pull: FakePull | None, *, simple: bool = False) -> dict[str, Any]:
        assert pull is not None
        head_repo = instance(
            "repository",
            {"name": self.repo, "full_name": f"{pull.head_owner}/{self.repo}", "owner": user_json(pull.head_owner)},
        )
        side = {
            "label": f"{pull.head_owner}:{pull.head_ref}",
            "ref": pull.head_ref,
            "sha": pull.head_sha,
            "repo": head_repo,
            "user": user_json(pull.head_owner),
        }
        return instance(
            "pull-request-simple" if simple else "pull-request",
            {
                "number": pull.number,
                "state": pull.state,
                "head": side,
                "title": f"PR {pull.number}",
                "html_url": f"https://github.com/{self.repository}/pull/{pull.number}",
            },
        )


def _not_found() -> Answer:
    return Answer(404, {"message": "Not Found", "documentation_url": DOCS})


def _too_long(resource: str = "IssueComment") -> Answer:
    error = {
        "resource": resource,
        "code": "custom",
        "field": "body",
        "message": "body is too long (maximum is 65536 characters)",
    }
    return Answer(422, {"message": "Validation Failed", "errors": [error], "documentation_url": DOCS})


def write_event(folder: Path, name: str, payload: Any) -> dict[str, str]:
    """Write an event payload like the runner does; returns ``GITHUB_EVENT_NAME`` and ``GITHUB_EVENT_PATH``."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"event-{name}.json"
    path.write_text(json.dumps(payload), encoding="utf-8")
    return {"GITHUB_EVENT_NAME": name, "GITHUB_EVENT_PATH": str(path)}


def user_json(login: str) -> dict[str, Any]:
    return instance(
        "simple-user",
        {
            "login": login,
            "type": "Bot" if login.endswith("[bot]") else "User",
            "html_url": f"https://github.com/{login}",
        },
    )


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def _serve(self) -> None:
        fake: FakeGitHub = self.server.fake  # type: ignore[attr-defined]
        raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        headers = {k.lower(): v for k, v in self.headers.items()}
        answer, template = fake.handle(self.command, self.path, headers, raw)
        if answer.status == 0:  # the write was done, its answer is lost: close without a response
            self.close_connection = True
            return
        data = (
            answer.raw if answer.raw is not None else b"" if answer.body is None else json.dumps(answer.body).encode()
        )
        if template is not None:
            problem = check_response(
                self.command, template, urlsplit(self.path).path, answer.status, answer.body, answer.headers, data
            )
            if problem:
                with fake._lock:
                    fake.violations.append(f"response to {self.command} {self.path}: {problem}")
        self.send_response(answer.status)
        for name, value in answer.headers.items():
            self.send_header(name, value)
        if answer.raw is not None:
            if not any(name.lower() == "content-type" for name in answer.headers):
                self.send_header("Content-Type", "application/zip")
        elif data:
            self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST = do_PATCH = do_DELETE = do_PUT = _serve

    def log_message(self, format: str, *args: Any) -> None:  # silence the per-request log
        return


@pytest.fixture
def github_api() -> Iterator[FakeGitHub]:
    """A started FakeGitHub; the test fails if any request or response broke GitHub's description."""
    fake = FakeGitHub().start()
    try:
        yield fake
    finally:
        fake.stop()
    if fake.violations:
        pytest.fail("fake GitHub saw OpenAPI violations:\n" + "\n".join(fake.violations), pytrace=False)
