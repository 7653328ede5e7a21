"""The PR gate under act: main's results, the PR check, the comment poster, a PR from a fork, the opt-in matrix.

One baked project per module (classification, local target). The runs build on each other in this order: a push
to main (results cached, version 1 registered), PR #7's check, the poster, the matrix check on PR #7's next
commit and the poster again (the same sticky comment, updated), then PR #8 from a fork whose branch has the same
name. Each test asserts what a run left behind: act's cache entries and artifacts, the fake GitHub's comments, the
registry. act's exit code is never a verdict (an ``if:``-false matrix job's ``fromJSON('')`` kills act after the
other jobs finished, see shared/act/README.md).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from workflows.act import Run
from workflows.scene import Scene, build_scene, push_event
from workflows.world import PYTHON, git

pytestmark = [pytest.mark.slow, pytest.mark.workflows]

ANSWERS = {"task": "classification", "deploy_target": "local", "python_version": PYTHON}
MATRIX = '["logistic", "forest"]'
FORK = "forker"
MARKER_KEY = "key=mlgate "


@pytest.fixture(scope="module")
def scene(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Scene]:
    built = build_scene(tmp_path_factory.mktemp("pull-requests"), ANSWERS)
    try:
        yield built
    finally:
        built.github.stop()
    assert not built.github.violations, "fake GitHub saw OpenAPI violations:\n" + "\n".join(built.github.violations)


@pytest.fixture(scope="module")
def main_run(scene: Scene) -> Run:
    run = scene.act.run("main", scene.project, "mlgate-main.yml", "push", push_event(scene))
    scene.record("push to main", run)
    return run


def commit_on_branch(scene: Scene, branch: str, start: str, edit: tuple[str, str, str], message: str) -> str:
    """A commit on ``branch`` (from ``start``) replacing ``edit[1]`` by ``edit[2]`` in file ``edit[0]``."""
    path, old, new = edit
    git(scene.project, "checkout", "-q", "-B", branch, start)
    target = scene.project / path
    text = target.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    target.write_text(text.replace(old, new), encoding="utf-8")
    git(scene.project, "commit", "-q", "-am", message)
    return scene.head()


def pull_request_event(number: int, head: str, base: str, owner: str = "acme") -> dict[str, Any]:
    pull = {
        "number": number,
        "head": {"sha": head, "ref": "feature", "repo": {"full_name": f"{owner}/churn"}},
        "base": {"sha": base, "ref": "main", "repo": {"full_name": "acme/churn"}},
    }
    return {"action": "synchronize", "number": number, "pull_request": pull, "repository": {"full_name": "acme/churn"}}


def workflow_run_event(check: Run, head: str, conclusion: str, owner: str, pulls: list[int]) -> dict[str, Any]:
    """GitHub's ``workflow_run`` payload for a finished PR check (``pull_requests`` is empty for a fork)."""
    run = {
        "id": check.run_id,
        "name": "mlgate PR check",
        "event": "pull_request",
        "status": "completed",
        "conclusion": conclusion,
        "head_sha": head,
        "head_branch": "feature",
        "head_repository": {"full_name": f"{owner}/churn", "owner": {"login": owner}},
        "pull_requests": [{"number": n, "head": {"sha": head, "ref": "feature"}} for n in pulls],
    }
    return {"action": "completed", "workflow_run": run, "repository": {"full_name": "acme/churn"}}


def report_of(scene: Scene, run: Run) -> dict[str, Any]:
    files = scene.artifact_files(run, "mlgate-report")
    assert "report.json" in files, f"no report artifact (files {sorted(files)}):\n{run.tail()}"
    report: dict[str, Any] = json.loads(files["report.json"])
    return report


def check_pull(scene: Scene, name: str, number: int, head: str, base: str, owner: str = "acme") -> Run:
    scene.github.add_pull(number, head_sha=head, head_ref="feature", head_owner=owner)
    run = scene.act.run(
        name, scene.project, "mlgate-pr.yml", "pull_request", pull_request_event(number, head, base, owner)
    )
    return run


def post(scene: Scene, name: str, check: Run, head: str, owner: str, pulls: list[int]) -> Run:
    """The PR check's artifacts handed to the fake GitHub, then the ``workflow_run`` poster."""
    scene.publish_artifacts(check)
    conclusion = "success" if report_of(scene, check)["verdict"] == "pass" else "failure"
    payload = workflow_run_event(check, head, conclusion, owner, pulls)
    return scene.act.run(name, scene.project, "mlgate-comment.yml", "workflow_run", payload)


@pytest.fixture(scope="module")
def pr(scene: Scene, main_run: Run) -> tuple[Run, str, str]:
    base = git(scene.project, "rev-parse", "main")  # main as main_run left it
    edit = ("mlgate.yaml", "{n_estimators: 30, max_depth: 6}", "{n_estimators: 40, max_depth: 6}")
    head = commit_on_branch(scene, "feature", "main", edit, "a larger forest")
    run = check_pull(scene, "pr-check", 7, head, base)
    scene.record("PR check", run)
    return run, head, base


@pytest.fixture(scope="module")
def first_post(scene: Scene, pr: tuple[Run, str, str]) -> Run:
    run = post(scene, "poster", pr[0], pr[1], "acme", [7])
    scene.record("poster", run)
    return run


@pytest.fixture(scope="module")
def matrix(scene: Scene, first_post: Run, pr: tuple[Run, str, str]) -> tuple[Run, Run, str]:
    """PR #7's next commit opts in to the matrix; the poster then updates the same sticky comment."""
    caller = ".github/workflows/mlgate-pr.yml"
    edit = (caller, f'python-version: "{PYTHON}"', f"python-version: \"{PYTHON}\"\n      models: '{MATRIX}'")
    head = commit_on_branch(scene, "feature", "feature", edit, "check each model on its own runner")
    scene.github.move_head(7, head)
    check = check_pull(scene, "pr-matrix", 7, head, pr[2])
    poster = post(scene, "poster-matrix", check, head, "acme", [7])
    scene.record("PR check, opt-in matrix, and its poster", check, poster)
    return check, poster, head


@pytest.fixture(scope="module")
def fork(scene: Scene, matrix: tuple[Run, Run, str], pr: tuple[Run, str, str]) -> tuple[Run, Run, str, int]:
    """PR #8 from the fork ``forker/churn``, branch ``feature`` like PR #7's; its check gets a read-only token."""
    edit = ("mlgate.yaml", "{C: 1.0, max_iter: 1000}", "{C: 0.5, max_iter: 1000}")
    head = commit_on_branch(scene, "fork-feature", "main", edit, "a stronger regularisation")
    scene.github.forbid_writes()
    writes_before = len(scene.github.writes())
    check = check_pull(scene, "pr-fork", 8, head, pr[2], owner=FORK)
    writes_during = len(scene.github.writes()) - writes_before
    scene.github.allow_writes()  # the poster's token may write (pull-requests: write)
    poster = post(scene, "poster-fork", check, head, FORK, [])
    scene.record("PR from a fork and its poster", check, poster)
    return check, poster, head, writes_during


def test_a_push_to_main_caches_its_results_and_registers_a_pending_version(scene: Scene, main_run: Run) -> None:
    sha = git(scene.project, "rev-parse", "main")
    assert any(key.startswith(f"mlgate-baseline-{sha}-") for key in scene.cache_keys()), main_run.tail()
    files = scene.artifact_files(main_run, "mlgate-results")
    assert {"report.json", "candidate/metrics.json", "candidate/manifest.json"} <= set(files), sorted(files)
    versions = scene.versions()
    assert [(v, d["status"]) for v, d in versions.items()] == [("1", "pending")], main_run.tail()
    assert scene.history()[-1]["detail"]["commit"] == sha


def test_the_pr_check_validates_compares_and_uploads_its_report(scene: Scene, pr: tuple[Run, str, str]) -> None:
    run, head, _ = pr
    report = report_of(scene, run)
    assert (report["head"], report["validation"]["valid"], report["comparison"]["key"]) == (head, True, "mlgate")
    files = scene.artifact_files(run, "mlgate-report")
    assert {"comment.md", "summary.md", "report.json"} <= set(files)


def test_the_pr_check_restores_the_results_main_cached(scene: Scene, pr: tuple[Run, str, str]) -> None:
    run, _, base = pr
    baseline = report_of(scene, run)["baseline"]
    assert (baseline["source"], baseline["commit"]) == ("cache", base), run.tail()


def test_the_poster_posts_one_sticky_comment_and_the_next_run_updates_it(
    scene: Scene, pr: tuple[Run, str, str], first_post: Run, matrix: tuple[Run, Run, str]
) -> None:
    comments = [c for c in scene.github.comments(7) if c.author == "github-actions[bot]"]
    assert len(comments) == 1, first_post.tail()
    assert f"head={matrix[2]}" in comments[0].body, matrix[1].tail()
    posts = [w for w in scene.github.writes() if w.method == "POST" and w.path.endswith("/issues/7/comments")]
    updates = [w for w in scene.github.writes() if w.method == "PATCH" and "/issues/comments/" in w.path]
    assert (len(posts), len(updates)) == (1, 1)


def test_the_sticky_comment_carries_the_configs_report_key(scene: Scene, first_post: Run) -> None:
    markers = [c.body.splitlines()[0] for c in scene.github.comments(7)]
    assert len(markers) == 1, first_post.tail()
    assert MARKER_KEY in markers[0]


def test_the_matrix_trains_one_leg_per_model_and_merges_one_report(scene: Scene, matrix: tuple[Run, Run, str]) -> None:
    check = matrix[0]
    legs = sorted(p.name for p in (scene.act.artifacts / str(check.run_id)).iterdir())
    assert legs == ["mlgate-report", "mlgate-report-leg-forest", "mlgate-report-leg-logistic"], check.tail()
    for model in ("logistic", "forest"):
        leg = json.loads(scene.artifact_files(check, f"mlgate-report-leg-{model}")["metrics.json"])
        assert list(leg["models"]) == [model]
    rows = report_of(scene, check)["comparison"]["metrics"]
    primary = {model: row["roc_auc"]["new"] is not None for model, row in rows.items()}
    assert primary == {"logistic": True, "forest": True, "engineered": False}  # not in the matrix: removed
    assert [c.body.count("mlgate:report") for c in scene.github.comments(7)] == [1]


def test_a_fork_prs_check_never_writes_and_its_comment_lands_on_the_fork_pr(
    scene: Scene, fork: tuple[Run, Run, str, int]
) -> None:
    check, poster, head, writes_during_check = fork
    assert report_of(scene, check)["head"] == head
    assert writes_during_check == 0
    on_fork = [c.body for c in scene.github.comments(8)]
    assert len(on_fork) == 1, poster.tail()
    assert f"head={head}" in on_fork[0]
    assert all(f"head={head}" not in c.body for c in scene.github.comments(7))


def test_every_act_server_stayed_on_loopback(scene: Scene, fork: tuple[Run, Run, str, int]) -> None:
    for run in scene.act.runs:
        assert "192.0.2.2" not in run.text(), run.name
