from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from mlgate.baseline.event import find_revisions, read_pull_request
from mlgate.baseline.git import Git
from mlgate.errors import InputError

HEAD = "1" * 40
PR_HEAD = "2" * 40
BASE = "3" * 40


def fake_git(tmp_path: Path) -> tuple[Git, list[list[str]]]:
    """A Git whose ``rev-parse`` resolves anything to HEAD (and records the calls)."""
    calls: list[list[str]] = []

    def runner(argv: Sequence[str], cwd: Path) -> tuple[int, str, str]:
        calls.append(list(argv[3:]))
        assert argv[3] == "rev-parse"
        return 0, f"{HEAD}\n", ""

    return Git(tmp_path, runner=runner), calls


def event_file(tmp_path: Path, document: Any) -> Path:
    path = tmp_path / "event.json"
    path.write_text(document if isinstance(document, str) else json.dumps(document), encoding="utf-8")
    return path


def pull_request_event(head: str = PR_HEAD, base_ref: str = "develop") -> dict[str, Any]:
    return {
        "action": "synchronize",
        "number": 7,
        "pull_request": {"number": 7, "head": {"sha": head, "ref": "feature"}, "base": {"ref": base_ref, "sha": BASE}},
    }


@pytest.mark.parametrize("event", ["pull_request", "pull_request_target"])
def test_pull_request_head_comes_from_the_event_not_head(tmp_path: Path, event: str) -> None:
    git, calls = fake_git(tmp_path)
    environ = {"GITHUB_EVENT_NAME": event, "GITHUB_EVENT_PATH": str(event_file(tmp_path, pull_request_event()))}
    revisions = find_revisions(environ, git=git, base_branch="main")
    assert (revisions.head, revisions.head_source) == (PR_HEAD, "pull_request.head.sha")
    assert (revisions.base_branch, revisions.base_sha, revisions.pr_number, revisions.event) == (
        "develop",
        BASE,
        7,
        event,
    )
    assert calls == []


def test_overrides_win_over_the_event(tmp_path: Path) -> None:
    git, calls = fake_git(tmp_path)
    environ = {"GITHUB_EVENT_NAME": "pull_request", "GITHUB_EVENT_PATH": str(event_file(tmp_path, "not read"))}
    revisions = find_revisions(environ, git=git, base_branch="main", head="HEAD~1", base="release")
    assert (revisions.head, revisions.head_source, revisions.base_branch) == (HEAD, "--head", "release")
    assert calls == [["rev-parse", "--verify", "--quiet", "--end-of-options", "HEAD~1^{commit}"]]


def test_full_sha_override_is_kept_without_git(tmp_path: Path) -> None:
    git, calls = fake_git(tmp_path)
    environ = {
        "GITHUB_EVENT_NAME": "pull_request",
        "GITHUB_EVENT_PATH": str(event_file(tmp_path, pull_request_event())),
    }
    revisions = find_revisions(environ, git=git, base_branch="main", head=BASE)
    assert (revisions.head, revisions.base_branch, revisions.pr_number) == (BASE, "develop", 7)
    assert calls == []


@pytest.mark.parametrize("environ", [{}, {"GITHUB_EVENT_NAME": "push"}, {"GITHUB_EVENT_NAME": "workflow_dispatch"}])
def test_other_runs_use_head_and_the_configured_branch(tmp_path: Path, environ: dict[str, str]) -> None:
    git, _ = fake_git(tmp_path)
    revisions = find_revisions(environ, git=git, base_branch="main")
    assert (revisions.head, revisions.head_source, revisions.base_branch, revisions.pr_number) == (
        HEAD,
        "HEAD",
        "main",
        None,
    )


def test_the_base_branch_says_where_it_was_read_and_a_named_one_is_not_looked_for(tmp_path: Path) -> None:
    git, calls = fake_git(tmp_path)  # answers rev-parse only: finding a default branch would fail the test
    pull = {"GITHUB_EVENT_NAME": "pull_request", "GITHUB_EVENT_PATH": str(event_file(tmp_path, pull_request_event()))}
    assert find_revisions({}, git=git, base_branch=None, base="release").base_source == "--base"
    assert find_revisions(pull, git=git, base_branch=None).base_source == "pull_request.base.ref"
    found = find_revisions({}, git=git, base_branch="trunk")
    assert (found.base_branch, found.base_source, found.base_reason) == ("trunk", "baseline.base_branch", None)
    assert {call[0] for call in calls} == {"rev-parse"}


def test_event_path_missing_from_environment(tmp_path: Path) -> None:
    git, _ = fake_git(tmp_path)
    with pytest.raises(InputError, match=r"GITHUB_EVENT_NAME is pull_request but GITHUB_EVENT_PATH is not set"):
        find_revisions({"GITHUB_EVENT_NAME": "pull_request"}, git=git, base_branch="main")


def test_event_file_not_found_is_named(tmp_path: Path) -> None:
    git, _ = fake_git(tmp_path)
    missing = tmp_path / "gone.json"
    environ = {"GITHUB_EVENT_NAME": "pull_request", "GITHUB_EVENT_PATH": str(missing)}
    with pytest.raises(InputError, match=r"GitHub event file not found: .*gone\.json") as info:
        find_revisions(environ, git=git, base_branch="main")
    assert info.value.exit_code == 2


def test_malformed_event_json_names_file_and_line(tmp_path: Path) -> None:
    path = event_file(tmp_path, '{\n  "pull_request": {,\n}')
    with pytest.raises(InputError, match=r"event\.json:2: GitHub event file is not valid JSON"):
        read_pull_request(path)


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ([1, 2], r"must hold a JSON object"),
        ({"number": 1}, r"the GitHub event has no pull_request\.head\.sha"),
        ({"number": 1, "pull_request": {"head": {}, "base": {"ref": "main"}}}, r"has no pull_request\.head\.sha"),
        ({"number": 1, "pull_request": {"head": {"sha": PR_HEAD}, "base": []}}, r"has no pull_request\.base\.ref"),
        (pull_request_event(head="HEAD"), r"pull_request\.head\.sha is not a commit sha: 'HEAD'"),
        (pull_request_event(base_ref=""), r"pull_request\.base\.ref is not a branch name"),
        ({**pull_request_event(), "number": "7"}, r"the pull request number is not an integer: '7'"),
    ],
)
def test_malformed_event_documents(tmp_path: Path, document: Any, message: str) -> None:
    with pytest.raises(InputError, match=message):
        read_pull_request(event_file(tmp_path, document))


def test_number_falls_back_to_the_pull_request(tmp_path: Path) -> None:
    document = pull_request_event()
    del document["number"]
    document["pull_request"]["base"]["sha"] = None
    pull = read_pull_request(event_file(tmp_path, document))
    assert (pull.number, pull.head_sha, pull.base_ref, pull.base_sha) == (7, PR_HEAD, "develop", None)
