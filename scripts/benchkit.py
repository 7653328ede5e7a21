"""What the benchmark scripts share: timing whole processes (wall clock and peak RSS), logging, the machine.

Imported by the ``bench_*.py`` scripts (scripts run with this folder on ``sys.path``).
"""

from __future__ import annotations

import os
import platform
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from importlib import metadata
from pathlib import Path

# Runs as a tiny separate interpreter so its own footprint is not in the measured process's peak RSS.
LAUNCHER = """\
import os, sys, time
start = time.perf_counter()
pid = os.posix_spawnp(sys.argv[2], sys.argv[2:], os.environ)
_, status, usage = os.wait4(pid, 0)
wall = time.perf_counter() - start
with open(sys.argv[1], "w") as f:
    f.write(f"{wall} {usage.ru_maxrss} {os.waitstatus_to_exitcode(status)}")
"""


def log(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)


def run_measured(
    cmd: list[str], scratch: Path, *, cwd: Path | None = None, env: dict[str, str] | None = None
) -> tuple[float, float, int, str, str]:
    """Run ``cmd`` once; return (wall s, peak RSS MiB, exit code, stdout, stderr)."""
    scratch.mkdir(parents=True, exist_ok=True)
    out_path, err_path, stats_path = (scratch / n for n in ("stdout.txt", "stderr.txt", "stats.txt"))
    stats_path.unlink(missing_ok=True)
    launcher = [sys.executable, "-S", "-c", LAUNCHER, str(stats_path), *cmd]
    with out_path.open("wb") as out, err_path.open("wb") as err:
        subprocess.run(launcher, cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=out, stderr=err, check=False)
    stdout, stderr = out_path.read_text(errors="replace"), err_path.read_text(errors="replace")
    if not stats_path.exists():
        raise OSError(f"could not launch {cmd[0]}: {(stderr.strip().splitlines() or [''])[-1]}")
    wall, maxrss, code = stats_path.read_text().split()
    rss_mib = int(maxrss) / (1024**2 if sys.platform == "darwin" else 1024)
    return float(wall), rss_mib, int(code), stdout, stderr


def describe_machine(packages: Sequence[str]) -> dict[str, str]:
    """CPU, cores, memory, Python and the versions of ``packages``, for the report header."""

    def read_field(path: str, key: str) -> str:
        try:
            lines = Path(path).read_text().splitlines()
            return next(line.split(":", 1)[1].strip() for line in lines if line.startswith(key))
        except (OSError, StopIteration):
            return "?"

    def version(package: str) -> str:
        try:
            return metadata.version(package)
        except metadata.PackageNotFoundError:
            return "not installed"

    mem_kib = read_field("/proc/meminfo", "MemTotal").split()[0]
    return {
        "nproc": str(len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()),
        "cpu": read_field("/proc/cpuinfo", "model name"),
        "memory": f"{int(mem_kib) / 2**20:.1f} GiB" if mem_kib.isdigit() else "?",
        "python": platform.python_version(),
        **{pkg: version(pkg) for pkg in packages},
    }


def wait_for_serve(
    server: subprocess.Popen[bytes],
    state: Path,
    log_file: Path,
    *,
    ready: Callable[[int], bool] = lambda port: True,
    what: str = "listen",
    timeout_s: float = 60.0,
) -> int:
    """The port of ``mlgate serve --port 0`` (``server``) once it wrote it to ``state`` and ``ready(port)`` holds.

    Exits the script with the log file named when the server dies or is not ready within ``timeout_s``.
    """
    from mlgate.serve.state import read_port, read_server_info

    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        info, port = read_server_info(state), read_port(state)
        if info is not None and port is not None and info.pid == server.pid and port == info.port and ready(port):
            return port
        if server.poll() is not None:
            raise SystemExit(f"mlgate serve exited {server.returncode}; see {log_file}")
        time.sleep(0.1)
    server.kill()
    raise SystemExit(f"mlgate serve did not {what} within {timeout_s:g} s; see {log_file}")
