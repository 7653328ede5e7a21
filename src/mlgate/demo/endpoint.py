"""The local inference endpoint in a background thread, on a free loopback port, always stopped.

``running_endpoint(state)`` starts ``mlgate serve``'s server (the same ``LocalServer``) for a state folder
and yields its address once it accepts connections; leaving the block, by an error or Ctrl-C too, stops it
and waits for the thread, so no server outlives the demo. With ``capture`` settings the server captures
its traffic like ``mlgate serve`` with ``capture.enabled`` (stopping it closes the capture files).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from mlgate.errors import InternalError, MlgateError, ServiceError

if TYPE_CHECKING:
    from mlgate.serve.capture.settings import CaptureSettings

START_TIMEOUT_S = 60.0
STOP_TIMEOUT_S = 30.0


@dataclass(frozen=True)
class Endpoint:
    """A running server: where it listens and which state folder it serves."""

    url: str
    port: int
    state: Path


@contextmanager
def running_endpoint(
    state: Path, *, host: str = "127.0.0.1", poll_interval: float = 0.05, capture: CaptureSettings | None = None
) -> Iterator[Endpoint]:
    """Serve ``state`` on a free port of ``host`` until the block ends, capturing traffic with ``capture``."""
    from mlgate.serve.run import LocalServer, ServeOptions
    from mlgate.serve.state import ServerInfo

    options = ServeOptions(
        state=state, host=host, port=0, poll_interval=poll_interval, graceful_timeout=2, capture=capture
    )
    server = LocalServer(options)
    ready = threading.Event()
    started: list[ServerInfo] = []
    failure: list[BaseException] = []

    def on_ready(info: ServerInfo) -> None:
        started.append(info)
        ready.set()

    def serve() -> None:
        try:
            server.run(on_ready=on_ready)
        except BaseException as exc:  # noqa: BLE001 - handed to the main thread below
            failure.append(exc)
        finally:
            ready.set()

    thread = threading.Thread(target=serve, name="mlgate-demo-endpoint", daemon=True)
    thread.start()
    try:
        if not ready.wait(START_TIMEOUT_S):
            raise ServiceError(f"the local endpoint did not start within {START_TIMEOUT_S:g} s")
        if failure:
            error = failure[0]
            if isinstance(error, MlgateError):
                raise error
            raise InternalError(f"the local endpoint failed to start: {type(error).__name__}: {error}") from error
        info = started[0]
        yield Endpoint(url=info.url, port=info.port, state=state)
    finally:
        server.request_stop()
        thread.join(STOP_TIMEOUT_S)
    if thread.is_alive():
        raise InternalError(f"the local endpoint did not stop within {STOP_TIMEOUT_S:g} s")


def is_listening(port: int, host: str = "127.0.0.1") -> bool:
    """Whether something accepts TCP connections on ``host``:``port`` (to prove the endpoint stopped)."""
    import socket

    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(1.0)
        return sock.connect_ex((host, port)) == 0
