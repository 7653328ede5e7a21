"""Live metrics: ground-truth labels joined to captured predictions, scored and tested against the registered values.

The labels file (CSV, Parquet or JSONL) has ``monitor.labels_key`` (default ``request_id``), optionally ``row``,
and the target column. Without ``row`` a label applies to its request's one row (a request with several
captured rows then needs ``row``). Metrics are the version's registered ones, computed from the captured
predictions alone with ``mlgate.stats``: a metric that needs probabilities (ROC AUC, log loss) cannot be
computed from captured labels and is reported as skipped. Each live value comes with its standard error
(``mlgate.stats.uncertainty``) and is tested against the registered value and the standard error the version
recorded (``mlgate.stats.unpaired``): it fails when it is worse beyond ``monitor.margin`` (a share of the
registered value) at ``monitor.alpha``; ``mlgate.monitor.decide`` then adjusts every test of the run together.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from mlgate.config import GateConfig, MetricsConfig, MonitorConfig
from mlgate.errors import DataError, InputError
from mlgate.gates import infer_direction
from mlgate.monitor.model import LabelCheck, LiveMetric

ROW = "row"


def read_labels(path: Path, *, key: str, target: str) -> dict[tuple[str, int | None], Any]:
    """(request id, row or None) -> label, from a CSV, Parquet or JSONL file."""
    import pyarrow as pa

    table = _read_table(path, key)
    for needed in (key, target):
        if needed not in table.column_names:
            raise InputError(f"{path}: no column {needed!r} (columns: {', '.join(table.column_names)})",
                             hint=f"the labels need {key!r} (monitor.labels_key) and the target {target!r}")  # fmt: skip
    ids = [None if v is None else str(v) for v in table.column(key).to_pylist()]
    rows: list[Any] = table.column(ROW).to_pylist() if ROW in table.column_names else [None] * len(ids)
    values = table.column(target)
    labels = values.to_pylist() if not pa.types.is_dictionary(values.type) else values.cast(pa.string()).to_pylist()
    found: dict[tuple[str, int | None], Any] = {}
    for rid, row, label in zip(ids, rows, labels, strict=True):
        if rid is not None and label is not None:
            found[(rid, None if row is None else int(row))] = label
    return found


def _read_table(path: Path, key: str) -> Any:
    import pyarrow as pa
    import pyarrow.csv as pcsv
    import pyarrow.json as pjson
    import pyarrow.parquet as pq

    name = path.name.lower()
    if not path.is_file():
        raise InputError(f"labels file not found: {path}", hint="pass --labels FILE (CSV, Parquet or JSONL)")
    try:
        if name.endswith((".parquet", ".pq")):
            return pq.read_table(path)
        if name.endswith((".jsonl", ".json", ".ndjson")):
            return pjson.read_json(path)
        return pcsv.read_csv(path, convert_options=pcsv.ConvertOptions(column_types={key: pa.string()}))
    except (pa.ArrowInvalid, OSError) as exc:
        raise DataError(f"{path}: not a readable labels file: {str(exc).splitlines()[0]}",
                        hint="use CSV with a header, Parquet, or JSON Lines") from exc  # fmt: skip


def join_labels(
    labels: Mapping[tuple[str, int | None], Any], request_ids: Sequence[str], rows: Sequence[int],
    predictions: Sequence[Any],
) -> tuple[list[Any], list[Any]]:  # fmt: skip
    """(y_true, y_pred) of the captured rows that have a label."""
    per_request: dict[str, int] = {}
    for rid in request_ids:
        per_request[rid] = per_request.get(rid, 0) + 1
    y_true, y_pred = [], []
    for rid, row, prediction in zip(request_ids, rows, predictions, strict=True):
        if (rid, row) in labels:
            label = labels[(rid, row)]
        elif (rid, None) in labels:
            if per_request[rid] > 1:
                raise InputError(f"labels: request {rid!r} has {per_request[rid]} captured rows but its label has no row",
                                 hint="add a 'row' column (0-based, the row's index in its request)")  # fmt: skip
            label = labels[(rid, None)]
        else:
            continue
        if prediction is not None:
            y_true.append(label)
            y_pred.append(prediction)
    return y_true, y_pred


def score_live(
    y_true: Sequence[Any], y_pred: Sequence[Any], registered: Mapping[str, float], *, regression: bool,
    metrics: MetricsConfig, monitor: MonitorConfig | None = None,
    uncertainty: Mapping[str, Mapping[str, float]] | None = None,
) -> tuple[LiveMetric, ...]:  # fmt: skip
    """Each registered metric on the labelled rows, tested against its registered value (before Holm)."""
    from mlgate.stats import Predictions

    settings = monitor or MonitorConfig()
    truth, predicted = _aligned(y_true, y_pred, regression=regression)
    preds = Predictions(pred=predicted)
    return tuple(_score_one(name, base, truth, preds, metrics, settings, (uncertainty or {}).get(name))
                 for name, base in registered.items())  # fmt: skip


def _score_one(
    name: str, base: float, truth: Any, preds: Any, metrics: MetricsConfig, monitor: MonitorConfig,
    recorded: Mapping[str, float] | None,
) -> LiveMetric:  # fmt: skip
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
    return LiveMetric(name, base, live.value, status, "", n=live.n, registered_n=registered_n,
                      registered_se=registered_se, direction=direction, margin=margin, test=test)  # fmt: skip


def check_labels(
    source: str, labels: Mapping[tuple[str, int | None], Any], request_ids: Sequence[str], rows: Sequence[int],
    predictions: Sequence[Any], registered: Mapping[str, float], *, regression: bool, metrics: MetricsConfig,
    monitor: MonitorConfig | None = None, uncertainty: Mapping[str, Mapping[str, float]] | None = None,
) -> LabelCheck:  # fmt: skip
    """Join, score and test: the live-metrics part of the monitor."""
    y_true, y_pred = join_labels(labels, request_ids, rows, predictions)
    if not y_true:
        return LabelCheck(source, len(labels), 0)
    scored = score_live(y_true, y_pred, registered, regression=regression, metrics=metrics, monitor=monitor,
                        uncertainty=uncertainty)  # fmt: skip
    return LabelCheck(source, len(labels), len(y_true), scored)


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
        return np.asarray([_text(v) for v in y_true]), np.asarray([_text(v) for v in y_pred])
    return np.asarray(y_true), np.asarray(y_pred)


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
