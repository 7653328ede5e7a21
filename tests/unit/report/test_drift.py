from __future__ import annotations

import dataclasses

import pytest

from mlgate.data.drift_report import DriftReport
from mlgate.report.context import DriftedColumn, DriftSummary
from mlgate.report.drift import (
    describe_measures,
    drift_annotations,
    drift_lines_markdown,
    drift_lines_text,
    drift_status,
    drift_verdict,
    render_drift_markdown,
    render_drift_text,
    sparkline,
)
from unit.report.monitor_results import DRIFTED, PLAN, STABLE

TENURE = DriftedColumn("tenure", "data/test.csv", 0.3121, 0.1812, 0.2, 0.15)
REGION = DriftedColumn("region", "data/test.csv", 0.2004, None, 0.2, None, severity="error")
AGE = DriftedColumn("age", "data/new.csv", 0.25)
SKIPPED = (("data/train.csv", "the reference statistics were made from it"),)


@pytest.mark.parametrize(
    ("reference", "current", "expected"),
    [
        ((0.5, 0.5, 0.0), (0.25, 0.25, 0.5), "██· → ▄▄█"),  # one scale for both; an empty bin is a dot
        ((0.3, 0.4, 0.3), (0.1, 0.2, 0.7), "▃▅▃ → ▁▂█"),  # top 0.7 is █ (8): 0.4 → 4.6 → ▅
        ((0.01, 0.99), (0.99, 0.01), "▁█ → █▁"),  # a tiny share still shows a bar
        ((), (), ""),
        ((0.0,), (0.0,), ""),
    ],
)
def test_sparklines_draw_both_sides_on_one_scale(
    reference: tuple[float, ...], current: tuple[float, ...], expected: str
) -> None:
    assert sparkline(reference, current) == expected


def test_a_measure_over_its_threshold_shows_enough_decimals_to_exceed_it() -> None:
    assert describe_measures(TENURE) == "PSI 0.312 > 0.2, KS 0.181 > 0.15"
    assert describe_measures(REGION) == "PSI 0.2004 > 0.2"  # 0.200 would not read as over 0.2
    assert describe_measures(DriftedColumn("x", "f", 0.2, 0.05, 0.2, 0.1)) == "PSI 0.200, KS 0.050"


@pytest.mark.parametrize(
    ("summary", "emoji", "status"),
    [
        (DriftSummary((TENURE, REGION, AGE), checked=8), True, "drift ❌ 3 of 8 columns"),
        (DriftSummary((TENURE,), checked=1), False, "drift ⚠ 1 of 1 column"),
        (DriftSummary((TENURE, AGE)), True, "drift ⚠️ 2 columns"),
        (DriftSummary(checked=0, skipped=SKIPPED), True, "drift not checked"),
        (DriftSummary(checked=6), True, "drift ✅"),
        (DriftSummary(checked=6), False, "drift ✓"),
    ],
)
def test_the_status_counts_distinct_drifted_columns(summary: DriftSummary, emoji: bool, status: str) -> None:
    assert drift_status(summary, emoji=emoji) == status


def test_drift_lines_group_columns_by_file_and_say_why_a_file_was_skipped() -> None:
    summary = DriftSummary((TENURE, REGION, AGE), checked=8, skipped=SKIPPED)
    assert drift_lines_text(summary) == [
        "drift: data/test.csv: tenure PSI 0.312 > 0.2, KS 0.181 > 0.15; region PSI 0.2004 > 0.2",
        "drift: data/new.csv: age PSI 0.250 > 0.2",
        "drift not checked in data/train.csv: the reference statistics were made from it",
    ]
    assert drift_lines_markdown(summary, shown=2) == [
        "- ❌ drift in `data/test.csv`: `tenure` PSI 0.312 > 0.2, KS 0.181 > 0.15 · `region` PSI 0.2004 > 0.2",
        "- … and 1 more drifted columns (see the job summary)",
        "- drift not checked in `data/train.csv`: the reference statistics were made from it",
    ]
    assert drift_lines_markdown(summary)[1] == "- ⚠️ drift in `data/new.csv`: `age` PSI 0.250 > 0.2"


def test_annotations_put_a_warning_or_error_on_the_file() -> None:
    assert drift_annotations(DriftSummary((REGION, AGE), skipped=SKIPPED)) == [
        "::error file=data/test.csv,title=mlgate drift%3A region::region drifted against the reference statistics: "
        "PSI 0.2004 > 0.2",
        "::warning file=data/new.csv,title=mlgate drift%3A age::age drifted against the reference statistics: "
        "PSI 0.250 > 0.2",
        "::notice file=data/train.csv,title=mlgate drift::not checked for drift: "
        "the reference statistics were made from it",
    ]


def test_the_verdict_names_dataset_drift_at_the_share_threshold() -> None:
    assert drift_verdict(DriftReport("ref.csv", (STABLE, DRIFTED, PLAN))) == (
        "❌ Dataset drift: 2 of 3 fields drifted (67% ≥ 50%)"
    )
    assert drift_verdict(DriftReport("ref.csv", (STABLE, STABLE, DRIFTED))) == "⚠️ 1 of 3 fields drifted (33%)"
    assert drift_verdict(DriftReport("ref.csv", (STABLE,))) == "✅ No drift: 0 of 1 field drifted"


def test_the_text_report_has_a_row_per_field_with_its_measures_and_notes() -> None:
    noted = dataclasses.replace(STABLE, note="only the first 1,000 categories were kept")
    text = render_drift_text(DriftReport("ref.csv", (noted, DRIFTED, PLAN), skipped=(("b", "type changed"),)))
    lines = text.splitlines()
    assert lines[0] == "✗ Drift vs ref.csv: dataset drift: 2 of 3 fields drifted (67% ≥ 50%)"
    assert lines[2].split() == [
        "field",
        "kind",
        "PSI",
        "KS",
        "new",
        "categories",
        "reference",
        "→",
        "current",
        "status",
    ]
    age = next(line for line in lines if line.startswith("  age "))
    assert age.split()[1:5] == ["numeric", "0.900", "0.400", "—"]
    assert "  ▃▅▃ → ▁▂█  " in age
    assert age.endswith("  ⚠ drifted (PSI > 0.2, KS > 0.1)")
    plan = next(line for line in lines if line.startswith("  plan "))
    assert "gold (25.0%)" in plan
    assert plan.endswith("⚠ drifted (PSI > 0.2)")
    city = next(line for line in lines if line.startswith("  city "))
    assert "?" in city.split()  # a note: its new categories are unknown, not "none"
    assert city.endswith("✓ stable")
    assert "  note: city: only the first 1,000 categories were kept" in lines
    assert "  note: plan: missing categories: basic" in lines
    assert lines[-1] == "  not checked: b (type changed)"


def test_the_markdown_report_escapes_names_and_can_leave_the_heading_to_the_caller() -> None:
    piped = dataclasses.replace(DRIFTED, field="a|b", severity="error")
    many = dataclasses.replace(PLAN, new_categories=("g1", "g2", "g3", "g4", "g5"))
    markdown = render_drift_markdown(DriftReport("ref.csv", (piped, many)))
    assert markdown.startswith("#### ❌ Dataset drift: 2 of 2 fields drifted (100% ≥ 50%)\n\nReference: `ref.csv`\n")
    assert "| a\\|b " in markdown
    assert "❌ drifted (PSI > 0.2, KS > 0.1)" in markdown
    assert "g1, g2, g3 (+2) (25.0%)" in markdown
    assert "Categories seen in the reference but absent now: `plan`: basic" in markdown
    bare = render_drift_markdown(DriftReport("ref.csv", ()), heading=False)
    assert bare == "Reference: `ref.csv`\n"
