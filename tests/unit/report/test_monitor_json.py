from __future__ import annotations

import dataclasses
import json

from mlgate.monitor.model import ReadSummary
from mlgate.report.monitor_json import KIND, metric_data, render_json, to_data
from schemas import schema_validator
from unit.report.monitor_results import READ, SKIPPED, WORSE, result


def test_the_document_carries_the_headline_given_and_validates() -> None:
    document = to_data(result(), "breach: version 3")
    schema_validator("monitor.schema.json").validate(json.loads(json.dumps(document)))
    assert (document["schema_version"], document["kind"], document["headline"]) == (1, KIND, "breach: version 3")
    assert KIND == "mlgate-monitor"
    assert document["window"] == {"start": "2026-11-21T12:00:00.000000Z", "end": "2026-11-22T12:00:00.000000Z"}
    assert (document["version"], document["version_source"], document["since"], document["until"]) == (
        "3",
        "deploy state",
        "24h",
        None,
    )
    assert (document["alpha"], document["tests"], document["min_rows"]) == (0.01, 5, 100)


def test_the_capture_section_lists_what_was_read_and_skipped() -> None:
    capture = to_data(result(), "h")["capture"]
    assert capture == {
        "location": "cap",
        "files": 2,
        "skipped_files": READ.skipped_files,
        "rows_read": 520,
        "rows": 500,
        "partial_files": ["cap/b.jsonl.partial"],
        "truncated_lines": 1,
        "malformed": 1,
        "unreadable": [],
        "smoke_rows": 0,
        "problems": [{"path": "cap/a.jsonl", "line": 7, "reason": "not valid JSON: Expecting value"}],
    }


def test_the_schema_check_has_its_fraction_and_each_violation() -> None:
    schema = to_data(result(), "h")["schema"]
    assert (schema["rows"], schema["invalid_rows"], schema["invalid_fraction"], schema["breach"]) == (
        500,
        10,
        0.02,
        True,
    )
    assert schema["fields"] == ["age", "city"]
    assert schema["invalid_requests"] == ["req-9"]
    assert schema["violations"] == [
        {
            "field": "city",
            "check": "enum",
            "severity": "error",
            "count": 10,
            "message": "not one of a, b",
            "examples": ["x|y"],
        }
    ]


def test_a_live_metric_with_its_test_against_the_registered_value() -> None:
    assert metric_data(WORSE) == {
        "metric": "accuracy",
        "registered": 0.9,
        "live": 0.7,
        "status": "fail",
        "reason": "",
        "n": 380,
        "registered_n": 1200,
        "registered_se": 0.0087,
        "direction": "higher",
        "margin": 0.018,
        "test": {
            "method": "two-sample z (binomial (Agresti–Caffo))",
            "estimate": -0.2,
            "low": -0.25,
            "high": -0.15,
            "se": 0.024,
            "p_worse": 1e-12,
            "p_better": 1.0,
            "p_adjusted": 4e-12,
        },
    }


def test_a_skipped_metric_has_no_test_margin_or_direction() -> None:
    data = metric_data(SKIPPED)
    assert (data["test"], data["margin"], data["direction"], data["live"]) == (None, None, None, None)
    assert data["reason"] == "needs predicted probabilities, which capture does not keep"


def test_an_unbounded_interval_is_written_as_nulls_not_infinities() -> None:
    assert WORSE.test is not None
    open_ended = dataclasses.replace(WORSE, test=dataclasses.replace(WORSE.test, high=float("inf")))
    test = metric_data(open_ended)["test"]
    assert (test["low"], test["high"], test["estimate"]) == (None, None, -0.2)


def test_checks_not_run_are_null() -> None:
    document = to_data(result(schema=None, feature_drift=None, labels=None, read=ReadSummary("cap")), "h")
    assert (document["schema"], document["feature_drift"], document["prediction_drift"], document["labels"]) == (
        None,
        None,
        None,
        None,
    )
    assert document["findings"] == []


def test_render_json_is_the_data_indented_with_a_final_newline() -> None:
    text = render_json(result(), "breach — version 3")
    assert text.endswith("}\n")
    assert '"headline": "breach — version 3"' in text  # not escaped to \u2014
    assert json.loads(text) == json.loads(json.dumps(to_data(result(), "breach — version 3"), default=str))
