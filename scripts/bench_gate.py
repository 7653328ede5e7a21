"""Measure the PR gate's error rates by simulation: false fails on seed-only PRs, power on injected drops.

Usage::

    python scripts/bench_gate.py                       # 500 draws per dataset (about 20 min on 2 cores)
    python scripts/bench_gate.py --quick               # 50 draws: a smoke run
    python scripts/bench_gate.py --margin 0            # the same with gates that set no tolerance (abs_tol 0)
    python scripts/bench_gate.py --datasets wine digits --draws 200

Datasets: scikit-learn's bundled ``breast_cancer``, ``wine``, ``digits`` (classification) and ``diabetes``
(regression) at their real sizes, a 100,000-row ``make_classification`` set and a 100,000-row Friedman #1
regression set. Per draw ``d``: a fresh train/test split (25 % test, ``random_state=d``, stratified by the
class for classification), then the same estimator with the same parameters fitted twice, with two
``random_state`` values: the baseline and the PR, models equal in expectation (a seed-only PR). Each side
becomes a ``ResultSet`` the way ``mlgate train`` builds one: predictions from
``mlgate.training.predictions.predict_rows``, the task's default metrics (``metrics_for``) scored from them
with ``mlgate.stats.score_predictions``, a holdout ``Evaluation`` with the same data digest and a
``PredictionSet`` of the test rows. ``mlgate.compare.compare_results(base, [new], MetricsConfig())`` then
judges them: the real decision path (every default metric gated, Holm over them, alpha 0.05). A draw is a
false fail when ``comparison.verdict == "fail"``.

Power: on the same draws the PR model's predictions are degraded by a known amount, twice the gate's
margin on the primary metric (the task's first default: ``accuracy``, ``r2``), and compared again:

- classification: k = round(2·margin·n) of the rows the PR model gets right, drawn at random, are given a
  wrong class drawn uniformly from the other classes; in those rows the ``predict_proba`` columns of the true
  and the new class are swapped, so the probabilities agree with the label (roc_auc and f1 drop too).
  Accuracy drops by exactly k/n (2·margin up to half a row);
- regression: Gaussian noise, made orthogonal to the PR model's residuals and scaled so the squared errors
  grow by exactly 2·margin·SST (r2 drops by exactly 2·margin) or, with ``--regression-primary
  root_mean_squared_error``, so RMSE grows by exactly 2·margin.

The synthetic sets are generated with 100,000 more rows that no model is fitted on and no test reads (a
stand-in for the population): a draw whose PR model is worse there than the baseline model beyond a gate's
margin, on any gated metric, is a real difference between the two fitted models, which the gate is meant to
catch, not an error of its test. The false-fail rate over the other draws is the test's own error rate.

The margin is the gate's tolerance on the baseline value (``Gate.tolerance``: mlgate's default 1 % of it, or
``--margin``); with a margin of 0 the injected drop is twice the default margin. Each row reports the
false-fail rate with its Monte-Carlo standard error, whether it is within alpha + 2·SE (SE of a rate alpha
over the draws), the power, and the median MDE the report states for the primary metric (``Row.mde``);
where that MDE exceeds 2·margin the test set is too small for the goal (power ≥ 0.8) to apply.
Draws run in ``--workers`` processes; everything is seeded, so a run is reproducible. The markdown report is
printed and written to ``.bench/gate/results.md`` (raw data: ``results.json``).
"""

from __future__ import annotations

import argparse
import hashlib
import importlib
import json
import math
import os
import shlex
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass, replace
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "src"))

from mlgate.stats import Predictions  # noqa: E402

ALPHA = 0.05
POWER_GOAL = 0.8
TEST_SHARE = 0.25
LARGE_ROWS = 100_000
FOREST_C = ("sklearn.ensemble.RandomForestClassifier", {"n_jobs": 1})
FOREST_R = ("sklearn.ensemble.RandomForestRegressor", {"n_jobs": 1})
# 100k rows: fits in well under a second, and the seed matters (bootstrap-free random splits, few trees)
EXTRA_C = ("sklearn.ensemble.ExtraTreesClassifier", {"n_estimators": 10, "max_depth": 8, "n_jobs": 1})
EXTRA_R = ("sklearn.ensemble.ExtraTreesRegressor", {"n_estimators": 10, "max_depth": 6, "n_jobs": 1})
# ... and models whose seed matters less (SGD's seed shuffles the rows each epoch)
SGD_C = ("sklearn.linear_model.SGDClassifier", {"loss": "log_loss"})
SGD_R = ("sklearn.linear_model.SGDRegressor", {})


@dataclass(frozen=True)
class Dataset:
    """A benchmark row: its task, its data (a loader name), and the model both sides fit."""

    task: str
    data: str
    estimator: str
    params: dict[str, Any]


@dataclass(frozen=True)
class Data:
    """The rows that are split each draw and, for the synthetic sets, 100,000 fresh rows of the same
    distribution that no model sees and no test reads (a stand-in for the population)."""

    X: Any
    y: Any
    X_fresh: Any = None
    y_fresh: Any = None


DATASETS: dict[str, Dataset] = {
    "breast_cancer": Dataset("classification", "breast_cancer", *FOREST_C),
    "wine": Dataset("classification", "wine", *FOREST_C),
    "digits": Dataset("classification", "digits", *FOREST_C),
    "diabetes": Dataset("regression", "diabetes", *FOREST_R),
    "classification_100k": Dataset("classification", "classification_100k", *EXTRA_C),
    "classification_100k_sgd": Dataset("classification", "classification_100k", *SGD_C),
    "friedman_100k": Dataset("regression", "friedman_100k", *EXTRA_R),
    "friedman_100k_sgd": Dataset("regression", "friedman_100k", *SGD_R),
}


DEFAULT_DATASETS = ("breast_cancer", "wine", "digits", "diabetes", "classification_100k", "friedman_100k")


@cache
def load_data(name: str) -> Data:
    """A bundled scikit-learn dataset, or a synthetic one of 2 × 100,000 rows split into rows and fresh rows."""
    from sklearn import datasets

    if name == "classification_100k":
        X, y = datasets.make_classification(
            n_samples=2 * LARGE_ROWS,
            n_features=20,
            n_informative=8,
            n_redundant=4,
            flip_y=0.05,
            class_sep=0.8,
            random_state=0,
        )
    elif name == "friedman_100k":
        X, y = datasets.make_friedman1(n_samples=2 * LARGE_ROWS, n_features=10, noise=1.0, random_state=0)
    else:
        X, y = getattr(datasets, f"load_{name}")(return_X_y=True)
        return Data(X, y)
    return Data(X[:LARGE_ROWS], y[:LARGE_ROWS], X[LARGE_ROWS:], y[LARGE_ROWS:])


# ---------------------------------------------------------------- degradations (pure)
def degrade_classes(y: Any, preds: Predictions, drop: float, rng: np.random.Generator) -> Predictions:
    """``preds`` with round(drop·n) rows it gets right given a wrong class (and their proba columns swapped).

    The new class is drawn uniformly from the other classes; swapping the true and the new class's
    ``predict_proba`` columns keeps the probabilities consistent with the label. Accuracy drops by exactly
    k/n. A drop needing more rows than the model gets right is a ValueError.
    """
    truth = np.asarray(y)
    n = len(truth)
    if preds.classes is None or preds.proba is None:
        raise ValueError("degrade_classes needs a classifier's classes and predict_proba")
    k = max(1, round(drop * n))
    correct = np.flatnonzero(np.asarray(preds.pred) == truth)
    if k > correct.size:
        raise ValueError(f"a drop of {drop:g} needs {k} correct rows; the model gets {correct.size} right")
    rows = np.sort(rng.choice(correct, size=k, replace=False))
    classes = np.asarray(preds.classes)
    position = {c: i for i, c in enumerate(preds.classes)}
    true_col = np.fromiter((position[c] for c in truth[rows].tolist()), dtype=np.int64, count=k)
    new_col = (true_col + rng.integers(1, len(classes), size=k)) % len(classes)
    pred = np.array(preds.pred, copy=True)
    pred[rows] = classes[new_col]
    proba = np.array(preds.proba, dtype=float, copy=True)
    kept = proba[rows, true_col]
    proba[rows, true_col] = proba[rows, new_col]
    proba[rows, new_col] = kept
    return Predictions(pred=pred, proba=proba, classes=preds.classes)


def extra_squared_error(metric: str, y: Any, pred: Any, drop: float) -> float:
    """How much the sum of squared errors must grow for ``metric`` (r2 or RMSE) to get worse by ``drop``."""
    truth, guess = np.asarray(y, dtype=float), np.asarray(pred, dtype=float)
    if metric == "r2":
        return drop * float(np.sum((truth - truth.mean()) ** 2))  # ΔR² = −ΔSSE / SST
    if metric == "root_mean_squared_error":
        rmse = math.sqrt(float(np.mean((truth - guess) ** 2)))
        return len(truth) * ((rmse + drop) ** 2 - rmse**2)
    raise ValueError(f"no regression degradation for metric '{metric}' (r2 or root_mean_squared_error)")


def degrade_values(y: Any, preds: Predictions, extra_sse: float, rng: np.random.Generator) -> Predictions:
    """``preds`` plus Gaussian noise orthogonal to the residuals, scaled so the squared errors grow by ``extra_sse``.

    With noise z orthogonal to the residuals r = y − pred, Σ(r − z)² = Σr² + Σz²: the growth is exact.
    """
    truth, guess = np.asarray(y, dtype=float), np.asarray(preds.pred, dtype=float)
    residual = truth - guess
    noise = rng.standard_normal(len(truth))
    if float(residual @ residual) > 0:
        noise -= (noise @ residual) / (residual @ residual) * residual
    noise *= math.sqrt(extra_sse / float(noise @ noise))
    return Predictions(pred=guess + noise)


# ---------------------------------------------------------------- one draw
@dataclass(frozen=True)
class Draw:
    """What one draw found: the verdicts on the seed-only PR and on its degraded copy, and the primary row."""

    dataset: str
    draw: int
    test_rows: int
    primary: str
    base: float
    new: float
    margin: float
    drop: float  # the drop injected into the PR's primary metric, in metric units
    null_fail: bool
    null_failed: tuple[str, ...]  # the metrics that failed on the seed-only PR
    null_mde: float | None
    power_fail: bool
    power_mde: float | None
    fresh_worse: tuple[str, ...] | None  # the metrics on which the PR is worse beyond the margin on the fresh rows
    seconds: float


def build_model(spec: Dataset, seed: int) -> Any:
    module, _, cls = spec.estimator.rpartition(".")
    return getattr(importlib.import_module(module), cls)(**spec.params, random_state=seed)


def build_results(
    spec: Dataset,
    seed: int,
    y: Any,
    preds: Predictions,
    digest: str,
    train_rows: int,
    seed_sd: dict[str, float] | None = None,
) -> Any:
    """A ResultSet as ``mlgate train`` writes it: default metrics scored from the predictions, which it carries,
    and (``seed_sd``) the spread of those metrics over reseeded fits, as ``mlgate.training.seeds`` measures it."""
    from mlgate.results import Evaluation, ModelResult, ResultSet
    from mlgate.stats import score_predictions
    from mlgate.training.metrics import metrics_for
    from mlgate.training.predictions import PredictionSet

    classes = 0 if preds.classes is None else len(preds.classes)
    metrics = metrics_for(None, spec.task, classes=classes, proba=preds.proba is not None)  # type: ignore[arg-type]
    values = {m.name: score_predictions(m.scorer, y, preds) + 0.0 for m in metrics}
    model = ModelResult(
        name="model",
        estimator=spec.estimator,
        params={**spec.params, "random_state": seed},
        metrics=values,
        seed_sd=dict(seed_sd or {}),
    )
    evaluation = Evaluation(kind="holdout", train_rows=train_rows, test_rows=len(y), data_sha256=digest)
    return ResultSet(
        models={"model": model},
        task=spec.task,
        primary=metrics[0].name,
        evaluation=evaluation,
        predictions=PredictionSet(y=y, models={"model": preds}),
    )


def fit_side(
    spec: Dataset, seed: int, data: tuple[Any, Any, Any, Any], seed_fits: int, max_s: float = 10.0
) -> tuple[Predictions, Any]:
    """Fit one side as ``mlgate train`` does: the model, its predictions, and its seed spread (``seed_fits``
    reseeded refits when it fits under ``max_s``, ``train.seed_fits_max_s``; 0: none)."""
    from mlgate.config import TrainConfig
    from mlgate.stats import score_predictions
    from mlgate.training.evaluate import Notes
    from mlgate.training.metrics import metrics_for
    from mlgate.training.predictions import predict_rows
    from mlgate.training.seeds import measure_seed_spread

    X, y, X_test, y_test = data
    started = time.perf_counter()
    model = build_model(spec, seed).fit(X, y)
    fit_s = time.perf_counter() - started
    preds = predict_rows(model, X_test)
    classes = 0 if preds.classes is None else len(preds.classes)
    metrics = metrics_for(None, spec.task, classes=classes, proba=preds.proba is not None)  # type: ignore[arg-type]
    values = {m.name: score_predictions(m.scorer, y_test, preds) + 0.0 for m in metrics}
    settings = TrainConfig(seed=seed, seed_fits=seed_fits, seed_fits_max_s=max_s)
    spread = measure_seed_spread(
        "model",
        build_model(spec, seed),
        metrics,
        data,
        first=(values, preds),
        fit_s=fit_s,
        settings=settings,
        notes=Notes(),
    )
    return preds, (model, spread)


def run_draw(
    name: str,
    draw: int,
    seed: int,
    margin: float | None,
    regression_primary: str,
    seed_fits: int = 3,
    seed_fits_max_s: float = 10.0,
) -> Draw:
    """Fit both sides of one seed-only PR, judge it, degrade the PR's predictions and judge that."""
    from sklearn.model_selection import train_test_split

    from mlgate.compare import compare_results
    from mlgate.gates import QUALITY_REL_MARGIN, resolve_gate

    started = time.perf_counter()
    spec = DATASETS[name]
    data = load_data(spec.data)
    X, y = data.X, data.y
    train, test = train_test_split(
        np.arange(len(y)),
        test_size=TEST_SHARE,
        random_state=draw,
        shuffle=True,
        stratify=y if spec.task == "classification" else None,
    )
    base_seed, new_seed, noise_seed = (int(s) % 2**31 for s in np.random.SeedSequence([seed, draw]).generate_state(3))
    y_test = y[test]
    digest = hashlib.sha256(f"{spec.data}:{draw}".encode()).hexdigest()
    split = (X[train], y[train], X[test], y_test)
    (base_preds, (base_model, base_sd)), (new_preds, (new_model, new_sd)) = (
        fit_side(spec, s, split, seed_fits, seed_fits_max_s) for s in (base_seed, new_seed)
    )
    models = [base_model, new_model]
    base = build_results(spec, base_seed, y_test, base_preds, digest, len(train), base_sd)
    new = build_results(spec, new_seed, y_test, new_preds, digest, len(train), new_sd)
    config = metrics_config(base, margin)
    primary = base.primary if spec.task == "classification" else regression_primary
    null = compare_results(base, [new], config, seed_fits=seed_fits)
    gate = resolve_gate(primary, "quality", config)
    base_value, new_value = base.models["model"].metrics[primary], new.models["model"].metrics[primary]
    tolerance = gate.tolerance(base_value)
    drop = 2 * (tolerance or QUALITY_REL_MARGIN * abs(base_value))
    rng = np.random.default_rng(noise_seed)
    if spec.task == "classification":
        worse = degrade_classes(y_test, new_preds, drop, rng)
        drop = float(np.mean(new_preds.pred == y_test) - np.mean(worse.pred == y_test))
    else:
        worse = degrade_values(y_test, new_preds, extra_squared_error(primary, y_test, new_preds.pred, drop), rng)
    degraded = build_results(spec, new_seed, y_test, worse, digest, len(train), new_sd)
    power = compare_results(base, [degraded], config, seed_fits=seed_fits)
    fresh_worse = None
    if data.X_fresh is not None:
        fresh = [score_fresh(m, data, base.models["model"].metrics) for m in models]
        fresh_worse = tuple(
            name
            for name, value in base.models["model"].metrics.items()
            if worse_beyond(resolve_gate(name, "quality", config), value, *(f[name] for f in fresh))
        )
    return Draw(
        dataset=name,
        draw=draw,
        test_rows=len(test),
        primary=primary,
        base=base_value,
        new=new_value,
        margin=tolerance,
        drop=drop,
        null_fail=null.verdict == "fail",
        null_failed=tuple(r.metric for r in null.failed),
        null_mde=primary_mde(null, primary),
        power_fail=power.verdict == "fail",
        power_mde=primary_mde(power, primary),
        fresh_worse=fresh_worse,
        seconds=time.perf_counter() - started,
    )


def score_fresh(model: Any, data: Data, metrics: Any) -> dict[str, float]:
    """Every metric of ``metrics`` on the fresh rows; a classifier's label is the argmax of its probabilities
    (what ``predict`` returns for the forests and for SGD with log loss), so it predicts once."""
    from mlgate.stats import score_predictions
    from mlgate.training.metrics import to_metric

    if hasattr(model, "predict_proba"):
        proba = model.predict_proba(data.X_fresh)
        preds = Predictions(pred=model.classes_[proba.argmax(axis=1)], proba=proba, classes=tuple(model.classes_))
    else:
        preds = Predictions(pred=model.predict(data.X_fresh))
    return {name: score_predictions(to_metric(name).scorer, data.y_fresh, preds) for name in metrics}


def worse_beyond(gate: Any, base_test: float, base: float, new: float) -> bool:
    """Whether ``new`` is worse than ``base`` by more than the gate's margin on the test set's baseline value."""
    gain = (new - base) * (1.0 if gate.direction == "higher" else -1.0)
    return bool(gain < -gate.tolerance(base_test))


def metrics_config(results: Any, margin: float | None) -> Any:
    """mlgate's defaults, or every quality gate with ``rel_tol: margin`` (0: no tolerance at all)."""
    from mlgate.config import GateConfig, MetricsConfig

    if margin is None:
        return MetricsConfig()
    names = results.models["model"].metrics
    return MetricsConfig(gates={n: GateConfig(rel_tol=margin, abs_tol=0.0) for n in names})


def primary_mde(comparison: Any, primary: str) -> float | None:
    return next((r.mde for r in comparison.rows if r.metric == primary and r.kind == "quality"), None)


def run_job(job: tuple[str, int, int, float | None, str, int, float]) -> Draw:
    return run_draw(*job)


# ---------------------------------------------------------------- summary and report
@dataclass(frozen=True)
class Summary:
    """One dataset's rates over its draws (medians of the per-draw values)."""

    dataset: str
    model: str
    draws: int
    test_rows: int
    primary: str
    base: float
    margin: float
    drop: float
    false_fail: float
    false_fail_se: float
    within: bool
    failed_metrics: str
    power: float
    power_se: float
    mde: float | None
    mde_allows: bool
    wall_s: float
    truly_worse: float | None = None  # share of draws whose PR is worse beyond a margin on the fresh rows
    fail_when_not: float | None = None  # false-fail rate over the other draws
    not_worse: int = 0  # how many draws those are


def summarise(name: str, draws: Sequence[Draw], wall_s: float, alpha: float = ALPHA) -> Summary:
    """Rates with Monte-Carlo SEs; ``within``: the false-fail rate ≤ alpha + 2·√(alpha(1 − alpha)/draws)."""
    count = len(draws)
    false_fail = sum(d.null_fail for d in draws) / count
    power = sum(d.power_fail for d in draws) / count
    mdes = [d.power_mde for d in draws if d.power_mde is not None]
    mde = statistics.median(mdes) if mdes else None
    drop = statistics.median(d.drop for d in draws)
    failed = Counter(m for d in draws for m in d.null_failed)
    spec = DATASETS[name]
    summary = Summary(
        dataset=name,
        model=f"{spec.estimator.rsplit('.', 1)[1]}({describe_params(spec.params)})",
        draws=count,
        test_rows=draws[0].test_rows,
        primary=draws[0].primary,
        base=statistics.median(d.base for d in draws),
        margin=statistics.median(d.margin for d in draws),
        drop=drop,
        false_fail=false_fail,
        false_fail_se=math.sqrt(false_fail * (1 - false_fail) / count),
        within=false_fail <= alpha + 2 * math.sqrt(alpha * (1 - alpha) / count),
        failed_metrics=", ".join(f"{m} {c}" for m, c in failed.most_common()) or "—",
        power=power,
        power_se=math.sqrt(power * (1 - power) / count),
        mde=mde,
        mde_allows=mde is not None and mde <= drop,
        wall_s=wall_s,
    )
    if any(d.fresh_worse is None for d in draws):
        return summary
    kept = [d for d in draws if not d.fresh_worse]
    return replace(
        summary,
        truly_worse=1 - len(kept) / count,
        not_worse=len(kept),
        fail_when_not=sum(d.null_fail for d in kept) / len(kept) if kept else None,
    )


def describe_params(params: dict[str, Any]) -> str:
    return ", ".join(f"{k}={v}" for k, v in params.items() if k != "n_jobs")


def format_tables(summaries: Sequence[Summary]) -> str:
    """Two markdown tables: false fails on seed-only PRs, then power on the injected drops."""
    null = [
        "| dataset | model | test rows | draws | primary (median) | margin | false fails | ≤ α + 2·SE | failing metrics"
        " | PR worse beyond a margin on fresh rows | false fails among the other draws |",
        "|---|---|---:|---:|---|---:|---:|---|---|---:|---:|",
    ]
    power = [
        "| dataset | test rows | injected drop (2·margin) | power | median MDE | power goal (≥ 0.8) | time s |",
        "|---|---:|---:|---:|---:|---|---:|",
    ]
    for s in summaries:
        fresh = "—" if s.truly_worse is None else f"{s.truly_worse:.3f}"
        among = "—" if s.fail_when_not is None else f"{s.fail_when_not:.3f} (of {s.not_worse})"
        null.append(
            "| "
            + " | ".join(
                [
                    s.dataset,
                    s.model,
                    f"{s.test_rows:,}",
                    str(s.draws),
                    f"{s.primary} {s.base:.4g}",
                    f"{s.margin:.4g}",
                    f"{s.false_fail:.3f} ± {s.false_fail_se:.3f}",
                    "yes" if s.within else "**no**",
                    s.failed_metrics,
                    fresh,
                    among,
                ]
            )
            + " |"
        )
        goal = "MDE does not allow" if not s.mde_allows else "met" if s.power >= POWER_GOAL else "**missed**"
        mde = "—" if s.mde is None else f"{s.mde:.4g}"
        power.append(
            "| "
            + " | ".join(
                [
                    s.dataset,
                    f"{s.test_rows:,}",
                    f"{s.drop:.4g}",
                    f"{s.power:.3f} ± {s.power_se:.3f}",
                    mde,
                    goal,
                    f"{s.wall_s:.0f}",
                ]
            )
            + " |"
        )
    return "\n".join([*null, "", *power])


# ---------------------------------------------------------------- main
def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--draws", type=int, default=500, help="seed-only PRs per dataset (default 500)")
    parser.add_argument("--quick", action="store_true", help="50 draws per dataset: a smoke run")
    parser.add_argument(
        "--datasets",
        nargs="+",
        choices=list(DATASETS),
        default=list(DEFAULT_DATASETS),
        help=f"default: {' '.join(DEFAULT_DATASETS)}",
    )
    parser.add_argument("--margin", type=float, help="every gate's rel_tol (0: no tolerance); default mlgate's own")
    parser.add_argument(
        "--regression-primary",
        choices=["r2", "root_mean_squared_error"],
        default="r2",
        help="the metric a regression degradation targets (default r2, the first default)",
    )
    parser.add_argument(
        "--seed-fits",
        type=int,
        default=3,
        help="reseeded refits per side for the seed spread (train.seed_fits; 0: the per-row test alone)",
    )
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="read back a dataset's draws from an earlier run in --work (<dataset>.json) when it "
        "has at least --draws of them; time s is then the draws' own time over --workers",
    )
    parser.add_argument(
        "--seed-fits-max-s",
        type=float,
        default=10.0,
        help="train.seed_fits_max_s (default mlgate's 10 s); a busy machine slows fits past it and drops the "
        "spread: the 100k sets' models fit in about 1 s on a quiet 2-core machine, so 30 keeps a shared "
        "machine's run the same as a quiet one's",
    )
    parser.add_argument("--workers", type=int, default=2, help="processes running draws (default 2)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the models' random_state and the noise")
    parser.add_argument("--work", type=Path, default=REPO / ".bench" / "gate", help="output dir")
    args = parser.parse_args(argv)
    if args.quick:
        args.draws = 50
    if args.draws < 2 or args.workers < 1 or (args.margin is not None and args.margin < 0):
        parser.error("--draws must be ≥ 2, --workers ≥ 1 and --margin ≥ 0")
    return args


def run_dataset(name: str, args: argparse.Namespace, pool: ProcessPoolExecutor, log: Callable[[str], None]) -> Summary:
    saved = args.work / f"{name}.json"
    if args.reuse and saved.exists():
        kept = [
            Draw(**{**d, **{k: tuple(v) for k, v in d.items() if isinstance(v, list)}})
            for d in json.loads(saved.read_text())
        ]
        if len(kept) >= args.draws:
            log(f"{name}: {len(kept)} draws read back from {saved}")
            return summarise(name, kept, sum(d.seconds for d in kept) / args.workers)
    started = time.perf_counter()
    jobs = [
        (name, draw, args.seed, args.margin, args.regression_primary, args.seed_fits, args.seed_fits_max_s)
        for draw in range(args.draws)
    ]
    draws: list[Draw] = []
    step = max(1, args.draws // 10)
    for draw in pool.map(run_job, jobs, chunksize=max(1, min(10, args.draws // (4 * args.workers)))):
        draws.append(draw)
        if len(draws) % step == 0 or len(draws) == args.draws:
            fails, power = sum(d.null_fail for d in draws), sum(d.power_fail for d in draws)
            log(
                f"{name}: {len(draws)}/{args.draws} draws, {fails} false fail(s), power {power / len(draws):.2f}, "
                f"{time.perf_counter() - started:.0f} s"
            )
    summary = summarise(name, draws, time.perf_counter() - started)
    (args.work / f"{name}.json").write_text(json.dumps([asdict(d) for d in draws], indent=1))
    return summary


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from benchkit import describe_machine, log

    for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(name, "1")  # one thread per worker process: the workers are the parallelism
    args.work.mkdir(parents=True, exist_ok=True)
    command = " ".join(shlex.quote(a) for a in [sys.executable, *sys.argv])
    machine = describe_machine(("scikit-learn", "numpy", "scipy", "mlgate"))
    started = time.perf_counter()
    log(f"{len(args.datasets)} dataset(s) × {args.draws} draws on {args.workers} worker(s)")
    with ProcessPoolExecutor(args.workers) as pool:
        summaries = [run_dataset(name, args, pool, log) for name in args.datasets]
    total = time.perf_counter() - started
    margin = "mlgate's default (1 % of the baseline value)" if args.margin is None else f"rel_tol {args.margin:g}"
    report = "\n".join(
        ["# PR gate calibration", "", f"Command: `{command}`", ""]
        + [f"- {key}: {value}" for key, value in machine.items()]
        + [f"- margin: {margin}; alpha {ALPHA}; runtime {total / 60:.1f} min", "", format_tables(summaries)]
    )
    print(report)
    (args.work / "results.md").write_text(report + "\n")
    raw = {"command": command, "machine": machine, "runtime_s": total, "summaries": [asdict(s) for s in summaries]}
    (args.work / "results.json").write_text(json.dumps(raw, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
