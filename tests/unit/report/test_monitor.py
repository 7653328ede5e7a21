"""The monitor report in every format, from hand-built results."""

from __future__ import annotations

import dataclasses
import json

from mlgate.data.drift_report import DriftReport, FieldDriftResult
from mlgate.data.results import Violation
from mlgate.monitor.model import (
    LabelCheck,
    LabelIssue,
    LiveMetric,
    MonitorResult,
    Problem,
    ReadSummary,
    SchemaCheck,
)
from mlgate.report.monitor import drift_chart, headline, render_github, render_json, render_markdown, render_text
from schemas import schema_validator

DRIFTED = FieldDriftResult(
    "age", "numeric", 0.9, 0.4, 0.0, (), (), 0.2, 0.1, True, "warning", 500, 1000,
    labels=("≤30", "30–50", ">50"), reference_shares=(0.3, 0.4, 0.3), current_shares=(0.1, 0.2, 0.7),
)  # fmt: skip
STABLE = FieldDriftResult("city", "categorical", 0.01, None, None, (), (), 0.2, None, False, "warning", 500, 1000)
READ = ReadSummary(location="cap", files=2, rows_read=520, rows=500, malformed=1,
                   problems=(Problem("cap/a.jsonl", 7, "not valid JSON: Expecting value"),),
                   partial_files=("cap/b.jsonl.partial",), truncated_lines=1)  # fmt: skip


def result(**changes: object) -> MonitorResult:
    base = MonitorResult(
        version="3", version_source="deploy state", since="24h", window_start="2026-11-21T12:00:00.000000Z",
        window_end="2026-11-22T12:00:00.000000Z", min_rows=100, read=READ,
        schema=SchemaCheck(rows=500, invalid_rows=10, max_invalid_fraction=0.01, fields=("age", "city"),
                           violations=(Violation("city", "enum", "error", 10, (2, 3), "not one of a, b",
                                                 examples=("x|y",)),), invalid_requests=("req-9",)),
        feature_drift=DriftReport(reference="train.csv", fields=(DRIFTED, STABLE)),
        labels=LabelCheck("labels.csv", 400, 380, (LiveMetric("accuracy", 0.9, 0.7, "fail", "worse; no tolerance is set"),
                                                  LiveMetric("roc_auc", 0.95, None, "skipped", "needs probabilities"))),
    )  # fmt: skip
    return MonitorResult(**{**base.__dict__, **changes})  # type: ignore[arg-type]


def test_verdicts_and_headlines() -> None:
    breach = result()
    assert breach.verdict == "breach"
    assert breach.breaches == (
        "2.0% of captured rows violate the schema (at most 1.0% allowed)", "drifted features: age",
        "live metrics fail their gates: accuracy",
    )  # fmt: skip
    assert headline(breach).startswith("breach: version 3, last 24h (500 captured rows): 2.0% of captured rows")
    healthy = result(schema=None, labels=None, feature_drift=DriftReport(reference="r", fields=(STABLE,)))
    assert (healthy.verdict, headline(healthy)) == ("healthy", "healthy: version 3, last 24h (500 captured rows)")
    few = result(min_rows=1000)
    assert few.verdict == "insufficient"
    assert headline(few).startswith("not enough data: version 3, last 24h (500 captured rows); at least 1,000")


def test_markdown_has_the_verdict_first_tables_and_a_chart() -> None:
    text = render_markdown(result())
    assert text.startswith("### ❌ mlgate monitor — breach: version 3")
    assert '| city    | enum    | error      | 10     | not one of a, b | "x\\|y"     |' in text
    assert '  x-axis ["up to 30", "30 to 50", "over 50"]\n  y-axis "% of rows" 0 --> 80\n' in text
    assert "  bar [30.0, 40.0, 30.0]\n  bar [10.0, 20.0, 70.0]\n```" in text
    assert "| accuracy | 0.9000       | 0.7000 | ❌ fail  |" in text
    assert "`cap/a.jsonl:7` not valid JSON: Expecting value" in text
    assert "First invalid requests: `req-9`" in text
    assert drift_chart(STABLE) is None


def test_text_github_and_json() -> None:
    text = render_text(result())
    assert text.startswith("✗ mlgate monitor: breach: version 3")
    assert "    accuracy: registered 0.9000, live 0.7000: fail (worse; no tolerance is set)" in text
    github = render_github(result())
    assert github.splitlines()[:4] == [
        "::error title=mlgate monitor::2.0%25 of captured rows violate the schema (at most 1.0%25 allowed)",
        "::error title=mlgate monitor::drifted features: age",
        "::error title=mlgate monitor::live metrics fail their gates: accuracy",
        "::warning title=mlgate monitor::1 malformed capture line(s) skipped",
    ]
    document = json.loads(render_json(result()))
    schema_validator("monitor.schema.json").validate(document)
    assert (document["verdict"], document["schema"]["invalid_fraction"], document["labels"]["breach"]) == (
        "breach", 0.02, True,
    )  # fmt: skip
    empty = json.loads(render_json(result(schema=None, feature_drift=None, labels=None, read=ReadSummary("cap"))))
    schema_validator("monitor.schema.json").validate(empty)
    assert (empty["verdict"], empty["feature_drift"]) == ("insufficient", None)


def test_smoke_rows_label_issues_and_a_past_window_are_reported() -> None:
    issue = LabelIssue("labels-unmatched", "3 of 400 labels match no captured row in the window (e.g. 'x'): left out")
    labels = LabelCheck("labels.csv", 400, 380, (LiveMetric("accuracy", 0.9, 0.91, "same", "within"),), (issue,))
    past = result(read=dataclasses.replace(READ, smoke_rows=55), labels=labels, schema=None, feature_drift=None,
                  since="2026-11-21T12:00:00Z", until="2026-11-22T12:00:00Z")  # fmt: skip
    assert past.warnings[-1] == f"labels-unmatched: {issue.message}"
    assert headline(past) == ("healthy: version 3, 2026-11-21T12:00:00.000000Z → 2026-11-22T12:00:00.000000Z "
                              "(500 captured rows)")  # fmt: skip
    text = render_text(past)
    assert f"  ⚠ labels-unmatched: {issue.message}" in text
    assert "  note: 55 smoke-test rows left out (deploy and rollback smoke tests are not production traffic)" in text
    assert "55 smoke-test rows left out" in render_markdown(past)
    document = json.loads(render_json(past))
    schema_validator("monitor.schema.json").validate(document)
    assert (document["capture"]["smoke_rows"], document["until"]) == (55, "2026-11-22T12:00:00Z")
    assert document["labels"]["issues"] == [{"code": "labels-unmatched", "message": issue.message}]
    assert headline(result(schema=None, feature_drift=None, labels=None)) == (
        "healthy: version 3, last 24h (500 captured rows)"
    )
