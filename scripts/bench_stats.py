"""Time ``mlgate.stats.test_paired`` on one model pair at a realistic size (not a timed test).

Usage::

    python scripts/bench_stats.py                  # 100,000 rows, 2,000 bootstrap resamples
    python scripts/bench_stats.py --rows 1000000 --repeat 5

Two synthetic classifiers score the same rows: y ~ Bernoulli(0.3) (binary) or a uniform 5-class label,
each model's score is y plus independent noise, its label the argmax. Per metric the script prints the
method and the median wall time of ``--repeat`` calls; the goal is accuracy + f1_macro + roc_auc on the
binary pair together well under 0.5 s at 100,000 rows. The other rows show what the rest costs.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

from mlgate.stats import Predictions, test_paired

GOAL_S = 0.5
GOAL_METRICS = ("accuracy", "f1_macro", "roc_auc")
OTHERS = {
    "binary": ("f1", "balanced_accuracy", "matthews_corrcoef", "neg_log_loss", "neg_brier_score", "average_precision"),
    "multiclass": ("accuracy", "f1_macro", "f1_weighted", "roc_auc_ovr", "roc_auc_ovo", "neg_log_loss"),
}


def make_pair(rows: int, classes: int, seed: int) -> tuple[np.ndarray[Any, Any], Predictions, Predictions]:
    """y and two models' predictions with probabilities (softmax of a noisy one-hot score)."""
    rng = np.random.default_rng(seed)
    y = (rng.random(rows) < 0.3).astype(np.int64) if classes == 2 else rng.integers(0, classes, rows)
    onehot = np.eye(classes)[y]

    def model(noise: float) -> Predictions:
        logits = 2.0 * onehot + rng.normal(0, noise, size=onehot.shape)
        proba = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
        return Predictions(pred=proba.argmax(axis=1), proba=proba, classes=tuple(range(classes)))

    return y, model(1.6), model(1.5)


def time_metric(metric: str, y: Any, base: Predictions, new: Predictions, repeat: int) -> tuple[str, float]:
    """The method and the median seconds of ``repeat`` calls, after one untimed call on 1,000 rows (imports)."""
    direction = "lower" if metric.startswith("neg_") else "higher"
    head = slice(0, 1000)
    small = [
        Predictions(p.pred[head], None if p.proba is None else p.proba[head], classes=p.classes) for p in (base, new)
    ]
    test_paired(metric, y[head], small[0], small[1], direction=direction, margin=0.0, alpha=0.05)
    times, method = [], ""
    for _ in range(repeat):
        start = time.perf_counter()
        method = test_paired(metric, y, base, new, direction=direction, margin=0.0, alpha=0.05).method
        times.append(time.perf_counter() - start)
    return method, statistics.median(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--skip-others", action="store_true", help="time only the goal metrics")
    args = parser.parse_args()
    print(f"{args.rows:,} rows, median of {args.repeat}")
    y, base, new = make_pair(args.rows, 2, seed=0)
    total = 0.0
    for metric in GOAL_METRICS:
        method, seconds = time_metric(metric, y, base, new, args.repeat)
        total += seconds
        print(f"  binary      {metric:<20} {seconds:8.3f} s  {method}")
    print(f"  goal: {' + '.join(GOAL_METRICS)} = {total:.3f} s ({'ok' if total < GOAL_S else 'OVER'} < {GOAL_S} s)")
    if args.skip_others:
        return 0
    for task, metrics in OTHERS.items():
        y, base, new = make_pair(args.rows, 2 if task == "binary" else 5, seed=1)
        for metric in metrics:
            method, seconds = time_metric(metric, y, base, new, args.repeat)
            print(f"  {task:<11} {metric:<20} {seconds:8.3f} s  {method}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
