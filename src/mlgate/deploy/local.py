"""The ``local`` target: ``mlgate serve`` behind a state folder.

The folder (``mlgate.serve.state``) holds ``live.json`` (the pointer: which version, its artifact and
digest, the trusted types and features), written atomically here and only here; ``port`` and
``server.json``, written by the server at startup; and ``.deploy.lock``, held (``fcntl.flock``) by one
deploy or rollback at a time. The server watches the pointer, loads the new model fully and swaps;
this module only talks to it over HTTP (the address in ``server.json``, else 127.0.0.1 and ``port``).
"""

from __future__ import annotations

import fcntl
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx

from mlgate.clock import utc_now
from mlgate.deploy.local_experiments import LocalExperiments
from mlgate.deploy.target import LoadFailed, Reply, TargetBusy, TargetOptions, TargetTimeout
from mlgate.errors import InternalError, ServiceError
from mlgate.files import display_path
from mlgate.serve.marks import PREVIOUS_VALUE, SMOKE_HEADER, SMOKE_VALUE, new_smoke_id
from mlgate.serve.state import (
    LIVE_FILE,
    PORT_FILE,
    REQUEST_ID_HEADER,
    TIMING_HEADER,
    VERSION_HEADER,
    LivePointer,
    is_server_running,
    read_pointer,
    read_port,
    read_server_info,
    read_timing,
    write_pointer,
)

if TYPE_CHECKING:
    from mlgate.config import Config
    from mlgate.deploy.watch import Watch
    from mlgate.registry.model import ModelVersion

LOCK_FILE = ".deploy.lock"
_ANY_HOST = ("", "0.0.0.0", "::")


class LocalTarget(LocalExperiments):
    """A local ``mlgate serve`` process, reached through the port file of its state folder."""

    name = "local"

    def __init__(
        self,
        state: Path,
        *,
        http: httpx.Client,
        trusted_types: Sequence[str] = (),
        now: Callable[[], datetime] = utc_now,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        poll_s: float = 0.1,
    ) -> None:
        self.state = state
        self.http = http
        self.trusted_types = tuple(trusted_types)
        self.now = now
        self.clock = clock
        self.sleep = sleep
        self.poll_s = poll_s
        self._checked: tuple[int, int | None] | None = None  # the port file (port, pid) found alive last

    def describe(self) -> str:
        try:
            return f"local server {self._base_url().removeprefix('http://')}"
        except ServiceError:
            return f"local server (state {self.state}, not running)"

    @contextmanager
    def exclusive(self) -> Iterator[None]:
        lock = self.state / LOCK_FILE
        try:
            self.state.mkdir(parents=True, exist_ok=True)
            handle = lock.open("a", encoding="utf-8")
        except OSError as exc:
            raise ServiceError(
                f"cannot open the deploy lock {lock}: {exc.strerror or exc}; nothing was changed",
                hint="check that the state folder is writable and its disk is not full",
            ) from exc
        with handle:
            try:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError as exc:
                raise TargetBusy(
                    f"endpoint busy: another deploy or rollback is running on {self.state}",
                    hint="wait for it to finish, then run this again",
                ) from exc
            try:
                yield
            finally:
                fcntl.flock(handle.fileno(), fcntl.LOCK_UN)

    def current(self) -> str | None:
        pointer = read_pointer(self.state)
        return None if pointer is None else pointer.version

    def build_pointer(self, version: ModelVersion, artifact: Path) -> LivePointer:
        """The pointer that makes the server load ``version`` from its verified ``artifact``."""
        return LivePointer(
            version=version.version,
            model=version.model,
            artifact=str(artifact.resolve()),
            sha256=version.sha256,
            trusted_types=self.trusted_types,
            features=tuple(version.features),
            switched_at=self.now().isoformat(timespec="milliseconds"),
            feature_schema=version.feature_schema,
        )

    def switch(self, version: ModelVersion, artifact: Path) -> None:
        pointer = self.build_pointer(version, artifact)
        try:
            write_pointer(self.state, pointer)
        except OSError as exc:
            raise ServiceError(
                f"cannot write the live pointer {self.state / LIVE_FILE}: {exc.strerror or exc}",
                hint="check that the state folder is writable",
            ) from exc

    def wait_until_serving(self, version: str, timeout: float) -> None:
        deadline = self.clock() + timeout
        last = "no answer yet"
        while True:
            try:
                reply = self.ping()
                if reply.status == 200 and reply.version == version:
                    return
                last = f"/ping answers {reply.status} with version {reply.version or 'none'}"
            except ServiceError as exc:
                last = exc.message
            else:
                self._raise_load_error(version)
            if self.clock() >= deadline:
                raise TargetTimeout(
                    f"the local server did not serve version {version} within {timeout:g} s: {last}",
                    hint=f"check the server's log; the pointer {self.state / LIVE_FILE} names version {version}",
                )
            self.sleep(self.poll_s)

    def ping(self) -> Reply:
        return self._request("GET", "/ping")

    def invoke(self, rows: Sequence[Mapping[str, Any]], *, smoke: bool = False) -> Reply:
        payload = {"instances": [dict(row) for row in rows]}
        headers = {"Accept": "application/json"}
        if smoke:
            headers |= {SMOKE_HEADER: SMOKE_VALUE, REQUEST_ID_HEADER: new_smoke_id()}
        return self._request("POST", "/invocations", json=payload, headers=headers)

    def invoke_previous(self, rows: Sequence[Mapping[str, Any]]) -> Reply:
        """Predictions by the version the server served before its last swap (a smoke-test request)."""
        payload = {"instances": [dict(row) for row in rows]}
        headers = {"Accept": "application/json", SMOKE_HEADER: PREVIOUS_VALUE, REQUEST_ID_HEADER: new_smoke_id()}
        return self._request("POST", "/invocations", json=payload, headers=headers)

    def watches(self) -> Sequence[Watch]:
        return ()  # the server swaps in place: there is no rollout to watch

    def _raise_load_error(self, version: str) -> None:
        try:
            status = self._request("GET", "/status").body
        except ServiceError:
            return  # the next /ping says what is wrong
        if not isinstance(status, dict) or status.get("loading"):
            return  # still loading: an error shown now is from an earlier attempt
        if status.get("pointer_version") == version and status.get("loading_error"):
            raise LoadFailed(f"the local server could not load version {version}: {status['loading_error']}")

    def _request(self, method: str, path: str, **kwargs: Any) -> Reply:
        url = self._base_url() + path
        try:
            response = self.http.request(method, url, **kwargs)
        except httpx.HTTPError as exc:
            raise ServiceError(
                f"cannot reach the local server at {url}: {exc or type(exc).__name__}",
                hint=f"is `mlgate serve --state {self.state}` running?",
            ) from exc
        try:
            body = response.json()
        except ValueError:
            body = None
        timing = read_timing(response.headers.get(TIMING_HEADER))
        return Reply(response.status_code, response.headers.get(VERSION_HEADER), body, response.text, timing)

    def _base_url(self) -> str:
        port = read_port(self.state)
        if port is None:
            raise ServiceError(
                f"no local server for {self.state}: no port file {self.state / PORT_FILE}",
                hint=f"start one with `mlgate serve --state {self.state}`",
            )
        info = read_server_info(self.state)
        found = (port, info.pid if info is not None else None)
        if found != self._checked:  # a new port file: is its server alive, or was it killed?
            if not is_server_running(self.state):
                pid = f" (pid {info.pid})" if info is not None else ""
                raise ServiceError(
                    f"no local server is running for {self.state}: its port file was left by a server{pid} "
                    "that was killed before it could remove it",
                    hint=f"start one with `mlgate serve --state {self.state}`; it replaces the stale files",
                )
            self._checked = found
        if info is not None and info.port == port and info.host not in _ANY_HOST:
            return info.url
        return f"http://127.0.0.1:{port}"


def open_local_target(config: Config, options: TargetOptions) -> LocalTarget:
    """The local target of ``config`` (state folder ``deploy.state`` unless ``options.state`` is given)."""
    if options.http is None:
        raise InternalError("the local deploy target needs an HTTP client")
    state = options.state or Path(display_path(config.deploy.state))
    return LocalTarget(state, http=options.http, trusted_types=config.artifacts.trusted_types)
