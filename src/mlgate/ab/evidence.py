"""The evidence of a split: each variant's labelled per-row values (the primary metric and the guard metrics),
joined by request id as ``mlgate monitor`` joins labels, and its health (``mlgate.ab.decision.Arm``).

Only metrics that are a mean over rows can be tested per row as the labels arrive: accuracy (1 right, 0 wrong),
the absolute error and the squared error (RMSE is judged on the squared error: the same ordering). The primary
metric is ``metrics.primary`` when it is one of them, else accuracy (classification) or the absolute error
(regression); a guard metric that is not is left out with a note. Values are signed so higher is better.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from mlgate.ab.answers import Answers
from mlgate.ab.decision import Arm
from mlgate.ab.model import Evidence
from mlgate.config import Config
from mlgate.deploy.experiment import Split, VariantHealth
from mlgate.errors import ConfigError, InputError
from mlgate.metric_names import stored_name
from mlgate.monitor.labels import Joined, join_labels, read_labels, same_label

Gain = Callable[[Any, Any], float]


def _right(truth: Any, answer: Any) -> float:
    return 1.0 if same_label(truth, answer) else 0.0


def _absolute(truth: Any, answer: Any) -> float:
    return -abs(float(truth) - float(answer))


def _squared(truth: Any, answer: Any) -> float:
    return -((float(truth) - float(answer)) ** 2)


GAINS: dict[str, Gain] = {
    "accuracy": _right,
    "mean_absolute_error": _absolute,
    "mean_squared_error": _squared,
    "root_mean_squared_error": _squared,
}
FALLBACK = {False: "accuracy", True: "mean_absolute_error"}


def choose_metrics(config: Config, *, regression: bool) -> tuple[str, tuple[str, ...], tuple[str, ...]]:
    """The primary metric, the guard metrics, and a note per metric that cannot be judged per row."""
    notes: list[str] = []
    primary = stored_name(config.metrics.primary or "")
    if primary not in GAINS:
        if primary:
            notes.append(f"{primary} is not a mean over rows: the test judges {FALLBACK[regression]} instead")
        primary = FALLBACK[regression]
    wanted = config.ab.guard_metrics or tuple(config.metrics.gates)
    guards: list[str] = []
    for name in (stored_name(n) for n in wanted):
        if name == primary or name in guards:
            continue
        if name in GAINS and (name == "accuracy") != regression:
            guards.append(name)
        else:
            notes.append(f"guard metric {name} is not a mean over rows: not guarded")
    return primary, tuple(guards), tuple(notes)


def gather_evidence(
    config: Config,
    split: Split,
    answers: Answers,
    health: Mapping[str, VariantHealth],
    labels_path: Path,
    *,
    regression: bool,
) -> Evidence:
    """Join the labels to each variant's answers and build the two arms (see the module docstring)."""
    if not config.target:
        raise ConfigError("--labels needs the target column's name", hint="set `target:` in mlgate.yaml")
    labels = read_labels(labels_path, key=config.monitor.labels_key, target=config.target, regression=regression)
    metric, guards, notes = choose_metrics(config, regression=regression)
    joined = {v: join_labels(labels.labels, *answers.of(v)) for v in (split.champion, split.challenger)}
    matched = sum(len(j.y_true) for j in joined.values())
    if labels.labels and not matched:
        raise InputError(
            f"{labels_path}: none of its {len(labels.labels):,} label(s) matches a request answered in the A/B test "
            f"since {split.started_at} (joined on {config.monitor.labels_key!r}, read from {answers.source})",
            hint="label the requests of the test by the request ids the endpoint returned (X-Request-Id)",
        )
    arms = [_arm(version, joined[version], health.get(version), metric, guards) for version in joined]
    return Evidence(arms[0], arms[1], metric, len(labels.labels), matched, (*answers.notes, *notes))


def _arm(version: str, joined: Joined, health: VariantHealth | None, metric: str, guards: Sequence[str]) -> Arm:
    gains = _values(GAINS[metric], joined)
    guard_values = {name: _values(GAINS[name], joined) for name in guards}
    return Arm(
        version=version,
        gains=gains,
        requests=health.requests if health else 0,
        errors=health.errors if health else 0,
        p99_ms=health.p99_ms if health else None,
        guards=guard_values,
    )


def _values(gain: Gain, joined: Joined) -> tuple[float, ...]:
    try:
        return tuple(gain(t, p) for t, p in zip(joined.y_true, joined.y_pred, strict=True))
    except (TypeError, ValueError) as exc:
        raise InputError(
            f"a label or an answer is not a number ({exc}): the errors cannot be computed",
            hint="regression labels and answers must be numbers",
        ) from exc
