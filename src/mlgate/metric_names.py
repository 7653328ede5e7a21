"""The names metrics are stored under: task defaults, timing keys, and scikit-learn's ``neg_`` prefix dropped.

A leaf module (no imports, no ML library), so the config loader can check that ``metrics.gates`` names a metric
that will exist before anything is trained. ``mlgate.training.metrics`` scores these names;
``mlgate.results`` stores them.
"""

from __future__ import annotations

from collections.abc import Iterable

# Timing measurements, gated like metrics (lower is better, severity warn by default: runners differ).
TIMING_LABELS: dict[str, str] = {
    "fit_s": "fit time (s)",
    "predict_1row_p50_ms": "predict p50 (ms, 1 row)",
    "predict_1row_p95_ms": "predict p95 (ms, 1 row)",
    "predict_batch_ms": "predict (ms, batch)",
    "model_kb": "model size (KiB)",
}

# What a task is scored with when ``metrics.names`` is empty (scikit-learn scorer names).
DEFAULT_METRICS: dict[str, tuple[str, ...]] = {
    "classification": ("accuracy", "f1_macro", "roc_auc"),
    "regression": ("r2", "neg_root_mean_squared_error", "neg_mean_absolute_error"),
}
# The default scorer that replaces another for more than two classes.
MULTICLASS_DEFAULTS: dict[str, str] = {"roc_auc": "roc_auc_ovr"}


def stored_name(scorer: str) -> str:
    """The name a scorer's value is stored under: ``neg_mean_absolute_error`` -> ``mean_absolute_error``."""
    return scorer.removeprefix("neg_")


def known_metric_names(names: Iterable[str], task: str | None) -> tuple[str, ...]:
    """Every name a result of this config can hold: the stored ``metrics.names``, else the defaults of ``task``
    (of both tasks when it is unset, with their multi-class variants), then the timing keys."""
    configured = list(names)
    if not configured:
        for scorers in [DEFAULT_METRICS[task]] if task is not None else DEFAULT_METRICS.values():
            configured += [*scorers, *(MULTICLASS_DEFAULTS[s] for s in scorers if s in MULTICLASS_DEFAULTS)]
    return tuple(dict.fromkeys([*(stored_name(n) for n in configured), *TIMING_LABELS]))
