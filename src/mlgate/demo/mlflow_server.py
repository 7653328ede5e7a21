"""``mlgate demo --registry mlflow``: a local ``mlflow server`` for the demo's registry, started and stopped here.

The server is the ``mlflow`` command found on ``PATH`` (the full ``mlflow`` package: the ``mlgate[mlflow]`` extra
is only the client). It keeps its runs in SQLite and its artifacts in a folder, both inside the demo's folder,
listens on a free loopback port, and is stopped (its whole process group) when the demo ends, also when a step
raised. While it runs, ``MLFLOW_TRACKING_URI`` names it, so a URI set in the user's shell never sends the demo's
versions to a real registry.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator, MutableMapping
from contextlib import contextmanager
from pathlib import Path

from mlgate.errors import ConfigError, ServiceError
from mlgate.mlflow_api import URI_VARIABLE
from mlgate.progress import Say

START_TIMEOUT_S = 180.0  # a first start creates the SQLite schema: tens of seconds on a small machine
MODEL_NAME = "demo-churn"


def registry_settings(url: str) -> dict[str, str]:
    """The demo's config overrides for the mlflow backend on the server at ``url``."""
    return {
        "MLGATE_REGISTRY__BACKEND": "mlflow",
        "MLGATE_REGISTRY__MLFLOW__TRACKING_URI": url,
        "MLGATE_REGISTRY__MLFLOW__MODEL_NAME": MODEL_NAME,
    }


@contextmanager
def serving_mlflow(
    folder: Path,
    say: Say,
    *,
    find: Callable[[str], str | None] = shutil.which,
    environ: MutableMapping[str, str] = os.environ,
) -> Iterator[str]:
    """Start ``mlflow server`` for the demo in ``folder``; yields its URL; stops it afterwards."""
    from mlgate.mlflow_api import open_client

    open_client("http://127.0.0.1", needed_by="mlgate demo --registry mlflow")  # the client: exit 2 when missing
    command = find("mlflow")
    if command is None:
        raise ConfigError(
            "mlgate demo --registry mlflow starts a local MLflow server, and no `mlflow` command is on PATH",
            hint="install the server: pip install mlflow (or run the demo without --registry mlflow)",
        )
    store = folder / "mlflow"
    store.mkdir(parents=True, exist_ok=True)
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    args = [command, "server", "--backend-store-uri", f"sqlite:///{store / 'mlflow.db'}"]
    args += ["--default-artifact-root", str(store / "artifacts"), "--host", "127.0.0.1", "--port", str(port)]
    say(f"starting mlflow server on {url} (log: {store / 'server.log'})")
    with (store / "server.log").open("wb") as log:
        process = subprocess.Popen(
            [*args, "--workers", "1"],
            stdout=log,
            stderr=subprocess.STDOUT,
            env={**environ, "MLFLOW_DISABLE_TELEMETRY": "true", "DO_NOT_TRACK": "true"},
            start_new_session=True,
        )
    before = environ.get(URI_VARIABLE)
    try:
        _wait_healthy(process, url, store / "server.log", say)
        environ[URI_VARIABLE] = url
        yield url
    finally:
        if before is None:
            environ.pop(URI_VARIABLE, None)
        else:
            environ[URI_VARIABLE] = before
        _stop(process)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait_healthy(process: subprocess.Popen[bytes], url: str, log: Path, say: Say) -> None:
    started = time.monotonic()
    reported = started
    while time.monotonic() - started < START_TIMEOUT_S:
        if process.poll() is not None:
            raise ServiceError(f"mlflow server exited with {process.returncode} before it was ready", hint=f"see {log}")
        try:
            with urllib.request.urlopen(f"{url}/health", timeout=5) as response:
                if response.status == 200:
                    say(f"mlflow server ready after {time.monotonic() - started:.1f} s")
                    return
        except (urllib.error.URLError, OSError):
            pass
        if time.monotonic() - reported >= 10:
            reported = time.monotonic()
            say(f"waiting for the mlflow server ({reported - started:.0f} s)")
        time.sleep(0.2)
    raise ServiceError(f"mlflow server not ready after {START_TIMEOUT_S:.0f} s", hint=f"see {log}")


def _stop(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM to the server's process group (its workers too), SIGKILL when it does not stop."""
    if process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(30)
