"""Log one tracker run per candidate model; a tracker that fails is one warning, never a failed command.

``track_candidates`` is what ``mlgate train`` and ``mlgate check`` call after their work is done: parameters
(the estimator's, the evaluation's), metrics (scores, seed spread, timings and, from a check, the comparison with
the baseline: its difference, the interval of the difference, the p-value and the smallest detectable drop),
tags (git commit, PR number, data digests, the command and mlgate's version) and two files under ``mlgate/``:
``metrics.json`` (the model's part of ``metrics.json``, readable by ``mlgate compare``) and, from a check,
``comparison.json`` (the model's rows of the comparison with the verdict).
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, replace
from typing import TYPE_CHECKING, Any

from mlgate import __version__
from mlgate.mlflow_api import URI_VARIABLE, shown_uri
from mlgate.notices import notify
from mlgate.results import to_data
from mlgate.tracking.client import RunRecord, TrackedRun, TrackingClient, TrackingFailed, run_url

if TYPE_CHECKING:
    from mlgate.compare import Row
    from mlgate.config import TrackingConfig
    from mlgate.progress import Say
    from mlgate.results import ModelResult, ResultSet

ARTIFACT_FOLDER = "mlgate"  # the run's files: mlgate/metrics.json, mlgate/comparison.json
KEY_LIMIT = 250  # MLflow's longest param, metric and tag key
PARAM_LIMIT = 6000  # its longest param value
TAG_LIMIT = 8000  # its longest tag value

_UNSAFE_KEY = re.compile(r"[^A-Za-z0-9_\-. /]")
# the comparison's numbers of a metric (Row fields) and the names they get in the run: ``<metric>.<name>``
_ROW_NUMBERS = {
    "base": "baseline",
    "diff": "diff",
    "low": "diff_low",
    "high": "diff_high",
    "p_worse": "p_worse",
    "mde": "mde",
}


@dataclass(frozen=True)
class Context:
    """What a run is about beyond its model: the command, the commit, the PR, the data and the comparison."""

    command: str  # "train" or "check"
    commit: str | None = None
    pr_number: int | None = None
    data: Sequence[tuple[str, str]] = ()  # (location, sha256) of each data file
    rows: Sequence[Row] = ()  # the comparison's rows (mlgate check)
    verdict: str | None = None


def track_candidates(
    settings: TrackingConfig,
    results: ResultSet,
    context: Context,
    *,
    environ: Mapping[str, str],
    open_client: Callable[[str], TrackingClient],
    say: Say | None = None,
    logged: Mapping[str, TrackedRun] | None = None,
) -> dict[str, TrackedRun]:
    """Log a run per model of ``results`` when ``tracking.mlflow`` is set; model name -> its run (none on failure).

    ``MLFLOW_TRACKING_URI`` wins over ``tracking.mlflow.tracking_uri``. A model in ``logged`` whose run is on
    this server (a matrix leg's ``mlgate train`` logged it) gets that run updated, not a second one. A failure
    (server down, credentials refused) stops logging with one notice naming the tracking URI and the fix; the
    runs logged before it are kept.
    """
    if settings.mlflow is None:
        return {}
    uri = environ.get(URI_VARIABLE) or settings.mlflow.tracking_uri
    if not uri:
        notify(
            "MLflow tracking: tracking.mlflow is set but names no tracking URI; no run was logged "
            f"(set tracking.mlflow.tracking_uri in mlgate.yaml or {URI_VARIABLE})"
        )
        return {}
    records = build_records(results, context)
    server = shown_uri(uri)
    reuse = {name: run for name, run in (logged or {}).items() if run.tracking_uri == server}
    tracked: dict[str, TrackedRun] = {}
    try:
        client = open_client(uri)
        experiment = client.find_experiment(settings.mlflow.experiment)
        for record in records:
            earlier = reuse.get(record.name)
            if earlier is not None:
                client.update_run(earlier.run_id, record)
                where, run_id = earlier.experiment_id, earlier.run_id
            else:
                where, run_id = experiment, client.log_run(experiment, record)
            tracked[record.name] = TrackedRun(record.name, where, run_id, run_url(uri, where, run_id), server)
    except TrackingFailed as exc:
        notify(
            f"MLflow tracking at {shown_uri(uri)}: {exc.problem}; {len(tracked)} of {len(records)} run(s) logged "
            f"(fix: {exc.fix})"
        )
        return tracked
    if say is not None:
        updated = sum(name in reuse for name in tracked)
        also = f" ({updated} of them logged by the training job, updated)" if updated else ""
        say(f"logged {len(tracked)} run(s) to MLflow at {server}, experiment '{settings.mlflow.experiment}'{also}")
    return tracked


def build_records(results: ResultSet, context: Context) -> list[RunRecord]:
    """The run of every model of ``results``, in their order."""
    return [
        RunRecord(
            name=name,
            params=_params(model, results),
            metrics=_metrics(model, [row for row in context.rows if row.model == name]),
            tags=_tags(model, results, context),
            artifacts=_artifacts(model, results, context),
        )
        for name, model in results.models.items()
    ]


def _artifacts(model: ModelResult, results: ResultSet, context: Context) -> dict[str, str]:
    """``mlgate/metrics.json`` (this model's metrics.json) and, from a check, ``mlgate/comparison.json``."""
    alone = replace(results, models={model.name: model}, predictions=None)
    files = {f"{ARTIFACT_FOLDER}/metrics.json": _json(to_data(alone))}
    rows = [row for row in context.rows if row.model == model.name]
    if context.command == "check":
        comparison = {"model": model.name, "verdict": context.verdict, "rows": [_row_data(row) for row in rows]}
        files[f"{ARTIFACT_FOLDER}/comparison.json"] = _json(comparison)
    return files


def _row_data(row: Row) -> dict[str, Any]:
    return asdict(row) | {"label": row.label}


def _json(document: Any) -> str:
    """Indented JSON; a non-finite number (a metric that failed) is written as null, never as NaN."""
    return json.dumps(_finite(document), indent=2, ensure_ascii=False, default=str) + "\n"


def _finite(value: Any) -> Any:
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_finite(v) for v in value]
    return value


def _params(model: ModelResult, results: ResultSet) -> dict[str, str]:
    values: dict[str, Any] = {f"model.{k}": v for k, v in model.params.items()}
    values["estimator"] = model.estimator
    evaluation = results.evaluation
    if evaluation is not None:
        values |= {"evaluation.kind": evaluation.kind, "evaluation.train_rows": evaluation.train_rows}
        values |= {"evaluation.test_rows": evaluation.test_rows, "evaluation.folds": evaluation.folds}
    return {_key(k): _text(v, PARAM_LIMIT) for k, v in values.items() if v is not None}


def _metrics(model: ModelResult, rows: Sequence[Row]) -> dict[str, float]:
    values: dict[str, float | None] = dict(model.metrics)
    values |= {f"{k}.seed_sd": v for k, v in model.seed_sd.items()}
    values |= {f"{k}.resample_sd": v for k, v in model.resample_sd.items()}
    values |= {f"timing.{k}": v for k, v in model.timings.items()}
    for row in rows:
        values |= {f"{row.metric}.{name}": getattr(row, field) for field, name in _ROW_NUMBERS.items()}
    return {_key(k): float(v) for k, v in values.items() if isinstance(v, (int, float)) and math.isfinite(v)}


def _tags(model: ModelResult, results: ResultSet, context: Context) -> dict[str, str]:
    values: dict[str, Any] = {
        "mlgate.command": context.command,
        "mlgate.version": __version__,
        "mlgate.model": model.name,
        "mlgate.estimator": model.estimator,
        "mlgate.pr": context.pr_number,
        "mlgate.verdict": context.verdict,
        "mlgate.artifact_sha256": model.artifact.sha256 if model.artifact is not None else None,
        "mlgate.data_sha256": results.evaluation.data_sha256 if results.evaluation is not None else None,
        "mlgate.data": "; ".join(f"{where} sha256:{digest}" for where, digest in context.data) or None,
    }
    commit = context.commit or results.commit
    if commit:
        values |= {"mlgate.commit": commit, "mlflow.source.git.commit": commit}
    return {k: _text(v, TAG_LIMIT) for k, v in values.items() if v is not None}


def _key(name: str) -> str:
    """``name`` with the characters MLflow refuses in a key replaced by ``_``, and no longer than it allows."""
    return _UNSAFE_KEY.sub("_", name)[:KEY_LIMIT]


def _text(value: Any, limit: int) -> str:
    text = value if isinstance(value, str) else json.dumps(value, sort_keys=True, default=str)
    return text if len(text) <= limit else text[: limit - 1] + "…"
