"""Checks of mlgate.yaml that look across keys, run by ``load_config`` once every value has its type.

``metrics.gates.<name>`` must name a metric this config produces (``mlgate.metric_names``): a typo would
otherwise leave the real metric at its default gate, silently. Tolerances must be finite and ≥ 0, bounds finite
and in order. An unknown key under a gate is already refused by the loader itself ("is not a known key").
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from mlgate.errors import ConfigError
from mlgate.metric_names import TIMING_LABELS, known_metric_names, stored_name

if TYPE_CHECKING:
    from mlgate.config import Config, GateConfig

# Names a config location: ("metrics", "gates", "accuracy") -> "mlgate.yaml:12: metrics.gates.accuracy".
Where = Callable[[Sequence[str | int]], str]


def check_gates(config: Config, where: Where) -> None:
    """Refuse a gate that names no metric of this config, or holds a tolerance or bound no gate can use."""
    known = known_metric_names(config.metrics.names, config.task)
    for name, gate in config.metrics.gates.items():
        keys = ("metrics", "gates", name)
        if name not in known:
            raise ConfigError(f"{where(keys)} matches no metric", hint=_hint(name, known, config))
        _check_values(gate, keys, where)


def _check_values(gate: GateConfig, keys: tuple[str, ...], where: Where) -> None:
    for key in ("abs_tol", "rel_tol"):
        value = getattr(gate, key)
        if value is not None and (value < 0 or not math.isfinite(value)):
            raise ConfigError(f"{where((*keys, key))} is {value:g}; a tolerance must be a finite number ≥ 0")
    for key in ("min", "max"):
        value = getattr(gate, key)
        if value is not None and not math.isfinite(value):
            raise ConfigError(f"{where((*keys, key))} is {value:g}; a bound must be a finite number")
    if gate.min is not None and gate.max is not None and gate.min > gate.max:
        raise ConfigError(f"{where(keys)}: min {gate.min:g} is above max {gate.max:g}", hint="swap or fix the bounds")


def _hint(name: str, known: Sequence[str], config: Config) -> str:
    if stored_name(name) in known:
        return f"gates use the stored name '{stored_name(name)}' (scikit-learn's neg_ prefix is dropped)"
    guess = difflib.get_close_matches(name, known, n=1)
    if guess:
        return f"did you mean '{guess[0]}'?"
    metrics = ", ".join(n for n in known if n not in TIMING_LABELS)
    source = "metrics.names" if config.metrics.names else f"the {config.task or 'task'} defaults"
    return f"a gate names a metric of {source} ({metrics}) or a timing; add other metrics to metrics.names"
