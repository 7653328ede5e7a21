"""A new registry version from a results folder (``mlgate registry register``).

1. Pick the model: ``--model NAME``, or ``--best`` = the winner by the primary metric (first on ties,
   ``mlgate.compare.find_best_model``), or the only model of the folder.
2. Load its artifact with ``mlgate.artifacts.load_model``: SHA-256 from metrics.json first (a tampered
   file stops here, exit 2), then the types skops needs against ``artifacts.trusted_types``.
3. Read the training data as the config declares it; it must be the data (and schema) the results record in
   manifest.json, or the statistics would describe other data than the model was trained on.
4. Reference statistics of ``data.train`` (``mlgate schema stats``), of the model's predictions on the
   evaluation rows (rows it was not fitted on, so they are distributed as its predictions on healthy live
   traffic are; a model's predictions on its own training rows are not: a forest reproduces their labels), and
   golden predictions (``mlgate.registry.samples``). Under cross-validation there are no such rows: the
   predictions on the training data, and the label says so. Both statistics are labelled with the version's own
   training data (``training data of forest: data/train.csv, sha256 1a2b3c4d5e6f…, 4,800 rows``), and the
   reference records that file's size and SHA-256: ``data/train.csv`` holds other data after the next
   fetch, so the path alone would name the wrong data.
5. The standard error of each metric on the evaluation rows, from the results' ``predictions.parquet``
   (``mlgate.registry.uncertainty``), for the monitor's comparison of live metrics with the registered ones.

Metrics, params and the commit come from metrics.json; data and schema digests from metrics.json and
manifest.json. The version number is given by the registry when it stores the version.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import difflib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mlgate.artifacts import load_model, untrusted_types
from mlgate.compare import find_best_model
from mlgate.config import Config
from mlgate.errors import InputError
from mlgate.progress import Say
from mlgate.registry.actor import format_time
from mlgate.registry.model import ModelVersion, StatusChange
from mlgate.registry.samples import predict, prediction_stats, sample_golden
from mlgate.registry.uncertainty import measure_uncertainty
from mlgate.results import ModelResult, ResultSet, read_manifest, read_results


@dataclass(frozen=True)
class Candidate:
    """A version ready to be registered and the artifact file to copy into the registry."""

    version: ModelVersion
    artifact_file: Path


def _predict_reference(
    estimator: Any, plan: Any, name: str, trained_on: str, *, test: str | None, what: str
) -> tuple[Any, str]:
    """The predictions the version's prediction drift is measured against, and the label saying on what rows."""
    if plan.X_test is not None and len(plan.X_test):
        held = test or "rows held out of the training data (data.split)"
        source = f"predictions of {name} on its {len(plan.X_test):,} evaluation rows ({held}), not fitted on"
        return predict(estimator, plan.X_test, what=what), source
    source = f"predictions of {name} on its training data (cross-validated: no held-out rows): {trained_on}"
    return predict(estimator, plan.X, what=what), source


def choose_model(results: ResultSet, config: Config, *, model: str | None, best: bool) -> str:
    """The model to register (see the module docstring); every ambiguity is an InputError."""
    names = list(results.models)
    if model is not None and best:
        raise InputError("pass --best or --model NAME, not both")
    if model is not None:
        if model not in results.models:
            guess = difflib.get_close_matches(model, names, n=1)
            hint = f"did you mean '{guess[0]}'?" if guess else f"models in the results: {', '.join(names) or 'none'}"
            raise InputError(f"--model {model}: no such model in {results.source}", hint=hint)
        return model
    if best:
        primary = results.primary or config.metrics.primary
        winner = find_best_model(results, primary, config.metrics)
        if winner is None:
            raise InputError(
                f"cannot pick the best model of {results.source}: primary metric {primary!r} "
                "is missing or has no known direction",
                hint="set metrics.gates.<metric>.direction, or pass --model NAME",
            )
        return winner
    if len(names) == 1:
        return names[0]
    raise InputError(
        f"{results.source} holds {len(names)} models ({', '.join(names)}): which one?",
        hint="pass --best (winner by the primary metric) or --model NAME",
    )


def build_candidate(
    folder: Path,
    config: Config,
    *,
    model: str | None,
    best: bool,
    by: str,
    now: dt.datetime,
    progress: Say | None = None,
) -> Candidate:
    """Everything a new version records (see the module docstring)."""
    from mlgate.data.schema import reading_schema
    from mlgate.data.stats import compute_stats, to_data
    from mlgate.training.dataset import load_training_data
    from mlgate.training.spec import project_paths
    from mlgate.training.split import plan_evaluation

    say = progress or (lambda _message: None)
    results = read_results(folder)
    root = folder if folder.is_dir() else folder.parent
    manifest = read_manifest(root)
    name = choose_model(results, config, model=model, best=best)
    chosen = results.models[name]
    if chosen.artifact is None:
        raise InputError(f"model '{name}' in {results.source} has no saved artifact", hint="re-run `mlgate train`")
    artifact = root / chosen.artifact.path
    what = f"model '{name}'"
    say(f"verifying {artifact} (SHA-256 {chosen.artifact.sha256[:12]}…)")
    with project_paths(config.root):
        estimator = load_model(artifact, sha256=chosen.artifact.sha256, trusted=config.artifacts.trusted_types)
        needed = untrusted_types(artifact.read_bytes())
        train, test = config.as_written("data.train"), config.as_written("data.test")
        say(f"reading {train}" + (f" and {test}" if test else ""))
        data = load_training_data(config)
        check_same_data(manifest, [d.file.sha256 for d in (data.train, data.test) if d], data.schema.sha256, root)
        features = check_features(estimator, data.features, what=what)
        plan = plan_evaluation(data, config.data.split)
        created = format_time(now)
        say(f"reference statistics of {data.train.file.uri}")
        stats = compute_stats(
            data.train.file.uri, data.schema, csv=config.data.csv, clock=lambda: now, fingerprint=True
        )
        trained_on = label_training_data(train or data.train.file.uri, stats.source_sha256, stats.rows)
        reference = to_data(dataclasses.replace(stats, source=f"training data of {name}: {trained_on}"))
        predictions, source = _predict_reference(estimator, plan, name, trained_on, test=test, what=what)
        predicted = prediction_stats(predictions, regression=data.task == "regression", source=source, created=created)
        rows = plan.X_test if plan.X_test is not None else plan.X
        golden = sample_golden(estimator, rows, count=config.registry.golden_rows, seed=config.train.seed, what=what)
        uncertainty = measure_uncertainty(
            root, name, chosen.metrics, samples=config.metrics.bootstrap_samples, seed=config.train.seed
        )
    version = ModelVersion(
        version="",
        model=name,
        estimator=chosen.estimator,
        artifact=str(artifact),
        sha256=chosen.artifact.sha256,
        metrics=dict(chosen.metrics),
        params=dict(chosen.params),
        data_sha256=_data_digest(results, manifest),
        schema_sha256=_schema_digest(manifest) or data.schema.sha256,
        commit=results.commit or _text(manifest.get("commit")),
        registered_by=by,
        registered_at=created,
        trusted_types=needed,
        features=features,
        feature_schema=reading_schema(data.schema, features),
        golden=golden,
        reference_stats=reference,
        prediction_stats=predicted,
        history=(StatusChange(status="pending", by=by, reason=f"registered from {folder}", at=created),),
        extra=_extra(results, chosen, manifest, folder=folder, target=data.target, frame=data.train.X),
        uncertainty=uncertainty,
    )
    return Candidate(version=version, artifact_file=artifact)


def label_training_data(path: str, sha256: str | None, rows: int) -> str:
    """``data/train.csv, sha256 1a2b3c4d5e6f…, 4,800 rows``: which training data, exactly."""
    digest = f", sha256 {sha256[:12]}…" if sha256 else ""
    return f"{path}{digest}, {rows:,} rows"


def check_same_data(manifest: Mapping[str, Any], digests: list[str], schema_sha256: str, root: Path) -> None:
    """The data and schema read now must be those the results were trained on (when the manifest says)."""
    recorded = manifest.get("data")
    if isinstance(recorded, list) and recorded:
        known = {str(item.get("sha256")) for item in recorded if isinstance(item, dict)}
        if any(digest not in known for digest in digests):
            raise InputError(
                f"the data in mlgate.yaml is not the data {root} was trained on (SHA-256 differs)",
                hint="re-run `mlgate train` on the current data, then register its results",
            )
    recorded_schema = _schema_digest(manifest)
    if recorded_schema and recorded_schema != schema_sha256:
        raise InputError(
            f"the schema in mlgate.yaml is not the schema {root} was trained with (SHA-256 differs)",
            hint="re-run `mlgate train` with the current schema, then register its results",
        )


def check_features(estimator: Any, features: tuple[str, ...], *, what: str) -> tuple[str, ...]:
    """The model's input columns: the configured features, which must be those it was fitted on."""
    fitted = getattr(estimator, "feature_names_in_", None)
    if fitted is not None and tuple(str(f) for f in fitted) != features:
        raise InputError(
            f"{what} was fitted on features {', '.join(map(str, fitted))}, "
            f"but mlgate.yaml now gives {', '.join(features)}",
            hint="re-run `mlgate train` with the current config, then register its results",
        )
    return features


def feature_kinds(frame: Any) -> dict[str, str]:
    """Per input column, ``number`` (a float64 column of the feature frame) or ``string`` (an object column).

    An endpoint building a frame from JSON needs it for columns whose values are all missing.
    """
    import pandas as pd

    return {str(n): "string" if pd.api.types.is_object_dtype(t) else "number" for n, t in frame.dtypes.items()}


def _data_digest(results: ResultSet, manifest: Mapping[str, Any]) -> str | None:
    if results.evaluation is not None and results.evaluation.data_sha256:
        return results.evaluation.data_sha256
    evaluation = manifest.get("evaluation")
    return _text(evaluation.get("data_sha256")) if isinstance(evaluation, dict) else None


def _schema_digest(manifest: Mapping[str, Any]) -> str | None:
    schema = manifest.get("schema")
    return _text(schema.get("sha256")) if isinstance(schema, dict) else None


def _text(value: Any) -> str | None:
    return None if value is None or value == "" else str(value)


def _extra(
    results: ResultSet, chosen: ModelResult, manifest: Mapping[str, Any], *, folder: Path, target: str, frame: Any
) -> dict[str, Any]:
    data = manifest.get("data")
    return {
        "results": str(folder.resolve()),
        "task": results.task,
        "target": target,
        "primary": results.primary,
        "mlgate_version": results.mlgate_version,
        "timings": dict(chosen.timings),
        "data_files": list(data) if isinstance(data, list) else [],
        "feature_kinds": feature_kinds(frame),
    }
