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

import jsonschema
import pytest

from mlgate.compare import compare_results
from mlgate.config import GateConfig, MetricsConfig
from mlgate.report.budget import sanitize_key, size
from mlgate.report.chart import label
from mlgate.report.comparison import render_markdown, render_text, split_rows, to_json
from mlgate.report.context import (
    FULL_REPORT_LIMIT,
    DataFile,
    DriftedColumn,
    DriftSummary,
    ReportContext,
)
from mlgate.results import ResultSet
from unit.report.comparisons import (
    CASES,
    CONTEXT,
    HEAD_SHA,
    TESTED_CONTEXT,
    current_only_comparison,
    cv_comparison,
    holdout_comparison,
    interval_comparison,
    many_rows,
    model,
)

GOLDEN = Path(__file__).resolve().parent / "golden"
JSON_SCHEMA = Path(__file__).resolve().parents[3] / "docs" / "schemas" / "compare.schema.json"


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
