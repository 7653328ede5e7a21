"""Quality metrics: scikit-learn scorer names, task defaults, and how values are stored.

Names are scikit-learn scorer names (``sklearn.metrics.get_scorer_names()``). A ``neg_*`` scorer is
stored as its positive value under the name without ``neg_`` (``neg_mean_absolute_error`` ->
``mean_absolute_error``), so lower-is-better errors read naturally; writing the short name in the
config works too. Defaults: classification ``accuracy``, ``f1_macro`` and, for models with
``predict_proba``, ``roc_auc`` (``roc_auc_ovr`` for more than two classes); regression ``r2``,
``root_mean_squared_error`` and ``mean_absolute_error``.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from mlgate.config import MetricsConfig
from mlgate.errors import ConfigError, InputError
from mlgate.metric_names import DEFAULT_METRICS, MULTICLASS_DEFAULTS
from mlgate.training.dataset import Task

_PROBA = (
    "roc_auc",
    "roc_auc_ovr",
    "roc_auc_ovo",
    "roc_auc_ovr_weighted",
    "roc_auc_ovo_weighted",
    "neg_log_loss",
    "neg_brier_score",
    "average_precision",
)


@dataclass(frozen=True)
class Metric:
    """A stored metric name and the scikit-learn scorer behind it (``sign`` -1 for ``neg_*`` scorers)."""

    name: str
    scorer: str
    sign: float = 1.0


def to_metric(name: str) -> Metric:
    """The Metric for a configured name; an unknown name is a ConfigError with the closest scorer."""
    from sklearn.metrics import get_scorer_names

    known = set(get_scorer_names())
    if name in known:
        return Metric(name[4:], name, -1.0) if name.startswith("neg_") else Metric(name, name)
    if f"neg_{name}" in known:
        return Metric(name, f"neg_{name}", -1.0)
    options = sorted(known | {n[4:] for n in known if n.startswith("neg_")})
    guess = difflib.get_close_matches(name, options, n=1)
    raise ConfigError(
        f"metrics.names: '{name}' is not a scikit-learn scorer name",
        hint=f"did you mean '{guess[0]}'?" if guess else "see sklearn.metrics.get_scorer_names()",
    )


def configured_metrics(config: MetricsConfig) -> tuple[Metric, ...] | None:
    """The metrics named in the config (validated), or None for the task defaults."""
    return tuple(to_metric(n) for n in config.names) if config.names else None


def metrics_for(configured: Sequence[Metric] | None, task: Task, *, classes: int, proba: bool) -> tuple[Metric, ...]:
    """What one model is scored with: the configured metrics, else the defaults that apply to it."""
    if configured is not None:
        return tuple(configured)
    names = [n for n in DEFAULT_METRICS[task] if n not in _PROBA or proba]
    if classes > 2:
        names = [MULTICLASS_DEFAULTS.get(n, n) for n in names]
    return tuple(to_metric(n) for n in names)


def primary_metric(config: MetricsConfig, task: Task) -> str:
    """The stored name of the primary metric: ``metrics.primary``, else the first configured or default one."""
    names = [to_metric(n).name for n in config.names or DEFAULT_METRICS[task]]
    if config.primary is None:
        return names[0]
    primary = to_metric(config.primary).name
    if primary not in names:
        where = "metrics.names" if config.names else f"the {task} defaults"
        raise ConfigError(
            f"metrics.primary '{config.primary}' is not among {where} ({', '.join(names)})",
            hint="add it to metrics.names or pick one of them",
        )
    return primary


def score(model: str, estimator: Any, metrics: Sequence[Metric], X: Any, y: Any) -> dict[str, float]:
    """Score a fitted estimator; a metric that cannot be computed is an InputError naming model and metric.

    All metrics are computed from one set of predictions (one ``predict``, one ``predict_proba`` or
    ``decision_function``), as scikit-learn's multi-metric scorer does, unless two scorers would read a
    different positive class from it; when that fails or gives a value that is not finite, the metrics are
    computed one by one so the error names the metric at fault.
    """
    together = _score_together(estimator, metrics, X, y)
    if together is not None and all(math.isfinite(together[m.scorer]) for m in metrics):
        return {m.name: m.sign * together[m.scorer] + 0.0 for m in metrics}  # + 0.0: never store -0.0
    from sklearn.metrics import get_scorer

    values: dict[str, float] = {}
    for metric in metrics:
        try:
            raw = float(get_scorer(metric.scorer)(estimator, X, y))
        except (ValueError, TypeError, AttributeError) as exc:
            raise InputError(
                f"model '{model}': metric '{metric.scorer}' cannot be computed: {str(exc).splitlines()[0]}",
                hint=_hint(metric),
            ) from exc
        if not math.isfinite(raw):
            raise InputError(
                f"model '{model}': metric '{metric.scorer}' is undefined on this data ({raw})",
                hint="pick other metrics.names, or check the classes in the test data",
            )
        values[metric.name] = metric.sign * raw + 0.0
    return values


def score_rows(model: str, metrics: Sequence[Metric], y: Any, predictions: Any) -> dict[str, float] | None:
    """Every metric from a model's stored predictions (``mlgate.stats.Predictions``), or None when one of them
    cannot be computed that way (the caller then scores the estimator, which names the metric at fault)."""
    from mlgate.stats import score_predictions

    values: dict[str, float] = {}
    for metric in metrics:
        try:
            value = score_predictions(metric.scorer, y, predictions)
        except (InputError, ValueError, TypeError, AttributeError, IndexError, KeyError):
            return None
        if not math.isfinite(value):
            return None
        values[metric.name] = value + 0.0
    return values


def _score_together(estimator: Any, metrics: Sequence[Metric], X: Any, y: Any) -> dict[str, float] | None:
    """Every metric from shared predictions (scorer name -> value), or None when that cannot be done."""
    names = [m.scorer for m in metrics]
    if len(names) < 2 or len(set(names)) != len(names):
        return None
    from sklearn.metrics import check_scoring, get_scorer

    try:
        scorers = {name: get_scorer(name) for name in names}
        if not _can_share(estimator, scorers):
            return None
        found = check_scoring(estimator, scoring=scorers)(estimator, X, y)
        return {name: float(found[name]) for name in names}
    except (ValueError, TypeError, AttributeError, KeyError):
        return None  # scored one by one, which names the metric at fault


def _can_share(estimator: Any, scorers: Mapping[str, Any]) -> bool:
    """Whether shared predictions give every scorer what it would compute alone.

    scikit-learn's multi-metric scorer keeps one response per method, but for a binary target the column of
    ``predict_proba`` (or the sign of ``decision_function``) depends on each scorer's positive label:
    ``average_precision`` takes 1, ``roc_auc`` and ``neg_log_loss`` the larger class. Scorers sharing a
    method other than ``predict`` must agree on it; when that cannot be told, nothing is shared.
    """
    try:
        from sklearn.utils._response import _check_response_method

        labels: dict[str, object] = {}
        for scorer in scorers.values():
            method = _check_response_method(estimator, scorer._response_method).__name__
            if method != "predict" and labels.setdefault(method, scorer._get_pos_label()) != scorer._get_pos_label():
                return False
    except (ImportError, AttributeError, TypeError, ValueError):
        return False
    return True


def _hint(metric: Metric) -> str:
    if metric.scorer.startswith("roc_auc"):
        return "multiclass targets need roc_auc_ovr or roc_auc_ovo; the model needs predict_proba or decision_function"
    return "check metrics.names against the task and the model"
