"""The replay's gates and verdict: each gate is judged on the bound that makes it hard to pass (fail closed).

- ``replay.max_disagreement``: passes when the *upper* bound of the disagreement (one-sided 1 − alpha) is at
  most the limit, so a small sample that merely looks fine does not pass;
- ``replay.min_quality_difference`` (with ``--labels``): passes when the *lower* bound of the gain
  (replayed − live, sign-flipped for lower-is-better metrics) is at least the limit; without labels it cannot
  be judged, which fails.

Fewer than ``replay.min_rows`` replayed rows give no verdict: ``inconclusive``, which fails the command (exit 1)
with what to do.
"""

from __future__ import annotations

import dataclasses
import math

from mlgate.config import ReplayConfig
from mlgate.errors import ConfigError
from mlgate.replay.model import Gate, ReplayResult


def check_settings(settings: ReplayConfig) -> None:
    """Usable replay settings, else a ConfigError naming the key."""
    if not 0 < settings.alpha < 0.5:
        raise ConfigError(f"replay.alpha is {settings.alpha:g}; it must be between 0 and 0.5")
    limit = settings.max_disagreement
    if limit is not None and not (math.isfinite(limit) and 0 <= limit <= 1):
        raise ConfigError(f"replay.max_disagreement is {limit:g}; it must be a share between 0 and 1 (0.05: 5 %)")
    if settings.min_quality_difference is not None and not math.isfinite(settings.min_quality_difference):
        raise ConfigError(
            "replay.min_quality_difference must be a finite number (metric units; -0.01 tolerates 0.01 worse)"
        )
    if (
        settings.min_rows < 1
        or settings.flips < 0
        or not (math.isfinite(settings.tolerance) and settings.tolerance >= 0)
    ):
        raise ConfigError("replay.min_rows must be ≥ 1, replay.flips ≥ 0 and replay.tolerance a number ≥ 0")


def judge(result: ReplayResult, settings: ReplayConfig) -> ReplayResult:
    """``result`` with its gates and verdict."""
    confidence = f"{1 - settings.alpha:.0%}"
    if result.replayed < settings.min_rows:
        reason = (
            f"only {result.replayed:,} replayable row(s) in the window (replay.min_rows: {settings.min_rows:,}): "
            "no verdict; widen --since or wait for more traffic"
        )
        return dataclasses.replace(result, verdict="inconclusive", reason=reason)
    gates = []
    if settings.max_disagreement is not None:
        high = result.disagreement.high
        gates.append(
            Gate(
                "disagreement",
                f"≤ {settings.max_disagreement:.2%}",
                f"{result.disagreement.share:.2%} (at most {high:.2%} at {confidence})",
                high <= settings.max_disagreement,
            )
        )
    if settings.min_quality_difference is not None:
        quality = result.quality
        if quality is None:
            gates.append(Gate("quality", f"≥ {settings.min_quality_difference:+g}", "no labels (--labels)", None))
        else:
            worst = quality.low if quality.direction == "higher" else -quality.high
            gain = quality.estimate if quality.direction == "higher" else -quality.estimate
            gates.append(
                Gate(
                    f"quality ({quality.metric})",
                    f"gain ≥ {settings.min_quality_difference:+g}",
                    f"{gain:+.4f} (at least {worst:+.4f} at {confidence})",
                    worst >= settings.min_quality_difference,
                )
            )
    failed = [g for g in gates if g.passed is not True]
    if failed:
        reason = "; ".join(f"{g.name}: {g.measured}, required {g.required}" for g in failed)
        return dataclasses.replace(result, gates=tuple(gates), verdict="fail", reason=reason)
    reason = "every gate passed" if gates else "no replay gate is configured (replay.*): the figures are for reading"
    return dataclasses.replace(result, gates=tuple(gates), verdict="pass", reason=reason)
