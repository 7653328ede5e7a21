"""What train and check hand to the tracker: the PR number from GitHub's event file, nothing without tracking."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mlgate.config import Config
from mlgate.tracking.commands import find_pr_number, track_check, track_training

HEAD = "a" * 40


def event_file(tmp_path: Path, document: object) -> Path:
    path = tmp_path / "event.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


def pull_request(number: object) -> dict[str, object]:
    return {"number": number, "pull_request": {"head": {"sha": HEAD}, "base": {"ref": "main", "sha": "b" * 40}}}


@pytest.mark.parametrize("event", ["pull_request", "pull_request_target"])
def test_a_pull_request_event_gives_its_number(tmp_path: Path, event: str) -> None:
    path = event_file(tmp_path, pull_request(42))
    assert find_pr_number({"GITHUB_EVENT_NAME": event, "GITHUB_EVENT_PATH": str(path)}) == 42


def test_no_pr_number_outside_a_pull_request_or_without_an_event_file(tmp_path: Path) -> None:
    path = event_file(tmp_path, pull_request(42))
    assert find_pr_number({"GITHUB_EVENT_NAME": "push", "GITHUB_EVENT_PATH": str(path)}) is None
    assert find_pr_number({"GITHUB_EVENT_NAME": "pull_request"}) is None
    assert find_pr_number({}) is None


@pytest.mark.parametrize(
    "document",
    [pull_request("42"), pull_request(True), {"number": 7}, ["not", "an", "object"]],
    ids=["number-as-text", "number-as-bool", "no-pull-request", "a-list"],
)
def test_an_unreadable_event_file_is_no_pr_number_not_an_error(tmp_path: Path, document: object) -> None:
    """Tracking is best effort: a tag it cannot read is left out, the command goes on."""
    path = event_file(tmp_path, document)
    assert find_pr_number({"GITHUB_EVENT_NAME": "pull_request", "GITHUB_EVENT_PATH": str(path)}) is None


def test_a_missing_event_file_is_no_pr_number(tmp_path: Path) -> None:
    missing = str(tmp_path / "gone.json")
    assert find_pr_number({"GITHUB_EVENT_NAME": "pull_request", "GITHUB_EVENT_PATH": missing}) is None


def test_without_tracking_nothing_is_logged_or_imported(tmp_path: Path) -> None:
    config = Config()
    assert config.tracking.mlflow is None
    assert track_training(config, None, environ={}) == {}  # type: ignore[arg-type]  # never read without tracking
    assert track_check(config, None, candidate=tmp_path, environ={}) == {}  # type: ignore[arg-type]
