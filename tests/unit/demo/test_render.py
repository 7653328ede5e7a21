"""The demo's text narration and JSON document."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from mlgate.demo.render import (
    SCHEMA_VERSION,
    render_begin,
    render_json,
    render_step,
    render_summary,
    with_project_paths,
)
from mlgate.demo.steps import DemoResult, Step
from schemas import schema_validator

COMMENT = "<!-- mlgate:report v=1 key=k head=unknown hash=0 -->\n### ✅ mlgate: every gate passed\n"


def test_a_step_shows_its_mark_summary_and_timing() -> None:
    assert render_begin(2, 14, "Validate") == "\n[2/14] Validate\n"
    text = render_step(Step("validate", "Validate", True, 1.25, "valid", "a long report"))
    assert text == "  ✓ valid  (1.2 s)\n"  # the report of a passing validation is not part of the story


def test_story_steps_show_their_report_indented_and_the_comment_verbatim() -> None:
    text = render_step(Step("history", "History", True, 0.0, "3 events", "line 1\n\nline 2\n"))
    assert text.endswith("\n    line 1\n\n    line 2\n")
    comment = render_step(Step("comment", "Comment", True, 0.0, "posted", COMMENT))
    assert "\n" + COMMENT.rstrip("\n") + "\n" in comment  # exactly, not indented


def test_the_mark_is_the_outcome_s_a_failure_shown_as_designed_gets_a_cross() -> None:
    caught = Step(
        "validate-corrupted",
        "Corrupted",
        True,
        0.0,
        "train.csv: 450 rows, INVALID, 12 violations",
        "the report",
        failed=True,
    )
    text = render_step(caught)
    assert text.startswith("  ✗ train.csv: 450 rows, INVALID, 12 violations (as designed)  (0.0 s)\n")
    assert "✓" not in text
    assert "    the report" in text  # part of the story
    assert render_step(Step("deploy", "Deploy", True, 0.0, "deployed")).startswith("  ✓ deployed")


def test_a_failed_step_always_shows_why() -> None:
    text = render_step(Step("validate", "Validate", False, 0.5, "INVALID", "field x: 3 violations"))
    assert "✗ NOT AS DESIGNED: INVALID" in text
    assert "    field x: 3 violations" in text


def test_summary_and_json() -> None:
    steps = (Step("generate", "A", True, 1.0, "fine", facts={"n": 1}), Step("validate", "B", False, 2.0, "broken"))
    result = DemoResult(Path("/tmp/demo"), steps, {"project": "/tmp/demo/p"}, 3.0, planned=3)
    assert "step 'B' did not behave as designed: broken (2 of 3 steps ran)" in render_summary(result, kept=True)
    assert "pass --keep" in render_summary(result, kept=False)
    document = json.loads(render_json(result))
    assert document["schema_version"] == SCHEMA_VERSION
    assert document["ok"] is False
    assert [s["name"] for s in document["steps"]] == ["generate", "validate"]
    assert [s["failed"] for s in document["steps"]] == [False, False]
    assert document["steps"][0]["facts"] == {"n": 1}
    assert document["locations"] == {"project": "/tmp/demo/p"}
    schema_validator("demo.schema.json").validate(document)


def test_data_files_are_named_by_their_path_in_the_project(tmp_path: Path, monkeypatch: Any) -> None:
    from mlgate.report.context import DataFile, ReportContext

    project = tmp_path / "demo" / "churn"
    (project / "data").mkdir(parents=True)
    monkeypatch.chdir(tmp_path)
    context = ReportContext(
        key="k",
        data_files=(
            DataFile("demo/churn/data/train.csv", 450),  # relative to the working folder, as Config.resolve gives it
            DataFile(str(project / "data" / "test.csv"), 150),
            DataFile(str(tmp_path / "elsewhere.csv"), 3),
            DataFile("s3://bucket/data.csv", None),
        ),
    )
    named = with_project_paths(context, project)
    assert [(f.name, f.rows) for f in named.data_files] == [
        ("data/train.csv", 450),
        ("data/test.csv", 150),
        (str(tmp_path / "elsewhere.csv"), 3),
        ("s3://bucket/data.csv", None),
    ]
