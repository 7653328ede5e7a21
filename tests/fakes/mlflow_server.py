"""A real ``mlflow server`` on a free loopback port, for the tracking tests (not a fake: MLflow's own server).

The server comes from the tool venv ``.venv-tools`` next to ``.venv``, which ``scripts/test.sh`` creates with the
pinned ``mlflow`` (the full package pins an older pyarrow than mlgate's, so it cannot live in ``.venv``). It
stores runs in SQLite and artifacts in a local folder, both in the session's temporary folder::

    def test_logs(mlflow_server, monkeypatch):
        monkeypatch.setenv("MLFLOW_TRACKING_URI", mlflow_server.url)
        ...
        client = mlflow_server.client()   # mlflow-skinny's MlflowClient, to read the runs back

A missing tool fails the test with what to run; it is never skipped.
"""

from __future__ import annotations

import os
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from mlflow.tracking import MlflowClient

ROOT = Path(__file__).resolve().parents[2]
TOOL = ROOT / ".venv-tools" / "bin" / "mlflow"
START_TIMEOUT_S = 180.0  # a first start creates the SQLite schema; slow on a busy 2-core machine


@dataclass(frozen=True)
class MlflowServer:
    """A running server: its address and its log."""

    url: str
    log_path: Path

    def client(self) -> MlflowClient:
        from mlflow.tracking import MlflowClient

        return MlflowClient(tracking_uri=self.url)

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="session")
def mlflow_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MlflowServer]:
    """``mlflow server`` (SQLite backend store, local artifact root) on 127.0.0.1, stopped at the session's end."""
    if not TOOL.is_file():
        pytest.fail(f"{TOOL} is missing: run `bash scripts/test.sh` once, it installs the MLflow server there")
    folder = tmp_path_factory.mktemp("mlflow")
    port = free_port()
    log_path = folder / "server.log"
    command = [
        str(TOOL),
        "server",
        "--backend-store-uri",
        f"sqlite:///{folder / 'mlflow.db'}",
        "--default-artifact-root",
        str(folder / "artifacts"),
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        "1",
    ]
    env = os.environ | {"MLFLOW_DISABLE_TELEMETRY": "true", "DO_NOT_TRACK": "true"}
    with log_path.open("wb") as log:
        process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=env, start_new_session=True)
    server = MlflowServer(url=f"http://127.0.0.1:{port}", log_path=log_path)
    try:
        _wait_healthy(process, server)
        yield server
    finally:
        _stop(process)


def _wait_healthy(process: subprocess.Popen[bytes], server: MlflowServer) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"mlflow server exited with {process.returncode} before it was ready:\n{server.log()[-3000:]}")
        try:
            with urllib.request.urlopen(f"{server.url}/health", timeout=5) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.2)
    pytest.fail(f"mlflow server not healthy after {START_TIMEOUT_S:.0f} s:\n{server.log()[-3000:]}")


def _stop(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM to the server's process group (its workers too), SIGKILL if it does not stop."""
    import signal

    if process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(30)
