"""scripts/bench_experiments.py's pure helpers: the simulated labels, the wait for labelled answers, the report."""

from __future__ import annotations

import argparse
from pathlib import Path

from unit.scripts.scripts import load_script

bench = load_script("bench_experiments")


def sample(phase: str, ms: float, *, ok: bool = True, version: str = "1", variant: str | None = None) -> object:
    return bench.Sample(phase, ms, ok, f"r-{phase}-{ms}", version, variant, True)


def test_labels_make_the_better_version_right_and_the_other_wrong_on_every_third(tmp_path: Path) -> None:
    samples = [bench.Sample("ab", 1.0, True, f"r{i}", "2" if i % 2 else "1", None, i % 4 == 0) for i in range(6)]
    count = bench.write_labels(tmp_path / "labels.csv", samples, better="2")
    lines = (tmp_path / "labels.csv").read_text(encoding="utf-8").splitlines()
    assert count == 6
    assert lines == ["request_id,churned", "r0,False", "r1,False", "r2,False", "r3,False", "r4,True", "r5,False"]


def test_labels_flip_text_answers_too(tmp_path: Path) -> None:
    samples = [bench.Sample("ab", 1.0, True, "r0", "1", None, "true")]
    bench.write_labels(tmp_path / "labels.csv", samples, better="2")
    assert (tmp_path / "labels.csv").read_text(encoding="utf-8").splitlines()[1] == "r0,false"


def test_the_wait_returns_the_routed_answers_of_the_phase_once_both_variants_have_enough() -> None:
    load = bench.Load("http://127.0.0.1:9", [])
    load.samples = [
        sample("ab", 1.0, variant="champion"),
        sample("ab", 2.0, version="2", variant="challenger"),
        sample("ab", 3.0, variant=None),  # sent before the split was ready
        sample("ab", 4.0, ok=False, variant="champion"),
        sample("other", 5.0, variant="champion"),
    ]
    answered = bench.wait_for_answers(load, "ab", 1)
    assert [s.ms for s in answered] == [1.0, 2.0]


def test_the_report_has_a_row_per_phase_the_failures_and_the_p95_ratio() -> None:
    load = bench.Load("http://127.0.0.1:9", [])
    load.samples = [sample(bench.OFF, float(ms)) for ms in range(1, 101)]
    load.samples += [sample(bench.SHADOW, float(ms) * 1.1) for ms in range(1, 101)]
    load.samples += [sample("ab stop", 7.0, ok=False)]
    notes = {"shadow": {"rows": 100, "dropped_rows": 0}, "decision": ("promote", "promoted", "better"), "labels": 300}
    args = argparse.Namespace(clients=2, seconds=15.0)
    text = bench.report(load, notes, args, ("1.00, 1.00, 1.00", "2.00, 2.00, 2.00"))
    assert "| no experiment | 100 | 0 | 50.50 | 95.00 |" in text
    assert "| shadow on | 100 | 0 | 55.55 | 104.50 |" in text
    assert "| ab stop | 1 | 1 | 7.00 | 7.00 |" in text
    assert "Failed requests in all: 1 of 201. p95 with a shadow / without: 1.100" in text
    assert "load average (1, 5, 15 min) before: 1.00, 1.00, 1.00, after: 2.00, 2.00, 2.00" in text
    assert "`ab decide` on 300 simulated labels: promote, promoted (better)." in text
