"""Live metrics: ground-truth labels joined to captured predictions, scored and tested against the registered values.

The labels file (CSV, Parquet or JSONL; read and joined by ``mlgate.monitor.labels``, which names every label
it leaves out) has ``monitor.labels_key`` (default ``request_id``), optionally ``row``, and the target column.
Without ``row`` a label applies to its request's one row (a request with several captured rows then needs
``row``). Metrics are the version's registered ones, computed from the captured predictions alone with
``mlgate.stats``: a metric that needs probabilities (ROC AUC, log loss) cannot be computed from captured labels
and is reported as skipped. Each live value comes with its standard error (``mlgate.stats.uncertainty``) and is
tested against the registered value and the standard error the version recorded (``mlgate.stats.unpaired``): it
fails when it is worse beyond ``monitor.margin`` (a share of the registered value) at ``monitor.alpha``;
``mlgate.monitor.decide`` then adjusts every test of the run together.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from mlgate.config import GateConfig, MetricsConfig, MonitorConfig
from mlgate.errors import DataError, InputError
from mlgate.gates import infer_direction
from mlgate.monitor.labels import LabelFile, as_text, check_vocabulary, join_labels
from mlgate.monitor.model import LabelCheck, LiveMetric


def score_live(
    y_true: Sequence[Any],
    y_pred: Sequence[Any],
    registered: Mapping[str, float],
    *,
    regression: bool,
    metrics: MetricsConfig,
    monitor: MonitorConfig | None = None,
    uncertainty: Mapping[str, Mapping[str, float]] | None = None,
) -> tuple[LiveMetric, ...]:
    """Each registered metric on the labelled rows, tested against its registered value (before Holm)."""
    from mlgate.stats import Predictions

    settings = monitor or MonitorConfig()
    truth, predicted = _aligned(y_true, y_pred, regression=regression)
    preds = Predictions(pred=predicted)
    return tuple(
        _score_one(name, base, truth, preds, metrics, settings, (uncertainty or {}).get(name))
        for name, base in registered.items()
    )


def _score_one(
    name: str,
    base: float,
    truth: Any,
    preds: Any,
    metrics: MetricsConfig,
    monitor: MonitorConfig,
    recorded: Mapping[str, float] | None,
) -> LiveMetric:
    from mlgate.stats.predictions import list_methods
    from mlgate.stats.scoring import find_scorer
    from mlgate.stats.uncertainty import Spread, estimate_spread
    from mlgate.stats.unpaired import test_shift

    try:
        found = find_scorer(name)
    except InputError:
        return LiveMetric(name, base, None, "skipped", "not a scikit-learn scorer")
    if "predict" not in list_methods(found.scorer._response_method):
        return LiveMetric(name, base, None, "skipped", "needs predicted probabilities, which capture does not keep")
    direction = metrics.gates.get(name, GateConfig()).direction or infer_direction(name)
    if direction == "none":
        return LiveMetric(name, base, None, "skipped", "no direction is known for this metric (metrics.gates)")
    try:
        live = estimate_spread(name, truth, preds, samples=metrics.bootstrap_samples)
    except InputError as exc:
        return LiveMetric(name, base, None, "skipped", f"cannot be computed: {exc.message}")
    registered_n = int(recorded["n"]) if recorded else None
    registered_se = float(recorded["se"]) if recorded else None
    reference = Spread(base, registered_se, registered_n or 0, "registered", live.quantiles)
    margin = monitor.margin * abs(base)
    test = test_shift(reference, live, direction=direction, margin=margin, alpha=monitor.alpha)
    status = "fail" if test.p_worse < monitor.alpha else "better" if test.p_better < monitor.alpha else "ok"
    return LiveMetric(
        name,
        base,
        live.value,
        status,
        "",
        n=live.n,
        registered_n=registered_n,
        registered_se=registered_se,
        direction=direction,
        margin=margin,
        test=test,
    )


def check_labels(
    labels: LabelFile,
    request_ids: Sequence[str],
    rows: Sequence[int],
    predictions: Sequence[Any],
    registered: Mapping[str, float],
    *,
    regression: bool,
    metrics: MetricsConfig,
    classes: Iterable[Any] = (),
    monitor: MonitorConfig | None = None,
    uncertainty: Mapping[str, Mapping[str, float]] | None = None,
) -> LabelCheck:
    """Join, score and test: the live-metrics part of the monitor. ``classes``: values the model predicts besides
    the captured ones (its registered prediction statistics), to tell a label encoding problem."""
    joined = join_labels(labels.labels, request_ids, rows, predictions)
    if not regression:
        joined = check_vocabulary(joined, [*classes, *predictions])
    issues = (*labels.issues, *joined.issues)
    if not joined.y_true:
        return LabelCheck(labels.source, len(labels.labels), 0, issues=issues)
    scored = score_live(
        joined.y_true,
        joined.y_pred,
        registered,
        regression=regression,
        metrics=metrics,
        monitor=monitor,
        uncertainty=uncertainty,
    )
    return LabelCheck(labels.source, len(labels.labels), len(joined.y_true), scored, issues=issues)


def _aligned(y_true: Sequence[Any], y_pred: Sequence[Any], *, regression: bool) -> tuple[Any, Any]:
    """Arrays of one type: floats for regression; for classification labels compared as text when types differ."""
    import numpy as np

    if regression:
        try:
            return np.asarray(y_true, np.float64), np.asarray(y_pred, np.float64)
        except (TypeError, ValueError) as exc:
            raise DataError("labels or captured predictions are not numbers, but the task is regression") from exc
    kinds = {type(v) for v in (*y_true, *y_pred)}
    if len(kinds) > 1 and not kinds <= {int, float}:
        return np.asarray([as_text(v) for v in y_true]), np.asarray([as_text(v) for v in y_pred])
    return np.asarray(y_true), np.asarray(y_pred)
