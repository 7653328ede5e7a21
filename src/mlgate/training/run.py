"""``mlgate train``: fit every candidate, score it, time it, save it; write metrics.json and manifest.json.

Per model: build the estimator (import path, params, seeds), wrap it in the default preprocessing unless
``preprocess: none``, then ``clone`` -> ``fit`` -> score on the test rows (or per fold under CV, the
saved model then being refitted on all rows) -> latency -> ``models/<name>/model.skops``. A model whose
artifact needs types outside skops' defaults and ``artifacts.trusted_types`` stops the run (exit 2).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import difflib
import json
import time
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mlgate import __version__
from mlgate.artifacts import save_model
from mlgate.config import Config
from mlgate.dvc.versions import describe_version, read_data_versions
from mlgate.errors import ConfigError, InputError
from mlgate.files import staged_folder, write_atomic
from mlgate.progress import Say
from mlgate.results import MANIFEST_FILE, METRICS_FILE, Artifact, ModelResult, ResultSet, write_results
from mlgate.stats import Predictions
from mlgate.training.dataset import TrainingData, load_training_data
from mlgate.training.evaluate import Clock, Notes, class_count, cross_validate, fit, predict_scored
from mlgate.training.latency import measure_latency
from mlgate.training.manifest import GitRunner, build_manifest, git_commit
from mlgate.training.metrics import configured_metrics, metrics_for, primary_metric
from mlgate.training.paired_timing import warm_up
from mlgate.training.predictions import PREDICTIONS_FILE, PredictionSet, write_predictions
from mlgate.training.preprocess import build_pipeline, classify_columns, describe
from mlgate.training.seeds import measure_seed_spread
from mlgate.training.spec import (
    build_estimator,
    check_model_name,
    distributions,
    plain_params,
    project_paths,
)
from mlgate.training.split import Plan, plan_evaluation

MODEL_FILE = "model.skops"
RESULT_ENTRIES = frozenset({METRICS_FILE, MANIFEST_FILE, PREDICTIONS_FILE, "models"})  # what a results folder holds


@dataclass(frozen=True)
class TrainRun:
    """What ``train_models`` produced: the result set, the folder it wrote, and the manifest document."""

    results: ResultSet
    folder: Path
    manifest: dict[str, Any] = field(default_factory=dict)
    data: TrainingData | None = None  # the data as read, so a caller scoring more models need not read it again
    fitted: dict[str, Any] = field(default_factory=dict)  # the fitted models, for side-by-side timing
    sample: Any = None  # the rows latency is measured on (the test rows, or all rows under CV)


def select_models(config: Config, only: Sequence[str]) -> list[str]:
    """The models to train: all configured ones, or those named by ``--only`` (in config order)."""
    if not config.models:
        raise ConfigError(
            "mlgate.yaml declares no models",
            hint="add models: {name: {estimator: sklearn.linear_model.LogisticRegression}}",
        )
    wanted = [n for part in only for n in part.split(",") if n.strip()]
    for name in wanted:
        if name.strip() not in config.models:
            guess = difflib.get_close_matches(name, list(config.models), n=1)
            hint = f"did you mean '{guess[0]}'?" if guess else f"models: {', '.join(config.models)}"
            raise ConfigError(f"--only {name}: no model of that name in mlgate.yaml", hint=hint)
    chosen = {n.strip() for n in wanted}
    names = [n for n in config.models if not chosen or n in chosen]
    for name in names:
        check_model_name(name)
    return names


def model_input(name: str, estimator: Any, config: Config, data: TrainingData) -> tuple[Any, list[str]]:
    """The estimator as fitted: behind the default preprocessing, or as is for ``preprocess: none``."""
    if config.models[name].preprocess == "none":
        return estimator, []
    columns = classify_columns(data.schema, data.features, data.train.X)
    if not columns.numeric and not columns.categorical:
        raise InputError(
            f"model '{name}': no usable features after preprocessing ({'; '.join(describe(columns))})",
            hint="choose features in mlgate.yaml, or set preprocess: none and encode them yourself",
        )
    return build_pipeline(estimator, columns), describe(columns)


def train_models(
    config: Config,
    *,
    out: Path,
    only: Sequence[str] = (),
    progress: Say | None = None,
    runner: GitRunner | None = None,
    clock: Clock = time.perf_counter,
    now: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.timezone.utc),
    latency: bool = True,
    spread_known: Collection[str] = (),
    resample_max_s: float | None = None,
    resample_fits: int = 9,
) -> TrainRun:
    """Train the candidates into ``out`` (metrics.json, manifest.json, models/<name>/model.skops).

    ``latency: False`` leaves prediction latencies out (``mlgate check`` times candidates and baseline together).
    ``spread_known``: models whose seed spread the baseline already measured (``mlgate check``): they are not
    refitted with other seeds, and their ``seed_sd`` stays empty (the gate borrows the baseline's).
    ``resample_max_s`` (``mlgate retrain``): models that fit in under that many seconds are refitted
    ``resample_fits`` times on resampled training rows instead of reseeded (``ModelResult.resample_sd``,
    ``mlgate.training.seeds``).
    The folder is written atomically: filled as a hidden sibling, then renamed into place, so a failure or a
    crash leaves the previous results (or none), never a mix (``mlgate.files.staged_folder``).
    """
    with staged_folder(out, replaceable=RESULT_ENTRIES, what="results folder") as stage:
        run = _train(
            config,
            stage,
            only,
            progress=progress,
            runner=runner,
            clock=clock,
            now=now,
            latency=latency,
            spread_known=spread_known,
            resample=(resample_max_s, resample_fits),
        )
    if progress is not None:
        progress(f"wrote {out / METRICS_FILE}, {out / MANIFEST_FILE} and {len(run.results.models)} model file(s)")
    return dataclasses.replace(run, folder=out)


def _train(
    config: Config,
    out: Path,
    only: Sequence[str],
    *,
    progress: Say | None,
    runner: GitRunner | None,
    clock: Clock,
    now: Callable[[], dt.datetime],
    latency: bool,
    spread_known: Collection[str],
    resample: tuple[float | None, int],
) -> TrainRun:
    say = progress or (lambda _message: None)
    started = clock()
    names = select_models(config, only)
    configured_metrics(config.metrics)  # unknown metric names fail before any work
    with project_paths(config.root):
        estimators = {n: build_estimator(n, config.models[n], seed=config.train.seed) for n in names}
        train, test = config.as_written("data.train"), config.as_written("data.test")
        versions = read_data_versions(config)  # a tracked file missing from the workspace stops here
        for version in versions.values():
            say(describe_version(version))
        say(f"reading {train}" + (f" and {test}" if test else ""))
        data = load_training_data(config)
        plan = plan_evaluation(data, config.data.split)
        primary = primary_metric(config.metrics, data.task)
        loaded = clock()
        say(_describe_plan(plan))
        warm_up([model_input(n, estimators[n], config, data)[0] for n in names], plan.X, plan.y)
        models: dict[str, ModelResult] = {}
        notes: dict[str, list[str]] = {}
        predicted: dict[str, Predictions] = {}
        fitted: dict[str, Any] = {}
        for number, name in enumerate(names, start=1):
            say(f"[{number}/{len(names)}] {name}: fitting {config.models[name].estimator}")
            result, model_notes, rows, fitted[name] = _train_one(
                name,
                estimators[name],
                config,
                data,
                plan,
                out=out,
                clock=clock,
                latency=latency,
                spread=name not in spread_known,
                resample=resample,
            )
            models[name] = result
            if rows is not None:
                predicted[name] = rows
            notes[name] = model_notes
            for note in model_notes:
                say(f"[{number}/{len(names)}] {name}: note: {note}")
            say(f"[{number}/{len(names)}] {name}: " + _summary(result))
    predictions = None
    if plan.kind == "holdout" and predicted:
        predictions = PredictionSet(y=plan.y_test, keys=plan.keys_test, models=predicted)
    results = ResultSet(
        models=models,
        task=data.task,
        primary=primary,
        evaluation=plan.evaluation(),
        commit=git_commit(config.root, runner),
        mlgate_version=__version__,
        predictions=predictions,
    )
    write_results(out, results)
    if predictions is not None:
        write_predictions(out, predictions)
    manifest = build_manifest(
        config=config,
        results=results,
        plan=plan,
        schema=(str(data.schema.path or ""), data.schema.sha256),
        notes=notes,
        timings={"load_s": loaded - started, "total_s": clock() - started},
        modules=distributions([config.models[n].estimator for n in names]),
        created=now(),
        data_versions=versions,
    )
    write_atomic(out / MANIFEST_FILE, json.dumps(manifest, indent=2, allow_nan=False) + "\n")
    sample = plan.X_test if plan.X_test is not None else plan.X
    return TrainRun(results=results, folder=out, manifest=manifest, data=data, fitted=fitted, sample=sample)


def _train_one(
    name: str,
    estimator: Any,
    config: Config,
    data: TrainingData,
    plan: Plan,
    *,
    out: Path,
    clock: Clock,
    latency: bool = True,
    spread: bool = True,
    resample: tuple[float | None, int] = (None, 0),
) -> tuple[ModelResult, list[str], Predictions | None, Any]:
    from sklearn.base import clone

    model, dropped = model_input(name, estimator, config, data)
    notes = Notes()
    metrics = metrics_for(
        configured_metrics(config.metrics), data.task, classes=class_count(plan), proba=hasattr(model, "predict_proba")
    )
    final = clone(model)
    rows: Predictions | None = None
    seed_sd: dict[str, float] = {}
    resample_sd: dict[str, float] = {}
    if plan.kind == "cv":
        scores = cross_validate(name, model, plan, metrics, notes=notes, clock=clock)
        fit(name, final, plan.X, plan.y, notes=notes, clock=clock)
        values, folds, fit_s = scores.metrics, scores.folds, scores.fit_s
    else:
        X, y, X_test, y_test = plan.holdout()
        fit_s = fit(name, final, X, y, notes=notes, clock=clock)
        values, rows = predict_scored(name, final, metrics, X_test, y_test, notes=notes)
        folds = {}
        if spread or resample[0] is not None:  # retrain: the spread between training sets stands in for the seeds'
            found = measure_seed_spread(
                name,
                model,
                metrics,
                (X, y, X_test, y_test),
                first=(values, rows),
                fit_s=fit_s,
                settings=config.train,
                notes=notes,
                clock=clock,
                resample_max_s=resample[0],
                resample_fits=resample[1],
            )
            seed_sd, resample_sd = (found, {}) if resample[0] is None else ({}, found)
    sample = plan.X_test if plan.X_test is not None else plan.X
    timings: dict[str, float] = {}
    if latency:
        with notes.collect():
            timings = measure_latency(
                final, sample, rows=config.train.latency_rows, batch_rows=config.train.batch_rows, clock=clock
            )
    relative = f"models/{name}/{MODEL_FILE}"
    saved = save_model(
        final, out / relative, trusted=config.artifacts.trusted_types, what=f"model '{name}': its artifact"
    )
    timings = {"fit_s": round(fit_s, 4), **timings, "model_kb": round(saved.bytes / 1024, 2)}
    result = ModelResult(
        name=name,
        estimator=config.models[name].estimator,
        params=plain_params(estimator),
        metrics=values,
        folds=folds,
        timings=timings,
        artifact=Artifact(path=relative, sha256=saved.sha256, bytes=saved.bytes),
        seed_sd=seed_sd,
        resample_sd=resample_sd,
    )
    return result, [*dropped, *notes.items], rows, final


def _describe_plan(plan: Plan) -> str:
    if plan.kind == "cv":
        return f"cross-validation: {len(plan.folds)} folds over {len(plan.X)} rows"
    return f"holdout: {len(plan.X)} training rows, {0 if plan.X_test is None else len(plan.X_test)} test rows"


def _summary(result: ModelResult) -> str:
    metrics = ", ".join(f"{k} {v:.4f}" for k, v in result.metrics.items())
    return f"{metrics} · fit {result.timings.get('fit_s', 0.0):.2f} s"
