"""The monitor report in every format, from hand-built results."""

from __future__ import annotations

import dataclasses
import json

from mlgate.data.drift_report import DriftReport
from mlgate.monitor.model import LabelCheck, LabelIssue, LiveMetric, ReadSummary
from mlgate.report.monitor import headline, render_github, render_json, render_markdown, render_text
from schemas import schema_validator
from unit.report.monitor_results import READ, STABLE, result


def test_verdicts_and_headlines() -> None:
    breach = result()
    assert breach.verdict == "breach"
    assert breach.breaches == (
        "2.0% of captured rows violate the schema (at most 1.0% allowed)",
        "drifted features: age, plan",
        "live metrics worse than registered: accuracy",
    )
    assert headline(breach).startswith("breach: version 3, last 24h (500 captured rows): 2.0% of captured rows")
    healthy = result(schema=None, labels=None, feature_drift=DriftReport(reference="r", fields=(STABLE,)))
    assert (healthy.verdict, headline(healthy)) == ("healthy", "healthy: version 3, last 24h (500 captured rows)")
    few = result(min_rows=1000)
    assert few.verdict == "insufficient"
    assert headline(few).startswith("not enough data: version 3, last 24h (500 captured rows); at least 1,000")


def test_markdown_reads_verdict_level_findings_then_the_checks() -> None:
    text = render_markdown(result())
    assert text.startswith("### ❌ mlgate monitor — breach: version 3")
    order = [
        text.index(s)
        for s in (
            "<sub>Drift and live metrics: 5 tests judged together at α = 0.01 (Holm)",
            "**1. live metrics worse than registered: accuracy**",
            "**2. 2.0% of captured rows violate the schema (first: req-9)**",
            "**3. drifted features: age, plan**",
            "#### Captured rows vs the schema",
            "#### Feature drift",
            "#### Live metrics",
        )
    ]
    assert order == sorted(order)
    assert (
        "- age: mean 41.20 → 55.70 (sd 12.00 → 9.50), median 40.00 → 56.00; PSI 0.90, KS 0.40, p &lt; 0.0001 (Holm)"
        in text
    )
    assert '| city    | enum    | error      | 10     | not one of a, b | "x\\|y"     |' in text
    assert _cells(text, "| age ") == [
        "age",
        "mean 41.20 → 55.70 (sd 12.00 → 9.50), median 40.00 → 56.00",
        "0.900",
        "0.400",
        "< 0.0001 (KS, Holm)",
        "❌ drifted",
    ]
    drift = text.split("#### Feature drift")[1]
    assert drift.index("| age ") < drift.index("| plan ") < drift.index("| city ")  # drifted first, strongest first
    assert "❌ drifted" in text
    assert "✅ stable" in text
    assert "⚠" not in text.split("#### Feature drift")[1]
    assert "```text\nage: % of rows per bin · ░ reference · █ live\n" in text
    assert "```mermaid" not in text
    assert _cells(text, "| accuracy ") == [
        "accuracy",
        "0.9000 (1,200)",
        "0.7000 (380)",
        "−0.2000 [−0.2500, −0.1500]",
        "0.018",
        "< 0.0001",
        "❌ worse",
        "",
    ]
    assert _cells(text, "| roc")[:3] == ["roc\\_auc", "0.9500 (—)", "—"]
    assert "`cap/a.jsonl:7` not valid JSON: Expecting value" in text
    assert "First invalid requests: `req-9`" in text


def test_text_github_and_json() -> None:
    text = render_text(result())
    assert text.startswith("✗ mlgate monitor: breach: version 3")
    assert (
        "    ✗ worse accuracy 0.9000 → 0.7000 on 380 labelled rows: −0.2000 [−0.2500, −0.1500], margin 0.0180, "
        "p < 0.0001 (Holm)\n"
    ) in text
    assert "better (better)" not in text
    assert "     next: the inputs drifted too (age, plan): the population changed; retrain" in text
    assert "    ✗ drifted plan: basic 60% → 0%, premium 40% → 75%, (other) 0% → 25%, new: gold (25% of rows); " in text
    assert "⚠ Drift" not in text
    assert "⚠ drifted" not in text
    github = render_github(result())
    assert github.splitlines()[:4] == [
        "::error title=mlgate monitor::2.0%25 of captured rows violate the schema (at most 1.0%25 allowed)",
        "::error title=mlgate monitor::drifted features: age, plan",
        "::error title=mlgate monitor::live metrics worse than registered: accuracy",
        "::warning title=mlgate monitor::1 malformed capture line(s) skipped",
    ]
    document = json.loads(render_json(result()))
    schema_validator("monitor.schema.json").validate(document)
    assert (document["verdict"], document["schema"]["invalid_fraction"], document["labels"]["breach"]) == (
        "breach",
        0.02,
        True,
    )
    assert [f["check"] for f in document["findings"]] == ["live metrics", "schema", "feature drift"]
    accuracy = document["labels"]["metrics"][0]
    assert (accuracy["n"], accuracy["registered_n"], accuracy["test"]["p_adjusted"]) == (380, 1200, 4e-12)
    assert document["labels"]["metrics"][1]["test"] is None
    assert document["feature_drift"]["fields"][1]["shift"]["current_mean"] == 55.7
    empty = json.loads(render_json(result(schema=None, feature_drift=None, labels=None, read=ReadSummary("cap"))))
    schema_validator("monitor.schema.json").validate(empty)
    assert (empty["verdict"], empty["feature_drift"], empty["findings"]) == ("insufficient", None, [])


def test_smoke_rows_label_issues_and_a_past_window_are_reported() -> None:
    issue = LabelIssue("labels-unmatched", "3 of 400 labels match no captured row in the window (e.g. 'x'): left out")
    labels = LabelCheck("labels.csv", 400, 380, (LiveMetric("accuracy", 0.9, 0.91, "ok", ""),), (issue,))
    past = result(
        read=dataclasses.replace(READ, smoke_rows=55),
        labels=labels,
        schema=None,
        feature_drift=None,
        since="2026-11-21T12:00:00Z",
        until="2026-11-22T12:00:00Z",
    )
    assert past.warnings[-1] == f"labels-unmatched: {issue.message}"
    assert headline(past) == (
        "healthy: version 3, 2026-11-21T12:00:00.000000Z → 2026-11-22T12:00:00.000000Z (500 captured rows)"
    )
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


def _cells(text: str, start: str) -> list[str]:
    row = next(line for line in text.splitlines() if line.startswith(start))
    return [cell.strip() for cell in row.split("|")[1:-1]]
