"""With ``--labels``: is the replayed version better or worse than the live one on the same labelled rows?

The labels are joined by request id as ``mlgate monitor`` joins them. Capture keeps each version's *answers*
(labels or values), not their scores, so the metric is the config's primary metric when it needs answers only
(accuracy, f1_macro, the regression errors, r2 …), else accuracy (classification) or the mean absolute error
(regression); the paired test is the PR gate's own (``mlgate.stats.paired``: McNemar for accuracy, a paired t on
per-row losses, the paired bootstrap otherwise), at the replay's alpha.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from mlgate.config import Config
from mlgate.errors import ConfigError, InputError
from mlgate.metric_names import stored_name
from mlgate.monitor.labels import join_labels, read_labels
from mlgate.registry.model import ModelVersion
from mlgate.replay.model import Quality

FALLBACK = {"classification": "accuracy", "regression": "neg_mean_absolute_error"}


def compare_quality(
    config: Config,
    version: ModelVersion | None,
    labels_path: Path,
    request_ids: Sequence[str],
    rows: Sequence[int],
    live: Sequence[Any],
    replayed: Sequence[Any],
    regression: bool,
) -> Quality:
    """The paired difference replayed − live on the labelled rows (see the module docstring)."""
    from mlgate.stats.paired import test_paired
    from mlgate.stats.predictions import Predictions

    if not config.target:
        raise ConfigError("--labels needs the target column's name", hint="set `target:` in mlgate.yaml")
    labels = read_labels(labels_path, key=config.monitor.labels_key, target=config.target, regression=regression)
    with_live = join_labels(labels.labels, request_ids, rows, live)
    with_new = join_labels(labels.labels, request_ids, rows, replayed)
    if not with_live.y_true:
        raise InputError(
            f"{labels_path}: none of its {len(labels.labels):,} label(s) matches a replayed row "
            f"(joined on {config.monitor.labels_key!r})",
            hint="label the requests of the window (--since) by their request ids",
        )
    truth, base, new = _aligned(with_live.y_true, with_live.y_pred, with_new.y_pred, regression=regression)
    scorer = choose_metric(config, regression=regression, sample=(truth, base))
    found = _scorer(scorer)
    direction = "higher" if found.scorer._sign > 0 else "lower"
    test = test_paired(
        scorer,
        truth,
        Predictions(pred=base),
        Predictions(pred=new),
        direction=direction,
        margin=0.0,
        alpha=config.replay.alpha,
    )
    live_value = found.value(truth, base)
    return Quality(
        metric=stored_name(scorer),
        direction=direction,
        live=live_value,
        replayed=found.value(truth, new),
        estimate=test.estimate,
        low=test.low,
        high=test.high,
        p_better=test.p_better,
        method=test.method,
        n=test.n,
        unmatched=len(labels.labels) - len(with_live.y_true),
    )


def choose_metric(config: Config, *, regression: bool, sample: tuple[Any, Any]) -> str:
    """The primary metric when it can be computed from answers alone, else the task's fallback."""
    primary = config.metrics.primary
    task = "regression" if regression else "classification"
    if primary:
        try:
            found = _scorer(primary)
            from mlgate.stats.predictions import Predictions

            found.value(sample[0], found.respond(Predictions(pred=sample[1])))
            return str(found.name)
        except InputError:
            pass
    return FALLBACK[task]


def _scorer(name: str) -> Any:
    from mlgate.stats.scoring import find_scorer

    return find_scorer(name)


def _aligned(
    truth: Sequence[Any], base: Sequence[Any], new: Sequence[Any], *, regression: bool
) -> tuple[Any, Any, Any]:
    """The three columns as arrays of one type: floats for regression, text labels otherwise."""
    if regression:
        return (np.asarray(truth, dtype=float), np.asarray(base, dtype=float), np.asarray(new, dtype=float))
    as_text = [
        np.asarray([str(v).lower() if isinstance(v, bool) else str(v) for v in column], dtype=object)
        for column in (truth, base, new)
    ]
    return as_text[0], as_text[1], as_text[2]
