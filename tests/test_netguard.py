"""The test run cannot reach beyond loopback: in this process, in subprocesses, and through AWS clients."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

import netguard

GUARD = "tests must stay on loopback"
NON_LOOPBACK = [("203.0.113.1", 80), ("10.255.255.1", 80)]  # TEST-NET-3 and an unrouted private address


def _message(host: str, port: int) -> str:
    return rf"test tried to reach {host.replace('.', '[.]')}:{port}: {GUARD}"


@pytest.fixture
def echo_server() -> Iterator[tuple[str, int]]:
    """A one-connection-at-a-time TCP echo server on 127.0.0.1."""
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.bind(("127.0.0.1", 0))
    server.listen()
    server.settimeout(0.05)
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except TimeoutError:
                continue
            with conn:
                conn.settimeout(5)
                conn.sendall(conn.recv(1024))

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield server.getsockname()[:2]
    finally:
        stop.set()
        thread.join(timeout=5)
        server.close()


def test_guard_is_installed_in_this_process() -> None:
    assert netguard.installed()


@pytest.mark.parametrize(("host", "port"), NON_LOOPBACK)
def test_connect_beyond_loopback_fails_fast(host: str, port: int) -> None:
    started = time.monotonic()
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(5)
        with pytest.raises(RuntimeError, match=_message(host, port)):
            sock.connect((host, port))
    assert time.monotonic() - started < 1


@pytest.mark.parametrize(("host", "port"), NON_LOOPBACK)
def test_connect_ex_and_create_connection_beyond_loopback_fail(host: str, port: int) -> None:
    with (
        socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock,
        pytest.raises(RuntimeError, match=_message(host, port)),
    ):
        sock.connect_ex((host, port))
    with pytest.raises(RuntimeError, match=_message(host, port)):
        socket.create_connection((host, port), timeout=5)


def test_udp_sendto_beyond_loopback_fails() -> None:
    with (
        socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock,
        pytest.raises(RuntimeError, match=_message("203.0.113.1", 53)),
    ):
        sock.sendto(b"x", ("203.0.113.1", 53))


def test_dns_lookup_of_a_remote_name_fails() -> None:
    with pytest.raises(RuntimeError, match=rf"test tried to reach example[.]com:443 \(DNS lookup\): {GUARD}"):
        socket.getaddrinfo("example.com", 443)
    with pytest.raises(RuntimeError, match=rf"test tried to reach example[.]org \(DNS lookup\): {GUARD}"):
        socket.gethostbyname("example.org")
    with pytest.raises(RuntimeError, match=rf"test tried to reach api[.]github[.]com:443 .*{GUARD}"):
        socket.create_connection(("api.github.com", 443), timeout=5)


def test_ipv6_beyond_loopback_fails() -> None:
    if not socket.has_ipv6:
        pytest.skip("no IPv6 support in this Python")
    try:
        sock = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
    except OSError:
        pytest.skip("IPv6 sockets are not available here")
    with sock, pytest.raises(RuntimeError, match=rf"test tried to reach \[2001:db8::1\]:80: {GUARD}"):
        sock.connect(("2001:db8::1", 80, 0, 0))


@pytest.mark.parametrize(
    ("host", "allowed"),
    [
        ("127.0.0.1", True),
        ("127.8.9.10", True),
        ("::1", True),
        ("::ffff:127.0.0.1", True),
        ("localhost", True),
        ("", True),
        ("0.0.0.0", True),
        ("169.254.169.254", False),  # EC2 instance metadata
        ("192.168.1.1", False),
        ("::ffff:10.0.0.1", False),
        ("s3.amazonaws.com", False),
    ],
)
def test_loopback_classification(host: str, allowed: bool) -> None:
    assert netguard.is_loopback_host(host) is allowed


def test_loopback_connections_still_work(echo_server: tuple[str, int]) -> None:
    for host in ("127.0.0.1", "localhost"):
        with socket.create_connection((host, echo_server[1]), timeout=5) as sock:
            sock.sendall(b"ping")
            assert sock.recv(1024) == b"ping"


def test_unix_sockets_still_work() -> None:
    left, right = socket.socketpair()
    with left, right:
        left.sendall(b"ping")
        assert right.recv(1024) == b"ping"


def _run_python(code: str, **kwargs: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # type: ignore[call-overload, no-any-return]
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, **kwargs
    )


def test_subprocess_beyond_loopback_fails_with_the_guard_message() -> None:
    code = "import socket; socket.create_connection(('203.0.113.1', 80), timeout=5)"
    started = time.monotonic()
    child = _run_python(code)
    assert child.returncode != 0
    assert f"RuntimeError: test tried to reach 203.0.113.1:80: {GUARD}" in child.stderr
    assert time.monotonic() - started < 30


def test_subprocess_is_guarded_and_keeps_loopback_working(echo_server: tuple[str, int]) -> None:
    code = (
        "import netguard, socket, sys\n"
        "assert netguard.installed()\n"
        f"s = socket.create_connection(('127.0.0.1', {echo_server[1]}), timeout=5)\n"
        "s.sendall(b'pong'); sys.stdout.write(s.recv(1024).decode())\n"
    )
    child = _run_python(code)
    assert child.returncode == 0, child.stderr
    assert child.stdout == "pong"


def test_subprocess_still_runs_the_sitecustomize_it_shadows(tmp_path: Path) -> None:
    (tmp_path / "sitecustomize.py").write_text("import os\nos.environ['SHADOWED_RAN'] = '1'\n", encoding="utf-8")
    env = os.environ | {"PYTHONPATH": os.pathsep.join([os.environ["PYTHONPATH"], str(tmp_path)])}
    code = "import netguard, os; print(netguard.installed(), os.environ.get('SHADOWED_RAN'))"
    child = _run_python(code, env=env)
    assert child.returncode == 0, child.stderr
    assert child.stdout.split() == ["True", "1"]


def test_subprocess_aws_environment_stays_on_loopback() -> None:
    code = "import json, os; print(json.dumps(dict(os.environ)))"
    child = _run_python(code)
    assert child.returncode == 0, child.stderr
    env = json.loads(child.stdout)
    assert urlsplit(env["AWS_ENDPOINT_URL"]).hostname == "127.0.0.1"
    assert env["AWS_EC2_METADATA_DISABLED"] == "true"
    assert env["AWS_ACCESS_KEY_ID"] == env["AWS_SECRET_ACCESS_KEY"] == env["AWS_SESSION_TOKEN"] == "testing"
    assert env["AWS_DEFAULT_REGION"] == "us-east-1"
    for path in ("AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE"):
        assert Path(env[path]).read_text(encoding="utf-8") == ""
    leaked = [
        name
        for name in env
        if name.startswith(("MLGATE_", "GITHUB_", "AWS_PROFILE", "AWS_ENDPOINT_URL_", "AWS_ROLE_ARN"))
        or name.lower() in ("http_proxy", "https_proxy", "all_proxy")
    ]
    assert leaked == []
    assert env["HOME"] == os.environ["HOME"]
    assert "mlgate-tests-" in env["HOME"]


def test_this_process_environment_is_hermetic() -> None:
    assert os.environ["AWS_EC2_METADATA_DISABLED"] == "true"
    assert urlsplit(os.environ["AWS_ENDPOINT_URL"]).hostname == "127.0.0.1"
    assert "GITHUB_ACTIONS" not in os.environ
    assert not [name for name in os.environ if name.startswith("MLGATE_")]
    assert "mlgate-tests-" in os.environ["HOME"]


def test_mlgate_aws_endpoints_are_loopback() -> None:
    from mlgate import aws

    url = aws.endpoint_url("s3")
    assert url is not None
    assert urlsplit(url).hostname == "127.0.0.1"
    client = aws.make_session().client("s3")
    try:
        assert urlsplit(client.meta.endpoint_url).hostname == "127.0.0.1"
    finally:
        client.close()


def test_pyarrow_s3_filesystem_targets_loopback() -> None:
    from mlgate import aws

    fs = aws.make_s3_filesystem()
    # pyarrow rebuilds the filesystem from these keyword arguments when it pickles it.
    _, (options,) = fs.__reduce__()
    assert options["endpoint_override"].split(":")[0] == "127.0.0.1"
    assert options["scheme"] == "http"
    assert options["region"] == "us-east-1"
    assert options["access_key"] == "testing"


def test_stray_s3_read_goes_to_the_dead_loopback_port(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """pyarrow's native S3 client bypasses the Python guard; the default endpoint keeps it local."""
    from mlgate.cli import main

    monkeypatch.chdir(tmp_path)
    (tmp_path / "schema.yaml").write_text("fields:\n  - name: a\n    type: integer\n", encoding="utf-8")
    code = main(["validate", "s3://no-such-bucket/data.csv", "--schema", "schema.yaml"])
    err = capsys.readouterr().err
    assert code == 3, err
    assert "s3://no-such-bucket/data.csv" in err
    assert "127.0.0.1:9" in err
