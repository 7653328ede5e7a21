"""``mlgate comment`` end to end against the OpenAPI-validated fake GitHub (tests/fakes/github_api.py)."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from fakes.github_api import BOT, SECONDARY_LIMIT, FakeGitHub
from mlgate.cli import main
from mlgate.github.marker import parse_marker
from mlgate.report.budget import with_marker

HEAD = "a" * 40
NEWER = "b" * 40


@dataclass
class Run:
    code: int
    out: str
    err: str


@dataclass
class Env:
    fake: FakeGitHub
    tmp: Path
    monkeypatch: pytest.MonkeyPatch
    capsys: pytest.CaptureFixture[str]

    @property
    def summary(self) -> Path:
        return self.tmp / "summary.md"

    @property
    def output(self) -> Path:
        return self.tmp / "output.txt"

    def event(self, name: str, payload: object) -> None:
        for key, value in self.fake.env(self.tmp, name, payload).items():
            self.monkeypatch.setenv(key, value)

    def body(self, text: str, name: str = "report.md") -> Path:
        path = self.tmp / name
        path.write_text(text, encoding="utf-8")
        return path

    def run(self, *args: str) -> Run:
        code = main(["comment", *args])
        captured = self.capsys.readouterr()
        files = [p.read_text(encoding="utf-8") for p in (self.summary, self.output) if p.exists()]
        for text in [captured.out, captured.err, *files]:
            assert self.fake.token not in text, "the token leaked into the output"
        return Run(code, captured.out, captured.err)


@pytest.fixture
def gh(
    github_api: FakeGitHub, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> Env:
    env = Env(github_api, tmp_path, monkeypatch, capsys)
    for key, value in github_api.env().items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(env.summary))
    monkeypatch.setenv("GITHUB_OUTPUT", str(env.output))
    monkeypatch.setenv("GITHUB_WORKFLOW", "PR checks")
    monkeypatch.setenv("GITHUB_JOB", "benchmark")
    github_api.add_pull(7, head_sha=HEAD)
    env.event("pull_request", github_api.pull_request_event(7))
    return env


def ours(key: str, text: str = "old report\n") -> str:
    return with_marker(text, key=key, head=HEAD)


def test_updates_our_comment_on_page_two_and_then_writes_nothing(gh: Env) -> None:
    fake = gh.fake
    fake.add_comments(7, 120)
    mine = fake.add_comment(7, ours("PR-checks/benchmark"))
    fake.add_comments(7, 29)
    report = gh.body("## mlgate\n\n| Model | f1 |\n|---|---|\n| rf | 0.91 |\n")

    results = [gh.run("--body-file", str(report)) for _ in range(3)]

    assert [r.code for r in results] == [0, 0, 0]
    assert [(w.method, w.path) for w in fake.writes()] == [("PATCH", f"/repos/octo/demo/issues/comments/{mine.id}")]
    lists = [r for r in fake.requests if r.path.endswith("/issues/7/comments") and r.method == "GET"]
    assert [r.query.get("page", "1") for r in lists] == ["1", "2"] * 3
    assert all(r.query["per_page"] == "100" for r in lists)
    body = fake.comments(7)[120].body
    assert body.endswith("| rf | 0.91 |\n")
    marker = parse_marker(body)
    assert marker is not None
    assert (marker.key, marker.head) == ("PR-checks/benchmark", HEAD)
    assert "comment updated on PR #7" in results[0].out
    assert "comment unchanged on PR #7" in results[2].out
    assert "result<<ghadelimiter_" in gh.output.read_text(encoding="utf-8")


def test_a_human_quoting_the_report_is_never_touched(gh: Env) -> None:
    quoted = ours("PR-checks/benchmark", "I disagree with this report\n")
    human = gh.fake.add_comment(7, quoted, author="octocat")
    gh.fake.add_comment(7, "> " + ours("PR-checks/benchmark"))  # ours, but the marker does not start the body

    result = gh.run("--body-file", str(gh.body("fresh report\n")))

    assert result.code == 0
    assert [(w.method, w.path) for w in gh.fake.writes()] == [("POST", "/repos/octo/demo/issues/7/comments")]
    comments = gh.fake.comments(7)
    assert comments[0].body == quoted
    assert comments[0].id == human.id
    assert comments[-1].author == BOT
    assert comments[-1].body.endswith("fresh report\n")


def test_duplicates_converge_on_the_oldest(gh: Env) -> None:
    first = gh.fake.add_comment(7, ours("nightly"))
    gh.fake.add_comment(7, "unrelated", author="octocat")
    second = gh.fake.add_comment(7, ours("nightly"))

    result = gh.run("--body-file", str(gh.body("new\n")), "--key", "nightly")

    assert result.code == 0
    assert [c.id for c in gh.fake.comments(7) if c.author == BOT] == [first.id]
    assert [w.method for w in gh.fake.writes()] == ["PATCH", "DELETE"]
    assert gh.fake.writes()[1].path.endswith(f"/comments/{second.id}")
    assert "deleted 1 duplicate" in result.out


def test_matrix_legs_keep_separate_comments(gh: Env) -> None:
    report = gh.body("leg report\n")
    for python in ("3.10", "3.12"):
        assert gh.run("--body-file", str(report), "--matrix", f'{{"python": "{python}"}}').code == 0
    keys = [parse_marker(c.body) for c in gh.fake.comments(7)]
    assert [k.key for k in keys if k] == ["PR-checks/benchmark/3.10", "PR-checks/benchmark/3.12"]


def test_a_70000_character_report_is_cut_to_fit_and_kept_whole_in_the_summary(gh: Env) -> None:
    rows = "".join(f"| model_{i:05d} | {i / 7:.6f} | ✅ |\n" for i in range(2400))
    text = "## mlgate\n\n<details><summary>all rows</summary>\n\n```text\n" + rows
    assert len(text) >= 70_000

    result = gh.run("--body-file", str(gh.body(text)))

    assert result.code == 0
    posted = gh.fake.comments(7)[0].body
    assert len(posted) <= 65_536
    assert "mlgate cut this report to fit GitHub's comment size limit" in posted
    assert posted.count("```") == 2
    assert "</details>" in posted
    assert rows in gh.summary.read_text(encoding="utf-8")


def test_fork_pr_403_writes_the_summary_and_warns(gh: Env) -> None:
    gh.fake.forbid_writes()
    report = gh.body("fork report\n")

    result = gh.run("--body-file", str(report))

    assert result.code == 0
    assert "::warning title=mlgate comment::" in result.out
    assert "pull-requests: write" in result.out
    assert "fork report" in gh.summary.read_text(encoding="utf-8")
    strict = gh.run("--body-file", str(report), "--strict")
    assert strict.code == 3
    assert "Resource not accessible by integration" in strict.err


def test_a_403_while_resolving_the_pr_is_handled_the_same_way(gh: Env) -> None:
    gh.fake.fail_next(1, 403, message="Resource not accessible by integration", method="GET")
    gh.event("workflow_run", gh.fake.workflow_run_event(HEAD))

    result = gh.run("--body-file", str(gh.body("poster report\n")))

    assert result.code == 0
    assert "::warning title=mlgate comment::GitHub API: GET /repos/octo/demo/pulls failed: 403" in result.out
    assert "poster report" in gh.summary.read_text(encoding="utf-8")
    assert gh.fake.writes() == []


def test_secondary_rate_limit_waits_for_retry_after(gh: Env) -> None:
    gh.fake.fail_next(1, 403, headers={"retry-after": "1"}, message=SECONDARY_LIMIT, method="POST")

    started = time.monotonic()
    result = gh.run("--body-file", str(gh.body("report\n")))

    assert result.code == 0
    assert time.monotonic() - started >= 1.0
    assert [w.method for w in gh.fake.writes()] == ["POST", "POST"]
    assert len(gh.fake.comments(7)) == 1


def test_persistent_502_gives_up_after_three_tries(gh: Env, monkeypatch: pytest.MonkeyPatch) -> None:
    waits: list[float] = []
    monkeypatch.setattr(time, "sleep", waits.append)
    gh.fake.fail_next(10, 502, message="Server Error")

    result = gh.run("--body-file", str(gh.body("report\n")))

    assert result.code == 3
    assert "GitHub API: GET /repos/octo/demo/pulls/7 failed: 502 Server Error after 3 tries" in result.err
    assert waits == [1.0, 2.0]
    assert gh.fake.writes() == []


def test_a_run_whose_pr_head_moved_writes_only_the_summary(gh: Env) -> None:
    existing = gh.fake.add_comment(7, ours("PR-checks/benchmark", "newer run's report\n"))
    gh.fake.move_head(7, NEWER)

    result = gh.run("--body-file", str(gh.body("stale report\n")))

    assert result.code == 0
    assert gh.fake.writes() == []
    assert gh.fake.comments(7)[0].body == existing.body
    assert "has moved on to bbbbbbb" in result.out
    assert "stale report" in gh.summary.read_text(encoding="utf-8")
    assert "result<<" in gh.output.read_text(encoding="utf-8")


def test_workflow_run_with_an_empty_pr_list_resolves_the_fork_pr_by_head(gh: Env) -> None:
    gh.fake.add_pull(9, head_sha=NEWER, head_ref="patch-1", head_owner="forker")
    gh.event("workflow_run", gh.fake.workflow_run_event(NEWER, head_branch="patch-1", head_owner="forker"))

    result = gh.run("--body-file", str(gh.body("from the poster\n")))

    assert result.code == 0
    lookup = [r for r in gh.fake.requests if r.path == "/repos/octo/demo/pulls"]
    assert lookup[0].query == {"per_page": "100", "state": "open", "head": "forker:patch-1"}
    assert gh.fake.comments(9)[0].body.endswith("from the poster\n")
    assert gh.fake.comments(7) == []


def test_workflow_run_is_refused_when_the_pr_head_is_another_commit(gh: Env) -> None:
    gh.fake.add_pull(9, head_sha=NEWER, head_ref="patch-1", head_owner="forker")
    gh.event("workflow_run", gh.fake.workflow_run_event(HEAD, head_branch="patch-1", head_owner="forker"))

    result = gh.run("--body-file", str(gh.body("old run\n")))

    assert result.code == 2
    assert "no open pull request from forker:patch-1 has head aaaaaaa (#9 at bbbbbbb): refusing" in result.err
    assert gh.fake.writes() == []


def test_without_a_token_the_input_is_unusable(gh: Env, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GITHUB_TOKEN")
    result = gh.run("--body-file", str(gh.body("report\n")))
    assert result.code == 2
    assert "GITHUB_TOKEN is not set" in result.err
    assert gh.fake.requests == []


def test_pr_option_without_an_event_uses_the_body_marker_head(gh: Env, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GITHUB_EVENT_NAME")
    monkeypatch.delenv("GITHUB_EVENT_PATH")
    older = gh.body(with_marker("for an older commit\n", key="check", head=NEWER), "older.md")
    current = gh.body(with_marker("for the PR head\n", key="check", head=HEAD), "current.md")

    stale = gh.run("--body-file", str(older), "--pr", "7")
    posted = gh.run("--body-file", str(current), "--pr", "7")

    assert (stale.code, posted.code) == (0, 0)
    assert "PR #7 has moved on to aaaaaaa; this run is for bbbbbbb" in stale.out
    assert [w.method for w in gh.fake.writes()] == ["POST"]
    marker = parse_marker(gh.fake.comments(7)[0].body)
    assert marker is not None
    assert (marker.key, marker.head) == ("PR-checks/benchmark", HEAD)


def test_key_from_report_keeps_the_key_mlgate_check_wrote(gh: Env) -> None:
    """The fork-safe poster runs in another workflow: the report's own key (report.key) names its comment."""
    report = gh.body(with_marker("## mlgate\n", key="mlgate", head=HEAD))
    assert gh.run("--body-file", str(report), "--key-from-report").code == 0
    assert gh.run("--body-file", str(report), "--key-from-report", "--key", "nightly").code == 0  # --key wins
    keys = [parse_marker(c.body) for c in gh.fake.comments(7)]
    assert [k.key for k in keys if k] == ["mlgate", "nightly"]
    unmarked = gh.body("## mlgate\n", "unmarked.md")
    assert gh.run("--body-file", str(unmarked), "--key-from-report").code == 0  # no marker: the default key
    assert [k.key for k in map(parse_marker, (c.body for c in gh.fake.comments(7))) if k][-1] == "PR-checks/benchmark"


def test_the_fake_flags_whatever_breaks_githubs_description() -> None:
    fake = FakeGitHub().start()
    try:
        fake.add_pull(1, head_sha=HEAD)
        fake.add_comment(1, "hello")
        headers = {
            "Authorization": f"Bearer {fake.token}",
            "Accept": "application/vnd.github+json",
            "X-GitHub-Api-Version": "2022-11-28",
        }
        with httpx.Client(base_url=fake.url, headers=headers) as http:
            assert http.post("/repos/octo/demo/issues/1/comments", json={"text": "x"}).status_code == 400
            assert http.get("/repos/octo/demo/issues/1/comments", params={"perpage": 100}).status_code == 400
            assert (
                http.get("/repos/octo/demo/pulls/1", headers={"X-GitHub-Api-Version": "2026-03-10"}).status_code == 400
            )
            assert http.get("/repos/octo/demo/issues/1/comments", params={"per_page": 2}).status_code == 200
            fake._comment_json = lambda comment: {"id": str(comment.id)}  # type: ignore[method-assign]
            assert http.get("/repos/octo/demo/issues/1/comments").status_code == 200
    finally:
        fake.stop()
    assert len(fake.violations) == 4
    assert "'body' is a required property" in fake.violations[0]
    assert "undeclared query parameters ['perpage']" in fake.violations[1]
    assert "X-GitHub-Api-Version must be 2022-11-28" in fake.violations[2]
    assert fake.violations[3].startswith("response to GET /repos/octo/demo/issues/1/comments: InvalidData")


def test_a_body_file_that_is_a_symlink_is_refused_and_nothing_is_posted(gh: Env) -> None:
    secret = gh.body("runner secret\n", "secret.txt")
    link = gh.tmp / "comment.md"
    link.symlink_to(secret)  # a crafted artifact pointing at a file on the runner

    run = gh.run("--body-file", str(link))

    assert run.code == 2
    assert "not a regular file" in run.err
    assert gh.fake.writes() == []


@pytest.mark.parametrize("status", [502, 0], ids=["502-after-commit", "dropped-after-commit"])
def test_a_create_whose_answer_is_lost_is_not_posted_twice(
    gh: Env, monkeypatch: pytest.MonkeyPatch, status: int
) -> None:
    monkeypatch.setattr(time, "sleep", lambda _s: None)
    gh.fake.fail_after_write(1, status, method="POST")

    result = gh.run("--body-file", str(gh.body("report\n")))

    assert result.code == 0, result.err
    (comment,) = gh.fake.comments(7)
    assert comment.body.endswith("report\n")
    assert [w.method for w in gh.fake.writes()] == ["POST"]
    assert "Traceback" not in result.err


def test_a_create_that_failed_before_the_write_is_posted_again_once(gh: Env, monkeypatch: pytest.MonkeyPatch) -> None:
    waits: list[float] = []
    monkeypatch.setattr(time, "sleep", waits.append)
    gh.fake.fail_next(1, 502, message="Server Error", method="POST")

    result = gh.run("--body-file", str(gh.body("report\n")))

    assert result.code == 0, result.err
    assert len(gh.fake.comments(7)) == 1
    assert [w.method for w in gh.fake.writes()] == ["POST", "POST"]
    assert waits == [1.0]


def test_lost_answers_on_every_create_still_leave_exactly_one_comment(gh: Env, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(time, "sleep", lambda _s: None)
    gh.fake.fail_next(2, 502, message="Server Error", method="POST")
    gh.fake.fail_after_write(1, 502, method="POST")

    result = gh.run("--body-file", str(gh.body("report\n")))

    assert result.code == 0, result.err
    assert len(gh.fake.comments(7)) == 1
    assert [w.method for w in gh.fake.writes()] == ["POST", "POST", "POST"]
