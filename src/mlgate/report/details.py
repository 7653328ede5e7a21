"""Collapsed details of the PR report: where each model errs (per class, residuals) and scores on both data versions.

Renderers only: the numbers come from ``mlgate.breakdown`` (per-row predictions of both sides) and from the
comparison rows (``Row.base_own``: the baseline model's score on the merge-base's own data).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from mlgate.compare import Comparison, Row
from mlgate.report.cells import Align, github_table, number, quality_decimals
from mlgate.text.markdown import md

if TYPE_CHECKING:
    from mlgate.breakdown import Breakdown

MAX_MODELS = 6  # models broken down in the comment; the job summary has room for all of them


def render_breakdown(breakdown: Sequence[Breakdown], precision: int, *, limit: int = MAX_MODELS) -> str:
    """Per-class precision/recall (baseline → PR) and confusion matrices, or residual summaries, per model."""
    parts: list[str] = []
    for item in list(breakdown)[:limit]:
        if item.classes:
            parts += [f"**{md(item.model)}**: per class (baseline → PR)", "", _classes_table(item, precision)]
            if item.confusion is not None:
                parts += ["", _confusion(item)]
        elif item.residuals is not None:
            parts += [f"**{md(item.model)}**: residuals (prediction − truth)", "", _residuals_table(item, precision)]
        parts.append("")
    if len(breakdown) > limit:
        parts.append(f"… and {len(breakdown) - limit} more models (see the job summary)")
    return "\n".join(parts).strip()


def render_own_scores(comparison: Comparison, precision: int) -> str | None:
    """The baseline models' scores on the merge-base's data next to their scores on this PR's data."""
    rows = [r for r in comparison.rows if r.base_own is not None and r.kind == "quality"]
    if not rows:
        return None
    table = [
        [md(r.model), md(r.label), _value(r.base_own, precision), _value(r.base, precision), _value(r.new, precision)]
        for r in rows
    ]
    headers = ["Model", "Metric", "Baseline on its data", "Baseline on this PR's data", "PR on this PR's data"]
    note = (
        "The evaluation data changed in this PR: the first column is the baseline model scored on the "
        "merge-base's data, the second the same model on this PR's data."
    )
    return note + "\n\n" + github_table(table, headers, ["left", "left", "right", "right", "right"])


def _classes_table(item: Breakdown, precision: int) -> str:
    rows = [
        [md(c.label, 40), f"{c.support:,}", _pair(c.precision, precision), _pair(c.recall, precision)]
        for c in item.classes
    ]
    return github_table(rows, ["Class", "Rows", "Precision", "Recall"], ["left", "right", "right", "right"])


def _confusion(item: Breakdown) -> str:
    assert item.confusion is not None
    base, new = item.confusion
    labels = [md(label, 20) for label in item.labels]
    rows = []
    for i, label in enumerate(labels):
        cells = [
            f"{int(new[i][j]):,}" if base is None else f"{int(base[i][j]):,} → {int(new[i][j]):,}"
            for j in range(len(labels))
        ]
        rows.append([f"**{label}**", *cells])
    title = "truth \\ predicted" + ("" if base is None else " (baseline → PR)")
    align: list[Align] = ["left", *(["right"] * len(labels))]  # type: ignore[list-item]
    return github_table(rows, [title, *labels], align)


def _residuals_table(item: Breakdown, precision: int) -> str:
    assert item.residuals is not None
    base, new = item.residuals
    names = (("mean", "mean"), ("median |r|", "median_abs"), ("90th pct |r|", "p90_abs"), ("max |r|", "max_abs"))
    rows = [
        [label, "—" if base is None else _value(getattr(base, key), precision), _value(getattr(new, key), precision)]
        for label, key in names
    ]
    return github_table(rows, ["Residual", "Baseline", "PR"], ["left", "right", "right"])


def _pair(values: tuple[float | None, float], precision: int) -> str:
    base, new = values
    return _value(new, precision) if base is None else f"{_value(base, precision)} → {_value(new, precision)}"


def _value(value: Any, precision: int) -> str:
    if value is None:
        return "—"
    return number(float(value), quality_decimals(float(value), precision))


def describe_tests(rows: Sequence[Row], alpha: float, methods: Sequence[str]) -> str | None:
    """The note under the table when intervals are shown: what they are and what a failure means."""
    quality = [r for r in rows if r.kind == "quality" and r.low is not None]
    timing = any(r.kind == "timing" and r.low is not None for r in rows)
    if not quality and not timing:
        return None
    sure = f"{round((1 - alpha) * 100):g} %"
    parts = []
    if quality:
        gated = sum(1 for r in quality if r.p_worse is not None and not (r.diff == 0 and r.low == 0 and r.high == 0))
        parts.append(
            f"Δ [low, high]: the change with its {round((1 - 2 * alpha) * 100):g} % interval (each end a "
            f"one-sided {sure} bound). A gate fails only when the drop is beyond its margin with {sure} "
            f"confidence, Holm-adjusted over the {gated:,} gated values whose models predict differently."
        )
        parts += [f"Tests: {md(', '.join(methods), 300)}."] if methods else []
    if timing:
        parts.append("Timings: baseline and PR timed side by side in this job, with the 95 % interval of their ratio.")
    return "<sub>" + " ".join(parts) + "</sub>"
