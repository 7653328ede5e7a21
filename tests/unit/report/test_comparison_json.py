from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import jsonschema
import pytest

from mlgate.compare import ParamChange
from mlgate.report.comparison_json import SCHEMA_VERSION, render_json, to_json
from mlgate.report.context import ReportContext
from unit.report.comparisons import (
    BASE_SHA,
    CASES,
    CONTEXT,
    HEAD_SHA,
    current_only_comparison,
    holdout_comparison,
    interval_comparison,
)

JSON_SCHEMA = Path(__file__).resolve().parents[3] / "docs" / "schemas" / "compare.schema.json"


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


def test_the_document_names_its_versions_and_where_each_side_came_from() -> None:
    document = to_json(holdout_comparison(), CONTEXT)
    assert (document["schema_version"], document["mlgate_version"], document["key"]) == (
        SCHEMA_VERSION,
        "0.1.0",
        "pr-check/benchmark",
    )
    assert document["baseline"]["available"] is True
    assert document["baseline"]["source"] == "merge-base d3cd69f: cached model re-scored on this PR's data"
    assert (document["primary"], document["alpha"], document["data_changed"]) == ("accuracy", 0.05, False)


def test_without_a_baseline_the_document_says_so_and_old_values_are_null() -> None:
    document = to_json(current_only_comparison(), ReportContext(key="pr", head=HEAD_SHA))
    assert document["baseline"] == {
        "available": False,
        "source": "the merge-base d3cd69f has no mlgate.yaml",
        "commit": None,
        "path": None,
    }
    accuracy = document["metrics"]["a"]["accuracy"]
    assert (accuracy["old"], accuracy["new"], accuracy["diff"], accuracy["status"]) == (None, 0.81, None, "fail")
    assert document["candidate"]["commit"] == HEAD_SHA


def test_test_fields_appear_only_where_a_test_ran() -> None:
    metrics = to_json(interval_comparison(), CONTEXT)["metrics"]
    assert {k: metrics["forest"]["accuracy"][k] for k in ("low", "high", "method")} == {
        "low": -0.0041,
        "high": 0.0057,
        "method": "McNemar (exact)",
    }
    assert "old_own" not in metrics["forest"]["accuracy"]
    assert "low" not in metrics["linear"]["model_kb"]


def test_parameter_values_become_json_values_or_strings() -> None:
    params = (
        ParamChange("m", "alpha", "changed", float("nan"), float("inf")),
        ParamChange("m", "layers", "changed", (10, 10), [20]),
        ParamChange("m", "weights", "added", None, {1: 0.5, "b": None}),
        ParamChange("m", "kernel", "removed", object, None),
    )
    comparison = dataclasses.replace(holdout_comparison(), params=params)
    document = to_json(comparison, CONTEXT)
    assert document["params"]["m"] == {
        "alpha": {"old": "nan", "new": "inf", "change": "changed"},
        "layers": {"old": [10, 10], "new": [20], "change": "changed"},
        "weights": {"old": None, "new": {"1": 0.5, "b": None}, "change": "added"},
        "kernel": {"old": "<class 'object'>", "new": None, "change": "removed"},
    }
    assert json.loads(render_json(comparison, CONTEXT))["params"] == document["params"]


def test_render_json_is_indented_unicode_with_a_final_newline() -> None:
    context = dataclasses.replace(CONTEXT, key="clé/modèle")
    text = render_json(holdout_comparison(), context)
    assert text.endswith("}\n")
    assert '\n  "schema_version": 1,' in text
    assert '"key": "clé/modèle"' in text
    assert json.loads(text) == to_json(holdout_comparison(), context)
