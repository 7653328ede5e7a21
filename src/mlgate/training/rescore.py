"""Re-score the saved models of a results folder (e.g. a cached baseline) on the CURRENT evaluation data.

Apples to apples: the baseline's models are scored on this run's test rows (or folds), on this machine.
Each model is loaded through ``mlgate.artifacts.load_model`` (SHA-256 checked first; types beyond skops'
defaults must be in ``artifacts.trusted_types``). Holdout: the loaded model predicts the test rows;
``fit_s`` is the time to fit a clone on the training rows. CV: a clone is fitted and scored per fold.
Latency is measured on the loaded model, ``model_kb`` is the file's size.

A model that cannot be scored on this data (a feature column it needs is gone, say) is left out and its
reason is returned in ``Rescored.skipped``; a tampered or untrusted artifact stops the run (exit 2).
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mlgate import __version__
from mlgate.artifacts import load_model
from mlgate.config import Config, TrainConfig
from mlgate.errors import InputError
from mlgate.progress import Say
from mlgate.results import ModelResult, ResultSet, read_results
from mlgate.stats import Predictions
from mlgate.training.dataset import TrainingData, load_training_data
from mlgate.training.evaluate import Clock, Notes, class_count, cross_validate, fit, predict_scored
from mlgate.training.latency import measure_latency
from mlgate.training.metrics import configured_metrics, metrics_for, primary_metric
from mlgate.training.predictions import PredictionSet
from mlgate.training.spec import project_paths
from mlgate.training.split import Plan, plan_evaluation


@dataclass(frozen=True)
class Rescored:
    """The re-scored result set and, per model left out, why."""

    results: ResultSet
    skipped: dict[str, str] = field(default_factory=dict)
    loaded: dict[str, Any] = field(default_factory=dict)  # the baseline models as loaded, for side-by-side timing
    fitted_here: frozenset[str] = frozenset()  # models whose fit time was measured in this process


def rescore(
    folder: Path,
    config: Config,
    *,
    progress: Say | None = None,
    clock: Clock = time.perf_counter,
    fit_times: Mapping[str, float] | None = None,
    data: TrainingData | None = None,
    same: Mapping[str, ModelResult] | None = None,
    shared: PredictionSet | None = None,
    latency: bool = True,
) -> Rescored:
    """Score the models saved in ``folder`` on the evaluation data of ``config`` (see the module docstring).

    ``fit_times``: models whose fit time on this machine is already known (the caller trained the very same
    estimator, parameters and data here); they are not refitted just to be timed. ``data``: this config's
    data as already read (by the candidates' training), so it is not read twice. ``same``: the caller's
    results of models proven to be the very same fitted model on the same evaluation rows (see
    ``mlgate.baseline.reuse``); their scores and timings are taken as they are, the saved copy is not loaded,
    and their per-row predictions are taken from ``shared`` (the caller's predictions on these rows).
    ``latency: False`` leaves the prediction latencies to the caller (``mlgate check`` times both sides together).
    """
    say = progress or (lambda _message: None)
    previous = read_results(folder)
    root = folder if folder.is_dir() else folder.parent
    configured = configured_metrics(config.metrics)
    models: dict[str, ModelResult] = {}
    skipped: dict[str, str] = {}
    predicted: dict[str, Predictions] = {}
    loaded: dict[str, Any] = {}
    fitted_here: set[str] = set()
    with project_paths(config.root):
        data = data if data is not None else load_training_data(config)
        plan = plan_evaluation(data, config.data.split)
        for number, (name, old) in enumerate(previous.models.items(), start=1):
            if old.artifact is None:
                skipped[name] = "no saved model in the results"
                continue
            path = root / old.artifact.path
            twin = (same or {}).get(name)
            if twin is not None:
                say(f"[{number}/{len(previous.models)}] {name}: the same fitted model as the candidate: scores shared")
                timings = {**twin.timings, "model_kb": round(path.stat().st_size / 1024, 2)}
                models[name] = dataclasses.replace(twin, timings=timings, artifact=old.artifact)
                if shared is not None and name in shared.models:
                    predicted[name] = shared.models[name]
                continue
            say(f"[{number}/{len(previous.models)}] {name}: re-scoring the saved model")
            model = load_model(path, sha256=old.artifact.sha256, trusted=config.artifacts.trusted_types)
            metrics = metrics_for(
                configured, data.task, classes=class_count(plan), proba=hasattr(model, "predict_proba")
            )
            try:
                known = (fit_times or {}).get(name)
                values, folds, timings, rows = _score(
                    name, model, plan, metrics, settings=config.train, clock=clock, fit_s=known, latency=latency
                )
            except (InputError, ValueError, TypeError, KeyError, AttributeError, IndexError) as exc:
                reason = exc.message if isinstance(exc, InputError) else f"{type(exc).__name__}: {exc}"
                skipped[name] = reason.splitlines()[0]
                say(f"[{number}/{len(previous.models)}] {name}: skipped: {skipped[name]}")
                continue
            timings["model_kb"] = round(path.stat().st_size / 1024, 2)
            if rows is not None:
                predicted[name] = rows
            loaded[name] = model
            if known is None or plan.kind == "cv":
                fitted_here.add(name)
            models[name] = ModelResult(
                name=name,
                estimator=old.estimator,
                params=old.params,
                metrics=values,
                folds=folds,
                timings=timings,
                artifact=old.artifact,
                seed_sd=old.seed_sd,
            )
    results = ResultSet(
        models=models,
        task=data.task,
        primary=primary_metric(config.metrics, data.task),
        evaluation=plan.evaluation(),
        commit=previous.commit,
        mlgate_version=__version__,
        source=str(folder),
        predictions=PredictionSet(y=plan.y_test, keys=plan.keys_test, models=predicted)
        if plan.kind == "holdout"
        else None,
    )
    return Rescored(results=results, skipped=skipped, loaded=loaded, fitted_here=frozenset(fitted_here))


def _score(
    name: str,
    model: Any,
    plan: Plan,
    metrics: Any,
    *,
    settings: TrainConfig,
    clock: Clock,
    fit_s: float | None = None,
    latency: bool = True,
) -> tuple[dict[str, float], dict[str, tuple[float, ...]], dict[str, float], Predictions | None]:
    from sklearn.base import clone

    notes = Notes()
    rows: Predictions | None = None
    folds: dict[str, tuple[float, ...]] = {}
    if plan.kind == "cv":
        scores = cross_validate(name, model, plan, metrics, notes=notes, clock=clock)
        values, folds, fit_s = scores.metrics, scores.folds, scores.fit_s
        sample = plan.X
    else:
        X, y, X_test, y_test = plan.holdout()
        values, rows = predict_scored(name, model, metrics, X_test, y_test, notes=notes)
        if fit_s is None:  # timed here, on this machine: stored timings from another machine are never used
            fit_s = fit(name, clone(model), X, y, notes=notes, clock=clock)
        sample = X_test
    timings: dict[str, float] = {}
    if latency:
        with notes.collect():
            timings = measure_latency(
                model, sample, rows=settings.latency_rows, batch_rows=settings.batch_rows, clock=clock
            )
    return values, folds, {"fit_s": round(fit_s, 4), **timings}, rows
