"""One ``mlgate monitor`` run: find the live version, read the window's capture, judge it (see ``model``)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from mlgate.config import Config
from mlgate.data.sources import FilesystemFactory
from mlgate.deploy.live import find_live_version
from mlgate.errors import ConfigError, InputError
from mlgate.files import display_path
from mlgate.monitor.decide import decide_run
from mlgate.monitor.judge import check_inputs, check_predictions, schema_from_stats, traffic_schema
from mlgate.monitor.labels import read_labels
from mlgate.monitor.live_metrics import check_labels
from mlgate.monitor.model import LabelCheck, MonitorResult, ReadSummary
from mlgate.monitor.read import read_capture
from mlgate.monitor.records import Columns
from mlgate.monitor.stores import open_store
from mlgate.monitor.window import resolve_window

if TYPE_CHECKING:
    from mlgate.data.schema import Schema
    from mlgate.data.stats import ReferenceStats
    from mlgate.registry.model import ModelVersion, Registry


@dataclass(frozen=True)
class MonitorRequest:
    """What the command asked for; None means the config's value."""

    since: str | None = None
    until: str | None = None  # the window's end (default: now)
    capture: str | None = None
    labels: Path | None = None
    version: str | None = None


def capture_location(config: Config, given: str | None) -> str:
    """``--capture``, else ``monitor.capture``, else SageMaker's data-capture prefix and endpoint (sagemaker
    target), else ``capture.path``."""
    if given:
        return given if "://" in given else str(Path(given))
    if config.monitor.capture:
        return display_path(config.monitor.capture)
    prefix = config.sagemaker.data_capture_prefix
    if config.deploy.target == "sagemaker" and prefix:  # SageMaker writes under <prefix>/<endpoint>/<variant>/
        endpoint = config.sagemaker.endpoint
        return f"{prefix.rstrip('/')}/{endpoint}" if endpoint else prefix
    return display_path(config.capture.path)


def read_window(
    config: Config,
    location: str,
    *,
    start: dt.datetime,
    end: dt.datetime,
    features: Sequence[str],
    s3: FilesystemFactory | None = None,
) -> tuple[Columns, ReadSummary]:
    """The rows captured at ``location`` in [start, end]; a file may hold rows up to ``capture.rotate_s`` later
    than its name says, so that much slack decides which files are opened."""
    store = open_store(location, s3=s3)
    slack = dt.timedelta(seconds=config.capture.rotate_s)
    return read_capture(store, location, start=start, end=end, features=features, slack=slack)


def run_monitor(
    config: Config,
    registry: Registry,
    request: MonitorRequest,
    *,
    now: dt.datetime,
    s3: FilesystemFactory | None = None,
) -> MonitorResult:
    """Judge the captured traffic of the window (the last ``since``, or up to ``until``) against the live version."""
    check_settings(config)
    since = request.since or config.monitor.since
    start, end = resolve_window(
        since, request.until, now=now, since_where="--since" if request.since else "monitor.since"
    )
    live = find_live_version(config.deploy, registry, given=request.version or None, given_as="--version")
    if live is None:
        raise InputError(
            "no live version is known: nothing was deployed from this registry",
            hint="deploy a version first, or pass --version V",
        )
    version = live.version
    reference = _stats(version.reference_stats, f"version {version.version} reference_stats")
    features = version.features or tuple(n for n in (reference.fields if reference else {}) if n != config.target)
    location = capture_location(config, request.capture)
    columns, summary = read_window(config, location, start=start, end=end, features=features, s3=s3)
    base = MonitorResult(
        version=version.version,
        version_source=live.source,
        since=since,
        window_start=_iso(start),
        window_end=_iso(end),
        min_rows=config.monitor.min_rows,
        read=summary,
        until=request.until,
    )
    notes: list[str] = []
    others = sum(1 for v in columns.version if v and v != version.version)
    if others:
        columns = columns.select([not v or v == version.version for v in columns.version])
        base = dataclasses.replace(base, read=dataclasses.replace(summary, rows=len(columns)))
        notes.append(f"{others} captured row(s) were served by other versions and are not judged")
    if len(columns) == 0:
        notes.append(f"no captured rows since {_iso(start)} in {location}")
        return dataclasses.replace(base, notes=tuple(notes))
    schema = _schema(config, reference)
    if reference is None:
        notes.append(f"version {version.version} has no reference statistics: feature drift is not checked")
    result = _judge_inputs(config, base, columns, schema, reference, features, notes)
    if config.monitor.prediction_drift:
        stats = _stats(version.prediction_stats, f"version {version.version} prediction_stats")
        if stats is not None and stats.fields:
            result = dataclasses.replace(result, prediction_drift=check_predictions(columns.prediction, stats, schema))
        else:
            notes.append(f"version {version.version} has no prediction statistics: prediction drift is not checked")
    if request.labels is not None:
        result = dataclasses.replace(result, labels=_labels(config, version, columns, request.labels))
        if result.labels is not None and result.labels.metrics and not version.uncertainty:
            notes.append(
                f"version {version.version} recorded no standard errors of its metrics (registered before "
                "mlgate kept them, or from cross-validation): live metrics are tested with the live "
                "rows' spread alone"
            )
    result = decide_run(result, alpha=config.monitor.alpha)
    return dataclasses.replace(result, notes=tuple(notes))


def check_settings(config: Config) -> None:
    """``monitor.alpha`` and ``monitor.margin`` must be usable levels; else a ConfigError naming the key."""
    alpha, margin = config.monitor.alpha, config.monitor.margin
    if not 0 < alpha < 0.5:
        raise ConfigError(
            f"monitor.alpha is {alpha:g}; it must be between 0 and 0.5",
            hint="0.01: a healthy window breaches at most once in a hundred runs",
        )
    if not (math.isfinite(margin) and margin >= 0):
        raise ConfigError(
            f"monitor.margin is {margin:g}; it must be a number ≥ 0",
            hint="a share of the registered value: 0.02 lets a live metric be 2 % worse",
        )


def _judge_inputs(
    config: Config,
    base: MonitorResult,
    columns: Columns,
    schema: Schema | None,
    reference: ReferenceStats | None,
    features: tuple[str, ...],
    notes: list[str],
) -> MonitorResult:
    if schema is None:
        notes.append("no data.schema and no reference statistics: captured inputs are not validated")
        return base
    skipped: list[tuple[str, str]] = []
    checked: list[str] = []
    for name in features:
        if name in config.capture.drop:
            skipped.append((name, "dropped by capture.drop"))
        elif name in config.capture.hash:
            skipped.append((name, "hashed by capture.hash"))
        elif name not in columns.inputs:
            skipped.append((name, "not in the captured inputs"))
        elif schema.get(name) is None:
            skipped.append((name, "not in the schema"))
        else:
            checked.append(name)
    unknown = sorted(set(columns.inputs) - set(features))
    if unknown:
        notes.append("captured input fields the live version does not use: " + ", ".join(unknown))
    if not checked:
        notes.append("none of the live version's features can be checked in the captured inputs")
        return base
    cut = traffic_schema(schema, checked)
    inputs = {name: columns.inputs[name] for name in checked}
    check, drift = check_inputs(
        inputs,
        cut,
        reference=reference,
        max_invalid_fraction=config.monitor.max_invalid_fraction,
        skipped=skipped,
        max_examples=config.validate.max_examples,
        request_ids=columns.request_id,
    )
    return dataclasses.replace(base, schema=check, feature_drift=drift if reference is not None else None)


def _labels(config: Config, version: ModelVersion, columns: Columns, path: Path) -> LabelCheck:
    if not config.target:
        raise ConfigError("--labels needs the target column's name", hint="set `target:` in mlgate.yaml")
    if not version.metrics:
        raise InputError(f"version {version.version} has no registered metrics to compare live metrics with")
    regression = config.task == "regression" if config.task else _numeric_predictions(version)
    labels = read_labels(path, key=config.monitor.labels_key, target=config.target, regression=regression)
    return check_labels(
        labels,
        columns.request_id,
        columns.row,
        columns.prediction,
        version.metrics,
        regression=regression,
        metrics=config.metrics,
        classes=_predicted_classes(version),
        monitor=config.monitor,
        uncertainty=version.uncertainty,
    )


def _numeric_predictions(version: ModelVersion) -> bool:
    fields = (version.prediction_stats or {}).get("fields") or {}
    return any(isinstance(f, dict) and f.get("kind") == "numeric" for f in fields.values())


def _predicted_classes(version: ModelVersion) -> list[str]:
    """The classes the version predicted on its evaluation rows (its registered prediction statistics)."""
    fields = (version.prediction_stats or {}).get("fields") or {}
    return [str(c) for f in fields.values() if isinstance(f, dict) for c in (f.get("categories") or {})]


def _stats(document: dict[str, object] | None, where: str) -> ReferenceStats | None:
    if not document:
        return None
    from mlgate.data.stats import from_data

    return from_data(document, where)


def _schema(config: Config, reference: ReferenceStats | None) -> Schema | None:
    if config.data.schema:
        from mlgate.data.schema import load_schema

        return load_schema(Path(display_path(config.data.schema)))
    return schema_from_stats(reference) if reference is not None else None


def _iso(moment: dt.datetime) -> str:
    return moment.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
