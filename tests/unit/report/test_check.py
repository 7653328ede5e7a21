"""``mlgate check``'s renderers: the data gate's failure comment, the drift summary, the text and the annotations."""

from __future__ import annotations

import re
from typing import Literal

from mlgate import __version__
from mlgate.baseline import Revisions
from mlgate.check import CheckResult
from mlgate.compare import compare_results
from mlgate.config import GateConfig, MetricsConfig
from mlgate.data.drift_report import DriftReport, FieldDriftResult
from mlgate.data.results import FileResult, ValidationResult, Violation
from mlgate.report.check import build_context, render_github, render_markdown, render_text, summarize_drift
from mlgate.report.context import DriftedColumn
from mlgate.results import ModelResult, ResultSet

HEAD = "2737c6a" + "1" * 33
SKIPPED = "the reference statistics were made from it (same SHA-256)"
REVISIONS = Revisions(head=HEAD, base_branch="main", head_source="pull_request.head.sha", pr_number=7)


def field(name: str, psi: float, ks: float | None, *, drifted: bool) -> FieldDriftResult:
    kind: Literal["numeric", "categorical"] = "numeric" if ks is not None else "categorical"
    return FieldDriftResult(
        name, kind, psi, ks, None, (), (), 0.2, 0.15 if ks is not None else None, drifted, "warning", 200, 600
    )


def drift_violation(name: str, message: str) -> Violation:
    return Violation(field=name, check="drift", severity="warning", count=1, rows=(), message=message)


def validation(*train_violations: Violation) -> ValidationResult:
    report = DriftReport(
        "reference-stats.json",
        (
            field("tenure", 3.588, 0.458, drifted=True),
            field("region", 0.018, None, drifted=False),
            field("charges", 0.855, 0.3, drifted=True),
        ),
    )
    test_violations = (
        drift_violation("tenure", "PSI 3.59 > 0.2; KS 0.46 > 0.15"),
        drift_violation("charges", "PSI 0.85 > 0.2; KS 0.30 > 0.15"),
    )
    files = (
        FileResult(
            path="data/train.csv",
            format="csv",
            rows=600,
            fields=9,
            seconds=0.2,
            violations=train_violations,
            drift_skipped=SKIPPED,
        ),
        FileResult(
            path="data/test.csv",
            format="csv",
            rows=200,
            fields=9,
            seconds=0.1,
            violations=test_violations,
            drift=report,
        ),
    )
    return ValidationResult(schema="schema.yaml", files=files)


ENUM = Violation(
    field="plan",
    check="enum",
    severity="error",
    count=2,
    rows=(4, 9),
    message="not in enum",
    lines=(4, 9),
    examples=("platinum",),
)


def failed_gate() -> CheckResult:
    return CheckResult(validation=validation(ENUM), revisions=REVISIONS)


def test_the_drift_summary_names_every_drifted_column_and_the_skipped_file() -> None:
    summary = summarize_drift(validation())
    assert summary is not None
    assert summary.columns == (
        DriftedColumn("tenure", "data/test.csv", 3.588, 0.458, 0.2, 0.15, "warning"),
        DriftedColumn("charges", "data/test.csv", 0.855, 0.3, 0.2, 0.15, "warning"),
    )
    assert (summary.drifted, summary.checked, summary.skipped) == (2, 3, (("data/train.csv", SKIPPED),))
    plain = ValidationResult(schema="s", files=(FileResult("a.csv", "csv", 1, 1, 0.0, ()),))
    assert summarize_drift(plain) is None


def test_a_failed_data_gate_comment_has_the_head_one_heading_one_footer_and_the_text_counts() -> None:
    result = failed_gate()
    context = build_context(
        result, key="mlgate", precision=4, run_url="https://github.com/a/b/actions/runs/1", full_report=None
    )
    comment = render_markdown(result, context, limit=60_000)
    marker, body = comment.split("\n", 1)
    assert re.fullmatch(rf"<!-- mlgate:report v=1 key=mlgate head={HEAD} hash=[0-9a-f]{{16}} -->", marker)
    headings = [line for line in body.splitlines() if line.startswith("#")]
    assert headings == ["### ❌ mlgate: data gate failed — 2 violations in `data/train.csv`"]
    assert body.count("<sub>") == 1
    assert body.endswith(
        f"<sub>mlgate {__version__} · schema `schema.yaml` · [workflow run](https://github.com/a/b/actions/runs/1)"
        "</sub>\n"
    )
    text = render_text(result, context)
    assert text.splitlines()[0] == "✗ mlgate: data gate failed — 2 violations in data/train.csv"
    assert body.splitlines()[0] == "### ❌ mlgate: data gate failed — 2 violations in `data/train.csv`"
    for line in text.splitlines():  # every file line of the text says the same counts as the comment's
        found = re.match(r"[✓✗] (\S+) — (.*) \(\d+\.\d s\)$", line)
        if found:
            assert f"**`{found[1]}`** — {found[2]}" in body
    assert "Drift not checked: the reference statistics were made from it (same SHA-256)." in body


def test_the_failed_gate_headline_counts_warnings_apart() -> None:
    warning = Violation(field="age", check="maximum", severity="warning", count=3, rows=(2, 3, 4), message="x")
    result = CheckResult(validation=validation(ENUM, warning), revisions=REVISIONS)
    context = build_context(result, key="mlgate", precision=4, run_url=None, full_report=None)
    expected = "data gate failed — 5 violations in data/train.csv (2 errors, 3 warnings)"
    assert render_text(result, context).splitlines()[0] == f"✗ mlgate: {expected}"
    assert render_markdown(result, context, limit=60_000).splitlines()[1] == (
        "### ❌ mlgate: " + expected.replace("data/train.csv", "`data/train.csv`")
    )


def comparison_result() -> CheckResult:
    def side(accuracy: float) -> ResultSet:
        return ResultSet(models={"m": ModelResult(name="m", estimator="e", metrics={"accuracy": accuracy})})

    metrics = MetricsConfig(gates={"accuracy": GateConfig(abs_tol=0.01)})
    return CheckResult(
        validation=validation(), comparison=compare_results(side(0.9), [side(0.85)], metrics), revisions=REVISIONS
    )


def test_annotations_put_each_drifted_column_on_its_file_and_note_the_skipped_one_once() -> None:
    result = comparison_result()
    context = build_context(result, key="mlgate", precision=4, run_url=None, full_report=None)
    lines = render_github(result, context).splitlines()
    commands = [line for line in lines if line.startswith("::")]
    assert commands == [
        "::warning file=data/test.csv,title=mlgate drift%3A tenure::tenure drifted against the reference statistics: "
        "PSI 3.588 > 0.2, KS 0.458 > 0.15",
        "::warning file=data/test.csv,title=mlgate drift%3A charges::charges drifted against the reference "
        "statistics: PSI 0.855 > 0.2, KS 0.300 > 0.15",
        f"::notice file=data/train.csv,title=mlgate drift::not checked for drift: {SKIPPED}",
        "::error title=mlgate gate%3A m accuracy::m accuracy: 0.9000 → 0.8500 (−5.56 %25); worse beyond tolerance 0.01",
    ]
    text = render_text(result, context)
    assert lines[len(commands) :] == text.splitlines()
    assert "  data: validation ✓ · drift ⚠ 2 of 3 columns" in text
    assert (
        "  drift: data/test.csv: tenure PSI 3.588 > 0.2, KS 0.458 > 0.15; charges PSI 0.855 > 0.2, KS 0.300 > 0.15"
        in (text)
    )
    assert f"  drift not checked in data/train.csv: {SKIPPED}" in text
    comment = render_markdown(result, context, limit=60_000)
    assert "drift ⚠️ 2 of 3 columns" in comment.splitlines()[3]
    assert "- ⚠️ drift in `data/test.csv`: `tenure` PSI 3.588 > 0.2, KS 0.458 > 0.15 · `charges` PSI 0.855" in comment
    assert comment.count("not checked") == 1
    assert "- drift not checked in `data/train.csv`: the reference statistics were made from it" in comment


def test_annotations_of_a_failed_data_gate_keep_the_violations_on_their_lines() -> None:
    result = failed_gate()
    context = build_context(result, key="mlgate", precision=4, run_url=None, full_report=None)
    commands = [line for line in render_github(result, context).splitlines() if line.startswith("::")]
    assert commands[:2] == [
        '::error file=data/train.csv,line=4,title=plan%3A enum::row 4: not in enum (value "platinum")',
        "::error file=data/train.csv,line=9,title=plan%3A enum::row 9: not in enum",
    ]
    assert sum("title=mlgate drift%3A" in c for c in commands) == 2  # drift once each, not again as violations
    assert not any("title=tenure%3A drift" in c for c in commands)
