"""How often ``mlgate monitor`` breaches on healthy traffic, and how often it catches a shift of known size.

Run through ``python scripts/bench_monitor.py --calibrate`` (this module is imported by it).

Datasets: scikit-learn's bundled breast_cancer (binary), wine (3 classes), digits (10 classes) and diabetes
(regression), each taken as the population. A **version** is what ``mlgate registry register`` would record:
a model fitted on a training sample, the reference statistics of that sample and of the model's predictions on
it, and its metrics with their standard errors on an evaluation sample. A **window** is a batch of live rows with
labels. Training, evaluation and window rows are independent draws (with replacement) from the population, so a
healthy window comes from exactly the distribution the version was trained and scored on; resampling one fixed
held-back set would not be, once a window is larger than that set (these datasets have 178 to 1,797 rows).

Each window is judged by the functions ``mlgate monitor`` runs: the drift collector of the data gate on every
feature (``DriftCollector``, as ``check_inputs`` fills it), ``check_predictions``, ``score_live`` and
``decide_run`` at ``monitor.alpha``. Per dataset and window size: ``versions`` versions × ``windows`` windows
each, so the Monte-Carlo standard error of a rate is taken between versions (windows of one version share it).

Scenarios on the same windows: **healthy** (false breaches: any, drift, live metrics); **feature shift**: one
named feature moved by +0.5 of its standard deviation (caught: that feature drifted); **label noise**: 15 % of
the window's labels changed to another class, or for regression to another row's target (caught: a live metric
worse than registered).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

SIZES = (100, 400, 2000)
SHIFT_SD = 0.5
NOISE_SHARE = 0.15
SHIFTED = {"breast_cancer": "mean radius", "wine": "alcohol", "digits": "pixel_4_4", "diabetes": "bmi"}


@dataclass(frozen=True)
class Dataset:
    name: str
    X: np.ndarray[Any, Any]
    y: np.ndarray[Any, Any]
    features: tuple[str, ...]
    regression: bool
    make_model: Callable[[], Any]


@dataclass
class Tally:
    """Counts per version (a block of windows), for rates and their between-version standard error."""

    blocks: list[list[int]] = field(default_factory=list)

    def add_block(self) -> None:
        self.blocks.append([0, 0])

    def count(self, hit: bool) -> None:
        self.blocks[-1][0] += int(hit)
        self.blocks[-1][1] += 1

    def rate(self) -> tuple[float, float]:
        """The rate over every window and its Monte-Carlo standard error (between-version)."""
        hits, total = sum(b[0] for b in self.blocks), sum(b[1] for b in self.blocks)
        means = np.array([b[0] / b[1] for b in self.blocks if b[1]])
        se = float(np.std(means, ddof=1) / math.sqrt(means.size)) if means.size > 1 else math.nan
        binomial = math.sqrt(max(hits / total * (1 - hits / total), 1 / total) / total)
        return hits / total, max(se, binomial) if math.isfinite(se) else binomial


def load_datasets(names: Sequence[str]) -> list[Dataset]:
    from sklearn import datasets
    from sklearn.discriminant_analysis import LinearDiscriminantAnalysis
    from sklearn.linear_model import Ridge

    def classifier() -> Any:
        return LinearDiscriminantAnalysis(solver="lsqr", shrinkage="auto")  # closed form: fast and stable

    found = []
    for name in names:
        loaded = getattr(datasets, f"load_{name}")()
        features = tuple(str(f) for f in loaded.feature_names)
        regression = name == "diabetes"
        model = (lambda: Ridge(alpha=1.0)) if regression else classifier
        found.append(
            Dataset(name, np.asarray(loaded.data, np.float64), np.asarray(loaded.target), features, regression, model)
        )
    return found


@dataclass(frozen=True)
class Version:
    model: Any
    reference: Any  # ReferenceStats of the training sample
    predictions: Any  # ReferenceStats of the model's predictions on the evaluation sample
    metrics: dict[str, float]
    uncertainty: dict[str, dict[str, float]]
    population_sd: np.ndarray[Any, Any]


def register(data: Dataset, rng: np.random.Generator) -> Version:
    """A version as ``mlgate registry register`` records it, from fresh training and evaluation samples."""
    from mlgate.data.schema import Field, Schema
    from mlgate.data.stats import StatsCollector, from_data
    from mlgate.registry.samples import prediction_stats
    from mlgate.stats import collect_predictions
    from mlgate.stats.uncertainty import estimate_spread

    n = len(data.y)
    train, evaluation = rng.integers(0, n, n), rng.integers(0, n, max(n // 2, 100))
    model = data.make_model().fit(data.X[train], data.y[train])
    schema = Schema(fields=tuple(Field(name=f, type="number") for f in data.features))
    collector = StatsCollector(schema)
    for column, name in enumerate(data.features):
        collector.observe(name, _array(data.X[train, column]))
    collector.set_rows(n)
    reference = collector.finish(source="train", created="2026-01-01T00:00:00+00:00")
    predicted = model.predict(data.X[evaluation])  # as registered: on the evaluation rows it was not fitted on
    stats = prediction_stats(
        predicted, regression=data.regression, source="evaluation", created="2026-01-01T00:00:00+00:00"
    )
    names = (
        ("r2", "root_mean_squared_error", "mean_absolute_error")
        if data.regression
        else ("accuracy", "f1_macro", "roc_auc_ovr" if len(np.unique(data.y)) > 2 else "roc_auc")
    )
    preds = collect_predictions(model, data.X[evaluation], names)
    metrics, uncertainty = {}, {}
    for name in names:
        spread = estimate_spread(name, data.y[evaluation], preds, samples=500)
        metrics[name] = spread.value
        if spread.se is not None:
            uncertainty[name] = {"n": spread.n, "se": spread.se}
    return Version(model, reference, from_data(stats, "predictions"), metrics, uncertainty, data.X.std(axis=0))


def judge(data: Dataset, version: Version, X: np.ndarray[Any, Any], y: np.ndarray[Any, Any], alpha: float) -> Any:
    """One window through the monitor's functions: feature and prediction drift, live metrics, the decision."""
    from mlgate.config import MetricsConfig, MonitorConfig
    from mlgate.data.drift import DriftCollector
    from mlgate.data.schema import Field, Schema
    from mlgate.monitor.decide import decide_run
    from mlgate.monitor.judge import check_predictions
    from mlgate.monitor.live_metrics import score_live
    from mlgate.monitor.model import LabelCheck, MonitorResult, ReadSummary

    schema = Schema(fields=tuple(Field(name=f, type="number") for f in data.features))
    collector = DriftCollector(version.reference, schema)
    for column, name in enumerate(data.features):
        collector.observe(name, _array(X[:, column]))
    predicted = version.model.predict(X)
    plain = [float(p) for p in predicted] if data.regression else [int(p) for p in predicted]
    scored = score_live(
        list(y.tolist()),
        plain,
        version.metrics,
        regression=data.regression,
        metrics=MetricsConfig(bootstrap_samples=500),
        monitor=MonitorConfig(alpha=alpha),
        uncertainty=version.uncertainty,
    )
    result = MonitorResult(
        version="1",
        version_source="--version",
        since="24h",
        window_start="",
        window_end="",
        min_rows=100,
        read=ReadSummary("memory", rows=len(y)),
        feature_drift=collector.finish(),
        prediction_drift=check_predictions(plain, version.predictions, None),
        labels=LabelCheck("memory", len(y), len(y), scored),
    )
    return decide_run(result, alpha=alpha)


def raw_p_values(result: Any) -> list[float]:
    """Every test's p-value before Holm's adjustment: each field's drift test, each live metric's p_worse."""
    found = [f.p_value for report in (result.feature_drift, result.prediction_drift) for f in report.fields]
    found += [m.test.p_worse for m in result.labels.metrics if m.test is not None]
    return [p for p in found if p is not None]


def corrupt_labels(data: Dataset, y: np.ndarray[Any, Any], rng: np.random.Generator) -> np.ndarray[Any, Any]:
    """``NOISE_SHARE`` of the labels changed: to another class, or for regression to another row's target."""
    noisy = y.copy()
    rows = rng.random(y.size) < NOISE_SHARE
    if data.regression:
        noisy[rows] = rng.choice(data.y, int(rows.sum()))
        return noisy
    classes = np.unique(data.y)
    for index in np.flatnonzero(rows):
        noisy[index] = rng.choice(classes[classes != y[index]])
    return noisy


@dataclass
class Cell:
    """The tallies of one dataset and window size."""

    healthy: Tally = field(default_factory=Tally)
    drift: Tally = field(default_factory=Tally)
    metrics: Tally = field(default_factory=Tally)
    single: Tally = field(default_factory=Tally)  # each test of a healthy window on its own, before Holm
    shift: Tally = field(default_factory=Tally)
    noise: Tally = field(default_factory=Tally)
    drop: list[float] = field(default_factory=list)  # primary metric, live − registered, under label noise

    def tallies(self) -> tuple[Tally, ...]:
        return self.healthy, self.drift, self.metrics, self.single, self.shift, self.noise


def calibrate(data: Dataset, size: int, *, versions: int, windows: int, alpha: float, seed: int) -> Cell:
    """Healthy, shifted and noisy windows of ``size`` rows for ``versions`` versions of ``data``."""
    rng = np.random.default_rng([seed, size, len(data.y)])
    shifted = data.features.index(SHIFTED[data.name])
    cell = Cell()
    for _ in range(versions):
        version = register(data, rng)
        for tally in cell.tallies():
            tally.add_block()
        for _ in range(windows):
            rows = rng.integers(0, len(data.y), size)
            X, y = data.X[rows], data.y[rows]
            healthy = judge(data, version, X, y, alpha)
            drifted = bool(healthy.feature_drift.drifted or healthy.prediction_drift.drifted)
            cell.healthy.count(healthy.verdict == "breach")
            cell.drift.count(drifted)
            cell.metrics.count(healthy.labels.breach)
            for p in raw_p_values(healthy):
                cell.single.count(p < alpha)
            moved = X.copy()
            moved[:, shifted] += SHIFT_SD * version.population_sd[shifted]
            found = judge(data, version, moved, y, alpha)
            cell.shift.count(SHIFTED[data.name] in {r.field for r in found.feature_drift.drifted})
            noisy = judge(data, version, X, corrupt_labels(data, y, rng), alpha)
            cell.noise.count(noisy.labels.breach)
            primary = noisy.labels.metrics[0]
            if primary.live is not None and primary.registered is not None:
                cell.drop.append(primary.live - primary.registered)
    return cell


def _array(values: np.ndarray[Any, Any]) -> Any:
    import pyarrow as pa

    return pa.array(np.asarray(values, np.float64))


def percent(rate: tuple[float, float]) -> str:
    return f"{rate[0] * 100:.1f} ± {rate[1] * 100:.1f}"


def table_row(data: Dataset, size: int, cell: Cell, alpha: float) -> str:
    healthy = cell.healthy.rate()
    ok = "✓" if healthy[0] <= alpha + 2 * healthy[1] else "✗"
    primary = "r2" if data.regression else "accuracy"
    drop = f"{np.mean(cell.drop):+.3f}" if cell.drop else "—"
    return (
        f"| {data.name} | {size:,} | {percent(healthy)} {ok} | {percent(cell.drift.rate())} | "
        f"{percent(cell.metrics.rate())} | {percent(cell.single.rate())} | {percent(cell.shift.rate())} | "
        f"{percent(cell.noise.rate())} ({primary} {drop}) |"
    )


HEADER = (
    "| dataset | window rows | healthy: breach % (goal ≤ α + 2 se) | healthy: drift % | healthy: live metrics % "
    "| healthy: one test alone < α % | caught: +0.5 sd on one feature % | caught: 15 % labels wrong % (mean change) |\n"
    "|---|---:|---:|---:|---:|---:|---:|---:|"
)
