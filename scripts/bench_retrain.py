"""Calibrate ``mlgate retrain``'s decision: how often it registers a version on noise, and on real gains.

Usage::

    python scripts/bench_retrain.py                    # 400 runs per dataset
    python scripts/bench_retrain.py --runs 100 --datasets wine

On scikit-learn's bundled datasets (breast_cancer: ROC AUC, binary; wine: accuracy, 3 classes; diabetes:
RMSE, regression), each run shuffles the rows with its own seed and holds back an evaluation set (the fresh
test rows: no model ever trains on them); the other rows are split in two halves of n rows, the data the
live version was trained on and the fresh data. Scored on the same held-back rows and judged by the
library's own decision (``mlgate.retrain.decide.decide``, in process):

- **same population**: the live version is a random forest trained on its n rows; three candidates
  (forests with other seeds) are trained on the n fresh rows. No candidate is better in expectation, so
  every registration is a false one;
- **4× rows**: the live version was trained on n/4 of its rows, the candidates on the n fresh rows;
- **stronger feature**: the live version sees a few weak features, the candidates those plus one strong
  feature (n rows each).

Each candidate is refitted as ``mlgate retrain`` refits it (``mlgate.training.seeds.measure_seed_spread`` with
``resample_max_s``: 3 more fits on bootstrap resamples of its training rows, other seeds), and that spread
between training sets joins the paired test.

Per dataset and scenario it prints the share of runs that register a version under five rules: the rule
before this change (best candidate's point value better by anything, no test), the paired test with a
zero margin (``retrain.min_improvement: 0``) and with the default margin but the per-row test alone
(``retrain.resample_max_s: 0``), the default (``retrain.min_rel_improvement`` 1 %, the training-data spread,
Holm over the candidates), and the default without Holm's adjustment (any candidate significant at alpha). The
"1 candidate" rows judge the first candidate alone. "mean gain" is the first candidate's average gain over
the live version (in the metric's direction), next to the average default margin. ± is the 95 %
Monte-Carlo half-width of a rate.
"""

from __future__ import annotations

import argparse
import math
import os
import sys
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from benchkit import describe_machine, log
from mlgate.config import MetricsConfig, RetrainConfig
from mlgate.retrain.decide import Decision, decide
from mlgate.retrain.paired import FreshRows
from mlgate.stats import Predictions, score_predictions
from mlgate.training.predictions import predict_rows

CANDIDATES = 3
TREES = 60
RULES = ("old rule", "margin 0", "per-row only", "default", "default, no Holm")


@dataclass(frozen=True)
class Setup:
    """One dataset: its metrics (primary first), held-back rows, and the weak/strong feature split."""

    name: str
    load: Callable[[], Any]
    metrics: tuple[str, ...]
    eval_rows: int
    weak: tuple[str, ...]
    strong: str
    regression: bool = False


SETUPS = {
    "breast_cancer": Setup(
        "breast_cancer",
        lambda: _load("load_breast_cancer"),
        ("roc_auc", "accuracy"),
        269,
        ("mean texture", "mean smoothness", "mean symmetry", "mean fractal dimension"),
        "worst concave points",
    ),
    "wine": Setup(
        "wine",
        lambda: _load("load_wine"),
        ("accuracy", "f1_macro"),
        78,
        ("ash", "magnesium", "nonflavanoid_phenols"),
        "proline",
    ),
    "diabetes": Setup(
        "diabetes",
        lambda: _load("load_diabetes"),
        ("root_mean_squared_error", "mean_absolute_error"),
        202,
        ("age", "sex", "s1", "s2"),
        "bmi",
        regression=True,
    ),
}


def _load(loader: str) -> Any:
    from sklearn import datasets

    return getattr(datasets, loader)(as_frame=True)


def forest(setup: Setup, seed: int) -> Any:
    from sklearn.ensemble import RandomForestClassifier, RandomForestRegressor

    kind = RandomForestRegressor if setup.regression else RandomForestClassifier
    return kind(n_estimators=TREES, random_state=seed, n_jobs=1)


def fit_predict(
    setup: Setup, X: Any, y: Any, rows: Any, features: Sequence[str], seed: int, X_eval: Any, y_eval: Any = None
) -> Fitted:
    """The model's predictions on the evaluation rows; with ``y_eval``, also its training-data spread."""
    from mlgate.config import TrainConfig
    from mlgate.training.evaluate import Notes
    from mlgate.training.metrics import to_metric
    from mlgate.training.seeds import measure_seed_spread

    X_fit, y_fit, X_test = X.iloc[rows][list(features)], y[rows], X_eval[list(features)]
    predictions = predict_rows(forest(setup, seed).fit(X_fit, y_fit), X_test)
    if y_eval is None:
        return Fitted(predictions)
    metrics = [to_metric(m) for m in setup.metrics]
    values = {m.name: score_predictions(m.name, y_eval, predictions) for m in metrics}
    spread = measure_seed_spread(
        "candidate",
        forest(setup, seed),
        metrics,
        (X_fit, y_fit, X_test, y_eval),
        first=(values, predictions),
        fit_s=0.0,
        settings=TrainConfig(seed=seed),
        notes=Notes(),
        resample_max_s=30.0,
    )
    return Fitted(predictions, spread)


@dataclass(frozen=True)
class Fitted:
    predictions: Predictions
    spread: dict[str, float] = field(default_factory=dict)


def judge(
    setup: Setup,
    y_eval: Any,
    live: Predictions,
    candidates: dict[str, Fitted],
    retrain: RetrainConfig,
    spread: bool = True,
) -> Decision:
    scores = {
        name: {m: score_predictions(m, y_eval, c.predictions) for m in setup.metrics} for name, c in candidates.items()
    }
    live_scores = {m: score_predictions(m, y_eval, live) for m in setup.metrics}
    rows = FreshRows(
        y=y_eval,
        live=live,
        candidates={n: c.predictions for n, c in candidates.items()},
        spread={n: c.spread for n, c in candidates.items() if spread and c.spread},
        fits=10,
    )
    return decide(
        metric=setup.metrics[0],
        candidates=scores,
        live_version="1",
        live_metrics=live_scores,
        rows=rows,
        metrics=MetricsConfig(),
        retrain=retrain,
    )


def registers(setup: Setup, y_eval: Any, live: Predictions, candidates: dict[str, Fitted]) -> dict[str, Any]:
    """Whether each rule registers a version, the first candidate's gain over live and the default margin."""
    default = judge(setup, y_eval, live, candidates, RetrainConfig())
    zero = judge(setup, y_eval, live, candidates, RetrainConfig(min_improvement=0.0), spread=False)
    per_row = judge(setup, y_eval, live, candidates, RetrainConfig(), spread=False)
    point = default.gain > 0  # the rule before: the best candidate by value, better by anything
    alpha = default.alpha
    unadjusted = any(
        r.comparison is not None and r.comparison.p_value < alpha and not default.worse_on(r) for r in default.results
    )  # guards are only computed for Holm winners: without Holm, count a raw winner as the default does
    unadjusted = unadjusted or default.wins
    first = default.results[0]
    gain = first.value - default.live_value if default.direction == "higher" else default.live_value - first.value
    found = (point, zero.wins, per_row.wins, default.wins, unadjusted)
    return {**dict(zip(RULES, found, strict=True)), "gain": gain, "margin": default.margin}


def run_once(setup: Setup, data: Any, seed: int) -> dict[str, dict[str, Any]]:
    """One run: every scenario, with three candidates and with the first alone."""
    X, y = data.data, np.asarray(data.target)
    rng = np.random.default_rng(seed)
    order = rng.permutation(len(y))
    held = order[: setup.eval_rows]
    n = (len(y) - setup.eval_rows) // 2
    old, fresh = order[setup.eval_rows : setup.eval_rows + n], order[setup.eval_rows + n : setup.eval_rows + 2 * n]
    X_eval, y_eval = X.iloc[held], y[held]
    everything = tuple(X.columns)
    seeds = [seed * 10 + k + 1 for k in range(CANDIDATES)]

    def candidates(features: Sequence[str]) -> dict[str, Fitted]:
        return {f"forest{k}": fit_predict(setup, X, y, fresh, features, s, X_eval, y_eval) for k, s in enumerate(seeds)}

    def live(rows: Any, features: Sequence[str]) -> Predictions:
        return fit_predict(setup, X, y, rows, features, seed, X_eval).predictions

    trained = candidates(everything)
    scenarios = {
        "same population": (live(old, everything), trained),
        "4× rows": (live(old[: n // 4], everything), trained),
        "stronger feature": (live(old, setup.weak), candidates((*setup.weak, setup.strong))),
    }
    out: dict[str, dict[str, Any]] = {}
    for scenario, (base, chosen) in scenarios.items():
        out[f"{scenario}|{CANDIDATES}"] = registers(setup, y_eval, base, chosen)
        first = dict(list(chosen.items())[:1])
        out[f"{scenario}|1"] = registers(setup, y_eval, base, first)
    return out


def rate(hits: int, runs: int) -> str:
    share = hits / runs
    half = 1.96 * math.sqrt(max(share * (1 - share), 1 / runs) / runs)
    return f"{share:.1%} ± {half:.1%}".replace("%", " %")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=400)
    parser.add_argument("--datasets", nargs="+", choices=sorted(SETUPS), default=list(SETUPS))
    parser.add_argument("--workers", type=int, default=2, help="processes running the runs (default 2)")
    args = parser.parse_args()
    for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(name, "1")  # one thread per worker process: the workers are the parallelism
    machine = describe_machine(["scikit-learn", "numpy", "scipy"])
    started = time.perf_counter()
    print(
        f"runs per dataset: {args.runs}; retrain.alpha 0.05, retrain.min_rel_improvement 0.01; {CANDIDATES} "
        f"candidates (random forests, {TREES} trees)"
    )
    print(
        "| dataset (test) | held-back rows | n | scenario | candidates | mean gain (margin) | "
        + " | ".join(RULES)
        + " |"
    )
    print("|---|---:|---:|---|---:|---:|" + "---:|" * len(RULES))
    pool = ProcessPoolExecutor(args.workers)
    for name in args.datasets:
        setup = SETUPS[name]
        data = setup.load()
        counts: dict[str, dict[str, float]] = {}
        jobs = pool.map(run_job, [(name, seed) for seed in range(args.runs)], chunksize=5)
        for seed, outcome in enumerate(jobs):
            for key, found in outcome.items():
                slot = counts.setdefault(key, dict.fromkeys((*RULES, "gain", "margin"), 0.0))
                for rule, value in found.items():
                    slot[rule] += float(value)
            if (seed + 1) % 50 == 0:
                log(f"{name}: {seed + 1}/{args.runs} runs, {time.perf_counter() - started:.0f} s")
        for key, slot in counts.items():
            scenario, k = key.split("|")
            cells = " | ".join(rate(int(slot[rule]), args.runs) for rule in RULES)
            n = (len(data.target) - setup.eval_rows) // 2
            effect = f"{slot['gain'] / args.runs:+.4g} ({slot['margin'] / args.runs:.3g})"
            print(f"| {name} ({setup.metrics[0]}) | {setup.eval_rows} | {n} | {scenario} | {k} | {effect} | {cells} |")
    print(
        f"\n{time.perf_counter() - started:.0f} s on {machine['cpu']} ({machine['nproc']} cores), "
        f"Python {machine['python']}, scikit-learn {machine['scikit-learn']}, numpy {machine['numpy']}, "
        f"scipy {machine['scipy']}; {args.workers} worker processes"
    )
    pool.shutdown()
    return 0


def run_job(job: tuple[str, int]) -> dict[str, dict[str, Any]]:
    name, seed = job
    setup = SETUPS[name]
    return run_once(setup, setup.load(), seed)


if __name__ == "__main__":
    raise SystemExit(main())
