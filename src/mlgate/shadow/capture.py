"""A SageMaker shadow's records, from the endpoint's data capture: the live answer and the shadow's, paired.

SageMaker captures a shadowed request twice, once under the production variant's folder and once under the shadow
variant's, with the same ``inferenceId``/``eventId`` (the request id mlgate reads); each answer names the version
that gave it (``inference.py`` puts it in the body). A row of the live version and a row of the shadow version with
the same request id and row number make one shadow record, as the local server writes them. SageMaker does not
capture a shadow answer that failed, nor either latency: failures cannot be counted from capture (CloudWatch has
them per variant) and both latencies are left empty — the notes say so.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from mlgate.config import Config
from mlgate.deploy.experiment import find_experiments
from mlgate.deploy.target import Target
from mlgate.errors import InputError
from mlgate.monitor.run import capture_location, read_window
from mlgate.registry.model import Registry
from mlgate.shadow.status import ShadowStatus, judge_shadow

NOTES = (
    "SageMaker captures neither latency nor a failed shadow answer: both latencies are empty and failures cannot "
    "be counted here (CloudWatch has them per variant: ModelLatency, Invocation5XXErrors of the shadow variant)",
)


def read_capture_records(
    config: Config,
    *,
    shadow: str | None,
    features: Sequence[str],
    start: dt.datetime | None,
    end: dt.datetime,
    live: str | None = None,
) -> tuple[list[dict[str, Any]], int]:
    """The paired records of ``shadow``'s answers in [start, end] (default start: a day before ``end``) and the
    number of capture lines that could not be read. ``shadow`` None: any version that answered a request ``live``
    (the live version) answered too; an A/B challenger answers other requests than the champion, so only a shadow
    pairs."""
    location = capture_location(config, None)
    since = start or end - dt.timedelta(days=1)
    columns, summary = read_window(config, location, start=since, end=end, features=features)
    by_key: dict[tuple[str, int], list[int]] = {}
    for index, key in enumerate(zip(columns.request_id, columns.row, strict=True)):
        by_key.setdefault(key, []).append(index)
    names = list(columns.inputs)
    records = []
    for (rid, row), found in by_key.items():
        if shadow is not None:
            first = next((i for i in found if columns.version[i] != shadow), None)
            second = next((i for i in found if columns.version[i] == shadow), None)
        else:
            first = next((i for i in found if live is None or columns.version[i] == live), None)
            mine = None if first is None else columns.version[first]
            second = next((i for i in found if mine is not None and columns.version[i] != mine), None)
        if first is None or second is None:
            continue
        records.append(
            {
                "request_id": rid,
                "row": row,
                "live_version": columns.version[first],
                "live": columns.prediction[first],
                "shadow_version": columns.version[second],
                "shadow": columns.prediction[second],
                "error": None,
                "inputs": {name: columns.inputs[name][first] for name in names},
            }
        )
    return records, summary.malformed + len(summary.problems)


def read_endpoint_status(
    config: Config,
    target: Target,
    registry: Registry,
    *,
    version: str | None,
    since: dt.datetime | None,
    regression: bool,
) -> ShadowStatus:
    """``mlgate shadow status`` of an endpoint whose data capture holds both variants' answers (SageMaker)."""
    running = find_experiments(target).read_shadow()
    shadow = version or (running.version if running else None)
    live = target.current()
    if shadow is None or live is None:
        raise InputError(
            f"no shadow runs on {target.describe()}: name the version that shadowed with --version",
            hint="start one with mlgate deploy VERSION --shadow --target sagemaker",
        )
    features = registry.get(live).features
    end = dt.datetime.now(dt.timezone.utc)

    def read(start: dt.datetime | None) -> tuple[list[dict[str, Any]], int]:
        return read_capture_records(config, shadow=shadow, features=features, start=start, end=end)

    return judge_shadow(
        read,
        running,
        where=target.describe(),
        version=shadow,
        since=since,
        regression=regression,
        settings=config.replay,
        notes=NOTES,
    )
