"""Benchmark what the ``mlflow`` registry backend adds to register, approve and deploy, against ``local``.

Usage::

    python scripts/bench_registry.py                 # 10 rounds of each operation per backend
    python scripts/bench_registry.py --rounds 30

Setup, in ``.bench/registry/`` (recreated on every run): ``examples/churn`` trained once (``mlgate train``), and
a real ``mlflow server`` (the tool venv's, ``.venv-tools/bin/mlflow``: SQLite backend store, local artifact root)
on a loopback port. Each round works on a fresh registered model (mlflow) or a fresh folder (local), through the
``Registry`` Protocol both backends implement, in this process:

- **register**: ``registry.register(version, model file)`` of a version already built (building it reads the
  data and is the same for both backends, so it is left out);
- **approve**: ``set_status(N, "approved")`` (mlflow: a history tag, four mirror tags, the challenger alias);
- **deploy's registry work**: what ``mlgate deploy`` asks of the registry around its switch: ``get`` (the
  gate), ``artifact_path`` (download and verify), ``get`` again (the hard gate before the switch) and
  ``record`` of the ``deployed`` event (mlflow: moves ``champion``). The endpoint's own work is the same for
  both backends and is measured by ``bench_deploy.py``.

Plus the start-up of a whole command, ``mlgate registry list`` as a process (mlflow: importing the client).
Timings are wall clock (``time.perf_counter``); the report gives the median and the 90th percentile per
operation and the difference mlflow − local. The markdown report is printed and written to ``results.md``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Callable
from functools import partial
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from benchkit import describe_machine, log, run_measured  # noqa: E402
from mlgate.config import load_config  # noqa: E402
from mlgate.registry import Registry, open_registry  # noqa: E402
from mlgate.registry.build import Candidate, build_candidate  # noqa: E402
from mlgate.registry.model import HistoryEvent  # noqa: E402

EXAMPLE = REPO / "examples" / "churn"
TOOL = REPO / ".venv-tools" / "bin" / "mlflow"
OPERATIONS = ("register", "approve", "deploy (registry work)")


def start_mlflow(work: Path) -> tuple[subprocess.Popen[bytes], str]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    command = [str(TOOL), "server", "--backend-store-uri", f"sqlite:///{work / 'mlflow.db'}"]
    command += ["--default-artifact-root", str(work / "artifacts"), "--host", "127.0.0.1", "--port", str(port)]
    env = os.environ | {"MLFLOW_DISABLE_TELEMETRY": "true", "DO_NOT_TRACK": "true"}
    with (work / "mlflow.log").open("wb") as out:
        server = subprocess.Popen([*command, "--workers", "1"], stdout=out, stderr=out, env=env, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    for _ in range(600):
        try:
            with urllib.request.urlopen(f"{url}/health", timeout=5):
                return server, url
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"mlflow server did not start: see {work / 'mlflow.log'}")


def build_project(work: Path) -> tuple[Path, Candidate]:
    project = work / "project"
    shutil.copytree(EXAMPLE, project)
    subprocess.run([sys.executable, "-m", "mlgate", "train", "--out", "results"], cwd=project, check=True)
    config = load_config(project / "mlgate.yaml")
    now = dt.datetime.now(dt.timezone.utc)
    return project, build_candidate(project / "results", config, model=None, best=True, by="bench", now=now)


def configure(project: Path, backend: str, url: str, round_id: str) -> Path:
    text = (EXAMPLE / "mlgate.yaml").read_text(encoding="utf-8")
    if backend == "mlflow":
        text += f"registry: {{backend: mlflow, path: reg/{round_id}, mlflow: {{tracking_uri: '{url}', model_name: m-{round_id}}}}}\n"
    else:
        text += f"registry: {{backend: local, path: reg/{round_id}}}\n"
    path = project / f"mlgate-{backend}.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def time_one(action: Callable[[], object]) -> tuple[float, object]:
    start = time.perf_counter()
    answer = action()
    return time.perf_counter() - start, answer


def deploy_work(registry: Registry, number: str) -> None:
    version = registry.get(number)
    registry.artifact_path(version)
    registry.get(number)
    at = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
    detail = {"outcome": "deployed", "target": "bench", "previous": None, "live": number}
    registry.record(HistoryEvent(at=at, event="deployed", version=number, by="bench", reason="", detail=detail))


def measure(project: Path, candidate: Candidate, backend: str, url: str, rounds: int) -> dict[str, list[float]]:
    times: dict[str, list[float]] = {name: [] for name in OPERATIONS}
    for _ in range(rounds):
        round_id = uuid.uuid4().hex[:10]
        registry = open_registry(load_config(configure(project, backend, url, round_id)))
        seconds, stored = time_one(partial(registry.register, candidate.version, candidate.artifact_file))
        times["register"].append(seconds)
        number = str(getattr(stored, "version", ""))
        approve = partial(registry.set_status, number, "approved", by="bench", reason="bench")
        times["approve"].append(time_one(approve)[0])
        times["deploy (registry work)"].append(time_one(partial(deploy_work, registry, number))[0])
    return times


def startup(project: Path, backend: str, url: str, rounds: int) -> list[float]:
    config = configure(project, backend, url, "startup")
    cmd = [sys.executable, "-m", "mlgate", "registry", "list", "--config", str(config)]
    env = os.environ | {"PYTHONPATH": str(REPO / "src")}
    walls = []
    for _ in range(rounds):
        wall, _, code, _, err = run_measured(cmd, project / ".scratch", cwd=project, env=env)
        if code != 0:
            raise SystemExit(f"mlgate registry list failed ({backend}): {err}")
        walls.append(wall)
    return walls


def summarise(values: list[float]) -> tuple[float, float]:
    ordered = sorted(values)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, round(0.9 * (len(ordered) - 1)))]


def render(results: dict[str, dict[str, list[float]]], rounds: int) -> str:
    machine = describe_machine(["mlflow-skinny", "scikit-learn"])
    lines = [
        f"Machine: {machine.get('cpu', '?')}, {machine.get('nproc', '?')} cores, {machine.get('memory', '?')}, "
        f"Python {machine.get('python', '?')}, mlflow-skinny {machine.get('mlflow-skinny', '?')}; {rounds} rounds per operation",
        "",
        "| operation | local: median / p90 (ms) | mlflow: median / p90 (ms) | added by mlflow (median, ms) |",
        "|---|---:|---:|---:|",
    ]
    for name in (*OPERATIONS, "`mlgate registry list` process"):
        local, remote = summarise(results["local"][name]), summarise(results["mlflow"][name])
        lines.append(
            f"| {name} | {local[0] * 1000:.0f} / {local[1] * 1000:.0f} | {remote[0] * 1000:.0f} / {remote[1] * 1000:.0f}"
            f" | {(remote[0] - local[0]) * 1000:+.0f} |"
        )
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=10)
    args = parser.parse_args()
    work = REPO / ".bench" / "registry"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    log("training examples/churn once")
    project, candidate = build_project(work)
    log("starting mlflow server")
    server, url = start_mlflow(work)
    try:
        results: dict[str, dict[str, list[float]]] = {}
        for backend in ("local", "mlflow"):
            log(f"{backend}: {args.rounds} rounds")
            results[backend] = measure(project, candidate, backend, url, args.rounds)
            results[backend]["`mlgate registry list` process"] = startup(project, backend, url, args.rounds)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(30)
    report = render(results, args.rounds)
    (work / "results.md").write_text(report, encoding="utf-8")
    print(report)


if __name__ == "__main__":
    main()
