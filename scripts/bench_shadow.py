"""Benchmark what a shadow costs the live requests: latency with and without a shadow, under load.

Usage::

    python scripts/bench_shadow.py                        # 15 s per phase, 2 client threads, fraction 1.0
    python scripts/bench_shadow.py --seconds 30 --clients 4 --fraction 0.1

Setup, in ``.bench/shadow/`` (recreated): ``examples/churn`` trained once; ``logistic`` registered and approved as
version 1 and deployed to a real ``mlgate serve`` (its own process); ``forest`` registered as version 2. A client
process of ``--clients`` threads sends single-row JSON requests (rows of the example's test data) back to back and
records each request's wall time. Phases, each ``--seconds`` long, alternating so a drift of the machine hits both:
``off`` (no shadow), ``on`` (``mlgate deploy 2 --shadow --fraction F``), ``off``, ``on``. Reported per condition:
requests, failed requests (anything but a 200 from version 1), p50 and p95 latency, and the ratio of the p95s; from
``/status``: the rows the shadow answered and dropped. The goal: zero failed requests and the live p95 with a shadow
within 5 % of without. The markdown report is printed and written to ``results.md``.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import shutil
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import httpx

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))

from benchkit import describe_machine, log, wait_for_serve  # noqa: E402

EXAMPLE = REPO / "examples" / "churn"


def mlgate(project: Path, *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "mlgate", *args], cwd=project, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise SystemExit(f"mlgate {' '.join(args)} exited {done.returncode}:\n{done.stdout}{done.stderr}")
    return done.stdout


def build(work: Path) -> tuple[Path, Path]:
    shutil.rmtree(work, ignore_errors=True)
    project = work / "project"
    shutil.copytree(EXAMPLE, project)
    log("training examples/churn")
    mlgate(project, "train", "--out", "results")
    for model in ("logistic", "forest"):
        mlgate(project, "registry", "register", "--model", model, "results", "--by", "bench")
    mlgate(project, "registry", "approve", "1", "--reason", "benchmark", "--by", "bench")
    return project, work / "serve"


def requests(project: Path, features: list[str], count: int) -> list[dict[str, Any]]:
    config_test = next((project / "data").glob("test*.csv"))
    rows = []
    with config_test.open(encoding="utf-8", newline="") as file:
        for row in csv.DictReader(file):
            rows.append({name: _value(row[name]) for name in features})
            if len(rows) == count:
                break
    return rows


def _value(text: str) -> object:
    try:
        return float(text)
    except ValueError:
        return text


def load(url: str, rows: list[dict[str, Any]], clients: int, seconds: float) -> tuple[list[float], int]:
    """Send requests back to back from ``clients`` threads for ``seconds``; (latencies in ms, failures)."""
    latencies: list[float] = []
    failures = 0
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def client(offset: int) -> None:
        nonlocal failures
        with httpx.Client(timeout=30) as http:
            index = offset
            while time.monotonic() < deadline:
                body = {"instances": [rows[index % len(rows)]]}
                started = time.perf_counter()
                try:
                    answer = http.post(f"{url}/invocations", json=body)
                    ok = answer.status_code == 200 and answer.headers.get("x-mlgate-version") == "1"
                except httpx.HTTPError:
                    ok = False
                elapsed = (time.perf_counter() - started) * 1000
                with lock:
                    latencies.append(elapsed)
                    failures += not ok
                index += clients

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return latencies, failures


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=15.0)
    parser.add_argument("--clients", type=int, default=2)
    parser.add_argument("--fraction", type=float, default=1.0)
    args = parser.parse_args()
    work = REPO / ".bench" / "shadow"
    project, state = build(work)
    state.mkdir(parents=True)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
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
                "--config",
                str(project / "mlgate.yaml"),
            ],
            cwd=project,
            stdout=output,
            stderr=subprocess.STDOUT,
            env=env,
        )
    try:
        port = wait_for_serve(server, state, work / "serve.log")
        url = f"http://127.0.0.1:{port}"
        mlgate(project, "deploy", "1", "--state", str(state), "--by", "bench")
        features = json.loads(mlgate(project, "registry", "show", "1", "--format", "json"))["features"]
        rows = requests(project, features, 200)
        results: dict[str, tuple[list[float], int]] = {"off": ([], 0), "on": ([], 0)}
        for phase in ("off", "on", "off", "on"):
            if phase == "on":
                mlgate(project, "deploy", "2", "--shadow", "--fraction", str(args.fraction), "--state", str(state))
                _wait(url, lambda s: s["shadow"]["version"] == "2")
            else:
                mlgate(project, "shadow", "stop", "--state", str(state))
                _wait(url, lambda s: s["shadow"]["version"] is None)
            log(f"phase {phase}: {args.seconds:g} s, {args.clients} clients")
            latencies, failures = load(url, rows, args.clients, args.seconds)
            previous = results[phase]
            results[phase] = (previous[0] + latencies, previous[1] + failures)
        status = httpx.get(f"{url}/status", timeout=10).json()
    finally:
        server.terminate()
        server.wait(30)
    machine = describe_machine(["scikit-learn"])
    off, on = results["off"], results["on"]
    lines = [
        f"Machine: {machine['cpu']}, {machine['nproc']} cores, {machine['memory']}, Python {machine['python']}; "
        f"{args.clients} clients, 2 × {args.seconds:g} s per condition, shadow fraction {args.fraction:g}",
        "",
        "| condition | requests | failed | p50 (ms) | p95 (ms) |",
        "|---|---:|---:|---:|---:|",
    ]
    for name, (latencies, failures) in (("no shadow", off), ("shadow on", on)):
        lines.append(
            f"| {name} | {len(latencies):,} | {failures} | {statistics.median(latencies):.2f} | {percentile(latencies, 0.95):.2f} |"
        )
    ratio = percentile(on[0], 0.95) / percentile(off[0], 0.95)
    shadow = status.get("shadow") or {}
    lines += [
        "",
        f"p95 with a shadow / without: {ratio:.3f} (goal ≤ 1.05). Shadow rows answered over both 'on' phases: "
        f"{shadow.get('rows', '?')}, dropped: {shadow.get('dropped_rows', '?')} (the counters of the last phase's server state).",
    ]
    report = "\n".join(lines) + "\n"
    (work / "results.md").write_text(report, encoding="utf-8")
    print(report)


def _wait(url: str, predicate: Any) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if predicate(httpx.get(f"{url}/status", timeout=10).json()):
            return
        time.sleep(0.1)
    raise SystemExit("the server did not pick up the shadow change within 60 s")


if __name__ == "__main__":
    main()
