"""Benchmark what capturing traffic costs ``mlgate serve``: throughput with capture off vs on (goal: < 5 % loss).

Usage::

    python scripts/bench_capture.py                                  # 5 rounds of 10 s per mode, 4 clients
    python scripts/bench_capture.py --rounds 3 --duration-s 2 --clients 2   # a quick check that it works

Setup, in ``.bench/capture/`` (recreated on every run): a LogisticRegression on two numeric features (the
fastest kind of model, so capture's share of the work is the largest), saved with skops, and a state folder
whose ``live.json`` points at it. ``mlgate.yaml`` there turns capture on (JSONL, ``sample: 1.0``), so every
request is captured in the "on" runs; ``--no-capture`` turns it off for the others.

Each run starts a fresh ``mlgate serve --port 0`` (``--capture`` or ``--no-capture``), waits for the model,
then a load process sends single-row JSON ``POST /invocations`` from ``--clients`` threads, back to back, for
``--warmup-s`` (not counted) plus ``--duration-s`` seconds (counted), and the server is stopped (SIGTERM).
Runs alternate off/on (``--rounds`` pairs) so that a drift in the machine's load hits both modes alike;
the report compares medians. After each "on" run, the captured rows on disk are counted: every answered
request must be there unless ``/status`` counted it as dropped. The server's CPU time per request (from
``/proc/PID/stat``, over the whole load) is reported too: on a busy machine it varies far less than req/s. The markdown report is printed and written
to ``results.md`` (raw numbers: ``results.json``) in the work folder.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
from dataclasses import asdict, dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))

from benchkit import describe_machine, log, wait_for_serve  # noqa: E402 - scripts/ is put on sys.path just above

BODY = json.dumps({"instances": [{"a": 0.25, "b": -1.5}]})
# The load generator: its own process, ``clients`` threads, each with its own keep-alive connection.
LOAD_CODE = """\
import json, sys, threading, time
import httpx

url, body, clients, warmup, duration = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4]), float(sys.argv[5])
start = time.monotonic()
counted_from, end = start + warmup, start + warmup + duration
results = [[0, 0, 0] for _ in range(clients)]

def client(mine):
    with httpx.Client(base_url=url, timeout=30.0, trust_env=False) as http:
        while (now := time.monotonic()) < end:
            try:
                ok = http.post("/invocations", content=body, headers={"Content-Type": "application/json"}).status_code == 200
            except Exception:
                ok = False
            mine[2] += 1
            if now >= counted_from:
                mine[0 if ok else 1] += 1

threads = [threading.Thread(target=client, args=(results[i],)) for i in range(clients)]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
print(json.dumps({"ok": sum(r[0] for r in results), "failed": sum(r[1] for r in results), "all": sum(r[2] for r in results),
                  "seconds": duration}))
"""


@dataclass
class Run:
    """One measured run of one mode."""

    mode: str
    round: int
    ok: int
    failed: int
    per_second: float
    cpu_ms: float  # the server process's CPU time (user + system) per request, warm-up included
    captured_rows: int = 0
    dropped_rows: int = 0
    rows_on_disk: int = 0


def build(work: Path) -> Path:
    """The work folder: a saved model, a state folder pointing at it, mlgate.yaml with capture; returns the state."""
    import numpy as np
    import pandas as pd
    from sklearn.linear_model import LogisticRegression

    from mlgate.artifacts import save_model
    from mlgate.serve.state import LivePointer, write_pointer

    if work.exists():
        shutil.rmtree(work)
    work.mkdir(parents=True)
    rng = np.random.default_rng(0)
    frame = pd.DataFrame({"a": rng.normal(size=500), "b": rng.normal(size=500)})
    model = LogisticRegression().fit(frame, (frame["a"] + frame["b"] > 0).astype(int))
    saved = save_model(model, work / "model.skops")
    state = work / "serve"
    state.mkdir()
    write_pointer(
        state,
        LivePointer(
            version="1",
            model="logistic",
            artifact=str(saved.path),
            sha256=saved.sha256,
            trusted_types=(),
            features=("a", "b"),
            switched_at="2026-01-01T00:00:00+00:00",
        ),
    )
    config = {"capture": {"enabled": False, "path": "capture", "format": "jsonl", "sample": 1.0}}
    (work / "mlgate.yaml").write_text(json.dumps(config), encoding="utf-8")
    return state


def start_server(work: Path, state: Path, capture: bool) -> tuple[subprocess.Popen[bytes], str]:
    """``mlgate serve --port 0`` in the work folder; returns the process and its URL once it serves version 1."""
    import httpx

    for name in ("port", "server.json"):
        (state / name).unlink(missing_ok=True)
    flag = "--capture" if capture else "--no-capture"
    with (work / "serve.log").open("ab") as output:
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "mlgate",
                "serve",
                "--port",
                "0",
                "--state",
                str(state),
                flag,
                "--log-level",
                "warning",
            ],
            cwd=work,
            stdout=output,
            stderr=subprocess.STDOUT,
        )

    def serving(port: int) -> bool:
        return httpx.get(f"http://127.0.0.1:{port}/ping", timeout=5, trust_env=False).status_code == 200

    port = wait_for_serve(server, state, work / "serve.log", ready=serving, what="serve version 1")
    return server, f"http://127.0.0.1:{port}"


def measure(work: Path, state: Path, mode: str, number: int, args: argparse.Namespace) -> Run:
    """One run: start the server, load it, read /status, stop it, count what was captured."""
    import httpx

    capture = mode == "on"
    server, url = start_server(work, state, capture)
    try:
        cpu_before = cpu_seconds(server.pid)
        load = subprocess.run(
            [sys.executable, "-c", LOAD_CODE, url, BODY, str(args.clients), str(args.warmup_s), str(args.duration_s)],
            capture_output=True,
            text=True,
            check=True,
            timeout=args.warmup_s + args.duration_s + 120,
        )
        cpu = cpu_seconds(server.pid) - cpu_before
        status = httpx.get(f"{url}/status", timeout=5, trust_env=False).json()["capture"]
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=60)
    counts = json.loads(load.stdout)
    run = Run(
        mode, number, counts["ok"], counts["failed"], counts["ok"] / counts["seconds"], cpu * 1000 / counts["all"]
    )
    if capture:
        run.captured_rows, run.dropped_rows = status["captured_rows"], status["dropped_rows"]
        folder = work / "capture"
        run.rows_on_disk = sum(len(path.read_bytes().splitlines()) for path in folder.rglob("*.jsonl"))
        shutil.rmtree(folder)
    log(
        f"round {number} capture {mode}: {run.per_second:.1f} req/s, {run.cpu_ms:.3f} CPU ms/request ({run.failed} failed)"
    )
    return run


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (Linux ``/proc/PID/stat``)."""
    fields = Path(f"/proc/{pid}/stat").read_text(encoding="ascii").rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def render(runs: list[Run], args: argparse.Namespace) -> str:
    """The markdown report: one row per mode (medians), the loss, and the machine."""
    by_mode = {mode: [run for run in runs if run.mode == mode] for mode in ("off", "on")}
    medians = {mode: statistics.median(run.per_second for run in found) for mode, found in by_mode.items()}
    cpu = {mode: statistics.median(run.cpu_ms for run in found) for mode, found in by_mode.items()}
    loss = 1 - medians["on"] / medians["off"]
    lines = [
        f"## `mlgate serve` throughput, capture off vs on ({args.clients} clients, single-row JSON requests)",
        "",
        "| capture | runs | median req/s | min | max | server CPU ms/request | failed | rows captured | rows dropped "
        "| rows on disk |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for mode, found in by_mode.items():
        rates = [run.per_second for run in found]
        lines.append(
            f"| {mode} | {len(found)} | {medians[mode]:.1f} | {min(rates):.1f} | {max(rates):.1f} | {cpu[mode]:.3f} "
            f"| {sum(run.failed for run in found)} | {sum(run.captured_rows for run in found)} "
            f"| {sum(run.dropped_rows for run in found)} | {sum(run.rows_on_disk for run in found)} |"
        )
    verdict = "meets" if loss < 0.05 else "misses"
    lines += [
        "",
        f"Capture on / off: **{medians['on'] / medians['off']:.3f}** ({loss:+.1%} throughput loss; {verdict} the "
        f"< 5 % goal). Runs alternate off/on, {args.rounds} of each, {args.duration_s:g} s measured after "
        f"{args.warmup_s:g} s of warm-up; capture writes JSONL with `sample: 1.0`. The server's CPU time per "
        f"request (median; less sensitive to other load on the machine than req/s) is "
        f"{cpu['on'] / cpu['off']:.3f} times as much with capture on.",
        "",
        "Machine: "
        + ", ".join(f"{key} {value}" for key, value in describe_machine(["scikit-learn", "uvicorn"]).items()),
    ]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=5, help="off/on pairs of runs")
    parser.add_argument("--duration-s", type=float, default=10.0, help="measured seconds per run")
    parser.add_argument("--warmup-s", type=float, default=2.0, help="seconds of load before measuring")
    parser.add_argument("--clients", type=int, default=4, help="client threads sending requests back to back")
    parser.add_argument("--work", type=Path, default=REPO / ".bench" / "capture")
    args = parser.parse_args()
    os.environ.pop("MLGATE_CONFIG", None)
    state = build(args.work)
    runs: list[Run] = []
    for number in range(1, args.rounds + 1):
        for mode in ("off", "on") if number % 2 else ("on", "off"):
            runs.append(measure(args.work, state, mode, number, args))
    report = render(runs, args)
    print(report)
    (args.work / "results.md").write_text(report, encoding="utf-8")
    (args.work / "results.json").write_text(json.dumps([asdict(run) for run in runs], indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
