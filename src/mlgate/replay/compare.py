"""How a replayed version's answers differ from the live version's on the same captured rows: pure computation.

- **Disagreement**: the share of rows answered differently (classification: another label; regression: a
  difference above ``tolerance``), with its exact (Clopper-Pearson) interval at confidence 1 − 2·alpha (each end a one-sided
  1 − alpha bound, the convention of every mlgate interval), overall and per segment: each value of a categorical
  feature (the most frequent ``MAX_VALUES``, the rest as "(other)") and each quartile bin of a numeric one.
- **Flips**: the rows where the answers differ, largest first (regression: by the absolute difference;
  classification: in capture order), with their request ids.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any

from mlgate.replay.model import Flip, Rate, Segment

MAX_VALUES = 8  # categorical values shown per feature; the rest are pooled
BINS = 4  # numeric features: quartile bins


def interval(count: int, n: int, alpha: float) -> Rate:
    """``count`` of ``n`` with the Clopper-Pearson (exact) interval at confidence 1 − 2·alpha: each end is a
    one-sided 1 − alpha bound that holds for every n and share (Wilson's dips below it for small shares, as
    scripts/bench_replay.py showed: 5.9 % false passes at alpha 5 % on 200 rows)."""
    from scipy import stats

    if n == 0:
        return Rate(count=0, n=0, share=0.0, low=0.0, high=1.0)
    low = 0.0 if count == 0 else float(stats.beta.ppf(alpha, count, n - count + 1))
    high = 1.0 if count == n else float(stats.beta.ppf(1 - alpha, count + 1, n - count))
    return Rate(count=count, n=n, share=count / n, low=low, high=high)


def differs(live: Any, new: Any, *, regression: bool, tolerance: float) -> bool:
    """Whether two answers differ (labels compared as text too: ``1`` and ``"1"`` are the same label)."""
    if regression:
        try:
            return not abs(float(live) - float(new)) <= tolerance
        except (TypeError, ValueError):
            return True
    return not (live == new or str(live).lower() == str(new).lower())


def find_segments(
    inputs: Mapping[str, Sequence[Any]], disagree: Sequence[bool], *, alpha: float, min_rows: int = 1
) -> tuple[Segment, ...]:
    """The disagreement of each feature's segments (see the module docstring), largest share first per feature."""
    found: list[Segment] = []
    for name, values in inputs.items():
        labels = _numeric_bins(values) if _is_numeric(values) else _categories(values)
        if labels is None:
            continue
        groups: dict[str, list[bool]] = {}
        for label, flag in zip(labels, disagree, strict=True):
            groups.setdefault(label, []).append(flag)
        segments = [
            Segment(feature=name, value=label, rate=interval(sum(flags), len(flags), alpha))
            for label, flags in groups.items()
            if len(flags) >= min_rows
        ]
        found.extend(sorted(segments, key=lambda s: (-s.rate.share, s.value)))
    return tuple(found)


def find_flips(
    request_ids: Sequence[str],
    live: Sequence[Any],
    new: Sequence[Any],
    disagree: Sequence[bool],
    *,
    regression: bool,
    limit: int,
) -> tuple[Flip, ...]:
    """The rows answered differently, largest difference first (regression), else in capture order."""
    flips = [
        Flip(request_id=rid, live=old, replayed=answer, difference=_difference(old, answer) if regression else None)
        for rid, old, answer, flag in zip(request_ids, live, new, disagree, strict=True)
        if flag
    ]
    if regression:
        flips.sort(key=lambda f: -(f.difference if f.difference is not None else math.inf))
    return tuple(flips[:limit])


def _difference(live: Any, new: Any) -> float | None:
    try:
        return abs(float(new) - float(live))
    except (TypeError, ValueError):
        return None


def _is_numeric(values: Sequence[Any]) -> bool:
    present = [v for v in values if v is not None]
    return bool(present) and all(isinstance(v, int | float) and not isinstance(v, bool) for v in present)


def _numeric_bins(values: Sequence[Any]) -> list[str] | None:
    present = sorted(float(v) for v in values if v is not None and math.isfinite(float(v)))
    if len(set(present)) < BINS:
        return _categories(values)
    edges = [present[min(len(present) - 1, (len(present) * i) // BINS)] for i in range(1, BINS)]
    labels = []
    for value in values:
        if value is None or not math.isfinite(float(value)):
            labels.append("(missing)")
            continue
        index = sum(float(value) >= edge for edge in edges)
        low = "" if index == 0 else f"{edges[index - 1]:.4g} ≤ "
        high = "" if index == len(edges) else f" < {edges[index]:.4g}"
        labels.append(f"Q{index + 1}: {low}x{high}")
    return labels


def _categories(values: Sequence[Any]) -> list[str] | None:
    texts = ["(missing)" if v is None else str(v) for v in values]
    counts = Counter(texts)
    if len(counts) > 10 * MAX_VALUES and len(counts) > len(texts) / 2:
        return None  # an identifier or free text: no segments
    kept = {value for value, _ in counts.most_common(MAX_VALUES)}
    return [text if text in kept else "(other)" for text in texts]
