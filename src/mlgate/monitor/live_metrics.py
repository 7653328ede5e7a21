"""Live metrics: ground-truth labels joined to captured predictions, scored and judged by the model gate's gates.

The labels file (CSV, Parquet or JSONL; read and joined by ``mlgate.monitor.labels``, which names every label
it leaves out) has ``monitor.labels_key`` (default ``request_id``), optionally ``row``, and the target column.
Without ``row`` a label applies to its request's one row (a request with several captured rows then needs
``row``). Metrics are the version's registered ones, computed with scikit-learn's
scorers from the captured predictions alone: a metric that needs probabilities (ROC AUC, log loss) cannot be
computed from captured labels and is reported as skipped. Each value is judged against the registered one
with ``metrics.gates`` exactly as ``mlgate compare`` judges a candidate against its baseline.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from mlgate.config import MetricsConfig
from mlgate.errors import ConfigError, DataError
from mlgate.gates import judge_change, resolve_gate
from mlgate.monitor.labels import LabelFile, as_text, check_vocabulary, join_labels
from mlgate.monitor.model import LabelCheck, LiveMetric


def score_live(
    y_true: Sequence[Any], y_pred: Sequence[Any], registered: Mapping[str, float], *, regression: bool,
    metrics: MetricsConfig,
) -> tuple[LiveMetric, ...]:  # fmt: skip
    """Each registered metric on the labelled rows, judged against its registered value."""
    import numpy as np
    from sklearn.metrics import get_scorer

    from mlgate.training.metrics import to_metric

    truth, predicted = _aligned(y_true, y_pred, regression=regression)
    replay = _replay(predicted, truth, regression=regression)
    index = np.arange(len(truth)).reshape(-1, 1)
    found = []
    for name, base in registered.items():
        try:
            metric = to_metric(name)
        except ConfigError:
            found.append(LiveMetric(name, base, None, "skipped", "not a scikit-learn scorer"))
            continue
        try:
            live = metric.sign * float(get_scorer(metric.scorer)(replay, index, truth)) + 0.0
        except (AttributeError, ValueError, TypeError) as exc:
            reason = "needs predicted probabilities, which capture does not keep" if isinstance(exc, AttributeError) \
                else f"cannot be computed: {str(exc).splitlines()[0]}"  # fmt: skip
            found.append(LiveMetric(name, base, None, "skipped", reason))
            continue
        if not np.isfinite(live):
            found.append(LiveMetric(name, base, None, "skipped", "undefined on these rows"))
            continue
        judgement = judge_change(
            resolve_gate(name, "quality", metrics, default_margin=False), base, live, p_value=None, alpha=metrics.alpha
        )
        found.append(LiveMetric(name, base, live, judgement.status, judgement.reason))
    return tuple(found)


def check_labels(
    labels: LabelFile, request_ids: Sequence[str], rows: Sequence[int], predictions: Sequence[Any],
    registered: Mapping[str, float], *, regression: bool, metrics: MetricsConfig, classes: Iterable[Any] = (),
) -> LabelCheck:  # fmt: skip
    """Join, score and judge: the live-metrics part of the monitor. ``classes``: values the model predicts
    besides the captured ones (its registered prediction statistics), to tell a label encoding problem."""
    joined = join_labels(labels.labels, request_ids, rows, predictions)
    if not regression:
        joined = check_vocabulary(joined, [*classes, *predictions])
    issues = (*labels.issues, *joined.issues)
    if not joined.y_true:
        return LabelCheck(labels.source, len(labels.labels), 0, issues=issues)
    scored = score_live(joined.y_true, joined.y_pred, registered, regression=regression, metrics=metrics)
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


def _replay(predicted: Any, truth: Any, *, regression: bool) -> Any:
    """A fitted stand-in whose ``predict`` returns the captured predictions of the rows it is given (by index)."""
    import numpy as np
    from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin

    class Replay(BaseEstimator):  # type: ignore[misc]
        def predict(self, X: Any) -> Any:
            return predicted[np.asarray(X)[:, 0].astype(int)]

    class ReplayClassifier(ClassifierMixin, Replay):  # type: ignore[misc]
        pass

    class ReplayRegressor(RegressorMixin, Replay):  # type: ignore[misc]
        pass

    model: Any = ReplayRegressor() if regression else ReplayClassifier()
    if not regression:
        model.classes_ = np.unique(np.concatenate([truth, predicted]))
    return model
