"""Benchmark the live endpoint through a shadow and two A/B tests under load: failed requests and latency per phase.

Usage::

    python scripts/bench_experiments.py                   # 10 s per steady phase, 2 client threads
    python scripts/bench_experiments.py --seconds 20 --clients 4

Setup as ``bench_shadow.py`` (whose helpers it uses), in ``.bench/experiments/`` (recreated): ``examples/churn``
trained once, ``logistic`` as version 1 (approved, deployed to a real ``mlgate serve`` in its own process) and
``forest`` as version 2 (approved). ``--clients`` threads send single-row JSON requests back to back for the whole
run, each with a sticky client header and a request id, timing each request's wall time and filing it under the
phase in force when it was sent. Phases, steady ones ``--seconds`` long, transitions as long as their command
(``mlgate`` run as a subprocess, as in CI): no experiment → shadow of version 2 (fraction 1) → no experiment → shadow
→ A/B of version 2 on 50 % → ``ab decide`` (labels simulated from the answers: the challenger right on every row, the
champion wrong on every third; they stand for the delayed ground truth) promotes it → version 2 alone → A/B of version
1 against it → ``ab stop`` → version 2 alone. A request fails when it gets anything but a 200 from a version allowed
in its phase. Reported per phase: requests, failed requests, p50 and p95; and the p95 with a shadow over the p95
without (the goal: ≤ 1.05, the shadow's work being off the request path). The p99 guardrail of ``ab decide`` is
relaxed here (``ab.max_p99_ratio: 1000``): the forest is slower than the logistic by design, and what is measured is
the endpoint, not the decision. The markdown report (with the load average before and after) is printed and written
to ``.bench/experiments/results.md``.
"""

from __future__ import annotations

import argparse
import csv
import itertools
import json
import os
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_shadow import build, mlgate, percentile, requests  # noqa: E402
from benchkit import describe_machine, log, wait_for_serve  # noqa: E402

AB_CONFIG = "\nab: {key: 'header:X-Client', min_labels: 100, min_requests: 50, max_p99_ratio: 1000}\n"
OFF, SHADOW = "no experiment", "shadow on"
LABELLED = 150  # routed answers per variant before the first A/B test is decided (ab.min_labels is 100)


@dataclass
class Sample:
    phase: str
    ms: float
    ok: bool
    request_id: str = ""
    version: str = ""
    variant: str | None = None
    answer: Any = None


@dataclass
class Load:
    """Client threads sending requests back to back; each sample is filed under the phase it was sent in."""

    url: str
    rows: list[dict[str, Any]]
    phase: str = OFF
    allowed: frozenset[str] = frozenset({"1"})
    samples: list[Sample] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    stopping: threading.Event = field(default_factory=threading.Event)

    def enter(self, phase: str, *allowed: str) -> None:
        with self.lock:
            self.phase, self.allowed = phase, frozenset(allowed)

    def run(self, index: int) -> None:
        with httpx.Client(timeout=30) as http:
            for number in itertools.count():
                if self.stopping.is_set():
                    return
                with self.lock:
                    phase, allowed = self.phase, self.allowed
                request_id = f"b{index}-{number}"
                headers = {"X-Client": f"client-{index}-{number % 100}", "X-Request-Id": request_id}
                body = {"instances": [self.rows[number % len(self.rows)]]}
                started = time.perf_counter()
                try:
                    reply = http.post(f"{self.url}/invocations", json=body, headers=headers)
                except httpx.HTTPError:
                    self.add(Sample(phase, (time.perf_counter() - started) * 1000, False, request_id))
                    continue
                ms = (time.perf_counter() - started) * 1000
                version = reply.headers.get("x-mlgate-version", "")
                ok = reply.status_code == 200 and version in allowed
                answer = reply.json()["predictions"][0] if ok else None
                self.add(Sample(phase, ms, ok, request_id, version, reply.headers.get("x-mlgate-variant"), answer))

    def add(self, sample: Sample) -> None:
        with self.lock:
            self.samples.append(sample)


def write_labels(path: Path, samples: list[Sample], better: str) -> int:
    """Simulated labels of the A/B phase's answers: ``better`` right on every row, the other wrong on every third."""
    count = 0
    with path.open("w", encoding="utf-8", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(["request_id", "churned"])
        for i, sample in enumerate(samples):
            truth = sample.answer
            if sample.version != better and i % 3 == 0:
                truth = not truth if isinstance(truth, bool) else "false" if str(truth) == "true" else "true"
            writer.writerow([sample.request_id, truth])
            count += 1
    return count


def wait_status(url: str, predicate: Any, what: str) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if predicate(httpx.get(f"{url}/status", timeout=10).json()):
            return
        time.sleep(0.1)
    raise SystemExit(f"the server never showed {what} within 120 s")


def wait_for_answers(load: Load, phase: str, count: int) -> list[Sample]:
    """The phase's routed answers once each variant has ``count`` of them (the phase goes on until then)."""
    while True:
        with load.lock:
            answered = [s for s in load.samples if s.phase == phase and s.ok and s.variant is not None]
        if min(sum(s.variant == v for s in answered) for v in ("champion", "challenger")) >= count:
            return answered
        time.sleep(0.2)


def run_phases(load: Load, project: Path, state: Path, seconds: float, work: Path) -> dict[str, Any]:
    """Every phase in order; returns what the commands reported."""
    at = ("--state", str(state), "--by", "bench")
    url = load.url
    notes: dict[str, Any] = {}

    def steady(phase: str, *allowed: str) -> None:
        load.enter(phase, *allowed)
        log(f"{phase}: {seconds:g} s")
        time.sleep(seconds)

    for _ in range(2):
        steady(OFF, "1")
        load.enter("shadow start", "1")
        mlgate(project, "deploy", "2", "--shadow", "--fraction", "1", *at)
        wait_status(url, lambda s: s["shadow"]["version"] == "2", "the shadow running")
        steady(SHADOW, "1")
        load.enter("shadow stop", "1")
        mlgate(project, "shadow", "stop", *at)
        wait_status(url, lambda s: s["shadow"]["version"] is None, "the shadow stopped")
    notes["shadow"] = httpx.get(f"{url}/status", timeout=10).json()["shadow"]
    load.enter("A/B start (2 vs 1)", "1", "2")
    mlgate(project, "deploy", "2", "--ab", "50", *at)
    steady("A/B 50 % (2 vs 1)", "1", "2")
    answered = wait_for_answers(load, "A/B 50 % (2 vs 1)", LABELLED)
    labels = work / "labels.csv"
    notes["labels"] = write_labels(labels, answered, better="2")
    load.enter("ab decide → promote", "1", "2")
    decided = json.loads(mlgate(project, "ab", "decide", "--labels", str(labels), *at, "--format", "json"))
    notes["decision"] = (decided["decision"]["outcome"], decided["acted"], decided["decision"]["reason"])
    if decided["acted"] != "promoted":
        raise SystemExit(f"ab decide did not promote version 2: {decided['message']}")
    wait_status(url, lambda s: s["version"] == "2" and s["ab"] is None, "version 2 alone")
    steady("version 2 alone", "2")
    load.enter("A/B start (1 vs 2)", "1", "2")
    mlgate(project, "deploy", "1", "--ab", "50", *at)
    steady("A/B 50 % (1 vs 2)", "1", "2")
    load.enter("ab stop", "1", "2")
    mlgate(project, "ab", "stop", *at)
    wait_status(url, lambda s: s["ab"] is None, "the A/B test stopped")
    steady("version 2 alone (after)", "2")
    return notes


def report(load: Load, notes: dict[str, Any], args: argparse.Namespace, loads: tuple[str, str]) -> str:
    machine = describe_machine(["scikit-learn"])
    phases: dict[str, list[Sample]] = {}
    for sample in load.samples:
        phases.setdefault(sample.phase, []).append(sample)
    lines = [
        f"Machine: {machine['cpu']}, {machine['nproc']} cores, {machine['memory']}, Python {machine['python']}, "
        f"scikit-learn {machine['scikit-learn']}; {args.clients} client threads back to back, {args.seconds:g} s "
        f"per steady phase; load average (1, 5, 15 min) before: {loads[0]}, after: {loads[1]}",
        "",
        "| phase | requests | failed | p50 (ms) | p95 (ms) |",
        "|---|---:|---:|---:|---:|",
    ]
    for phase, samples in phases.items():
        ms = [s.ms for s in samples]
        failed = sum(not s.ok for s in samples)
        lines.append(f"| {phase} | {len(ms):,} | {failed} | {statistics.median(ms):.2f} | {percentile(ms, 0.95):.2f} |")
    off = [s.ms for s in phases.get(OFF, [])]
    on = [s.ms for s in phases.get(SHADOW, [])]
    ratio = percentile(on, 0.95) / percentile(off, 0.95)
    failed = sum(not s.ok for s in load.samples)
    shadow = notes["shadow"] or {}
    outcome, acted, reason = notes["decision"]
    lines += [
        "",
        f"Failed requests in all: {failed} of {len(load.samples):,}. p95 with a shadow / without: {ratio:.3f} "
        f"(goal ≤ 1.05; both conditions twice, alternating). The shadow answered {shadow.get('rows', '?')} rows of "
        f"the last shadow phase and dropped {shadow.get('dropped_rows', '?')}. `ab decide` on {notes['labels']:,} "
        f"simulated labels: {outcome}, {acted} ({reason}).",
    ]
    return "\n".join(lines) + "\n"


def load_average() -> str:
    return ", ".join(f"{v:.2f}" for v in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--clients", type=int, default=2)
    args = parser.parse_args()
    before = load_average()
    work = REPO / ".bench" / "experiments"
    project, state = build(work)
    with (project / "mlgate.yaml").open("a", encoding="utf-8") as config:
        config.write(AB_CONFIG)
    mlgate(project, "registry", "approve", "2", "--reason", "benchmark", "--by", "bench")
    state.mkdir(parents=True)
    command = [sys.executable, "-m", "mlgate", "serve", "--port", "0", "--state", str(state)]
    with (work / "serve.log").open("ab") as output:
        server = subprocess.Popen(
            [*command, "--config", str(project / "mlgate.yaml")],
            cwd=project,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    threads: list[threading.Thread] = []
    try:
        url = f"http://127.0.0.1:{wait_for_serve(server, state, work / 'serve.log')}"
        mlgate(project, "deploy", "1", "--state", str(state), "--by", "bench")
        features = json.loads(mlgate(project, "registry", "show", "1", "--format", "json"))["features"]
        load = Load(url, requests(project, features, 200))
        threads = [threading.Thread(target=load.run, args=(i,)) for i in range(args.clients)]
        for thread in threads:
            thread.start()
        try:
            notes = run_phases(load, project, state, args.seconds, work)
        finally:
            load.stopping.set()
            for thread in threads:
                thread.join(60)
    finally:
        server.terminate()
        server.wait(30)
    text = report(load, notes, args, (before, load_average()))
    (work / "results.md").write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
