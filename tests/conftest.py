"""The one conftest: loopback-only network guard, hermetic environment, markers and the moto S3 fixtures.

At configure time (before collection, in the controller and in every xdist worker):

- ``netguard.install()`` makes any Python connection beyond loopback raise RuntimeError;
- a session folder gets a generated ``sitecustomize.py`` that installs the same guard, and that folder
  goes first on ``PYTHONPATH`` so every ``python`` / ``mlgate`` subprocess is guarded too;
- ``os.environ`` is made hermetic: dummy AWS credentials, endpoints on 127.0.0.1, no instance metadata,
  no profiles or config files, no proxies, no ``GITHUB_*`` or ``MLGATE_*`` variables, a throwaway HOME.

See tests/README.md.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

TESTS_DIR = Path(__file__).resolve().parent
if str(TESTS_DIR) not in sys.path:  # importable under every --import-mode
    sys.path.insert(0, str(TESTS_DIR))

import netguard  # noqa: E402
from fakes.github_api import github_api  # noqa: E402, F401 - the fixture, for every test
from fakes.mlflow_server import mlflow_server, mlflow_server_s3  # noqa: E402, F401 - the real MLflow servers (tracking tests)

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

# A loopback port nothing listens on (discard): a stray AWS call fails fast, on this host.
DEAD_ENDPOINT = "http://127.0.0.1:9"
REGION = "us-east-1"
MARKERS = {
    "slow": "takes more than a few seconds (deselect with -m 'not slow')",
    "s3": "talks to the moto S3 server on 127.0.0.1 (added automatically to tests using moto_server or mlflow_server_s3)",
    "workflows": "runs mlgate's real workflows under nektos/act in host mode (tests/workflows; deselect with -m 'not workflows')",
}
# Set by the controller so xdist workers reuse its session folder instead of making their own.
_SESSION_DIR_VAR = "NETGUARD_SESSION_DIR"
_DROPPED_PREFIXES = ("AWS_", "MLGATE_", "GITHUB_", "MLFLOW_")
_PROXY_VARS = ("http_proxy", "https_proxy", "all_proxy", "ftp_proxy", "no_proxy")

_saved_environ: dict[str, str] | None = None
_owned_dir: Path | None = None


def _session_dir() -> Path:
    """The folder holding sitecustomize.py, HOME and the empty AWS files (the controller owns it)."""
    global _owned_dir
    inherited = os.environ.get(_SESSION_DIR_VAR)
    if inherited and (Path(inherited) / "site" / "sitecustomize.py").is_file():
        return Path(inherited)
    root = Path(tempfile.mkdtemp(prefix="mlgate-tests-"))
    _owned_dir = root
    (root / "site").mkdir()
    (root / "site" / "sitecustomize.py").write_text(netguard.sitecustomize_source(), encoding="utf-8")
    (root / "home").mkdir()
    (root / "aws").mkdir()
    (root / "aws" / "config").write_text("", encoding="utf-8")
    (root / "aws" / "credentials").write_text("", encoding="utf-8")
    return root


def hermetic_environ(environ: dict[str, str], root: Path) -> dict[str, str]:
    """``environ`` made safe for tests: what is dropped, and what every process of the run sees."""
    env = {
        name: value
        for name, value in environ.items()
        if not name.startswith(_DROPPED_PREFIXES) and name.lower() not in _PROXY_VARS
    }
    site = str(root / "site")
    paths = [p for p in environ.get("PYTHONPATH", "").split(os.pathsep) if p and p != site]
    env |= {
        "PYTHONPATH": os.pathsep.join([site, *paths]),
        _SESSION_DIR_VAR: str(root),
        "HOME": str(root / "home"),
        "NO_PROXY": "127.0.0.1,localhost,::1",
        "no_proxy": "127.0.0.1,localhost,::1",
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": REGION,
        "AWS_REGION": REGION,
        "AWS_EC2_METADATA_DISABLED": "true",
        "AWS_CONFIG_FILE": str(root / "aws" / "config"),
        "AWS_SHARED_CREDENTIALS_FILE": str(root / "aws" / "credentials"),
        "AWS_ENDPOINT_URL": DEAD_ENDPOINT,
        "MLFLOW_DISABLE_TELEMETRY": "true",  # MLflow's client and server never phone home from a test
    }
    return env


def pytest_configure(config: pytest.Config) -> None:
    global _saved_environ
    netguard.install()
    for name, help_text in MARKERS.items():
        config.addinivalue_line("markers", f"{name}: {help_text}")
    if _saved_environ is None:
        _saved_environ = dict(os.environ)
        root = _session_dir()
        os.environ.clear()
        os.environ.update(hermetic_environ(_saved_environ, root))


def pytest_unconfigure(config: pytest.Config) -> None:
    global _saved_environ, _owned_dir
    if _saved_environ is not None:
        os.environ.clear()
        os.environ.update(_saved_environ)
        _saved_environ = None
    if _owned_dir is not None:
        shutil.rmtree(_owned_dir, ignore_errors=True)
        _owned_dir = None


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if {"moto_server", "mlflow_server_s3"} & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.s3)


@pytest.fixture(scope="session")
def moto_server() -> Iterator[str]:
    """A moto server on a free 127.0.0.1 port (one per xdist worker); yields its endpoint URL."""
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield f"http://{host}:{port}"
    finally:
        server.stop()


@pytest.fixture
def s3_env(moto_server: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[S3Client]:
    """Fresh moto state, ``AWS_ENDPOINT_URL`` pointing at it, and a boto3 S3 client for arranging data."""
    import boto3

    request = urllib.request.Request(f"{moto_server}/moto-api/reset", method="POST")
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status == 200, f"moto reset failed: HTTP {response.status}"
    monkeypatch.setenv("AWS_ENDPOINT_URL", moto_server)
    client = boto3.session.Session(region_name=REGION).client("s3", endpoint_url=moto_server)
    try:
        yield client
    finally:
        client.close()


@pytest.fixture
def s3_bucket(s3_env: S3Client) -> str:
    """A new, uniquely named, empty bucket on the moto server."""
    name = f"mlgate-test-{uuid.uuid4().hex[:12]}"
    s3_env.create_bucket(Bucket=name)
    return name


TOOLS_BIN = TESTS_DIR.parent / ".venv-tools" / "bin"


@pytest.fixture
def dvc_bin(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The real ``dvc`` command of the tool venv (``.venv-tools``, made by scripts/test.sh), never skipped.

    mlgate does not import dvc (it would downgrade mlgate's own dependencies), so the tests run the command
    from a venv of its own. DVC's analytics are off and its site cache stays in the test's folder.
    """
    dvc = TOOLS_BIN / "dvc"
    if not os.access(dvc, os.X_OK):
        pytest.fail(f"{dvc} is missing: run `bash scripts/test.sh` (it makes .venv-tools with dvc and dvc-s3)")
    monkeypatch.setenv("DVC_NO_ANALYTICS", "1")
    monkeypatch.setenv("DVC_SITE_CACHE_DIR", str(tmp_path / "dvc-site-cache"))
    return dvc
