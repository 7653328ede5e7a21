"""Check the error rate `mlgate replay`'s disagreement gate claims, by simulation on real datasets.

Usage::

    python scripts/bench_replay.py                  # 2,000 simulated replays per row of the table
    python scripts/bench_replay.py --runs 5000

For each real dataset bundled with scikit-learn (breast cancer, wine as "class 0 or not", digits as "odd or
even"; offline) two real models are fitted on one half: a "live" logistic regression and a "replayed" decision
tree. Their answers on the other half are the *population* of traffic; the true disagreement rate ``p`` is the
share of population rows they answer differently. Each simulated replay draws ``n`` rows of traffic with
replacement and judges them with mlgate's own code (``mlgate.replay.compare.interval`` and
``mlgate.replay.gates.judge``) against a limit ``replay.max_disagreement``:

- **at the boundary** (limit = ``p``): the version is exactly as far off as allowed, so a pass is a false pass;
  the claimed rate is at most ``alpha`` (0.05);
- **with room** (limit = ``p`` + 0.05): the share of replays that pass (the power at that traffic size).

The markdown table is printed and written to ``.bench/replay/results.md``.
"""

from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

from mlgate.config import ReplayConfig  # noqa: E402
from mlgate.replay.compare import interval  # noqa: E402
from mlgate.replay.gates import judge  # noqa: E402
from mlgate.replay.model import ReplayResult  # noqa: E402

SIZES = (200, 1000, 5000)


def datasets() -> dict[str, tuple[np.ndarray, np.ndarray]]:
    from sklearn.datasets import load_breast_cancer, load_digits, load_wine

    cancer = load_breast_cancer()
    wine = load_wine()
    digits = load_digits()
    return {
        "breast cancer": (cancer.data, cancer.target),
        "wine (class 0)": (wine.data, (wine.target == 0).astype(int)),
        "digits (odd)": (digits.data, digits.target % 2),
    }


def population(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Whether the two models disagree on each row of the held-out half."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import train_test_split
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler
    from sklearn.tree import DecisionTreeClassifier

    x_fit, x_traffic, y_fit, _ = train_test_split(x, y, test_size=0.5, random_state=0, stratify=y)
    live = make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000)).fit(x_fit, y_fit)
    replayed = DecisionTreeClassifier(max_depth=3, random_state=0).fit(x_fit, y_fit)
    return np.asarray(live.predict(x_traffic) != replayed.predict(x_traffic))


def passes(disagree: np.ndarray, limit: float, settings: ReplayConfig) -> bool:
    count, n = int(disagree.sum()), int(disagree.size)
    result = ReplayResult(
        version="2",
        live_version="1",
        window_start="",
        window_end="",
        location="",
        task="classification",
        rows=n,
        replayed=n,
        invalid=0,
        invalid_examples=(),
        disagreement=interval(count, n, settings.alpha),
        segments=(),
        flips=(),
        mean_difference=None,
        seconds_per_1k=0.0,
        quality=None,
        gates=(),
        verdict="inconclusive",
        reason="",
    )
    limited = ReplayConfig(max_disagreement=limit, alpha=settings.alpha, min_rows=1)
    return judge(result, limited).verdict == "pass"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=2000)
    parser.add_argument("--alpha", type=float, default=0.05)
    args = parser.parse_args()
    rng = np.random.default_rng(20261207)
    settings = ReplayConfig(alpha=args.alpha)
    lines = [
        f"{args.runs:,} simulated replays per row; alpha {args.alpha}; a false pass must stay at or below alpha "
        f"(its 95 % Monte Carlo margin: ± {1.96 * math.sqrt(args.alpha * (1 - args.alpha) / args.runs):.3f}).",
        "",
        "| dataset | true disagreement p | rows n | false passes at limit = p | passes at limit = p + 0.05 |",
        "|---|---:|---:|---:|---:|",
    ]
    for name, (x, y) in datasets().items():
        flags = population(x, y)
        p = float(flags.mean())
        for n in SIZES:
            at_boundary = with_room = 0
            for _ in range(args.runs):
                sample = flags[rng.integers(0, flags.size, n)]
                at_boundary += passes(sample, p, settings)
                with_room += passes(sample, min(1.0, p + 0.05), settings)
            lines.append(f"| {name} | {p:.3f} | {n:,} | {at_boundary / args.runs:.3f} | {with_room / args.runs:.3f} |")
            print(lines[-1], file=sys.stderr, flush=True)
    report = "\n".join(lines) + "\n"
    out = REPO / ".bench" / "replay"
    out.mkdir(parents=True, exist_ok=True)
    (out / "results.md").write_text(report, encoding="utf-8")
    print(report)


if __name__ == "__main__":
    main()
