"""Benchmark zero-downtime deploys and rollbacks on the local target under a steady load.

Usage::

    python scripts/bench_deploy.py                       # 10 s steady phase, 2 client threads
    python scripts/bench_deploy.py --steady-s 30 --clients 4

Setup, in ``.bench/deploy/`` (recreated on every run): a copy of ``examples/churn`` with three candidates,
trained once and registered with the ``mlgate registry`` commands, all three approved:

1. ``logistic`` (LogisticRegression), 2. ``tree`` (DecisionTreeClassifier), 3. ``project``: a
   LogisticRegression subclass defined in the project's own ``churnmodels.py``. The server runs outside the
   project, where that module is not importable: it cannot load version 3, a realistic failing deploy
   (the model's code is not installed on the endpoint) that mlgate must roll back by itself.

``mlgate serve`` runs as its own process. A second process sends single-row JSON ``POST /invocations``
requests (a golden row of version 1) from ``--clients`` threads, back to back, for the whole run, and records
each request's start, end, status and ``X-Mlgate-Version``. While it runs, this script:

- waits ``--steady-s`` seconds (throughput and latency with nothing changing),
- ``mlgate deploy 2`` (a good version),
- ``mlgate deploy 3`` (fails on the endpoint; mlgate switches back to 2, verifies it, rejects 3: exit 1),
- ``mlgate rollback`` (manual: back to version 1, smoke-tested).

A request fails when it gets anything but a 200 with predictions, or no answer. The goal is zero failed
requests in every phase. "Time to roll back" is, for the failing deploy, the time from switching the pointer to
version 3 until version 2 serves again and has passed its smoke test (mlgate's own step timings, ``--format
json``); for the manual rollback, the whole ``mlgate rollback`` command. Clock: ``time.monotonic`` in both
processes (CLOCK_MONOTONIC, shared on Linux). The markdown report is printed and written to ``results.md``
(raw data: ``results.json``) in the work folder.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))

from benchkit import wait_for_serve  # noqa: E402 - scripts/ is put on sys.path just above

EXAMPLE = REPO / "examples" / "churn"
MODELS = {
    "logistic": {"estimator": "sklearn.linear_model.LogisticRegression", "params": {"C": 1.0, "max_iter": 500}},
    "tree": {"estimator": "sklearn.tree.DecisionTreeClassifier", "params": {"max_depth": 6}},
    "project": {"estimator": "churnmodels.ProjectLogistic", "params": {"C": 0.5, "max_iter": 500}},
}
PROJECT_MODULE = '''"""A project's own estimator: its module lives in the project, not where the endpoint runs."""

from sklearn.linear_model import LogisticRegression


class ProjectLogistic(LogisticRegression):
    """Logistic regression under the project's own name."""
'''
# The load generator: its own process, ``--clients`` threads, each with its own connection.
LOAD_CODE = """\
import json, os, sys, threading, time
import httpx

url, out, stop, clients, body = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5]
records = [[] for _ in range(clients)]

def client(mine):
    with httpx.Client(base_url=url, timeout=30.0, trust_env=False) as http:
        while not os.path.exists(stop):
            start = time.monotonic()
            try:
                response = http.post("/invocations", content=body, headers={"Content-Type": "application/json"})
                ok = response.status_code == 200 and "predictions" in response.json()
                status, version = response.status_code, response.headers.get("X-Mlgate-Version", "")
            except Exception as exc:
                ok, status, version = False, type(exc).__name__, ""
            mine.append((start, time.monotonic(), ok, status, version))

threads = [threading.Thread(target=client, args=(records[i],)) for i in range(clients)]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
with open(out, "w", encoding="utf-8") as file:
    json.dump([r for mine in records for r in mine], file)
"""


@dataclass
class Phase:
    """One window of the run: what ran (if anything), how it ended, and what the clients saw meanwhile."""

    name: str
    command: str
    start: float
    end: float
    exit_code: int | None = None
    outcome: str = ""
    steps: list[dict[str, Any]] = field(default_factory=list)
    requests: int = 0
    failed: int = 0
    failures: list[str] = field(default_factory=list)
    per_second: float = 0.0
    p50_ms: float = 0.0
    p95_ms: float = 0.0
    versions: list[str] = field(default_factory=list)

    @property
    def wall(self) -> float:
        return self.end - self.start


def log(message: str) -> None:
    print(f"[bench_deploy] {message}", file=sys.stderr, flush=True)


def mlgate(project: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    """Run the installed mlgate in the project folder (where ``churnmodels`` is importable)."""
    done = subprocess.run(
        [sys.executable, "-m", "mlgate", *args], cwd=project, capture_output=True, text=True, check=False
    )
    if check and done.returncode != 0:
        raise SystemExit(f"mlgate {' '.join(args)} exited {done.returncode}:\n{done.stdout}{done.stderr}")
    return done


def build_project(work: Path) -> Path:
    """The churn example with three candidates, trained and registered (versions 1-3), all approved."""
    if work.exists():
        shutil.rmtree(work)
    project = work / "project"
    shutil.copytree(EXAMPLE, project)
    config = yaml.safe_load((project / "mlgate.yaml").read_text(encoding="utf-8"))
    config["models"] = MODELS
    config["artifacts"]["trusted_types"].append("churnmodels.ProjectLogistic")
    (project / "mlgate.yaml").write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    (project / "churnmodels.py").write_text(PROJECT_MODULE, encoding="utf-8")
    log("training the three candidates")
    mlgate(project, "train", "--out", "results")
    for number, model in enumerate(MODELS, start=1):
        log(f"registering {model} as version {number} and approving it")
        out = mlgate(project, "registry", "register", "--model", model, "results", "--by", "bench", "--format", "json")
        registered = json.loads(out.stdout)["version"]["version"]
        if registered != str(number):
            raise SystemExit(f"expected version {number} for {model}, got {registered}: start from an empty registry")
        mlgate(project, "registry", "approve", registered, "--reason", "benchmark", "--by", "bench")
    return project


def start_server(work: Path, state: Path) -> tuple[subprocess.Popen[bytes], int]:
    """``mlgate serve --port 0`` outside the project (so version 3's module is missing there); its port."""
    state.mkdir(parents=True, exist_ok=True)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    with (work / "serve.log").open("ab") as output:
        server = subprocess.Popen(
            [sys.executable, "-m", "mlgate", "serve", "--port", "0", "--state", str(state)],
            cwd=work,
            stdout=output,
            stderr=subprocess.STDOUT,
            env=env,
        )
    return server, wait_for_serve(server, state, work / "serve.log")


def run_command(project: Path, name: str, state: Path, *args: str) -> Phase:
    """Run one mlgate deploy/rollback command (JSON output) and time it."""
    argv = [*args, "--state", str(state), "--by", "bench", "--format", "json"]
    log(f"{name}: mlgate {' '.join(args)}")
    start = time.monotonic()
    done = mlgate(project, *argv, check=False)
    end = time.monotonic()
    try:
        document = json.loads(done.stdout)
    except json.JSONDecodeError:
        raise SystemExit(f"mlgate {' '.join(args)} printed no JSON (exit {done.returncode}):\n{done.stderr}") from None
    return Phase(
        name,
        f"mlgate {' '.join(args)}",
        start,
        end,
        done.returncode,
        document.get("outcome", ""),
        list(document.get("steps", [])),
    )


def rollback_seconds(phase: Phase) -> float:
    """From the switch to the new version until the previous one serves again, verified (mlgate's step times)."""
    names = [step["name"] for step in phase.steps]
    if "switch" not in names or "verify" not in names:
        return float("nan")
    first, last = names.index("switch") + 1, names.index("verify")
    return sum(float(step["seconds"]) for step in phase.steps[first : last + 1])


def measure(phase: Phase, records: list[list[Any]]) -> None:
    """Fill in what the clients saw while ``phase`` ran: requests started in its window."""
    mine = [r for r in records if phase.start <= r[0] < phase.end]
    phase.requests = len(mine)
    bad = [r for r in mine if not r[2]]
    phase.failed = len(bad)
    phase.failures = sorted({str(r[3]) for r in bad})
    phase.per_second = sum(1 for r in mine if r[2]) / phase.wall if phase.wall > 0 else 0.0
    latencies = sorted((r[1] - r[0]) * 1000 for r in mine if r[2])
    if latencies:
        phase.p50_ms = statistics.median(latencies)
        phase.p95_ms = latencies[min(len(latencies) - 1, int(0.95 * len(latencies)))]
    phase.versions = sorted({str(r[4]) for r in mine if r[4]})


def step_seconds(phase: Phase, name: str) -> float:
    """How long mlgate's step ``name`` took in ``phase`` (NaN when it did not run)."""
    return next((float(step["seconds"]) for step in phase.steps if step["name"] == name), float("nan"))


def render(phases: list[Phase], clients: int) -> str:
    """The report: one row per phase, then the rollback times and the machine."""
    lines = [
        f"Load: {clients} client thread(s) in a second process, single-row JSON `POST /invocations`, back to back.",
        "",
        "| phase | command | exit | outcome | wall s | requests | failed | req/s | p50 ms | p95 ms | versions served |",
        "|---|---|---:|---|---:|---:|---:|---:|---:|---:|---|",
    ]
    for p in phases:
        exit_code = "—" if p.exit_code is None else str(p.exit_code)
        failed = f"**{p.failed}**" + (f" ({', '.join(p.failures)})" if p.failures else "")
        lines.append(
            f"| {p.name} | {p.command or '—'} | {exit_code} | {p.outcome or '—'} | {p.wall:.2f} | {p.requests:,} | "
            f"{failed} | {p.per_second:,.0f} | {p.p50_ms:.1f} | {p.p95_ms:.1f} | {', '.join(p.versions) or '—'} |"
        )
    failing = next(p for p in phases if p.name == "failing deploy")
    manual = next(p for p in phases if p.name == "manual rollback")
    lines += [
        "",
        f"Time to roll back: automatic {rollback_seconds(failing):.2f} s (from the switch to version 3 until version 2 "
        f"serves again and passed its smoke test; the whole `mlgate deploy 3` took {failing.wall:.2f} s); "
        f"manual `mlgate rollback` {manual.wall:.2f} s in all (the previous version served "
        f"{step_seconds(manual, 'wait'):.2f} s after the switch; smoke test {step_seconds(manual, 'smoke'):.2f} s).",
        f"Failed requests in total: **{sum(p.failed for p in phases)}** of {sum(p.requests for p in phases):,}.",
        "",
        f"Machine: {platform.machine()}, {os.cpu_count()} CPUs, {platform.system()} {platform.release()}; "
        f"Python {platform.python_version()}, mlgate {metadata.version('mlgate')}, "
        f"uvicorn {metadata.version('uvicorn')}, starlette {metadata.version('starlette')}.",
    ]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--work", type=Path, default=REPO / ".bench" / "deploy", help="work folder (recreated)")
    parser.add_argument("--steady-s", type=float, default=10.0, help="seconds of load with nothing changing")
    parser.add_argument("--clients", type=int, default=2, help="client threads in the load process")
    args = parser.parse_args()
    work = args.work.resolve()
    project = build_project(work)
    state = work / "serve"
    server, port = start_server(work, state)
    stop, out = work / "load.stop", work / "load.json"
    load: subprocess.Popen[bytes] | None = None
    try:
        initial = run_command(project, "initial deploy", state, "deploy", "1")
        if initial.exit_code != 0:
            raise SystemExit(f"the initial deploy failed ({initial.outcome}); see {work / 'serve.log'}")
        shown = json.loads(mlgate(project, "registry", "show", "1", "--format", "json").stdout)
        body = json.dumps({"instances": [shown["golden"][0]["features"]]})
        load = subprocess.Popen(
            [sys.executable, "-c", LOAD_CODE, f"http://127.0.0.1:{port}", str(out), str(stop), str(args.clients), body]
        )
        time.sleep(1.0)  # let the clients connect
        steady = Phase("steady", "", time.monotonic(), 0.0)
        time.sleep(args.steady_s)
        steady.end = time.monotonic()
        phases = [steady]
        for name, command in (
            ("deploy", ("deploy", "2")),
            ("failing deploy", ("deploy", "3")),
            ("manual rollback", ("rollback",)),
        ):
            phases.append(run_command(project, name, state, *command))
            time.sleep(0.5)
        stop.write_text("", encoding="utf-8")
        if load.wait(timeout=120) != 0:
            raise SystemExit(f"the load process exited {load.returncode}")
    finally:
        stop.write_text("", encoding="utf-8")
        if load is not None and load.poll() is None:
            load.wait(timeout=120)
        server.terminate()
        server.wait(timeout=30)
    records = json.loads(out.read_text(encoding="utf-8"))
    for phase in phases:
        measure(phase, records)
    report = render(phases, args.clients)
    print(report)
    (work / "results.md").write_text(report, encoding="utf-8")
    raw = {"clients": args.clients, "steady_s": args.steady_s, "phases": [asdict(p) for p in phases]}
    (work / "results.json").write_text(json.dumps(raw, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
