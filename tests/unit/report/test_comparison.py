"""The comparison report: golden markdown, marker and hash, escaping, the size budget, text/github/JSON renderers.

Golden files live in tests/unit/report/golden/; after an intended change, regenerate them with
``UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/unit/report/test_comparison.py`` and review the diff.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import re
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from mlgate.compare import Comparison, compare_results
from mlgate.config import GateConfig, MetricsConfig
from mlgate.report.budget import sanitize_key, size
from mlgate.report.cells import change_summary, delta_cell, number, percent, row_decimals, signed
from mlgate.report.chart import WIDTH, axis_range, column, label, render_chart
from mlgate.report.comparison import render_github, render_json, render_markdown, render_text, split_rows, to_json
from mlgate.report.context import (
    FULL_REPORT_LIMIT,
    DataFile,
    DriftedColumn,
    DriftSummary,
    ReportContext,
    SchemaSummary,
    ValidationSummary,
)
from mlgate.results import Evaluation, ModelResult, ResultSet
from mlgate.training.timing_rule import PairedTiming

GOLDEN = Path(__file__).resolve().parent / "golden"
JSON_SCHEMA = Path(__file__).resolve().parents[3] / "docs" / "schemas" / "compare.schema.json"
BASE_SHA = "d3cd69f" + "0" * 33
HEAD_SHA = "2737c6a" + "1" * 33
HOLDOUT = Evaluation("holdout", train_rows=427, test_rows=144, data_sha256="ab" * 32)
GATES = MetricsConfig(
    primary="accuracy",
    gates={"accuracy": GateConfig(rel_tol=0.02), "f1_macro": GateConfig(rel_tol=0.01, severity="warn")},
)
CONTEXT = ReportContext(
    key="pr-check/benchmark",
    head=HEAD_SHA,
    baseline_source="merge-base d3cd69f: cached model re-scored on this PR's data",
    data_files=(DataFile("train.csv", 427), DataFile("test.csv", 144)),
    validation=ValidationSummary(valid=True),
    schema=SchemaSummary(changes=0),
    drift=DriftSummary(checked=6),
    mlgate_version="0.1.0",
    run_url="https://github.com/acme/churn/actions/runs/4242",
    full_report="the job summary and the mlgate-report artifact",
)


def model(name: str, metrics: dict[str, float], **extra: Any) -> ModelResult:
    return ModelResult(name=name, estimator="sklearn.Estimator", metrics=metrics, **extra)


def holdout_comparison() -> Comparison:
    timings = {"fit_s": 0.5, "predict_1row_p95_ms": 3.1}
    base = ResultSet(
        models={
            "linear": model("linear", {"accuracy": 0.9371, "f1_macro": 0.9322}, params={"C": 1.0}, timings=timings),
            "forest": model(
                "forest",
                {"accuracy": 0.951, "f1_macro": 0.95},
                params={"n_estimators": 100},
                timings={"fit_s": 0.5, "predict_1row_p95_ms": 3.1},
            ),
            "knn": model("knn", {"accuracy": 0.9}),
        },
        commit=BASE_SHA,
        evaluation=HOLDOUT,
    )
    new = ResultSet(
        models={
            "linear": model("linear", {"accuracy": 0.8951, "f1_macro": 0.881}, params={"C": 1e-05}, timings=timings),
            "forest": model(
                "forest",
                {"accuracy": 0.951, "f1_macro": 0.95},
                params={"n_estimators": 100},
                timings={"fit_s": 0.9, "predict_1row_p95_ms": 3.0},
            ),
            "boosting": model("boosting", {"accuracy": 0.9612, "f1_macro": 0.958}),
        },
        commit=HEAD_SHA,
        evaluation=HOLDOUT,
    )
    fit = PairedTiming(base=0.5, new=0.9, ratio=1.8, low=1.5, high=2.1, rounds=15)  # timed side by side
    return compare_results(base, [new], GATES, timings={"forest": {"fit_s": fit}})


def cv_comparison() -> Comparison:
    def side(shift: float, noise: tuple[float, ...]) -> ResultSet:
        folds = {"accuracy": tuple(0.9 + shift + n for n in noise), "rmse": (1.0, 1.1, 0.9, 1.0, 1.0)}
        means = {k: sum(v) / len(v) for k, v in folds.items()}
        return ResultSet(
            models={"m": model("m", means, folds=folds)},
            evaluation=Evaluation("cv", folds=5, train_rows=500, data_sha256="d"),
        )

    base = side(0.0, (0.0, 0.01, -0.01, 0.02, 0.0))
    new = side(-0.03, (0.0, 0.012, -0.008, 0.02, 0.001))
    return compare_results(base, [new], MetricsConfig(alpha=0.05), baseline_note="cached baseline")


def current_only_comparison() -> Comparison:
    current = ResultSet(
        models={"a": model("a", {"accuracy": 0.81, "f1": 0.8}), "b": model("b", {"accuracy": 0.93})}, commit=HEAD_SHA
    )
    metrics = MetricsConfig(gates={"accuracy": GateConfig(min=0.85)})
    return compare_results(None, [current], metrics, baseline_note="the merge-base d3cd69f has no mlgate.yaml")


def interval_comparison() -> Comparison:
    """What a comparison that ran a test per model looks like: intervals of the primary metric's change."""
    metrics = MetricsConfig(primary="accuracy", gates={"accuracy": GateConfig(abs_tol=0.01)})
    base = ResultSet(
        models={
            "linear": model(
                "linear",
                {"accuracy": 0.9871},
                params={"max_depth": None},
                timings={"model_kb": 6193.88, "predict_1row_p95_ms": 1694.8929},
            ),
            "forest": model("forest", {"accuracy": 0.9902}),
        },
        commit=BASE_SHA,
        evaluation=HOLDOUT,
    )
    new = ResultSet(
        models={
            "linear": model(
                "linear",
                {"accuracy": 0.9661},
                params={"max_depth": 10},
                timings={"model_kb": 8706.58, "predict_1row_p95_ms": 1463.0378},
            ),
            "forest": model("forest", {"accuracy": 0.991}),
            "boosting": model("boosting", {"accuracy": 0.9944}),
        },
        commit=HEAD_SHA,
        evaluation=HOLDOUT,
    )
    comparison = compare_results(base, [new], metrics)
    intervals = {"linear": (-0.048, 0.006), "forest": (-0.0041, 0.0057)}
    rows = tuple(
        dataclasses.replace(
            r, low=intervals[r.model][0], high=intervals[r.model][1], method="McNemar (exact)", mde=0.012, p_worse=0.41
        )
        if r.metric == "accuracy" and r.model in intervals
        else r
        for r in comparison.rows
    )
    return dataclasses.replace(comparison, rows=rows)


DRIFT = DriftSummary(
    columns=(
        DriftedColumn("tenure", "data/test.csv", 0.3121, 0.1812, 0.2, 0.15),
        DriftedColumn("region", "data/test.csv", 0.2004, None, 0.2, None),
    ),
    checked=8,
    skipped=(("data/train.csv", "the reference statistics were made from it (same SHA-256)"),),
)
TESTED_CONTEXT = dataclasses.replace(CONTEXT, drift=DRIFT)

CASES = {
    "holdout": (holdout_comparison, CONTEXT),
    "cv": (cv_comparison, ReportContext(key="cv", mlgate_version="0.1.0")),
    "no_baseline": (current_only_comparison, ReportContext(key="pr", head=HEAD_SHA, mlgate_version="0.1.0")),
    "tested": (interval_comparison, TESTED_CONTEXT),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_markdown_matches_the_golden_file(case: str) -> None:
    build, context = CASES[case]
    text = render_markdown(build(), context, limit=60_000)
    golden = GOLDEN / f"comparison_{case}.md"
    if os.environ.get("UPDATE_GOLDEN") == "1":
        golden.parent.mkdir(exist_ok=True)
        golden.write_text(text, encoding="utf-8")
    assert text == golden.read_text(encoding="utf-8")
    assert render_markdown(build(), context, limit=60_000) == text  # byte-identical on re-render


def test_marker_is_the_first_line_and_hashes_the_rest() -> None:
    text = render_markdown(holdout_comparison(), CONTEXT, limit=60_000)
    first, rest = text.split("\n", 1)
    digest = hashlib.sha256(rest.encode("utf-8")).hexdigest()[:16]
    assert first == f"<!-- mlgate:report v=1 key=pr-check/benchmark head={HEAD_SHA} hash={digest} -->"
    assert rest.startswith("### ❌ mlgate: 1 gate failed — **linear** accuracy −4.48 % (tolerance 2 %)\n")


def test_the_table_lists_failures_first_and_folds_unchanged_rows() -> None:
    text = render_markdown(holdout_comparison(), CONTEXT, limit=60_000)
    table = text.split("| Model ", 2)[1]
    statuses = re.findall(r"\|\s+(❌|⚠️|✅|➖|🆕|🗑)\s+\|", table.split("\n\n")[0])
    assert statuses[:3] == ["❌", "⚠️", "⚠️"]
    assert "<details><summary>Unchanged, within tolerance or not judged (4)</summary>" in text
    assert "Best model: **boosting** (accuracy 0.9612). At the baseline it was **forest**." in text


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        ("pr-check/benchmark", "pr-check/benchmark"),
        ("a --> b <!-- c", "a-b-c"),
        ("---", "mlgate"),
        ("leg (py3.12, linux)", "leg-py3.12-linux"),
    ],
)
def test_keys_cannot_close_the_marker(key: str, expected: str) -> None:
    assert sanitize_key(key) == expected
    first = render_markdown(current_only_comparison(), ReportContext(key=key), limit=60_000).split("\n", 1)[0]
    assert first.startswith(f"<!-- mlgate:report v=1 key={expected} head={HEAD_SHA} hash=")
    assert first.count("-->") == 1


NASTY = "evil|name\n<!-- mlgate:report --> `x` <details><script>*_"


def test_values_from_the_data_cannot_break_the_table_or_inject_markup() -> None:
    base = ResultSet(models={NASTY: model(NASTY, {NASTY: 1.0}, params={NASTY: "a|b\n<details>"})})
    new = ResultSet(models={NASTY: model(NASTY, {NASTY: 2.0}, params={NASTY: "`c`-->"})})
    comparison = compare_results(base, [new], MetricsConfig(gates={NASTY: GateConfig(direction="lower")}))
    context = ReportContext(
        key="k",
        data_files=(DataFile("x`y\n.csv", 3),),
        baseline_source="src <b>|",
        run_url="javascript:alert(1)",
        full_report="here",
    )
    text = render_markdown(comparison, context, limit=60_000)
    body = text.split("\n", 1)[1]
    assert "<!--" not in body
    assert "-->" not in body
    chart = body.split("```text\n", 1)[1].split("```", 1)[0]
    assert "|" not in chart.replace("\\|", "")
    assert chart.splitlines()[2].startswith(label(NASTY) + "  ")  # the safe alphabet
    assert "<script>" not in body
    assert "<b>" not in body
    assert "javascript:" not in body
    assert body.count("<details>") == body.count("<details><summary>")  # only the report's own sections
    assert body.count("<details><summary>") == body.count("</details>") == 2  # parameters, data
    for line in body.splitlines():
        if line.startswith("|"):
            cells = re.split(r"(?<!\\)\|", line)
            assert len(cells) in (6, 9), line  # params table: 4 columns; metrics table: 7
    assert "`x`" not in body
    assert "`c`" not in body
    text_out = render_text(comparison, context)
    assert "\n<!--" not in text_out
    assert "evil|name\\x0a" in text_out


def many_rows(models: int, failing: int) -> Comparison:
    """``models`` models with 6 metrics each; every ``models // failing``-th model loses accuracy (a failed gate)."""
    names = [f"model_{m:04d}" for m in range(models)]
    step = models // failing if failing else models + 1
    scores = {f"metric_{i}": 0.5 for i in range(5)}
    base = ResultSet(models={n: model(n, {**scores, "accuracy": 0.9}) for n in names})
    new = ResultSet(
        models={
            n: model(n, {**{k: 0.6 for k in scores}, "accuracy": 0.8 if m % step == 0 else 0.9})
            for m, n in enumerate(names)
        }
    )
    return compare_results(base, [new], MetricsConfig())


def test_the_comment_budget_keeps_the_verdict_and_every_failing_row() -> None:
    comparison = many_rows(250, failing=25)
    assert len(comparison.failed) == 25
    full = render_markdown(comparison, CONTEXT, limit=FULL_REPORT_LIMIT)
    assert size(full) > 60_000  # the test is meaningful: the full report overflows a comment
    text = render_markdown(comparison, CONTEXT, limit=60_000)
    assert size(text) <= 60_000
    assert text.split("\n")[1].startswith("### ❌ mlgate: 25 gates failed — **model\\_0000** accuracy")
    for row in comparison.failed:
        assert re.search(
            rf"^\| {re.escape(row.model.replace('_', chr(92) + '_'))} +\| accuracy +\|", text, re.MULTILINE
        )
    main, folded = split_rows(comparison)
    omitted = re.search(
        r"✂️ \*\*Trimmed to fit the comment size limit\*\*: omitted ([\d,]+) of ([\d,]+) table rows", text
    )
    assert omitted is not None
    assert omitted.group(2) == f"{len(main):,}"
    shown = len(re.findall(r"^\| model", text, re.MULTILINE))
    assert shown + int(omitted.group(1).replace(",", "")) == len(main)
    assert f"{len(folded):,} unchanged rows" in text
    assert "The full report is in the job summary and the mlgate-report artifact." in text
    assert "| model\\_0249 " in full
    assert size(full) <= FULL_REPORT_LIMIT


def test_details_go_before_any_row_is_dropped() -> None:
    comparison = holdout_comparison()
    full = render_markdown(comparison, CONTEXT, limit=60_000)
    without_unchanged = render_markdown(comparison, CONTEXT, limit=size(full) - 1)
    assert "Unchanged, within tolerance or not judged" not in without_unchanged
    assert "omitted 4 unchanged rows." in without_unchanged
    assert "Changed parameters" in without_unchanged
    tight = render_markdown(comparison, CONTEXT, limit=size(without_unchanged) - 400)
    assert "Changed parameters" not in tight
    assert "| linear " in tight


def test_failing_rows_alone_over_budget_are_cut_last_and_counted() -> None:
    comparison = many_rows(400, failing=400)
    text = render_markdown(comparison, CONTEXT, limit=8_000)
    assert size(text) <= 8_000
    assert text.split("\n")[1].startswith("### ❌ mlgate: 400 gates failed")
    assert re.search(r"omitted [\d,]+ of 2,400 table rows \([\d,]+ failing\)", text)


def test_an_oversized_header_is_truncated_by_whole_lines() -> None:
    files = tuple(DataFile(f"data/part-{i:05d}.csv", i) for i in range(2000))
    context = ReportContext(key="k", data_files=files)
    text = render_markdown(current_only_comparison(), context, limit=5_000)
    assert size(text) <= 5_000
    assert text.splitlines()[1].startswith("### ❌ mlgate: 1 gate failed")
    assert text.endswith("\n✂️ **Truncated to fit the comment size limit.**\n")


def test_results_without_metrics_say_so() -> None:
    empty = ResultSet(models={"a": model("a", {})})
    text = render_markdown(compare_results(empty, [empty], MetricsConfig()), CONTEXT, limit=60_000)
    assert "\nThese results hold no metrics.\n" in text
    assert "| Model" not in text


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


def test_a_none_parameter_is_spelled_as_python_spells_it() -> None:
    text = render_markdown(interval_comparison(), TESTED_CONTEXT, limit=60_000)
    assert re.search(r"^\| linear +\| max\\_depth +\| None +\| 10 +\|$", text, re.MULTILINE)
    assert "null" not in text
    assert "    linear  max_depth: None → 10" in render_text(interval_comparison(), TESTED_CONTEXT)


def test_the_change_column_carries_its_interval_in_every_format() -> None:
    comparison = interval_comparison()
    markdown = render_markdown(comparison, TESTED_CONTEXT, limit=60_000)
    assert re.search(
        r"^\| linear +\| accuracy +\| +0\.9871 \| +0\.9661 \| −0\.0210 \[−0\.0480, \+0\.0060\] \|",
        markdown,
        re.MULTILINE,
    )
    assert markdown.split("\n")[1] == (
        "### ❌ mlgate: 1 gate failed — **linear** accuracy −0.0210 [−0.0480, +0.0060] (tolerance 0.01)"
    )
    text = render_text(comparison, TESTED_CONTEXT)
    assert re.search(r"^  linear +accuracy +0\.9871 +0\.9661 +−0\.0210 \[−0\.0480, \+0\.0060\] +−2\.13 %", text, re.M)
    document = to_json(comparison, TESTED_CONTEXT)
    linear = document["metrics"]["linear"]["accuracy"]
    assert (linear["low"], linear["high"], linear["method"], linear["mde"], linear["p_worse"]) == (
        -0.048,
        0.006,
        "McNemar (exact)",
        0.012,
        0.41,
    )
    assert not {"low", "high", "method", "mde", "p_worse"} & set(document["metrics"]["boosting"]["accuracy"])
    schema = json.loads(JSON_SCHEMA.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator(schema).validate(document)
    del linear["high"]
    with pytest.raises(jsonschema.ValidationError, match="'high' is a dependency of 'low'"):
        jsonschema.Draft202012Validator(schema).validate(document)


def test_the_comment_and_the_text_name_each_drifted_column_and_the_skipped_file_once() -> None:
    markdown = render_markdown(interval_comparison(), TESTED_CONTEXT, limit=60_000)
    assert markdown.split("\n")[3].endswith(" · validation ✅ · drift ⚠️ 2 of 8 columns")
    assert (
        "- ⚠️ drift in `data/test.csv`: `tenure` PSI 0.312 > 0.2, KS 0.181 > 0.15 · `region` PSI 0.2004 > 0.2\n"
        in markdown
    )  # four decimals where three would round 0.2004 down to the threshold
    assert markdown.count("data/train.csv") == 1
    assert "- drift not checked in `data/train.csv`: the reference statistics were made from it (same SHA-256)\n" in (
        markdown
    )
    text = render_text(interval_comparison(), TESTED_CONTEXT)
    assert "\n  data: validation ✓ · schema unchanged · drift ⚠ 2 of 8 columns\n" in text
    assert "\n  drift: data/test.csv: tenure PSI 0.312 > 0.2, KS 0.181 > 0.15; region PSI 0.2004 > 0.2\n" in text
    assert text.count("data/train.csv") == 1


def test_a_trimmed_comment_still_names_drifted_columns_up_to_a_bound() -> None:
    columns = tuple(DriftedColumn(f"col_{i:03d}", "data/test.csv", 0.5, 0.3, 0.2, 0.15) for i in range(40))
    context = dataclasses.replace(CONTEXT, drift=DriftSummary(columns, checked=60))
    comparison = many_rows(250, failing=25)
    trimmed = render_markdown(comparison, context, limit=60_000)
    assert "drift ⚠️ 40 of 60 columns" in trimmed
    assert "`col_009`" in trimmed
    assert "`col_010`" not in trimmed
    assert "- … and 30 more drifted columns (see the job summary)" in trimmed
    full = render_markdown(comparison, context, limit=FULL_REPORT_LIMIT)
    assert "`col_039`" in full
    assert "more drifted columns" not in full


def test_cv_reports_mean_std_and_the_corrected_t_intervals() -> None:
    text = render_markdown(cv_comparison(), ReportContext(key="cv"), limit=60_000)
    assert re.search(
        r"\| m +\| accuracy +\| +0\.9040 ± 0\.0114 \| +0\.8750 ± 0\.0110 \| +−0\.0290 \[−0\.\d+, −0\.\d+\]", text
    )
    assert "Cross-validation over 5 folds: mean ± std." in text
    assert "Tests: corrected resampled t (Nadeau–Bengio)" in text


def test_json_validates_and_has_the_dvc_shape() -> None:
    schema = json.loads(JSON_SCHEMA.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    for build, context in CASES.values():
        document = json.loads(render_json(build(), context))
        jsonschema.Draft202012Validator(schema).validate(document)
    document = to_json(holdout_comparison(), CONTEXT)
    accuracy = document["metrics"]["linear"]["accuracy"]
    assert (accuracy["old"], accuracy["new"], accuracy["status"]) == (0.9371, 0.8951, "fail")
    assert accuracy["diff"] == pytest.approx(-0.042)
    assert document["params"] == {"linear": {"C": {"old": 1.0, "new": 1e-05, "change": "changed"}}}
    assert (document["verdict"], document["failed"], document["warned"], document["best_model"]) == (
        "fail",
        1,
        2,
        "boosting",
    )
    assert document["baseline"]["commit"] == BASE_SHA
    assert document["candidate"]["commit"] == HEAD_SHA
    assert document["metrics"]["knn"]["accuracy"]["status"] == "removed"


def test_text_and_github_renderers() -> None:
    comparison = holdout_comparison()
    text = render_text(comparison, CONTEXT)
    assert text.startswith("✗ mlgate: 1 gate failed — linear accuracy −4.48 % (tolerance 2 %)\n")
    assert re.search(r"^  linear +accuracy +0\.9371 +0\.8951 +−0\.0420 +−4\.48 % +✗ fail +worse beyond", text, re.M)
    assert "  changed parameters (1):\n    linear  C: 1.0 → 1e-05\n" in text
    github = render_github(comparison, CONTEXT, limit=2)
    lines = github.splitlines()
    assert lines[0] == (
        "::error title=mlgate gate%3A linear accuracy::linear accuracy: 0.9371 → 0.8951 (−4.48 %25); "
        "worse beyond tolerance 2 %25"
    )
    assert lines[1].startswith("::warning title=mlgate gate%3A linear f1_macro::")
    assert lines[2] == "::notice::1 more gate results were not annotated (limit 2)"
    assert lines[3] == text.splitlines()[0]
