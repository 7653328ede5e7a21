"""Check the error rates `mlgate ab decide` claims under continuous peeking, by simulation on real datasets.

Usage::

    python scripts/bench_ab.py                      # 1,000 experiments per dataset and scenario
    python scripts/bench_ab.py --experiments 4000 --max-labels 20000
    python scripts/bench_ab.py --quick              # a smoke run (50 experiments, 1,000 labels at most)

For each real dataset bundled with scikit-learn (breast cancer, wine and digits as multi-class problems,
diabetes as a regression; all offline) two real models are fitted on one half, a better and a worse one. Their
per-row gains on the other half (accuracy: 1 right / 0 wrong; regression: −|error|, the MAE's gain) are the
*populations* of labelled traffic. An experiment draws a batch of ``--batch`` rows per variant (with
replacement, independently per variant, as an A/B split serves different clients) and calls
``mlgate.ab.decision.decide_ab``, the function `mlgate ab decide` calls, after every batch, until it says
promote or stop (or ``--max-labels``):

- **equal models**: both variants draw from the better model's population, so the true effect is exactly 0 and a
  promotion is a false promotion (claimed: ≤ alpha however often one peeks); a stop "shown worse" is a false stop;
- **a real effect**: the worse model is the champion and the better one the challenger: the share promoted is the
  power, with the median labels per variant at the decision.

An experiment passes ``ab.*`` defaults (``min_labels`` 200, ``min_effect`` 0, the default mixture) but for
``--alpha`` and ``--max-labels``. The markdown table is printed and written to ``.bench/ab/results.md``; the exit
code is 1 when a false-promotion rate exceeds alpha by more than its 95 % Monte Carlo margin.
"""

from __future__ import annotations

import argparse
import math
import os
import statistics
import sys
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

from mlgate.ab.decision import Arm, decide_ab  # noqa: E402
from mlgate.config import AbConfig  # noqa: E402

SEED = 20261207


@dataclass(frozen=True)
class Populations:
    name: str
    metric: str
    models: str  # "better vs worse"
    better: np.ndarray
    worse: np.ndarray


@dataclass(frozen=True)
class Outcome:
    decision: str  # promote | stop-worse | stop-max
    labels: int  # per variant at the decision


@dataclass(frozen=True)
class Row:
    populations: Populations
    equal: tuple[Outcome, ...]
    effect: tuple[Outcome, ...]


def load_populations(name: str) -> Populations:
    """The two models' per-row gains on the held-out half of ``name``."""
    from sklearn.datasets import load_breast_cancer, load_diabetes, load_digits, load_wine
    from sklearn.linear_model import LogisticRegression, Ridge
    from sklearn.model_selection import train_test_split
    from sklearn.neighbors import KNeighborsClassifier
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler
    from sklearn.svm import SVC
    from sklearn.tree import DecisionTreeClassifier

    def scaled(model: object) -> object:
        return make_pipeline(StandardScaler(), model)

    logistic = scaled(LogisticRegression(max_iter=5000))
    specs: dict[str, tuple[Callable[..., Any], object, object, str]] = {
        "breast cancer": (load_breast_cancer, logistic, scaled(KNeighborsClassifier()), "logistic vs 5-NN"),
        "wine": (load_wine, logistic, DecisionTreeClassifier(max_depth=5, random_state=0), "logistic vs tree"),
        "digits": (load_digits, scaled(SVC()), scaled(LogisticRegression(C=0.01, max_iter=5000)), "SVC vs logistic"),
        "diabetes": (load_diabetes, Ridge(alpha=0.1), Ridge(alpha=1.0), "ridge 0.1 vs ridge 1"),
    }
    loader, better, worse, models = specs[name]
    data = loader()
    regression = name == "diabetes"
    x_fit, x_held, y_fit, y_held = train_test_split(
        data.data, data.target, test_size=0.5, random_state=0, stratify=None if regression else data.target
    )

    def gains(model: object) -> np.ndarray:
        pred = model.fit(x_fit, y_fit).predict(x_held)  # type: ignore[attr-defined]
        return -np.abs(pred - y_held) if regression else (pred == y_held).astype(float)

    metric = "mean_absolute_error" if regression else "accuracy"
    return Populations(name, metric, models, gains(better), gains(worse))


def run_experiment(
    champion: np.ndarray, challenger: np.ndarray, settings: AbConfig, metric: str, batch: int, rng: np.random.Generator
) -> Outcome:
    """Draw ``batch`` labels per variant at a time and ask ``decide_ab`` after each batch from ``min_labels`` on."""
    a: list[float] = []
    b: list[float] = []
    while True:
        a.extend(champion[rng.integers(0, champion.size, batch)].tolist())
        b.extend(challenger[rng.integers(0, challenger.size, batch)].tolist())
        if len(a) < settings.min_labels and len(a) < settings.max_labels:
            continue
        n = len(a)
        decision = decide_ab(
            Arm("1", tuple(a), requests=n, errors=0, p99_ms=None),
            Arm("2", tuple(b), requests=n, errors=0, p99_ms=None),
            settings,
            metric=metric,
        )
        if decision.outcome == "promote":
            return Outcome("promote", n)
        if decision.outcome == "stop":
            return Outcome("stop-max" if n >= settings.max_labels else "stop-worse", n)


def run_scenario(
    name: str, scenario: str, experiments: int, settings: AbConfig, batch: int, seed: int
) -> list[Outcome]:
    """``experiments`` experiments of one dataset: ``equal`` models or the real ``effect``."""
    populations = load_populations(name)
    champion = populations.better if scenario == "equal" else populations.worse
    rng = np.random.default_rng([seed, SPECS.index(name), int(scenario == "effect")])
    return [
        run_experiment(champion, populations.better, settings, populations.metric, batch, rng)
        for _ in range(experiments)
    ]


SPECS = ("breast cancer", "wine", "digits", "diabetes")


def share(outcomes: tuple[Outcome, ...], decision: str) -> float:
    return sum(o.decision == decision for o in outcomes) / len(outcomes)


def margin(alpha: float, experiments: int) -> float:
    """The 95 % Monte Carlo margin of a rate alpha over ``experiments`` experiments."""
    return 1.96 * math.sqrt(alpha * (1 - alpha) / experiments)


def format_table(rows: list[Row]) -> str:
    lines = [
        "| dataset | metric | models (better vs worse) | true effect | false promotions (equal) | stops as worse "
        "(equal) | power (effect) | stops as worse (effect) | median labels per variant to a decision (effect) |",
        "|---|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    for row in rows:
        p = row.populations
        effect = float(p.better.mean() - p.worse.mean())
        decided = [o.labels for o in row.effect if o.decision != "stop-max"] or [0]
        lines.append(
            f"| {p.name} | {p.metric} | {p.models} | {effect:+.4g} | {share(row.equal, 'promote'):.3f} | "
            f"{share(row.equal, 'stop-worse'):.3f} | {share(row.effect, 'promote'):.3f} | "
            f"{share(row.effect, 'stop-worse'):.3f} | "
            f"{statistics.median(decided):,.0f} |"
        )
    return "\n".join(lines)


def check_rates(rows: list[Row], alpha: float) -> list[str]:
    """The datasets whose false-promotion rate is above alpha beyond the Monte Carlo margin."""
    return [
        f"{row.populations.name}: {share(row.equal, 'promote'):.3f} > {alpha} + {margin(alpha, len(row.equal)):.3f}"
        for row in rows
        if share(row.equal, "promote") > alpha + margin(alpha, len(row.equal))
    ]


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--experiments", type=int, default=1000, help="per dataset and scenario")
    parser.add_argument("--alpha", type=float, default=0.05)
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--batch", type=int, default=25, help="labels per variant between two decisions")
    parser.add_argument("--max-labels", type=int, default=5000, help="ab.max_labels")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--datasets", nargs="+", choices=SPECS, default=list(SPECS))
    parser.add_argument("--quick", action="store_true", help="50 experiments, max 1,000 labels: a smoke run")
    parser.add_argument("--out", type=Path, default=REPO / ".bench" / "ab")
    args = parser.parse_args(argv)
    if args.quick:
        args.experiments, args.max_labels = min(args.experiments, 50), min(args.max_labels, 1000)
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(name, "1")
    settings = AbConfig(alpha=args.alpha, max_labels=args.max_labels)
    started = time.perf_counter()
    jobs = [(name, scenario) for name in args.datasets for scenario in ("equal", "effect")]
    job_args = [(n, s, args.experiments, settings, args.batch, args.seed) for n, s in jobs]
    if args.workers > 1:
        with ProcessPoolExecutor(args.workers) as pool:
            results = list(pool.map(run_scenario, *zip(*job_args, strict=True)))
    else:
        results = [run_scenario(*job) for job in job_args]
    outcomes = dict(zip(jobs, results, strict=True))
    rows = [
        Row(load_populations(name), tuple(outcomes[name, "equal"]), tuple(outcomes[name, "effect"]))
        for name in args.datasets
    ]
    report = "\n".join(
        [
            f"{args.experiments:,} experiments per dataset and scenario; a decision after every {args.batch} labels "
            f"per variant from {settings.min_labels} to {args.max_labels:,}; alpha {args.alpha} (95 % Monte Carlo margin of a rate "
            f"alpha: ± {margin(args.alpha, args.experiments):.3f}); {time.perf_counter() - started:.0f} s on "
            f"{args.workers} worker(s).",
            "",
            format_table(rows),
        ]
    )
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "results.md").write_text(report + "\n", encoding="utf-8")
    print(report)
    failures = check_rates(rows, args.alpha)
    for failure in failures:
        print(f"false promotions above alpha: {failure}", file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
