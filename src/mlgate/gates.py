"""Gates of one metric: direction inference, tolerances and bounds, and the paired test over CV folds (pure).

``mlgate.compare`` applies these per row; they are kept apart so the rules can be read (and documented in
docs/comparison.md) in one place.
"""

from __future__ import annotations

import math
import re
import statistics
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from mlgate.config import GateConfig, MetricsConfig
from mlgate.errors import ConfigError
from mlgate.results import TIMING_LABELS

if TYPE_CHECKING:
    from mlgate.stats import PairedTest

Direction = Literal["higher", "lower", "none"]
Severity = Literal["fail", "warn"]
Status = Literal["fail", "warn", "better", "same", "changed", "new", "removed", "current", "incomparable", "unjudged"]
Kind = Literal["quality", "timing"]

# Default relative tolerance of timing gates: hosted runners vary by 10-20 % from run to run.
TIMING_REL_TOL = 0.25
# Default margin of a quality gate that sets no tolerance: a drop must be beyond 1 % of the baseline value (with
# confidence 1 - alpha) to fail. Two seeds of the same forest differ by less on the benchmark datasets
# (scripts/bench_gate.py, docs/benchmarks.md); set abs_tol: 0 to gate on any significant drop.
QUALITY_REL_MARGIN = 0.01

_LOWER_TOKENS = frozenset(
    {
        "mse",
        "mae",
        "rmse",
        "rmsle",
        "msle",
        "mape",
        "medae",
        "latency",
        "time",
        "seconds",
        "duration",
        "ms",
        "kb",
        "kib",
        "mb",
        "bytes",
        "size",
        "memory",
    }
)
_FLIPPED: dict[Direction, Direction] = {"higher": "lower", "lower": "higher", "none": "none"}
_HIGHER_TOKENS = frozenset({"ap", "auc", "r2", "mcc", "iou", "tpr", "tnr", "ndcg", "dcg", "map"})
_HIGHER_PREFIXES = (
    "accuracy",
    "f1",
    "fbeta",
    "precision",
    "recall",
    "roc",
    "jaccard",
    "matthews",
    "kappa",
    "explained",
    "dice",
    "specificity",
    "sensitivity",
    "auroc",
    "auprc",
)


def infer_direction(name: str) -> Direction:
    """Whether a higher or a lower value of the metric ``name`` is better; ``none`` when it cannot be told.

    Only the last ``.``-separated part counts (``test.f1`` is an f1). A ``neg_`` prefix (sklearn's negated
    scorers) flips the direction of the rest. Errors, losses, times and sizes are lower-is-better; accuracy,
    F-scores, precision, recall, ROC AUC, R², D², Jaccard, MCC, kappa and the like are higher-is-better.
    """
    base = name.rsplit(".", 1)[-1].strip().lower()
    if base.startswith("neg_"):
        return _FLIPPED[infer_direction(base[4:])]
    if base in TIMING_LABELS:
        return "lower"
    tokens = [t for t in re.split(r"[^a-z0-9]+", base) if t]
    if tokens and tokens[0] == "d2":  # sklearn's D² skill scores (d2_absolute_error_score): higher is better
        return "higher"
    if any("error" in t or "loss" in t for t in tokens) or any(t in _LOWER_TOKENS for t in tokens):
        return "lower"
    if any(t in _HIGHER_TOKENS or t.startswith(_HIGHER_PREFIXES) for t in tokens):
        return "higher"
    return "none"


@dataclass(frozen=True)
class Gate:
    """The resolved gate of one metric: every value decided (config, else the metric's defaults)."""

    direction: Direction
    severity: Severity
    min: float | None = None
    max: float | None = None
    abs_tol: float = 0.0
    rel_tol: float = 0.0
    default_margin: bool = False  # the tolerance is mlgate's default margin, not one the config set

    @property
    def judged(self) -> bool:
        """Whether any rule applies (a direction or a bound); unjudged metrics are shown, never gated."""
        return self.direction != "none" or self.min is not None or self.max is not None

    def tolerance(self, base: float) -> float:
        """How far the value may move the wrong way from ``base`` and still be ➖: max(abs_tol, rel_tol·|base|)."""
        return max(self.abs_tol, self.rel_tol * abs(base))

    def describe_tolerance(self) -> str:
        """``tolerance 2 %``, ``tolerance 0.01``, ``tolerance 0.01 or 2 %`` (the larger applies), ``no tolerance``."""
        parts = ([f"{self.abs_tol:g}"] if self.abs_tol else []) + (
            [f"{self.rel_tol * 100:g} %"] if self.rel_tol else []
        )
        if self.default_margin:
            return f"default margin {' or '.join(parts)}"
        return "tolerance " + " or ".join(parts) if parts else "no tolerance"


def resolve_gate(metric: str, kind: Kind, metrics: MetricsConfig, *, default_margin: bool = True) -> Gate:
    """The gate of ``metric`` from ``metrics.gates`` over the defaults (timings: lower, warn, 25 % tolerance).

    A quality gate that sets no tolerance gets the default margin (``QUALITY_REL_MARGIN``) of the PR gate;
    ``default_margin: False`` leaves it at zero (monitor and retrain decide on their own margins).
    """
    config = metrics.gates.get(metric, GateConfig())
    timing = kind == "timing"
    direction: Direction = config.direction or ("lower" if timing else infer_direction(metric))
    severity: Severity = config.severity or ("warn" if timing else "fail")
    unset = config.abs_tol is None and config.rel_tol is None
    default_rel = TIMING_REL_TOL if timing else (QUALITY_REL_MARGIN if default_margin else 0.0)
    gate = Gate(
        direction=direction,
        severity=severity,
        min=config.min,
        max=config.max,
        abs_tol=config.abs_tol or 0.0,
        rel_tol=default_rel if unset else (config.rel_tol or 0.0),
        default_margin=unset and not timing and default_margin,
    )
    _check_gate(metric, gate)
    return gate


def check_metrics_config(metrics: MetricsConfig) -> None:
    """Reject values no gate can use (a level outside (0, 1)); per-gate values are checked on resolution."""
    if not 0 < metrics.alpha < 0.5:
        raise ConfigError(f"metrics.alpha is {metrics.alpha:g}; it must lie between 0 and 0.5 (e.g. 0.05)")
    if metrics.bootstrap_samples < 100:
        raise ConfigError(f"metrics.bootstrap_samples is {metrics.bootstrap_samples}; use at least 100 (default 2000)")


def _check_gate(metric: str, gate: Gate) -> None:
    where = f"metrics.gates.{metric}"
    for key, value in (("abs_tol", gate.abs_tol), ("rel_tol", gate.rel_tol)):
        if value < 0 or not math.isfinite(value):
            raise ConfigError(f"{where}.{key} is {value:g}; a tolerance must be a finite number ≥ 0")
    if gate.min is not None and gate.max is not None and gate.min > gate.max:
        raise ConfigError(f"{where}: min {gate.min:g} is above max {gate.max:g}", hint="swap or fix the bounds")


def check_bounds(gate: Gate, value: float) -> str | None:
    """The bound ``value`` breaks (``min 0.9``/``max 5``), or None."""
    if gate.min is not None and value < gate.min:
        return f"min {gate.min:g}"
    if gate.max is not None and value > gate.max:
        return f"max {gate.max:g}"
    return None


def paired_p_value(base: Sequence[float], new: Sequence[float]) -> float | None:
    """Two-sided paired t-test over CV folds (scipy ``ttest_rel``); None when it cannot be run.

    Needs equal fold counts ≥ 2. Identical differences in every fold have no spread: p is 1.0 when they
    are all zero and 0.0 otherwise (a constant shift), where scipy would return NaN with a warning.
    """
    if len(base) != len(new) or len(base) < 2:
        return None
    diffs = [n - b for b, n in zip(base, new, strict=True)]
    scale = max(1.0, *(abs(x) for x in (*base, *new)))
    if statistics.pstdev(diffs) <= 1e-12 * scale:
        return 1.0 if all(abs(d) <= 1e-12 * scale for d in diffs) else 0.0
    from scipy import stats

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # near-constant differences: precision notes only
        result = stats.ttest_rel(new, base)
    p = float(result.pvalue)
    return p if math.isfinite(p) else None


def spread(values: Sequence[float]) -> float | None:
    """Sample standard deviation over folds, or None for fewer than two."""
    return statistics.stdev(values) if len(values) >= 2 else None


@dataclass(frozen=True)
class Judgement:
    """The outcome for one value: its status, a sentence saying why, and the short rule it broke (if any)."""

    status: Status
    reason: str
    rule: str | None = None


def judge_change(gate: Gate, base: float, new: float, *, p_value: float | None, alpha: float) -> Judgement:
    """Judge a value against its baseline: bounds first, then the direction with tolerance and significance."""
    broken = check_bounds(gate, new)
    diff = new - base
    unchanged = abs(diff) <= 1e-12 * max(1.0, abs(base), abs(new))
    if broken is not None:
        return Judgement(gate.severity, f"{'below' if broken.startswith('min') else 'above'} {broken}", broken)
    if unchanged:
        return Judgement("same", "unchanged")
    if gate.direction == "none":
        return Judgement("changed", "changed; no direction is known for this metric, so it is not judged")
    gain = diff if gate.direction == "higher" else -diff
    tolerance = gate.tolerance(base)
    described = gate.describe_tolerance()
    if abs(diff) <= tolerance:
        return Judgement("same", f"within {described}")
    insignificant = p_value is not None and p_value >= alpha
    if gain > 0:
        return Judgement("better", "better" + (f" beyond {described}" if tolerance else ""))
    significance = "" if p_value is None else f" (p = {p_value:.3g}{', not significant' if insignificant else ''})"
    worse = f"worse beyond {described}" if gate.abs_tol or gate.rel_tol else "worse; no tolerance is set"
    return Judgement(gate.severity, worse + significance, described)


def judge_value(gate: Gate, new: float, *, status: Status) -> Judgement:
    """Judge a value with nothing to compare to (a new model or metric, or no baseline): bounds only."""
    broken = check_bounds(gate, new)
    if broken is not None:
        return Judgement(gate.severity, f"{'below' if broken.startswith('min') else 'above'} {broken}", broken)
    if gate.min is not None or gate.max is not None:
        return Judgement(status, "within bounds" if status == "current" else "new; within bounds")
    return Judgement(status, "no baseline value" if status == "current" else "new")


def judge_tested(
    gate: Gate, base: float, new: float, test: PairedTest, *, p_worse: float, p_better: float, alpha: float
) -> Judgement:
    """Judge a value by its paired test: fail only when the drop is beyond the margin with confidence 1 − alpha.

    ``p_worse`` (Holm-adjusted over the report's gated rows) tests "not worse than the baseline by more than
    the margin"; ``p_better`` tests "no better". Bounds come first, as for every gate.
    """
    broken = check_bounds(gate, new)
    if broken is not None:
        return Judgement(gate.severity, f"{'below' if broken.startswith('min') else 'above'} {broken}", broken)
    if abs(new - base) <= 1e-12 * max(1.0, abs(base), abs(new)) and test.high - test.low <= 1e-12:
        return Judgement("same", "unchanged: the same predictions")
    described = gate.describe_tolerance()
    margin = gate.tolerance(base)
    if p_worse < alpha:
        beyond = f"beyond {described}" if margin else "significantly"
        return Judgement(gate.severity, f"worse {beyond} (p = {p_worse:.2g} < {alpha:g}, {test.method})", described)
    if p_better < alpha:
        return Judgement("better", f"better (p = {p_better:.2g} < {alpha:g}, {test.method})")
    reason = f"no significant drop beyond {described}" if margin else "no significant change"
    if test.mde is not None and test.mde > 2 * margin:
        reason += f"; too few rows to detect a drop below {test.mde:.3g} (80 % power)"
    return Judgement("same", reason)
