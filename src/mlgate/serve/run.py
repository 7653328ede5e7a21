"""Run the local server: claim the state folder, bind, serve with uvicorn until SIGTERM or SIGINT.

Order of events: lock ``<state>/server.lock`` (one server per folder; stale ``port``/``server.json`` of a
dead server are removed), bind the socket (port 0 = a free one; errors are InputErrors), start the pointer
watcher, start uvicorn, and once it accepts connections write ``server.json`` and ``port`` atomically. On
SIGTERM/SIGINT uvicorn stops accepting, lets requests in flight finish (``graceful_timeout``), and the
files are removed; a second SIGINT forces the exit. The process then returns normally: no re-raised signal.
With capture on, the capture writer starts before the server listens and is closed after the last request
finished: it writes what is queued (waiting at most ``capture_timeout`` seconds) and logs its counters.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import logging
import os
import signal
import socket
import threading
import time
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass
from pathlib import Path
from types import FrameType

import uvicorn

from mlgate.clock import utc_now
from mlgate.errors import InputError
from mlgate.serve.ab import AbRouter, AbWatcher
from mlgate.serve.ab_log import AbLog
from mlgate.serve.ab_state import AB_DIR
from mlgate.serve.app import MAX_BODY_BYTES, create_app
from mlgate.serve.capture.settings import CaptureSettings
from mlgate.serve.capture.writer import CaptureWriter
from mlgate.serve.holder import Clock, Loader, ModelHolder, load_estimator
from mlgate.serve.protocol import ExplainingH11Protocol
from mlgate.serve.shadow import ShadowRunner, ShadowWatcher
from mlgate.serve.shadow_state import SHADOW_DIR
from mlgate.serve.state import LOCK_FILE, ServerInfo, read_server_info, remove_server_files, write_server_files
from mlgate.serve.watcher import PointerWatcher

logger = logging.getLogger("mlgate.serve")

DEFAULT_PORT = 8080  # what SageMaker containers listen on
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


@dataclass(frozen=True)
class ServeOptions:
    """How to run the server."""

    state: Path
    host: str = "127.0.0.1"
    port: int = DEFAULT_PORT
    poll_interval: float = 0.2
    access_log: bool = False
    graceful_timeout: int = 10
    max_body_bytes: int = MAX_BODY_BYTES
    capture: CaptureSettings | None = None  # None: capture off
    capture_timeout: float = 5.0


class LocalServer:
    """The server for one state folder; ``run`` blocks, ``request_stop`` ends it from another thread."""

    def __init__(self, options: ServeOptions, *, loader: Loader = load_estimator, clock: Clock = utc_now) -> None:
        self.options = options
        self.holder = ModelHolder(loader=loader, clock=clock)
        self.capture = CaptureWriter(options.capture, clock=clock) if options.capture is not None else None
        policy = options.capture.policy if options.capture is not None else None
        self.shadow = ShadowRunner(options.state / SHADOW_DIR, policy=policy, clock=clock)
        self.ab = AbRouter(AbLog(options.state / AB_DIR, clock=clock), loader=loader)
        self._clock = clock
        self._server: _Uvicorn | None = None
        self._stop_requested = threading.Event()

    def run(self, on_ready: Callable[[ServerInfo], None] | None = None) -> int:
        """Serve until stopped; returns the signal that stopped it (0: ``request_stop``)."""
        options = self.options
        with claim_state(options.state):
            sock = bind_socket(options.host, options.port)
            watcher = PointerWatcher(options.state, self.holder, interval=options.poll_interval)
            shadow_watcher = ShadowWatcher(options.state, self.shadow, interval=options.poll_interval)
            ab_watcher = AbWatcher(options.state, self.ab, interval=options.poll_interval)
            config = uvicorn.Config(
                create_app(
                    self.holder,
                    max_body_bytes=options.max_body_bytes,
                    capture=self.capture,
                    shadow=self.shadow,
                    ab=self.ab,
                ),
                http=ExplainingH11Protocol,
                lifespan="off",
                ws="none",
                log_config=None,
                access_log=options.access_log,
                server_header=False,
                timeout_graceful_shutdown=options.graceful_timeout,
            )

            def started() -> None:
                host, port = sock.getsockname()[:2]
                started_at = self._clock().isoformat(timespec="seconds")
                info = ServerInfo(pid=os.getpid(), port=int(port), host=str(host), started_at=started_at)
                write_server_files(options.state, info)
                if on_ready is not None:
                    on_ready(info)

            server = self._server = _Uvicorn(config, on_started=started)
            if self._stop_requested.is_set():
                server.should_exit = True
            try:
                if self.capture is not None:
                    self.capture.start()
                    logger.info(
                        "capturing %s of requests to %s (%s)",
                        f"{self.capture.settings.sample:.0%}",
                        self.capture.settings.folder,
                        self.capture.settings.format,
                    )
                self.shadow.start()
                watcher.start()
                shadow_watcher.start()
                self.ab.log.start()
                ab_watcher.start()
                server.run(sockets=[sock])
            finally:
                ab_watcher.stop()
                shadow_watcher.stop()
                watcher.stop()
                self.ab.log.close(timeout=options.capture_timeout)
                self.shadow.stop(timeout=options.capture_timeout)
                if self.capture is not None:
                    logger.info(self.capture.close(timeout=options.capture_timeout).summary())
                remove_server_files(options.state, os.getpid())
                sock.close()
        return server.stop_signal

    def request_stop(self) -> None:
        """Ask a running server to shut down gracefully (safe from any thread)."""
        self._stop_requested.set()
        if self._server is not None:
            self._server.should_exit = True


@contextlib.contextmanager
def claim_state(state: Path) -> Iterator[None]:
    """Hold the state folder's lock while serving; refuse if another server holds it."""
    try:
        state.mkdir(parents=True, exist_ok=True)
        handle = os.open(state / LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        raise InputError(f"cannot use the state folder {state}: {exc.strerror}") from exc
    try:
        try:
            _lock_soon(handle)
        except BlockingIOError as exc:
            info = read_server_info(state)
            who = f" (pid {info.pid}, {info.url})" if info else ""
            raise InputError(
                f"another `mlgate serve`{who} already serves the state folder {state}",
                hint="stop it first, or pass another --state folder",
            ) from exc
        remove_server_files(state)  # left by a server that died without cleaning up
        yield
    finally:
        os.close(handle)


def _lock_soon(handle: int, tries: int = 20, pause_s: float = 0.05) -> None:
    """Take the exclusive lock, retrying for a second: a client's liveness probe holds it shared for an instant."""
    for attempt in range(tries):
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            if attempt == tries - 1:
                raise
            time.sleep(pause_s)


def bind_socket(host: str, port: int) -> socket.socket:
    """A TCP socket bound to ``host``:``port`` (0 = a free port); failures say what to change."""
    try:
        family, kind, proto, _, address = socket.getaddrinfo(
            host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
        )[0]
    except socket.gaierror as exc:
        raise InputError(f"--host {host}: not an address of this machine ({exc.strerror})") from exc
    sock = socket.socket(family, kind, proto)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
    except OSError as exc:
        sock.close()
        if exc.errno == errno.EADDRINUSE:
            raise InputError(
                f"port {port} on {host} is already in use", hint="pass another --port, or --port 0 for a free one"
            ) from exc
        raise InputError(f"cannot listen on {host}:{port}: {exc.strerror}") from exc
    return sock


class _Uvicorn(uvicorn.Server):
    """uvicorn's server, calling back once it listens and ending quietly on SIGTERM/SIGINT."""

    def __init__(self, config: uvicorn.Config, *, on_started: Callable[[], None]) -> None:
        super().__init__(config)
        self._on_started = on_started
        self.stop_signal = 0

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets=sockets)
        if self.started:
            self._on_started()

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        self.stop_signal = self.stop_signal or sig
        super().handle_exit(sig, frame)

    @contextlib.contextmanager
    def capture_signals(self) -> Generator[None, None, None]:
        # uvicorn re-raises the signal after its graceful shutdown (killing the process before our cleanup)
        if threading.current_thread() is not threading.main_thread():
            yield
            return
        previous = {sig: signal.signal(sig, self.handle_exit) for sig in STOP_SIGNALS}
        try:
            yield
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)
