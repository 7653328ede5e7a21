"""``mlgate check --format json`` against docs/schemas/check.schema.json (and the sibling schemas it references)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from mlgate.baseline import Baseline, Revisions
from mlgate.check import CheckResult
from mlgate.compare import compare_results
from mlgate.config import GateConfig, MetricsConfig
from mlgate.data.results import FileResult, ValidationResult, Violation
from mlgate.data.schema import load_schema
from mlgate.data.schema_diff import diff_schemas
from mlgate.report.check import build_context, render_json, render_markdown, to_data
from mlgate.results import Evaluation, ModelResult, ResultSet
from mlgate.tracking.client import TrackedRun
from schemas import schema_validator

HEAD = "2737c6a" + "1" * 33
BASE = "d3cd69f" + "0" * 33
HOLDOUT = Evaluation("holdout", train_rows=600, test_rows=200, data_sha256="ab" * 32)
METRICS = MetricsConfig(primary="accuracy", gates={"accuracy": GateConfig(abs_tol=0.01)})


def validate(document: dict[str, Any]) -> None:
    schema_validator("check.schema.json").validate(document)


def results(commit: str, accuracy: float, fit_s: float) -> ResultSet:
    models = {
        "logistic": ModelResult(
            name="logistic",
            estimator="sklearn.linear_model.LogisticRegression",
            params={"C": 1.0},
            metrics={"accuracy": accuracy, "roc_auc": 0.81},
            timings={"fit_s": fit_s, "predict_1row_p50_ms": 1.2},
        ),
    }
    return ResultSet(models=models, task="classification", primary="accuracy", evaluation=HOLDOUT, commit=commit)


def validation(*violations: Violation) -> ValidationResult:
    files = (
        FileResult(path="data/train.csv", format="csv", rows=600, fields=5, seconds=0.02, violations=violations),
        FileResult(path="data/test.csv", format="csv", rows=200, fields=5, seconds=0.01, violations=()),
    )
    return ValidationResult(schema="schema.yaml", files=files)


def document(result: CheckResult) -> dict[str, Any]:
    context = build_context(result, key="mlgate", precision=4, run_url=None, full_report=None)
    data = to_data(result, context)
    assert json.loads(render_json(result, context)) == data
    return data


def test_a_pull_request_against_a_cached_baseline_with_a_schema_change(tmp_path: Path) -> None:
    old, new = tmp_path / "old.yaml", tmp_path / "new.yaml"
    old.write_text(
        "fields:\n- {name: plan, type: string, constraints: {enum: [basic, premium]}}\n- {name: age, type: integer}\n"
    )
    new.write_text("fields:\n- {name: plan, type: string, constraints: {enum: [basic]}}\n")
    baseline = Baseline(
        BASE, "cache", tmp_path / "cache", "merge-base d3cd69f: cached model re-scored on this PR's data"
    )
    result = CheckResult(
        validation=validation(),
        comparison=compare_results(results(BASE, 0.90, 0.5), [results(HEAD, 0.80, 0.6)], METRICS),
        candidate=results(HEAD, 0.80, 0.6),
        baseline=baseline,
        revisions=Revisions(head=HEAD, base_branch="main", head_source="pull_request.head.sha", pr_number=7),
        schema_diff=diff_schemas(load_schema(old), load_schema(new)),
        skipped={"forest": "ValueError: columns are missing: {'age'}"},
    )
    data = document(result)
    validate(data)
    assert data["verdict"] == "fail"
    assert data["head"] == HEAD
    assert data["baseline"]["source"] == "cache"
    assert data["schema_diff"]["breaking"] >= 1
    assert data["comparison"]["metrics"]["logistic"]["accuracy"]["status"] == "fail"
    assert data["skipped_baseline_models"] == {"forest": "ValueError: columns are missing: {'age'}"}


def test_a_main_branch_run_that_cached_its_results(tmp_path: Path) -> None:
    baseline = Baseline(BASE, "worktree", tmp_path, "merge-base d3cd69f: trained in a temporary worktree")
    result = CheckResult(
        validation=validation(),
        comparison=compare_results(results(BASE, 0.90, 0.5), [results(HEAD, 0.91, 0.5)], METRICS),
        baseline=baseline,
        revisions=Revisions(head=HEAD, base_branch="main", head_source="HEAD"),
        cached_as=HEAD,
    )
    data = document(result)
    validate(data)
    assert (data["verdict"], data["cached_as"], data["schema_diff"]) == ("pass", HEAD, None)
    assert data["mlflow_runs"] is None  # nothing was tracked


def test_the_runs_tracking_logged_are_in_the_document() -> None:
    result = CheckResult(
        validation=validation(),
        comparison=compare_results(results(BASE, 0.90, 0.5), [results(HEAD, 0.91, 0.5)], METRICS),
        candidate=results(HEAD, 0.91, 0.5),
        revisions=Revisions(head=HEAD, base_branch="main", head_source="HEAD"),
    )
    runs = (
        TrackedRun("logistic", "3", "r1", "http://127.0.0.1:5000/#/experiments/3/runs/r1", "http://127.0.0.1:5000"),
        TrackedRun("tree", "3", "r2", None, "databricks"),
    )
    context = build_context(result, key="mlgate", precision=4, run_url=None, full_report=None, tracked=runs)
    data = to_data(result, context)
    validate(data)
    assert data["mlflow_runs"] == {
        "logistic": {
            "run_id": "r1",
            "experiment_id": "3",
            "url": "http://127.0.0.1:5000/#/experiments/3/runs/r1",
            "tracking_uri": "http://127.0.0.1:5000",
        },
        "tree": {"run_id": "r2", "experiment_id": "3", "url": None, "tracking_uri": "databricks"},
    }
    footer = render_markdown(result, context, limit=60_000)
    assert "MLflow runs: [logistic](http://127.0.0.1:5000/#/experiments/3/runs/r1)" in footer
    assert "[tree]" not in footer  # no page to link


def test_outside_git_the_document_is_current_only() -> None:
    reason = "not a git repository"
    result = CheckResult(
        validation=None,
        comparison=compare_results(None, [results(HEAD, 0.9, 0.5)], METRICS, baseline_note=reason),
        baseline=Baseline(None, "none", None, reason),
    )
    data = document(result)
    validate(data)
    assert data["head"] is None
    assert data["baseline"] == {"commit": None, "source": "none", "reason": reason}
    assert data["comparison"]["baseline"]["available"] is False


def test_a_failed_data_gate_has_no_comparison() -> None:
    violation = Violation(
        field="plan",
        check="enum",
        severity="error",
        count=1,
        rows=(4,),
        message="not one of basic, premium",
        lines=(4,),
        examples=("platinum",),
    )
    data = document(CheckResult(validation=validation(violation)))
    validate(data)
    assert (data["verdict"], data["baseline"], data["comparison"]) == ("fail", None, None)
    assert data["validation"]["valid"] is False


def test_the_schema_rejects_what_check_never_writes() -> None:
    data = document(CheckResult(validation=validation()))
    data["baseline"] = {"commit": BASE, "source": "elsewhere", "reason": "?"}
    with pytest.raises(jsonschema.ValidationError, match="elsewhere"):
        validate(data)


def test_a_failed_data_gate_over_the_comment_budget_is_cut_at_whole_lines() -> None:
    violations = [
        Violation(
            field=f"field_{i}",
            check="enum",
            severity="error",
            count=1,
            rows=(i + 2,),
            message="not one of basic, premium",
            lines=(i + 2,),
            examples=("platinum",),
        )
        for i in range(400)
    ]
    result = CheckResult(validation=validation(*violations))
    context = build_context(result, key="mlgate", precision=4, run_url=None, full_report=None)
    body = render_markdown(result, context, limit=4000)
    assert len(body.encode("utf-8")) <= 4000
    assert body.startswith("<!-- mlgate:report v=1 key=mlgate")
    assert "data gate failed — 400 violations" in body
    assert "the list is cut here to fit the comment" in body
    full = render_markdown(result, context, limit=1 << 20)
    kept = body.split("\n… the list is cut here")[0].split("\n")[1:]  # after the marker line
    assert all(line in full.split("\n") for line in kept)  # every kept line is whole
