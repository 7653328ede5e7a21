"""DVC-tracked data under act: main's results and the PR check pull it from a remote the secret alone defines.

One baked project (classification, local target) whose ``data/train.csv`` and ``data/test.csv`` are tracked by DVC
(``dvc add``; git holds the ``.dvc`` files only). Its DVC remote is a folder of this machine, named only in the
secret ``DVC_REMOTE_CONFIG`` (a ``['remote "storage"']`` section and ``core.remote``): the committed
``.dvc/config`` names no remote. The developer's side (``dvc push``) uses the same lines as its own
``.dvc/config.local``, written for each DVC command and removed after it, and the DVC cache is emptied after each
push, so nothing of the data, the cache or the remote reaches a job but through the secret and the pull.

The runs build on each other: a push to main (main-results with ``dvc-pull: true``) pulls version 1 of the data;
main then moves on by a commit its workflow has not run for (no cached results for it); PR #9 branches from there,
appends rows to ``data/train.csv`` (``dvc add``, ``dvc push``: version 2) and its check (``dvc-pull: true``) pulls
version 2, reports the change by DVC hash, and trains the merge-base in a git worktree on the merge-base's data,
which it pulls from the remote at the merge-base's hash (the shared DVC cache holds only version 2).
Then a PR check of a caller that drops the secret: the pull fails with mlgate's two-line error, nothing after it runs.

Stood in for, beyond the tier's own (tests/README.md): ``pip install 'mlgate[dvc]'`` in the jobs installs mlgate
alone (the tier's ``no-deps``), and the ``dvc`` command it would bring is the tool venv's real dvc 3
(``.venv-tools/bin/dvc``), linked into the tool-cache Python's ``bin`` that setup-python puts on the jobs' PATH.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from workflows.act import Run
from workflows.scene import Scene, build_scene, push_event
from workflows.world import PYTHON, ROOT, git

pytestmark = [pytest.mark.slow, pytest.mark.workflows]

ANSWERS = {"task": "classification", "deploy_target": "local", "python_version": PYTHON}
DVC = ROOT / ".venv-tools" / "bin" / "dvc"
SECRET = "DVC_REMOTE_CONFIG"
ADDED_ROWS = 40
CALLER_INPUTS = f'python-version: "{PYTHON}"'


def run_dvc(scene: Scene, *args: str) -> str:
    """A developer's ``dvc`` command in the project, with the secret's lines as its ``.dvc/config.local``."""
    local = scene.project / ".dvc" / "config.local"
    if (scene.project / ".dvc").is_dir():
        local.write_text(scene.act.secrets[SECRET] + "\n", encoding="utf-8")
    env = {**os.environ, "DVC_NO_ANALYTICS": "1", "DVC_SITE_CACHE_DIR": str(scene.folder / "dvc-site")}
    try:
        done = subprocess.run(
            [str(DVC), *args], cwd=scene.project, env=env, capture_output=True, text=True, check=False
        )
    finally:
        local.unlink(missing_ok=True)
    assert done.returncode == 0, f"dvc {' '.join(args)}: {done.stdout}\n{done.stderr}"
    return done.stdout


def forget_data(scene: Scene) -> None:
    """The developer's data and DVC cache removed: a job can get them only from the remote."""
    shutil.rmtree(scene.project / ".dvc" / "cache", ignore_errors=True)
    for name in ("train.csv", "test.csv"):
        (scene.project / "data" / name).unlink(missing_ok=True)


def pull_data(scene: Scene, *, secret: bool = True) -> None:
    """Every call of the main-branch and PR callers passes ``dvc-pull: true`` (and, with ``secret``, the secret):
    results and the check read the data, and so does register (the version's reference statistics)."""
    passed = f"\n    secrets:\n      {SECRET}: ${{{{ secrets.{SECRET} }}}}" if secret else ""
    for caller in ("mlgate-main.yml", "mlgate-pr.yml"):
        path = scene.project / ".github" / "workflows" / caller
        text = path.read_text(encoding="utf-8")
        assert CALLER_INPUTS in text, caller
        text = text.replace(CALLER_INPUTS, f"{CALLER_INPUTS}\n      dvc-pull: true")
        path.write_text(text.replace("\n    with:\n", f"{passed}\n    with:\n"), encoding="utf-8")


@pytest.fixture(scope="module")
def scene(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Scene]:
    assert os.access(DVC, os.X_OK), f"{DVC} is missing: run `bash scripts/test.sh` (it makes .venv-tools with dvc)"
    built = build_scene(tmp_path_factory.mktemp("dvc-data"), ANSWERS)
    remote = built.folder / "dvc-remote"
    remote.mkdir()
    built.act.secrets[SECRET] = f"['remote \"storage\"']\n    url = {remote}\n[core]\n    remote = storage"
    built.act.env |= {"DVC_NO_ANALYTICS": "1", "DVC_SITE_CACHE_DIR": str(built.folder / "dvc-site")}
    for entry in (built.act.tool_cache / "Python").glob("*/x64"):
        (entry / "bin" / "dvc").symlink_to(DVC)  # the `dvc` of `mlgate[dvc]`, on the jobs' PATH
    git(built.project, "rm", "-q", "--cached", "data/train.csv", "data/test.csv")
    run_dvc(built, "init", "-q")
    run_dvc(built, "add", "data/train.csv", "data/test.csv")
    run_dvc(built, "push")
    pull_data(built)
    git(built.project, "add", "-A")
    git(built.project, "commit", "-q", "-m", "data/*.csv tracked by DVC; the workflows pull it")
    forget_data(built)
    try:
        yield built
    finally:
        built.github.stop()
    assert not built.github.violations, "fake GitHub saw OpenAPI violations:\n" + "\n".join(built.github.violations)


@pytest.fixture(scope="module")
def main_run(scene: Scene) -> Run:
    run = scene.act.run("main", scene.project, "mlgate-main.yml", "push", push_event(scene))
    scene.record("push to main, DVC-tracked data pulled", run)
    return run


def pull_request_event(number: int, head: str, base: str) -> dict[str, Any]:
    pull = {
        "number": number,
        "head": {"sha": head, "ref": "more-data", "repo": {"full_name": "acme/churn"}},
        "base": {"sha": base, "ref": "main", "repo": {"full_name": "acme/churn"}},
    }
    return {"action": "synchronize", "number": number, "pull_request": pull, "repository": {"full_name": "acme/churn"}}


def append_rows(path: Path, count: int) -> None:
    """``count`` more customers: copies of the first rows under new ids (C-9xxxxx)."""
    lines = path.read_text(encoding="utf-8").splitlines()
    copies = [re.sub(r"^C-\d{6}", f"C-{900001 + i:06d}", line) for i, line in enumerate(lines[1 : 1 + count])]
    path.write_text("\n".join([*lines, *copies]) + "\n", encoding="utf-8")


@pytest.fixture(scope="module")
def pr(scene: Scene, main_run: Run) -> tuple[Run, str, str]:
    """Main moves on (not run yet); PR #9 from there adds rows to the DVC-tracked training data."""
    readme = scene.project / "README.md"
    readme.write_text(readme.read_text(encoding="utf-8") + "\nThe data lives in DVC.\n", encoding="utf-8")
    git(scene.project, "commit", "-q", "-am", "README: where the data lives")
    base = scene.head()
    git(scene.project, "checkout", "-q", "-b", "more-data")
    run_dvc(scene, "pull")
    append_rows(scene.project / "data" / "train.csv", ADDED_ROWS)
    run_dvc(scene, "add", "data/train.csv")
    run_dvc(scene, "push")
    git(scene.project, "commit", "-q", "-am", f"{ADDED_ROWS} more customers")
    forget_data(scene)
    head = scene.head()
    scene.github.add_pull(9, head_sha=head, head_ref="more-data")
    run = scene.act.run("pr-check", scene.project, "mlgate-pr.yml", "pull_request", pull_request_event(9, head, base))
    scene.record("PR check, DVC-tracked data changed, baseline trained on the merge-base's data", run)
    return run, head, base


def report_of(scene: Scene, run: Run) -> dict[str, Any]:
    files = scene.artifact_files(run, "mlgate-report")
    assert "report.json" in files, f"no report artifact (files {sorted(files)}):\n{run.tail()}"
    report: dict[str, Any] = json.loads(files["report.json"])
    return report


def tracked_md5(scene: Scene, commit: str, dataset: str) -> str:
    found = re.search(r"md5: ([0-9a-f]{32})", git(scene.project, "show", f"{commit}:{dataset}.dvc"))
    assert found is not None, dataset
    return found.group(1)


def test_the_committed_dvc_config_names_no_remote(scene: Scene) -> None:
    config = git(scene.project, "show", "main:.dvc/config")
    assert "remote" not in config
    assert any(path.is_file() for path in (scene.folder / "dvc-remote").rglob("*"))  # the data was pushed there


def test_main_pulls_the_data_from_the_secrets_remote_and_records_its_dvc_hash(scene: Scene, main_run: Run) -> None:
    assert main_run.outcome("results", "Pull the DVC-tracked data") == "Success", main_run.tail()
    text = main_run.text()
    sha = git(scene.project, "rev-parse", "main")
    for dataset in ("data/train.csv", "data/test.csv"):
        assert f"{dataset}: md5 {tracked_md5(scene, sha, dataset)[:12]}" in text, main_run.tail()
    assert "dvc pull: 2 files fetched" in text, main_run.tail()
    manifest = json.loads(scene.artifact_files(main_run, "mlgate-results")["candidate/manifest.json"])
    assert {d["uri"]: d.get("dvc", {}).get("md5") for d in manifest["data"]} == {
        "data/train.csv": tracked_md5(scene, sha, "data/train.csv"),
        "data/test.csv": tracked_md5(scene, sha, "data/test.csv"),
    }
    assert [(v, d["status"]) for v, d in scene.versions().items()] == [("1", "pending")], main_run.tail()


def test_the_pr_check_pulls_the_prs_data_and_reports_the_change_by_dvc_hash(
    scene: Scene, pr: tuple[Run, str, str]
) -> None:
    run, head, base = pr
    assert run.outcome("check", "Pull the DVC-tracked data") == "Success", run.tail()
    assert f"data/train.csv: md5 {tracked_md5(scene, head, 'data/train.csv')[:12]}" in run.text(), run.tail()
    report = report_of(scene, run)
    versions = {v["dataset"]: v for v in report["data_versions"]}
    train, test = versions["data/train.csv"], versions["data/test.csv"]
    assert (train["status"], train["base_md5"], train["head_md5"]) == (
        "changed",
        tracked_md5(scene, base, "data/train.csv"),
        tracked_md5(scene, head, "data/train.csv"),
    )
    assert (train["rows_added"], train["rows_removed"]) == (ADDED_ROWS, 0)
    assert (test["status"], test["head_md5"]) == ("unchanged", tracked_md5(scene, base, "data/test.csv"))


def test_the_baseline_is_trained_at_the_merge_base_on_the_merge_bases_data(
    scene: Scene, pr: tuple[Run, str, str]
) -> None:
    run, _, base = pr
    baseline = report_of(scene, run)["baseline"]
    assert (baseline["source"], baseline["commit"]) == ("worktree", base), run.tail()
    assert "on its own DVC-tracked data" in baseline["reason"]
    comparison = report_of(scene, run)["comparison"]
    assert comparison["data_changed"] is True  # the baseline's own run recorded other data than the PR's
    # each baseline model's score in its own run, on the merge-base's data
    assert all(
        "old_own" in row for rows in comparison["metrics"].values() for row in rows.values() if row["kind"] == "quality"
    )


@pytest.fixture(scope="module")
def no_secret(scene: Scene, pr: tuple[Run, str, str]) -> Run:
    """PR #9's check again, from a caller given no DVC_REMOTE_CONFIG (a fork's PR, or the secret never set)."""
    _, head, base = pr
    secret = scene.act.secrets.pop(SECRET)
    try:
        run = scene.act.run(
            "pr-no-secret", scene.project, "mlgate-pr.yml", "pull_request", pull_request_event(9, head, base)
        )
    finally:
        scene.act.secrets[SECRET] = secret
    scene.record("PR check, dvc-pull without the secret: no remote", run)
    return run


MLGATE_STEPS = ("Validate the data", "Locate the baseline", "Train, compare with the baseline")


def test_without_the_secret_the_pull_fails_in_two_lines_and_nothing_else_runs(scene: Scene, no_secret: Run) -> None:
    run = no_secret
    assert run.outcome("check", "Give DVC the remote's credentials") == "Success", run.tail()
    assert run.outcome("check", "Pull the DVC-tracked data") == "Failure", run.tail()
    lines = [
        line.split("|", 1)[1].strip() for line in run.text().splitlines() if line.startswith("[check/") and "|" in line
    ]
    error = next(i for i, line in enumerate(lines) if line.startswith("mlgate: error:"))
    assert lines[error].startswith(
        "mlgate: error: data/train.csv, data/test.csv: not in the DVC cache and no DVC remote is set ("
    ), run.tail()
    assert lines[error].endswith("/.dvc/config)"), run.tail()
    assert lines[error + 1].startswith("hint: add one to the repository: `dvc remote add -d NAME URL`"), run.tail()
    assert "exit status 2" in run.text()
    ran = {step.step for step in run.steps if "check" in step.job}
    assert not [name for name in ran if name.startswith(MLGATE_STEPS)], sorted(ran)
    assert "report.json" not in scene.artifact_files(run, "mlgate-report")
