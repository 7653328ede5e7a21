from __future__ import annotations

import re

import pytest

from mlgate.compare import Row, compare_results
from mlgate.config import GateConfig, MetricsConfig
from mlgate.report.cells import (
    change_summary,
    decimals_for,
    delta_cell,
    github_table,
    number,
    percent,
    python_value,
    quality_decimals,
    row_decimals,
    run_link,
    short_sha,
    signed,
    value_cell,
)
from mlgate.report.comparison import render_text
from mlgate.report.context import ReportContext
from mlgate.results import ResultSet
from unit.report.comparisons import model


def row(**fields: object) -> Row:
    values: dict[str, object] = {
        "model": "m",
        "metric": "accuracy",
        "kind": "quality",
        "base": 0.9,
        "new": 0.8,
        "diff": -0.1,
        "pct": -11.1,
        "status": "fail",
        "severity": "fail",
        "reason": "",
    }
    return Row(**{**values, **fields})  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("magnitude", "significant", "most", "decimals"),
    [
        (0.9371, 6, 4, 4),  # capped by the precision
        (1234.5, 4, 3, 0),  # never negative
        (31.42, 4, 3, 2),
        (0.0, 4, 3, 3),  # nothing to count digits of: the most
        (float("nan"), 4, 3, 3),
        (-0.042, 2, 4, 3),  # the sign does not matter
    ],
)
def test_decimals_show_the_significant_digits_within_bounds(
    magnitude: float, significant: int, most: int, decimals: int
) -> None:
    assert decimals_for(magnitude, significant, most) == decimals


def test_a_quality_metric_alone_shows_six_digits_at_most_the_precision() -> None:
    assert (quality_decimals(1234.5678, 4), quality_decimals(0.5, 4), quality_decimals(None, 4)) == (2, 4, 4)


def test_numbers_keep_a_fixed_precision_but_never_hide_tiny_values() -> None:
    assert (number(0.93712, 4), number(1e-05, 4), number(None, 4)) == ("0.9371", "1.000e-05", "—")
    assert (signed(0.042, 4), signed(-0.042, 4), signed(0.0, 4), signed(-0.00001, 2)) == (
        "+0.0420",
        "−0.0420",
        "0.0000",
        "−1.0e-05",
    )


@pytest.mark.parametrize(
    ("metric", "base", "new", "expected"),
    [
        ("model_kb", 6193.88, 8706.58, ("6,194", "8,707", "+2,513")),
        ("model_kb", 185.61, 185.62, ("185.6", "185.6", "+0.010")),
        ("predict_1row_p95_ms", 31.4242, 44.0471, ("31.42", "44.05", "+12.62")),
        ("fit_s", 0.4925, 1.3892, ("0.492", "1.389", "+0.897")),
        ("accuracy", 0.9371, 0.8951, ("0.9371", "0.8951", "−0.0420")),
        ("rmse", 1234.5678, 1236.0, ("1,234.57", "1,236.00", "+1.43")),
    ],
)
def test_numbers_are_formatted_by_magnitude(metric: str, base: float, new: float, expected: tuple[str, ...]) -> None:
    quality = metric in ("accuracy", "rmse")
    sides = [
        ResultSet(models={"m": model("m", {metric: v} if quality else {}, timings={} if quality else {metric: v})})
        for v in (base, new)
    ]
    comparison = compare_results(sides[0], [sides[1]], MetricsConfig())
    row = comparison.rows[0]
    decimals = row_decimals(row, 4)
    assert (number(row.base, decimals), number(row.new, decimals), delta_cell(row, 4)) == expected
    text = render_text(comparison, ReportContext(key="k"))
    assert re.search(
        rf"^  m +\S.*? +{re.escape(expected[0])} +{re.escape(expected[1])} +{re.escape(expected[2])} ",
        text,
        re.MULTILINE,
    )


def test_relative_changes_have_three_significant_digits() -> None:
    assert [percent(v) for v in (366.29, 40.17, -4.48, -0.13, 0.0, None)] == [
        "+366 %",
        "+40.2 %",
        "−4.48 %",
        "−0.13 %",
        "0.00 %",
        "—",
    ]


@pytest.mark.parametrize(
    ("gate", "base", "new", "expected"),
    [
        (GateConfig(rel_tol=0.02), 0.9371, 0.8951, "−4.48 % (tolerance 2 %)"),
        (GateConfig(abs_tol=0.01), 0.9871, 0.9661, "−0.0210 (tolerance 0.01)"),
        (GateConfig(abs_tol=0.01, rel_tol=0.02), 0.9371, 0.8951, "−0.0420 (−4.48 %; tolerance 0.01 or 2 %)"),
        (GateConfig(abs_tol=0.0), 0.7737, 0.7727, "−0.0010 (−0.13 %; no tolerance)"),
        (GateConfig(min=0.9), 0.95, 0.81, "0.8100 (min 0.9)"),
    ],
)
def test_the_headline_states_change_and_tolerance_in_one_unit(
    gate: GateConfig, base: float, new: float, expected: str
) -> None:
    sides = [ResultSet(models={"m": model("m", {"accuracy": v})}) for v in (base, new)]
    comparison = compare_results(sides[0], [sides[1]], MetricsConfig(gates={"accuracy": gate}))
    assert change_summary(comparison.failed[0], 4) == expected


def test_infinite_values_are_spelled_out() -> None:
    assert (number(float("inf"), 2), number(float("-inf"), 2), number(float("nan"), 2)) == ("inf", "-inf", "nan")


def test_a_value_carries_its_spread_over_folds() -> None:
    assert value_cell(0.91234, 0.0123, 4) == "0.9123 ± 0.0123"
    assert value_cell(0.91234, None, 4) == "0.9123"
    assert value_cell(None, 0.01, 4) == "—"


def test_a_change_carries_its_interval_only_when_both_ends_are_known() -> None:
    assert delta_cell(row(low=-0.15, high=-0.05), 4) == "−0.1000 [−0.1500, −0.0500]"
    assert delta_cell(row(low=-0.15), 4) == "−0.1000"
    assert delta_cell(row(diff=None), 4) == "—"


def test_an_incomparable_row_and_a_broken_minimum_are_explained() -> None:
    assert change_summary(row(status="incomparable"), 4) == "not comparable with the baseline"
    assert change_summary(row(diff=None, base=None, new=0.81, rule=None, reason="below min 0.9"), 4) == (
        "0.8100 (below min 0.9)"
    )
    assert change_summary(row(rule="default margin 0.01", low=-0.2, high=0.0), 4) == (
        "−0.1000 [−0.2000, 0.0000] (default margin 0.01)"
    )


def test_python_values_are_spelled_as_python_spells_them() -> None:
    assert [python_value(v) for v in (None, True, 1e-05, [1, 2], "balanced")] == [
        "None",
        "True",
        "1e-05",
        "[1, 2]",
        "balanced",
    ]


@pytest.mark.parametrize(
    ("url", "link"),
    [
        ("https://github.com/o/r/actions/runs/1", "[workflow run](https://github.com/o/r/actions/runs/1)"),
        ("http://ci.local/run/2", "[workflow run](http://ci.local/run/2)"),
        ("https://x.io/a)[evil](https://e.io", None),  # would end the link early
        ("javascript:alert(1)", None),
        ("https://x.io/a b", None),
        (None, None),
        ("", None),
    ],
)
def test_only_plain_http_addresses_become_links(url: str | None, link: str | None) -> None:
    assert run_link(url) == link


def test_short_sha_keeps_seven_lowercase_hex_characters_of_a_commit_id() -> None:
    assert short_sha("D3CD69F" + "0" * 33) == "d3cd69f"
    assert short_sha("abc1234") == "abc1234"
    assert [short_sha(v) for v in ("abc123", "v1.2.3-tag", "g" * 40, None)] == [None] * 4


def test_github_tables_mark_the_alignment_of_each_column() -> None:
    table = github_table([["linear", "0.9371", "ok"]], ["Model", "Value", "Status"], ["left", "right", "center"])
    assert table.split("\n") == [
        "| Model   |   Value |  Status  |",
        "|:--------|--------:|:--------:|",
        "| linear  |  0.9371 |    ok    |",
    ]


def test_tracked_links_escape_the_model_name_and_keep_only_safe_addresses() -> None:
    from mlgate.report.cells import tracked_links

    runs = [
        ("a_b*[x]", "https://mlflow.example.com/#/experiments/1/runs/r1"),
        ("evil", "javascript:alert(1)"),
        ("paren", "https://h/#/runs/a)(b"),
    ]
    text = tracked_links(runs)
    assert text is not None
    assert text.startswith("MLflow runs: [a\\_b\\*\\[x\\]](https://mlflow.example.com/#/experiments/1/runs/r1)")
    assert "evil" not in text
    assert "paren" not in text
    assert tracked_links([("evil", "javascript:alert(1)")]) is None
