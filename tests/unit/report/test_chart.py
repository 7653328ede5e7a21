from __future__ import annotations

import dataclasses

import pytest

from mlgate.compare import compare_results
from mlgate.config import MetricsConfig
from mlgate.report.chart import WIDTH, axis_range, column, label, render_chart
from mlgate.results import ResultSet
from unit.report.comparisons import (
    current_only_comparison,
    holdout_comparison,
    interval_comparison,
    many_rows,
    model,
)


def test_the_chart_shows_each_change_from_zero_and_no_bar_without_a_baseline() -> None:
    chart = render_chart(holdout_comparison(), 4)
    assert chart == "\n".join(
        [
            "```text",
            "accuracy: change PR − baseline; better → · ● change · │ no change",
            "          −0.0420                                 0",
            "linear    ●                                       │  −0.0420",
            "forest                                            ●  0.0000",
            "boosting  no baseline",  # new: no made-up baseline, no bar
            "knn       removed",
            "```",
        ]
    )
    assert render_chart(many_rows(21, failing=0), 4) is None  # too many lines to read
    assert render_chart(current_only_comparison(), 4) is None  # no baseline: no change to draw


def test_the_chart_draws_each_interval_around_its_change_on_an_axis_through_zero() -> None:
    chart = render_chart(interval_comparison(), 4)
    assert chart is not None
    lines = chart.splitlines()
    assert lines[1] == (
        "accuracy: change PR − baseline; better → · ● change · ├─┤ 90 % interval (McNemar (exact)) · │ no change"
    )
    low, high = axis_range([-0.021, -0.048, 0.006, 0.0008, -0.0041, 0.0057])
    assert (low, high) == (-0.048, 0.006)
    zero = column(0.0, low, high)
    bars = {line.split()[0]: line[10 : 10 + WIDTH] for line in lines[3:-1]}
    assert bars["linear"].index("├") == 0
    assert bars["linear"].index("●") == column(-0.021, low, high)
    assert bars["linear"][zero] == "┼"  # the interval crosses zero
    assert bars["linear"].index("┤") == WIDTH - 1
    assert bars["forest"].index("├") == column(-0.0041, low, high)
    assert bars["forest"].index("●") == column(0.0008, low, high)
    assert lines[3].endswith("  −0.0210 [−0.0480, +0.0060]")
    assert lines[5] == "boosting  no baseline"
    assert lines[2].split() == ["−0.0480", "+0.0060"]  # the ends; a 0 label there would overlap the right one
    holdout = render_chart(holdout_comparison(), 4)
    assert holdout is not None
    scale = holdout.splitlines()[2]
    assert scale.split() == ["−0.0420", "0"]
    assert scale.rindex("0") == 10 + column(0.0, -0.042, 0.0)  # the 0 label stands over the zero line


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ([-0.042, 0.0], (-0.042, 0.0)),
        ([0.0008], (0.0, 0.0008)),
        ([0.0, 0.0], (-1.0, 1.0)),
        ([-0.2, 0.4], (-0.2, 0.4)),
        ([0.01, 0.02], (0.0, 0.02)),
    ],
)
def test_the_axis_always_includes_zero(values: list[float], expected: tuple[float, float]) -> None:
    assert axis_range(values) == expected


def test_chart_labels_are_reduced_to_a_safe_alphabet() -> None:
    assert label('a"b]`c\n<x>') == "a_b__c__x_"
    assert label("x" * 40) == "x" * 29 + "…"


def test_a_lower_is_better_metric_points_better_to_the_left() -> None:
    sides = [ResultSet(models={"m": model("m", {"rmse": v})}) for v in (1.5, 1.2)]
    chart = render_chart(compare_results(sides[0], [sides[1]], MetricsConfig(primary="rmse")), 4)
    assert chart is not None
    lines = chart.splitlines()
    assert lines[1] == "rmse: change PR − baseline; ← better · ● change · │ no change"
    assert lines[2].split() == ["−0.3000", "0"]
    assert lines[3] == "m  ●" + " " * (WIDTH - 2) + "│  −0.3000"


def test_no_chart_without_a_primary_metric() -> None:
    assert render_chart(dataclasses.replace(holdout_comparison(), primary=None), 4) is None


def test_a_larger_alpha_gives_a_narrower_interval_level() -> None:
    chart = render_chart(dataclasses.replace(interval_comparison(), alpha=0.1), 4)
    assert chart is not None
    assert "├─┤ 80 % interval (McNemar (exact))" in chart.splitlines()[1]


def test_values_outside_the_axis_are_clamped_to_its_ends() -> None:
    assert (column(-5.0, -1.0, 1.0), column(5.0, -1.0, 1.0), column(0.0, -1.0, 1.0)) == (0, WIDTH - 1, WIDTH // 2)
