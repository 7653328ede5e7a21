"""The decision: does the best retrained model beat the live version by more than ``retrain.min_improvement``?

Both are scored on the same fresh evaluation data, on the primary metric. The margin is
``retrain.min_improvement`` when set, else the primary metric's gate tolerance (``metrics.gates``:
max(abs_tol, rel_tol x |live value|)), else 0. The candidate wins when its gain in the metric's direction is
strictly greater than the margin. A primary metric with no known direction cannot decide anything.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from mlgate.config import MetricsConfig, RetrainConfig
from mlgate.errors import ConfigError, InputError
from mlgate.gates import resolve_gate

MarginSource = Literal["retrain.min_improvement", "gate tolerance", "none"]


@dataclass(frozen=True)
class Decision:
    """The comparison on the primary metric and its outcome."""

    metric: str
    direction: Literal["higher", "lower"]
    candidate: str
    candidate_value: float
    live_version: str
    live_value: float
    gain: float  # candidate better by this much in the metric's direction (negative: worse)
    margin: float
    margin_source: MarginSource
    wins: bool

    def describe(self) -> str:
        """One sentence: the gain against the margin."""
        verdict = "beats" if self.wins else "does not beat"
        return (f"{self.candidate} {verdict} live version {self.live_version} on {self.metric}: "
                f"{self.candidate_value:.4f} vs {self.live_value:.4f} (gain {self.gain:+.4f}, "
                f"needed > {self.margin:g})")  # fmt: skip


def find_margin(
    metric: str, live_value: float, metrics: MetricsConfig, retrain: RetrainConfig
) -> tuple[float, MarginSource]:
    """How much better the candidate must be (see the module docstring) and where that number comes from."""
    if retrain.min_improvement is not None:
        if retrain.min_improvement < 0:
            raise ConfigError(f"retrain.min_improvement is {retrain.min_improvement:g}; it cannot be negative",
                              hint="use 0 to register any improvement")  # fmt: skip
        return retrain.min_improvement, "retrain.min_improvement"
    gate = resolve_gate(metric, "quality", metrics, default_margin=False)
    tolerance = gate.tolerance(live_value)
    return tolerance, "gate tolerance" if tolerance else "none"


def decide(
    *,
    metric: str,
    candidate: str,
    candidate_metrics: dict[str, float],
    live_version: str,
    live_metrics: dict[str, float],
    metrics: MetricsConfig,
    retrain: RetrainConfig,
) -> Decision:
    """Compare the candidate with the live version on ``metric`` (both scored on the same data)."""
    direction = resolve_gate(metric, "quality", metrics).direction
    if direction == "none":
        raise ConfigError(f"the primary metric {metric!r} has no known direction: retrain cannot tell better from worse",
                          hint=f"set metrics.gates.{metric}.direction to higher or lower")  # fmt: skip
    for side, values in ((candidate, candidate_metrics), (f"live version {live_version}", live_metrics)):
        if metric not in values:
            raise InputError(f"{side} has no {metric} score on the fresh data",
                             hint="check metrics.names and metrics.primary in mlgate.yaml")  # fmt: skip
    new, old = candidate_metrics[metric], live_metrics[metric]
    gain = new - old if direction == "higher" else old - new
    margin, source = find_margin(metric, old, metrics, retrain)
    return Decision(metric=metric, direction=direction, candidate=candidate, candidate_value=new,
                    live_version=live_version, live_value=old, gain=gain, margin=margin, margin_source=source,
                    wins=gain > margin)  # fmt: skip
