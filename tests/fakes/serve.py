"""The real ``mlgate serve`` as a subprocess on a free loopback port, for tests that need a live endpoint.

Not a fake: the production server, started the way a user starts it (``python -m mlgate serve --port 0
--state DIR``), with its output in a log file next to the state folder (an unread pipe would block it)::

    from fakes.serve import running_server

    def test_deploy(tmp_path):
        state = tmp_path / "serve"
        with running_server(state) as server:          # waits until it listens (port file + server.json)
            write_pointer(state, pointer)                # or let `mlgate deploy --state` do it
            server.wait_for_version("1")                 # GET /ping until it serves version 1
            httpx.post(f"{server.url}/invocations", json={"instances": [...]})
            assert server.stop() == 0                    # SIGTERM: graceful, exit code 0

The server is always stopped (SIGTERM, then SIGKILL after ``timeout``) when the block ends. ``status()``
is ``GET /status``; ``log()`` the server's output so far (show it when an assertion fails).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from mlgate.serve.state import read_port, read_server_info


@dataclass
class ServerHandle:
    """A running ``mlgate serve`` process."""

    process: subprocess.Popen[bytes]
    state: Path
    port: int
    log_path: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def pid(self) -> int:
        return self.process.pid

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def status(self) -> dict[str, Any]:
        response = httpx.get(f"{self.url}/status", timeout=5)
        response.raise_for_status()
        document: dict[str, Any] = response.json()
        return document

    def wait_for_version(self, version: str, timeout: float = 60.0) -> dict[str, Any]:
        """Poll ``/ping`` until the server serves ``version``; returns the ping body."""
        deadline = time.monotonic() + timeout
        last: Any = None
        while time.monotonic() < deadline:
            response = httpx.get(f"{self.url}/ping", timeout=5)
            last = (response.status_code, response.text)
            if response.status_code == 200 and response.json().get("version") == version:
                document: dict[str, Any] = response.json()
                return document
            time.sleep(0.05)
        raise AssertionError(f"server never served version {version}; last /ping {last}\n{self.log()}")

    def wait_for_status(self, predicate: Any, timeout: float = 60.0) -> dict[str, Any]:
        """Poll ``/status`` until ``predicate(document)`` holds; returns that document."""
        deadline = time.monotonic() + timeout
        document: dict[str, Any] = {}
        while time.monotonic() < deadline:
            document = self.status()
            if predicate(document):
                return document
            time.sleep(0.05)
        raise AssertionError(f"/status never matched; last {json.dumps(document)}\n{self.log()}")

    def stop(self, timeout: float = 20.0) -> int:
        """SIGTERM and wait (SIGKILL after ``timeout``); returns the exit code. Safe to call twice."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout)
        return int(self.process.returncode)


@contextmanager
def running_server(
    state: Path,
    *,
    args: Sequence[str] = (),
    env: dict[str, str] | None = None,
    cwd: Path | None = None,
    timeout: float = 30.0,
) -> Iterator[ServerHandle]:
    """Start ``mlgate serve --port 0 --host 127.0.0.1 --state STATE [ARGS]`` and yield once it listens."""
    state.mkdir(parents=True, exist_ok=True)
    log_path = state.parent / f"{state.name}.serve.log"
    command = [sys.executable, "-m", "mlgate", "serve", "--port", "0", "--host", "127.0.0.1", "--state", str(state)]
    with log_path.open("ab") as log:
        process = subprocess.Popen(
            [*command, *args],
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=cwd or state.parent,
            env=env or dict(os.environ),
        )
    handle: ServerHandle | None = None
    try:
        handle = ServerHandle(
            process=process, state=state, port=_wait_for_port(process, state, log_path, timeout), log_path=log_path
        )
        yield handle
    finally:
        if handle is not None:
            handle.stop()
        elif process.poll() is None:
            process.kill()
            process.wait(timeout)


def _wait_for_port(process: subprocess.Popen[bytes], state: Path, log_path: Path, timeout: float) -> int:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            output = log_path.read_text(encoding="utf-8", errors="replace")
            raise AssertionError(f"mlgate serve exited with {process.returncode} before listening:\n{output}")
        info = read_server_info(state)
        port = read_port(state)
        if info is not None and info.pid == process.pid and port == info.port:
            return port
        time.sleep(0.05)
    raise AssertionError(f"mlgate serve did not listen within {timeout} s:\n{log_path.read_text(encoding='utf-8')}")
