"""A real ``mlflow server`` on a free loopback port, for the tracking tests (not a fake: MLflow's own server).

The server comes from the tool venv ``.venv-tools`` next to ``.venv``, which ``scripts/test.sh`` creates with the
pinned ``mlflow`` (the full package pins an older pyarrow than mlgate's, so it cannot live in ``.venv``). It
stores runs in SQLite in the session's temporary folder. Two servers, each started once per session (per xdist
worker) by ``serving``:

- ``mlflow_server``: artifacts in a local folder;
- ``mlflow_server_s3``: artifacts under ``s3://<bucket>/<prefix>`` on a moto server of its own (a subprocess, so
  the ``s3_env`` fixture's per-test reset of the shared moto server cannot delete the bucket). The client uploads
  and downloads artifacts itself, so a test sets ``server.environ`` (``MLFLOW_S3_ENDPOINT_URL``) before it logs
  or reads them; AWS credentials are conftest's dummy ones::

    def test_logs(mlflow_server, monkeypatch):
        monkeypatch.setenv("MLFLOW_TRACKING_URI", mlflow_server.url)
        ...
        client = mlflow_server.client()   # mlflow-skinny's MlflowClient, to read the runs back

    def test_artifacts_on_s3(mlflow_server_s3, monkeypatch):
        for name, value in mlflow_server_s3.environ.items():
            monkeypatch.setenv(name, value)
        ...
        keys = mlflow_server_s3.s3().list_objects_v2(Bucket=mlflow_server_s3.bucket, Prefix=mlflow_server_s3.prefix)

A missing tool fails the test with what to run; it is never skipped.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from mlflow.tracking import MlflowClient
    from mypy_boto3_s3 import S3Client

ROOT = Path(__file__).resolve().parents[2]
TOOL = ROOT / ".venv-tools" / "bin" / "mlflow"
START_TIMEOUT_S = 180.0  # a first start creates the SQLite schema; slow on a busy 2-core machine
REGION = "us-east-1"
S3_BUCKET = "mlgate-mlflow-artifacts"
S3_PREFIX = "mlflow"
QUIET = {"MLFLOW_DISABLE_TELEMETRY": "true", "DO_NOT_TRACK": "true"}


@dataclass(frozen=True)
class MlflowServer:
    """A running server: its address, its log and where its artifacts go (``bucket``/``prefix`` on S3)."""

    url: str
    log_path: Path
    artifact_root: str
    s3_endpoint: str | None = None  # the moto server holding the artifacts (None: a local folder)
    bucket: str | None = None
    prefix: str | None = None
    environ: Mapping[str, str] = field(default_factory=dict)  # what a client needs to reach the artifacts

    def client(self) -> MlflowClient:
        from mlflow.tracking import MlflowClient

        return MlflowClient(tracking_uri=self.url)

    def s3(self) -> S3Client:
        """A boto3 client of the artifacts' moto server (an S3 artifact root only)."""
        import boto3

        if self.s3_endpoint is None:
            raise AssertionError(f"{self.url} keeps its artifacts in a folder ({self.artifact_root}), not on S3")
        return boto3.session.Session(region_name=REGION).client("s3", endpoint_url=self.s3_endpoint)

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="session")
def mlflow_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MlflowServer]:
    """``mlflow server`` (SQLite backend store, local artifact root) on 127.0.0.1, stopped at the session's end."""
    folder = tmp_path_factory.mktemp("mlflow")
    with serving_mlflow(folder, str(folder / "artifacts")) as server:
        yield server


@pytest.fixture(scope="session")
def mlflow_server_s3(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MlflowServer]:
    """``mlflow server`` whose artifact root is ``s3://S3_BUCKET/S3_PREFIX`` on a moto server of its own."""
    folder = tmp_path_factory.mktemp("mlflow-s3")
    port = free_port()
    endpoint = f"http://127.0.0.1:{port}"
    moto = [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)]
    with serving("moto server", moto, f"{endpoint}/moto-api/", folder / "moto.log", os.environ):
        environ = {"MLFLOW_S3_ENDPOINT_URL": endpoint}
        root = f"s3://{S3_BUCKET}/{S3_PREFIX}"
        with serving_mlflow(folder, root, environ) as started:
            server = replace(started, s3_endpoint=endpoint, bucket=S3_BUCKET, prefix=S3_PREFIX, environ=environ)
            s3 = server.s3()
            try:
                s3.create_bucket(Bucket=S3_BUCKET)
            finally:
                s3.close()
            yield server


@contextmanager
def serving_mlflow(
    folder: Path, artifact_root: str, environ: Mapping[str, str] | None = None
) -> Iterator[MlflowServer]:
    """``mlflow server`` with its SQLite store in ``folder`` and artifacts at ``artifact_root``, while the block runs."""
    if not TOOL.is_file():
        pytest.fail(f"{TOOL} is missing: run `bash scripts/test.sh` once, it installs the MLflow server there")
    port = free_port()
    command = [str(TOOL), "server", "--backend-store-uri", f"sqlite:///{folder / 'mlflow.db'}"]
    command += ["--default-artifact-root", artifact_root, "--host", "127.0.0.1", "--port", str(port), "--workers", "1"]
    server = MlflowServer(url=f"http://127.0.0.1:{port}", log_path=folder / "server.log", artifact_root=artifact_root)
    env = os.environ | QUIET | dict(environ or {})
    with serving("mlflow server", command, f"{server.url}/health", server.log_path, env):
        yield server


@contextmanager
def serving(name: str, command: Sequence[str], health: str, log_path: Path, env: Mapping[str, str]) -> Iterator[None]:
    """Run ``command`` (its output in ``log_path``) until ``health`` answers 200; stop it when the block ends."""
    with log_path.open("wb") as log:
        process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=env, start_new_session=True)
    try:
        _wait_healthy(name, process, health, log_path)
        yield
    finally:
        _stop(process)


def _wait_healthy(name: str, process: subprocess.Popen[bytes], health: str, log_path: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"{name} exited with {process.returncode} before it was ready:\n{_tail(log_path)}")
        try:
            with urllib.request.urlopen(health, timeout=5) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.2)
    pytest.fail(f"{name} not healthy after {START_TIMEOUT_S:.0f} s:\n{_tail(log_path)}")


def _tail(log_path: Path) -> str:
    return log_path.read_text(encoding="utf-8", errors="replace")[-3000:]


def _stop(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM to the server's process group (its workers too), SIGKILL if it does not stop."""
    if process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(30)
