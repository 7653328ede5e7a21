"""Renderers of ``mlgate retrain``: every outcome in text, markdown, GitHub commands and schema-valid JSON."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from mlgate.data.results import FileResult, ValidationResult, Violation
from mlgate.deploy.live import LiveVersion
from mlgate.registry.model import StatusChange
from mlgate.report import retrain as render
from mlgate.results import ModelResult, ResultSet
from mlgate.retrain.decide import CandidateResult, Decision, Guard
from mlgate.retrain.fetch import FetchedFile, FetchResult
from mlgate.retrain.live import LiveScores
from mlgate.retrain.paired import Comparison
from mlgate.retrain.run import Outcome, RetrainResult
from schemas import schema_validator
from unit.registry.helpers import WHEN, version

LIVE = dataclasses.replace(version("a" * 64), version="3")
FETCH = FetchResult("command", "python export.py --days 7", (FetchedFile("data/train.csv", 120, "b" * 64),), 1.25)
VALID = ValidationResult("schema.yaml", (FileResult("data/train.csv", "csv", 100, 5, 0.1, ()),))
BROKEN = ValidationResult(
    "schema.yaml",
    (
        FileResult(
            "data/train.csv",
            "csv",
            100,
            5,
            0.1,
            (Violation("plan", "enum", "error", 2, (4, 9), "not one of basic, premium", (5, 10), ("gold",)),),
        ),
    ),
)
CANDIDATES = ResultSet(
    models={
        "forest": ModelResult(
            "forest", "sklearn.ensemble.RandomForestClassifier", metrics={"roc_auc": 0.91, "accuracy": 0.8}
        )
    },
    task="classification",
    primary="roc_auc",
)
SCORES = LiveScores("3", "forest", {"roc_auc": 0.85, "accuracy": 0.78}, {"roc_auc": 0.9, "accuracy": 0.8})


def decision(wins: bool) -> Decision:
    value = 0.91 if wins else 0.852
    low, high, p = (0.031, 0.089, 0.0004) if wins else (-0.02, 0.024, 0.61)
    accuracy = Guard("accuracy", 0.8, 0.78, 0.0078, Comparison(0.02, -0.01, 0.05, 0.99, "Tango score test", 400))
    forest = CandidateResult(
        "forest",
        value,
        Comparison(value - 0.85, low, high, p, "DeLong", 400),
        p_adjusted=p,
        guards=(accuracy,) if wins else (),
    )
    return Decision(
        "roc_auc",
        "higher",
        "3",
        0.85,
        0.0085,
        "retrain.min_rel_improvement",
        0.05,
        (forest,),
        "forest",
        wins,
        evaluation="e" * 64,
        watched=("accuracy",),
    )


def result(outcome: Outcome) -> RetrainResult:
    live = LiveVersion(LIVE, "registry history")
    if outcome == "data-invalid":
        return RetrainResult("data-invalid", live, FETCH, BROKEN)
    base = RetrainResult(
        "not-better", live, FETCH, VALID, CANDIDATES, Path("out/candidates"), SCORES, decision(outcome != "not-better")
    )
    if outcome == "not-better":
        return base
    reason = "retrained on fresh data from python export.py --days 7: forest beats live version 3"
    new = dataclasses.replace(version("c" * 64), version="4", history=(StatusChange("pending", "ci", reason, WHEN),))
    return dataclasses.replace(base, outcome=outcome, version=new, reason=reason if outcome == "registered" else None)


OUTCOMES: list[Outcome] = ["registered", "already-registered", "not-better", "data-invalid"]


@pytest.mark.parametrize("outcome", OUTCOMES)
def test_json_is_valid_against_its_schema(outcome: Outcome) -> None:
    document = json.loads(render.render_json(result(outcome)))
    schema_validator("retrain.schema.json").validate(document)
    assert (document["outcome"], document["exit_code"]) == (outcome, 1 if outcome == "data-invalid" else 0)
    assert document["live"] == {"version": "3", "model": "forest", "source": "registry history"}


def test_json_of_a_registration_carries_the_decision_and_the_reason() -> None:
    document = render.to_data(result("registered"))
    assert document["registered"] == {
        "version": "4",
        "model": "forest",
        "status": "pending",
        "created": True,
        "reason": "retrained on fresh data from python export.py --days 7: forest beats live version 3",
    }
    assert document["decision"]["wins"] is True
    assert document["decision"]["gain"] == pytest.approx(0.06)
    assert document["candidates"]["models"]["forest"]["roc_auc"] == 0.91
    assert document["live_scores"]["registered_metrics"]["roc_auc"] == 0.9
    assert render.to_data(result("already-registered"))["registered"]["created"] is False


def test_text_tells_each_step_and_how_to_approve() -> None:
    text = render.render_text(result("registered"))
    assert "▸ live        version 3 (forest), from the registry history" in text
    assert "▸ fetch       ran `python export.py --days 7` -> data/train.csv (1.2 s)" in text
    assert "▸ data gate   passed: 100 rows, 0 error(s)" in text
    assert "live v3 (forest)" in text
    assert "approve it with `mlgate registry approve 4 --reason TEXT`" in text
    assert text.endswith("exit 0\n")


def test_text_of_no_better_model_says_nothing_was_registered() -> None:
    text = render.render_text(result("not-better"))
    assert "nothing registered: forest does not beat live version 3 on roc_auc: 0.8520 vs 0.8500" in text


def test_invalid_data_shows_the_violations_and_exit_1() -> None:
    text = render.render_text(result("data-invalid"))
    assert "▸ data gate   FAILED: 100 rows, 2 error(s)" in text
    assert "gold" in text
    assert text.endswith("exit 1\n")
    markdown = render.render_markdown(result("data-invalid"))
    assert markdown.startswith("### ❌ the fresh data failed the data gate\n")


def test_markdown_has_the_steps_and_the_scores_table() -> None:
    markdown = render.render_markdown(result("registered"))
    assert markdown.startswith("### 🆕 a retrained model was registered as pending\n")
    assert (
        "| decision | roc\\_auc, candidate − live on the same rows; needed: better by more than 0.0085 (1 % of live, "
        "retrain.min\\_rel\\_improvement) with 95 % confidence |"
    ) in markdown
    assert "| forest | 0.9100 | +0.0600 \\[+0.0310, +0.0890\\] | DeLong, 400 rows | 0.0004 | better (registered) |" in (
        " ".join(markdown.replace("|", " | ").split()).replace("| |", "||")
    )
    assert (
        "- accuracy 0.8000 vs 0.7800: Δ +0.0200 \\[-0.0100, +0.0500\\], not worse beyond the margin 0.0078" in markdown
    )
    assert "| registered | version 4, status `pending` |" in markdown
    assert "| live v3 (forest) |" in markdown.replace("  ", " ")


def test_github_annotates_the_outcome_and_the_violations() -> None:
    assert (
        render.render_github(result("not-better"))
        .splitlines()[-1]
        .startswith("::notice title=mlgate retrain%3A not-better::nothing registered")
    )
    lines = render.render_github(result("data-invalid")).splitlines()
    assert lines[0].startswith("::error file=data/train.csv,line=5,title=plan%3A enum::")
    assert lines[-1].startswith("::error title=mlgate retrain%3A data-invalid::")


def test_a_fetch_that_did_nothing_says_why() -> None:
    none = FetchResult("none", None, (FetchedFile("s3://b/train.csv", None, None),), 0.0, "--no-fetch: data in place")
    assert render.describe_fetch(none) == "--no-fetch: data in place (s3://b/train.csv)"
    s3 = FetchResult("s3", "s3://b/fresh/", (FetchedFile("data/train.csv", 3, "d" * 64),), 0.5)
    assert render.describe_fetch(s3) == "copied from s3://b/fresh/ -> data/train.csv (0.5 s)"


WARNED = ValidationResult(
    "schema.yaml",
    (
        FileResult(
            "data/train.csv",
            "csv",
            100,
            5,
            0.1,
            (Violation("tenure", "null-fraction", "warning", 1, (), "12 % missing, above 5 %", (), ()),),
        ),
    ),
)
STALE = "the fetch rewrote data.train (data/train.csv) but left data.test (data/test.csv) as it was (same SHA-256)"


def test_the_data_gates_warnings_and_the_fetchs_are_shown_in_every_format() -> None:
    warned = dataclasses.replace(
        result("not-better"), validation=WARNED, fetch=dataclasses.replace(FETCH, warnings=(STALE,))
    )
    text = render.render_text(warned)
    assert "▸ data gate   passed: 100 rows, 0 error(s), 1 warning(s)" in text
    assert "12 % missing, above 5 %" in text  # the warning itself, as the summary shows it
    assert f"  ⚠ {STALE}" in text
    markdown = render.render_markdown(warned)
    assert "| data gate | ✓ passed: 100 rows, 0 error(s), 1 warning(s) |" in markdown
    assert "12 % missing, above 5 %" in markdown
    assert "| fetch ⚠️ | the fetch rewrote data.train" in markdown
    github = render.render_github(warned).splitlines()
    assert any(line.startswith("::warning") and "null-fraction" in line for line in github)
    assert f"::warning title=mlgate retrain%3A fetch::{STALE}" in github
    document = render.to_data(warned)
    assert document["fetch"]["warnings"] == [STALE]
    schema_validator("retrain.schema.json").validate(json.loads(render.render_json(warned)))


def test_json_gives_every_candidates_test_and_the_watched_metrics() -> None:
    document = render.to_data(result("registered"))["decision"]
    assert (document["low"], document["high"], document["method"], document["n"], document["unit"]) == (
        0.031,
        0.089,
        "DeLong",
        400,
        "rows",
    )
    assert (document["alpha"], document["evaluation"], document["watched"]) == (0.05, "e" * 64, ["accuracy"])
    forest = document["candidates"][0]
    assert (forest["name"], forest["wins"], forest["test"]["p_value"]) == ("forest", True, 0.0004)
    assert forest["guards"][0]["metric"] == "accuracy"
    assert forest["guards"][0]["worse"] is False
