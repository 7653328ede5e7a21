"""A small GitHub REST client over an injected ``httpx.Client``: auth, API version, pagination, retries.

Retries (at most ``tries`` attempts in all, 3 by default):

- 403/429 rate limits: wait ``retry-after`` seconds, else until ``x-ratelimit-reset`` (primary limit), else
  a minute (GitHub's advice for a secondary limit without headers); a wait longer than ``max_wait`` gives
  up at once instead of idling a runner;
- 5xx and connection errors: exponential backoff (``backoff``, then twice that, ...).

Failures become :class:`GitHubError` (exit 3). A 403 "Resource not accessible by integration" (a fork's
read-only token, a missing ``permissions:`` entry) is :class:`NotAccessibleError`, so callers can degrade
to the job summary. The token goes only into the ``Authorization`` header: never into a message or repr.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Mapping
from typing import Any
from urllib.parse import urlsplit

import httpx

from mlgate.errors import ServiceError

API_VERSION = "2022-11-28"
DEFAULT_API_URL = "https://api.github.com"
NOT_ACCESSIBLE = "Resource not accessible by integration"
MAX_PAGES = 100  # 10,000 items at per_page=100: beyond that something is wrong

Params = Mapping[str, str | int]


class GitHubError(ServiceError):
    """A GitHub API call failed (after retries where retrying made sense)."""

    def __init__(self, message: str, *, hint: str | None = None, status: int | None = None) -> None:
        super().__init__(message, hint=hint)
        self.status = status


class NotAccessibleError(GitHubError):
    """403 "Resource not accessible by integration": the token may not write here (fork PR, permissions)."""


class GitHubClient:
    """REST calls relative to ``base_url`` (``GITHUB_API_URL``), authenticated with ``token``."""

    def __init__(
        self,
        session: httpx.Client,
        *,
        base_url: str,
        token: str,
        user_agent: str = "mlgate",
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.time,
        tries: int = 3,
        backoff: float = 1.0,
        max_wait: float = 90.0,
    ) -> None:
        self._session = session
        self.base_url = base_url.rstrip("/")
        self._headers = {
            "Accept": "application/vnd.github+json",
            "Authorization": f"Bearer {token}",
            "X-GitHub-Api-Version": API_VERSION,
            "User-Agent": user_agent,
        }
        self._sleep = sleep
        self._clock = clock
        self._tries = max(1, tries)
        self._backoff = backoff
        self._max_wait = max_wait

    def __repr__(self) -> str:
        return f"GitHubClient(base_url={self.base_url!r})"

    def get(self, path: str, params: Params | None = None) -> Any:
        """GET ``path`` and return its JSON."""
        return self.request("GET", path, params=params).json()

    def post(self, path: str, body: Mapping[str, Any], *, retry: bool = True) -> Any:
        """POST a JSON body and return the JSON answer.

        ``retry=False`` for a write that must not happen twice: a 5xx or a dropped connection may come after
        GitHub has done it, so it is not retried here; the caller looks before writing again
        (``mlgate.github.comments``). Rate limits, which GitHub answers before writing, are still waited out.
        """
        return self.request("POST", path, json=body, retry_unknown=retry).json()

    def patch(self, path: str, body: Mapping[str, Any]) -> Any:
        """PATCH a JSON body and return the JSON answer."""
        return self.request("PATCH", path, json=body).json()

    def delete(self, path: str) -> None:
        """DELETE ``path``."""
        self.request("DELETE", path)

    def paginate(self, path: str, params: Params | None = None) -> Iterator[Any]:
        """Every item of a list endpoint: ``per_page=100``, following ``Link: rel="next"`` to the end."""
        response = self.request("GET", path, params={"per_page": 100, **(params or {})})
        for _ in range(MAX_PAGES):
            items = response.json()
            if not isinstance(items, list):
                raise GitHubError(f"GitHub API: GET {path} did not return a list", status=response.status_code)
            yield from items
            next_url = response.links.get("next", {}).get("url")
            if not next_url:
                return
            response = self.request("GET", self._same_origin(next_url, path))
        raise GitHubError(f"GitHub API: GET {path} has more than {MAX_PAGES} pages; stopped following Link")

    def request(
        self,
        method: str,
        path: str,
        *,
        params: Params | None = None,
        json: Mapping[str, Any] | None = None,
        retry_unknown: bool = True,
    ) -> httpx.Response:
        """Send one request with retries; return the successful response or raise a GitHubError.

        With ``retry_unknown=False``, a 5xx or a connection error (the request may have been carried out) is
        raised at once instead of retried.
        """
        url = path if path.startswith(("http://", "https://")) else self.base_url + path
        where = f"{method} {urlsplit(url).path}"
        for attempt in range(1, self._tries + 1):
            last = attempt == self._tries
            try:
                response = self._session.request(method, url, params=params, json=json, headers=self._headers)
            except httpx.TransportError as exc:
                if last or not retry_unknown:
                    raise GitHubError(
                        f"GitHub API: {where}: {type(exc).__name__} after {attempt} {_tries(attempt)}",
                        hint=f"check GITHUB_API_URL ({self.base_url}) and the network",
                    ) from exc
                self._sleep(self._backoff * 2.0 ** (attempt - 1))
                continue
            if response.is_success:
                return response
            wait = self._retry_wait(response, attempt)
            if wait is None or (response.status_code >= 500 and not retry_unknown):
                raise _translate(response, where)
            if wait > self._max_wait:
                raise GitHubError(
                    f"GitHub API: {where}: rate limited ({response.status_code}) for {wait:.0f} s more",
                    hint="re-run the job later; fewer parallel jobs posting comments avoid GitHub's limits",
                    status=response.status_code,
                )
            if last:
                error = _translate(response, where)
                raise GitHubError(f"{error.message} after {attempt} tries", hint=error.hint, status=error.status)
            self._sleep(wait)
        raise AssertionError("unreachable: the last attempt returns or raises")

    def pause(self, attempt: int) -> None:
        """Wait before attempt ``attempt + 1`` of a write the caller retries itself (the client's backoff)."""
        self._sleep(self._backoff * 2.0 ** (attempt - 1))

    @property
    def tries(self) -> int:
        """How many attempts a request gets in all."""
        return self._tries

    def _retry_wait(self, response: httpx.Response, attempt: int) -> float | None:
        """Seconds to wait before retrying ``response``, or None when it must not be retried."""
        status = response.status_code
        if status >= 500:
            return self._backoff * 2.0 ** (attempt - 1)
        if status not in (403, 429) or not _is_rate_limit(response):
            return None
        retry_after = _number(response.headers.get("retry-after"))
        if retry_after is not None:
            return max(0.0, retry_after)
        reset = _number(response.headers.get("x-ratelimit-reset"))
        if reset is not None and response.headers.get("x-ratelimit-remaining") == "0":
            return max(0.0, reset - self._clock()) + 1.0
        return 60.0

    def _same_origin(self, url: str, path: str) -> str:
        """``url`` if it is on the API host; a Link elsewhere would leak the token, so it is refused."""
        want, got = urlsplit(self.base_url), urlsplit(url)
        if (got.scheme, got.netloc) != (want.scheme, want.netloc):
            raise GitHubError(f"GitHub API: GET {path}: refusing to follow a pagination link to {got.netloc}")
        return url


def _tries(count: int) -> str:
    return "try" if count == 1 else "tries"


def _is_rate_limit(response: httpx.Response) -> bool:
    if response.status_code == 429 or "retry-after" in response.headers:
        return True
    if response.headers.get("x-ratelimit-remaining") == "0":
        return True
    return "rate limit" in _message(response).lower()


def _number(value: str | None) -> float | None:
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None


def _message(response: httpx.Response) -> str:
    """GitHub's ``message`` field (cut to 300 characters), or the reason phrase."""
    try:
        document = response.json()
    except ValueError:
        return response.reason_phrase
    message = document.get("message") if isinstance(document, dict) else None
    if not isinstance(message, str):
        return response.reason_phrase
    errors = document.get("errors")
    if isinstance(errors, list):
        details = [e.get("message") or e.get("code") for e in errors if isinstance(e, dict)]
        message += "".join(f"; {d}" for d in details if isinstance(d, str))
    return message[:300]


def _translate(response: httpx.Response, where: str) -> GitHubError:
    """The GitHubError for a failed response, with a hint for the usual causes."""
    status, message = response.status_code, _message(response)
    text = f"GitHub API: {where} failed: {status} {message}"
    if status == 403 and NOT_ACCESSIBLE.lower() in message.lower():
        return NotAccessibleError(
            text,
            hint="give the job `permissions: pull-requests: write`; fork PRs get a read-only token: post from "
            "a workflow_run workflow instead (docs/github.md)",
            status=status,
        )
    hints = {
        401: "GITHUB_TOKEN is invalid or expired",
        404: "check GITHUB_REPOSITORY and the PR number; a token without access to a private repo also gets 404",
        422: "GitHub refused the content",
    }
    return GitHubError(text, hint=hints.get(status), status=status)
