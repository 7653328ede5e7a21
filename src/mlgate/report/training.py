"""``mlgate train``'s report: a table of the models (text), or the metrics.json document (json)."""

from __future__ import annotations

import json
import statistics
from typing import TYPE_CHECKING

from mlgate.results import TIMING_LABELS, to_data

if TYPE_CHECKING:
    from mlgate.training.run import TrainRun


def render_text(run: TrainRun) -> str:
    """A table: one row per model, quality metrics (mean ± std under CV), then timings."""
    from tabulate import tabulate

    results, folder = run.results, run.folder
    metrics: list[str] = []
    for model in results.models.values():
        metrics += [m for m in model.metrics if m not in metrics]
    timings = [t for t in TIMING_LABELS if any(t in m.timings for m in results.models.values())]
    rows = []
    for name, model in results.models.items():
        cells = [_metric_cell(model.metrics.get(m), model.folds.get(m)) for m in metrics]
        rows.append([name, *cells, *(_number(model.timings.get(t)) for t in timings)])
    headers = ["model", *metrics, *(TIMING_LABELS[t] for t in timings)]
    evaluation = results.evaluation
    how = ""
    if evaluation is not None:
        how = (
            f"{evaluation.folds}-fold cross-validation over {evaluation.train_rows} rows"
            if evaluation.kind == "cv"
            else f"holdout: {evaluation.train_rows} training rows, {evaluation.test_rows} test rows"
        )
    lines = [
        f"mlgate train: {len(results.models)} model(s), {how}"
        + (f", primary metric {results.primary}" if results.primary else ""),
        "",
        tabulate(rows, headers=headers, tablefmt="simple", disable_numparse=True),
        "",
        f"Results: {folder}/metrics.json · provenance: {folder}/manifest.json",
    ]
    return "\n".join(lines) + "\n"


def render_json(run: TrainRun) -> str:
    """The metrics.json document of the run (strict JSON: no NaN), with ``mlflow_runs`` when tracking logged them."""
    runs = run.manifest.get("mlflow_runs")
    return json.dumps(to_data(run.results) | ({"mlflow_runs": runs} if runs else {}), indent=2, allow_nan=False) + "\n"


def _metric_cell(mean: float | None, folds: tuple[float, ...] | None) -> str:
    if mean is None:
        return "–"
    if folds and len(folds) > 1:
        return f"{mean:.4f} ± {statistics.stdev(folds):.4f}"
    return f"{mean:.4f}"


def _number(value: float | None) -> str:
    return "–" if value is None else f"{value:.4g}"
