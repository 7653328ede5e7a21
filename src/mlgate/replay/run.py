"""One ``mlgate replay VERSION``: the version answers the captured traffic the live version answered, offline.

Order: the window (``--since``/``--until``, as ``mlgate monitor``) → the live version and the replayed one (which
must differ) → the captured rows the live version answered (smoke-test rows never count) → the replayed version's
model, loaded from the registry with its digest verified and only its trusted types → its answers to those rows'
inputs, read as training read the data (the version's feature schema; a row it cannot read is a schema violation,
counted with an example, never a crash) → disagreement, segments and flips (``compare``) → with ``--labels``, the
paired quality difference (``quality``) → the gates (``gates``). Nothing is written anywhere.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mlgate.config import Config
from mlgate.data.sources import FilesystemFactory
from mlgate.deploy.live import find_live_version
from mlgate.errors import InputError
from mlgate.monitor.run import capture_location, read_window
from mlgate.monitor.window import resolve_window
from mlgate.registry.model import ModelVersion, Registry
from mlgate.replay.compare import differs, find_flips, find_segments, interval
from mlgate.replay.gates import check_settings, judge
from mlgate.replay.model import ReplayResult
from mlgate.replay.quality import compare_quality
from mlgate.serve.request_error import RequestError

MAX_EXAMPLES = 5


@dataclass(frozen=True)
class ReplayRequest:
    """What the command asked for; None means the config's value."""

    version: str | None = None  # None: the newest approved version that is not live (what a deploy would pick)
    since: str | None = None
    until: str | None = None
    capture: str | None = None
    labels: Path | None = None


def run_replay(
    config: Config,
    registry: Registry,
    request: ReplayRequest,
    *,
    now: dt.datetime,
    s3: FilesystemFactory | None = None,
    clock: Callable[[], float] = time.perf_counter,
) -> ReplayResult:
    """Replay ``request.version`` over the window's captured traffic; see the module docstring."""
    settings = config.replay
    check_settings(settings)
    since = request.since or config.monitor.since
    start, end = resolve_window(
        since, request.until, now=now, since_where="--since" if request.since else "monitor.since"
    )
    live = find_live_version(config.deploy, registry, given=None)
    if live is None:
        raise InputError("no live version is known: replay compares a version with the live one", hint="deploy first")
    candidate = registry.get(request.version) if request.version else _newest_approved(registry, live.version.version)
    if candidate.version == live.version.version:
        raise InputError(
            f"version {candidate.version} is the live version: there is nothing to compare it with",
            hint="replay another version, e.g. the newest approved one",
        )
    features = _features(config, candidate)
    location = capture_location(config, request.capture)
    columns, summary = read_window(config, location, start=start, end=end, features=features, s3=s3)
    notes = []
    others = sum(1 for v in columns.version if v != live.version.version)
    if others:
        columns = columns.select([v == live.version.version for v in columns.version])
        notes.append(f"{others} captured row(s) were answered by other versions and are not replayed")
    absent = [name for name in features if name not in columns.inputs]
    if len(columns) and absent:
        raise InputError(
            f"the captured inputs have no {', '.join(absent)}, which version {candidate.version} needs",
            hint="capture every feature the version uses (check capture.drop) or replay a version that does not need it",
        )
    answers, invalid, seconds = _answer(candidate, registry, columns.inputs, features, len(columns), clock)
    regression = is_regression(config, candidate)
    kept = [i for i, answer in enumerate(answers) if answer is not None]
    live_answers = [columns.prediction[i] for i in kept]
    new_answers = [answers[i] for i in kept]
    disagree = [
        differs(a, b, regression=regression, tolerance=settings.tolerance)
        for a, b in zip(live_answers, new_answers, strict=True)
    ]
    inputs = {name: [values[i] for i in kept] for name, values in columns.inputs.items()}  # every captured field
    ids = [columns.request_id[i] for i in kept]
    differences = (
        [abs(float(b) - float(a)) for a, b in zip(live_answers, new_answers, strict=True)] if regression else []
    )
    quality = None
    if request.labels is not None and kept:
        rows = [columns.row[i] for i in kept]
        quality = compare_quality(config, candidate, request.labels, ids, rows, live_answers, new_answers, regression)
    result = ReplayResult(
        version=candidate.version,
        live_version=live.version.version,
        window_start=_iso(start),
        window_end=_iso(end),
        location=location,
        task="regression" if regression else "classification",
        rows=len(columns),
        replayed=len(kept),
        invalid=len(invalid),
        invalid_examples=tuple(invalid[:MAX_EXAMPLES]),
        disagreement=interval(sum(disagree), len(disagree), settings.alpha),
        segments=find_segments(inputs, disagree, alpha=settings.alpha, min_rows=max(1, settings.min_rows // 10)),
        flips=find_flips(ids, live_answers, new_answers, disagree, regression=regression, limit=settings.flips),
        mean_difference=sum(differences) / len(differences) if differences else None,
        seconds_per_1k=1000 * seconds / len(columns) if len(columns) else 0.0,
        quality=quality,
        gates=(),
        verdict="inconclusive",
        reason="",
        notes=tuple(notes) + ((f"{summary.smoke_rows} smoke-test row(s) skipped",) if summary.smoke_rows else ()),
    )
    return judge(result, settings)


def _newest_approved(registry: Registry, live: str) -> ModelVersion:
    approved = [v for v in registry.list() if v.status == "approved" and v.version != live]
    if not approved:
        raise InputError(
            f"no approved version other than the live version {live} to replay",
            hint="name one: mlgate replay VERSION (any registered version can be replayed)",
        )
    return approved[-1]


def _features(config: Config, version: ModelVersion) -> tuple[str, ...]:
    features = version.features
    if not features:
        raise InputError(f"version {version.version} records no features", hint="re-register it with mlgate registry")
    hidden = [name for name in features if name in config.capture.drop or name in config.capture.hash]
    if hidden:
        raise InputError(
            f"version {version.version} needs {', '.join(hidden)}, which capture drops or hashes (capture.drop/hash)",
            hint="replay needs the raw values of every feature the version uses",
        )
    return features


def _answer(
    version: ModelVersion,
    registry: Registry,
    inputs: dict[str, list[Any]],
    features: Sequence[str],
    count: int,
    clock: Callable[[], float],
) -> tuple[list[Any], list[str], float]:
    """The version's answer to each row (None where it could not read the row), the unreadable rows, the time."""
    from mlgate.artifacts import load_model

    if count == 0:
        return [], [], 0.0
    estimator = load_model(registry.artifact_path(version), sha256=version.sha256, trusted=version.trusted_types)
    columns = [inputs[name] for name in features]
    started = clock()
    try:
        answers = _predict(estimator, version, features, columns)
        return answers, [], clock() - started
    except RequestError:
        pass  # some rows cannot be read: answer row by row, counting the unreadable ones
    answers, invalid = [], []
    for index in range(count):
        row = [[column[index]] for column in columns]
        try:
            answers.extend(_predict(estimator, version, features, row))
        except RequestError as exc:
            answers.append(None)
            invalid.append(f"row {index + 1}: {exc.message}")
    return answers, invalid, clock() - started


def _predict(estimator: Any, version: ModelVersion, features: Sequence[str], columns: list[list[Any]]) -> list[Any]:
    import pandas as pd

    from mlgate.serve.convert import convert_columns, read_feature_schema
    from mlgate.serve.invoke import to_json_values
    from mlgate.serve.parse import build_frame

    schema = read_feature_schema(version.feature_schema, features, where=f"version {version.version}")
    if schema is None:
        frame = build_frame(features, columns)
    else:
        frame = pd.DataFrame(convert_columns(schema, columns, rows="captured row"), copy=False)
    try:
        return to_json_values(estimator.predict(frame))
    except (ValueError, TypeError, KeyError, IndexError) as exc:
        raise RequestError(422, f"version {version.version} cannot predict: {str(exc).splitlines()[0][:200]}") from exc


def is_regression(config: Config, version: ModelVersion | None) -> bool:
    """The config's task, else what the version's prediction statistics say (numeric: regression)."""
    if config.task:
        return config.task == "regression"
    fields = ((version.prediction_stats if version else None) or {}).get("fields") or {}
    return any(isinstance(f, dict) and f.get("kind") == "numeric" for f in fields.values())


def _iso(moment: dt.datetime) -> str:
    return moment.astimezone(dt.timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")
