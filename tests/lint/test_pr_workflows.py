"""The PR workflows' scripts: the poster keeps the report's own key, and the baseline cache path is the same
text on every runner (actions/cache hashes the path into the entry's version)."""

from __future__ import annotations

from pathlib import Path

from lint.workflow_steps import load, run_step

POST_STEP = "Post or update the sticky comment"


def test_the_poster_keeps_the_key_mlgate_check_wrote(tmp_path: Path) -> None:
    done = run_step("pr-comment.yml", "comment", POST_STEP, {}, tmp_path)
    assert done.status == 0
    body = str(tmp_path / "temp" / "mlgate-untrusted" / "comment.md")
    assert done.args("mlgate") == ["comment", "--body-file", body, "--key-from-report"]


def test_a_key_the_caller_passes_wins(tmp_path: Path) -> None:
    done = run_step("pr-comment.yml", "comment", POST_STEP, {"key": "nightly"}, tmp_path)
    assert done.args("mlgate")[-2:] == ["--key", "nightly"]
    assert "--key-from-report" not in done.args("mlgate")


def test_the_poster_never_defaults_the_key_to_the_artifact_name() -> None:
    [step] = [s for s in load("pr-comment.yml")["jobs"]["comment"]["steps"] if s.get("name") == POST_STEP]
    assert "artifact-name" not in str(step.get("env"))
