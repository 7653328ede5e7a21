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

import re
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any, TypeVar
from urllib.parse import urlsplit

import httpx

from mlgate.errors import ServiceError
from mlgate.text.secrets import redact

API_VERSION = "2022-11-28"
DEFAULT_API_URL = "https://api.github.com"
NOT_ACCESSIBLE = "Resource not accessible by integration"
MAX_PAGES = 100  # 10,000 items at per_page=100: beyond that something is wrong
UNEXPECTED_HINT = (
    "the server at GITHUB_API_URL did not answer as GitHub's REST API does: check GITHUB_API_URL "
    "(GitHub Enterprise: https://HOST/api/v3), or re-run the job if GitHub was having trouble"
)
_SAFE_TEXT = re.compile(r"[^A-Za-z0-9/.+=; -]")
T = TypeVar("T")

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
        self._secrets = (token,)  # taken out of every error text quoted from a response
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
        return read_json(self.request("GET", path, params=params), f"GET {path}")

    def post(self, path: str, body: Mapping[str, Any], *, retry: bool = True) -> Any:
        """POST a JSON body and return the JSON answer.

        ``retry=False`` for a write that must not happen twice: a 5xx or a dropped connection may come after
        GitHub has done it, so it is not retried here; the caller looks before writing again
        (``mlgate.github.comments``). Rate limits, which GitHub answers before writing, are still waited out.
        """
        return read_json(self.request("POST", path, json=body, retry_unknown=retry), f"POST {path}")

    def patch(self, path: str, body: Mapping[str, Any]) -> Any:
        """PATCH a JSON body and return the JSON answer."""
        return read_json(self.request("PATCH", path, json=body), f"PATCH {path}")

    def delete(self, path: str) -> None:
        """DELETE ``path``."""
        self.request("DELETE", path)

    def paginate(self, path: str, params: Params | None = None) -> Iterator[Any]:
        """Every item of a list endpoint: ``per_page=100``, following ``Link: rel="next"`` to the end."""
        response = self.request("GET", path, params={"per_page": 100, **(params or {})})
        for _ in range(MAX_PAGES):
            items = read_json(response, f"GET {path}")
            if not isinstance(items, list):
                raise GitHubError(
                    f"GitHub API: GET {path} did not return a list", hint=UNEXPECTED_HINT, status=response.status_code
                )
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
                raise _translate(response, where, self._secrets)
            if wait > self._max_wait:
                raise GitHubError(
                    f"GitHub API: {where}: rate limited ({response.status_code}) for {wait:.0f} s more",
                    hint="re-run the job later; fewer parallel jobs posting comments avoid GitHub's limits",
                    status=response.status_code,
                )
            if last:
                error = _translate(response, where, self._secrets)
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


def read_json(response: httpx.Response, where: str) -> Any:
    """The JSON of a successful response; an HTML page or other text (a proxy, a wrong URL) is a GitHubError."""
    try:
        return response.json()
    except (ValueError, RecursionError) as exc:  # JSONDecodeError and UnicodeDecodeError are ValueErrors
        kind = _SAFE_TEXT.sub("", response.headers.get("content-type", ""))[:60] or "no content type"
        raise GitHubError(
            f"GitHub API: {where} answered {response.status_code} with {len(response.content)} bytes of "
            f"{kind}, not JSON",
            hint=UNEXPECTED_HINT,
            status=response.status_code,
        ) from exc


def read_object(document: Any, where: str) -> dict[str, Any]:
    """``document`` when it is a JSON object; anything else is a GitHubError naming the call."""
    if not isinstance(document, dict):
        raise GitHubError(
            f"GitHub API: {where} returned {_kind(document)} where an object was expected", hint=UNEXPECTED_HINT
        )
    return document


def read_field(document: Any, key: str, kind: type[T], where: str) -> T:
    """``document[key]`` when ``document`` is an object and the value is a ``kind`` (an int is never a bool)."""
    value = read_object(document, where).get(key)
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        what = "no" if value is None else f"{_kind(value)} as its"
        raise GitHubError(
            f"GitHub API: {where} returned an object with {what} '{key}' ({kind.__name__} expected)",
            hint=UNEXPECTED_HINT,
        )
    return value


def _kind(value: Any) -> str:
    names = {dict: "an object", list: "a list", str: "a string", bool: "a boolean", type(None): "null"}
    return names.get(type(value), "a number")


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


def _message(response: httpx.Response, secrets: Sequence[str] = ()) -> str:
    """GitHub's ``message`` field (cut to 300 characters), or the reason phrase; credentials (``secrets``, and
    anything shaped like one, echoed by a server or a proxy) redacted before the cut."""
    try:
        document = response.json()
    except ValueError:
        return redact(response.reason_phrase, secrets)
    message = document.get("message") if isinstance(document, dict) else None
    if not isinstance(message, str):
        return redact(response.reason_phrase, secrets)
    errors = document.get("errors")
    if isinstance(errors, list):
        details = [e.get("message") or e.get("code") for e in errors if isinstance(e, dict)]
        message += "".join(f"; {d}" for d in details if isinstance(d, str))
    return redact(message, secrets)[:300]


def _translate(response: httpx.Response, where: str, secrets: Sequence[str] = ()) -> GitHubError:
    """The GitHubError for a failed response, with a hint for the usual causes; ``secrets`` never in it."""
    status, message = response.status_code, _message(response, secrets)
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
