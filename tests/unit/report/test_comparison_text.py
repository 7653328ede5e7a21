from __future__ import annotations

import dataclasses
import re

from mlgate.compare import compare_results
from mlgate.config import GateConfig, MetricsConfig
from mlgate.report.comparison_text import annotate, data_lines, describe_verdict, render_github, render_text, sort_rows
from mlgate.report.context import DriftSummary, ReportContext, SchemaSummary, ValidationSummary
from mlgate.results import ResultSet
from unit.report.comparisons import (
    CONTEXT,
    TESTED_CONTEXT,
    current_only_comparison,
    holdout_comparison,
    model,
)


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


def test_failures_come_first_then_warnings_then_the_rest_in_their_order() -> None:
    rows = holdout_comparison().rows
    ordered = sort_rows(rows)
    statuses = [r.status for r in ordered]
    assert statuses == sorted(statuses, key=lambda s: {"fail": 0, "warn": 1}.get(s, 2))
    assert [r for r in ordered if r.status not in ("fail", "warn")] == [
        r for r in rows if r.status not in ("fail", "warn")
    ]


def verdict(base: float, new: float, gate: GateConfig) -> str:
    sides = [ResultSet(models={"m": model("m", {"accuracy": v})}) for v in (base, new)]
    comparison = compare_results(sides[0], [sides[1]], MetricsConfig(gates={"accuracy": gate}))
    return describe_verdict(comparison, 4)


def test_the_verdict_names_the_first_broken_gate_or_the_best_model() -> None:
    assert verdict(0.9, 0.8, GateConfig(rel_tol=0.02)) == "1 gate failed — m accuracy −11.1 % (tolerance 2 %)"
    assert verdict(0.9, 0.8, GateConfig(rel_tol=0.02, severity="warn")) == (
        "passed with 1 warning — m accuracy −11.1 % (tolerance 2 %)"
    )
    assert verdict(0.9, 0.9, GateConfig(rel_tol=0.02)) == "all gates passed — best model m (accuracy 0.9000)"
    assert describe_verdict(current_only_comparison(), 4) == "1 gate failed — a accuracy 0.8100 (min 0.85)"


def test_the_verdict_counts_more_failures_and_formats_names_as_asked() -> None:
    text = describe_verdict(holdout_comparison(), 4, model=lambda m: f"<{m}>", metric=str.upper)
    assert text == "1 gate failed — <linear> ACCURACY −4.48 % (tolerance 2 %)"
    sides = [ResultSet(models={n: model(n, {"accuracy": v}) for n in ("a", "b")}) for v in (0.9, 0.8)]
    comparison = compare_results(sides[0], [sides[1]], MetricsConfig(gates={"accuracy": GateConfig(abs_tol=0.01)}))
    assert describe_verdict(comparison, 4) == "2 gates failed — a accuracy −0.1000 (tolerance 0.01), and 1 more"


def test_without_a_baseline_the_text_shows_only_the_pr_column() -> None:
    text = render_text(current_only_comparison(), ReportContext(key="pr"))
    lines = text.splitlines()
    assert lines[1] == "  no baseline: the merge-base d3cd69f has no mlgate.yaml · PR head 2737c6a"
    assert lines[3].split() == ["model", "metric", "PR", "status", "reason"]
    assert "  best model: b (accuracy 0.9300)" in lines


def test_the_data_line_sums_up_validation_schema_and_drift() -> None:
    assert data_lines(ReportContext()) == []
    assert data_lines(CONTEXT) == ["data: validation ✓ · schema unchanged · drift ✓"]
    context = ReportContext(
        validation=ValidationSummary(valid=False, violations=1234),
        schema=SchemaSummary(changes=3, breaking=1),
        drift=DriftSummary(checked=0, skipped=(("train.csv", "the reference's own data"),)),
    )
    assert data_lines(context) == [
        "data: validation ✗ (1,234 violations) · schema: 3 changes (1 breaking) · drift not checked",
        "drift not checked in train.csv: the reference's own data",
    ]
    assert data_lines(TESTED_CONTEXT)[0] == "data: validation ✓ · schema unchanged · drift ⚠ 2 of 8 columns"


def test_annotations_escape_what_would_end_a_workflow_command() -> None:
    sides = [ResultSet(models={"a,b:c%": model("a,b:c%", {"accuracy": v})}) for v in (0.9, 0.5)]
    comparison = compare_results(sides[0], [sides[1]], MetricsConfig(gates={"accuracy": GateConfig(abs_tol=0.1)}))
    (line,) = annotate(comparison, ReportContext())
    assert re.match(
        r"^::error title=mlgate gate%3A a%2Cb%3Ac%25 accuracy::a,b:c%25 accuracy: 0\.9000 → 0\.5000 \(−44\.4 %25\)",
        line,
    )
    assert annotate(comparison, ReportContext(), limit=0) == [
        "::notice::1 more gate results were not annotated (limit 0)"
    ]


def test_github_output_without_flagged_rows_is_the_text_alone() -> None:
    sides = [ResultSet(models={"m": model("m", {"accuracy": 0.9})})] * 2
    comparison = compare_results(sides[0], [sides[1]], MetricsConfig())
    assert render_github(comparison, CONTEXT) == render_text(comparison, CONTEXT)
    assert render_text(dataclasses.replace(comparison, notes=("a\x1b[31mred",)), CONTEXT).endswith(
        "  note: a\\x1b[31mred\n"  # the escape sequence shown, not sent to the terminal
    )
