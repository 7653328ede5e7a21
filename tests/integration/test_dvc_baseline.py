"""The baseline trained at the merge-base on the merge-base's DVC-tracked data (the real ``dvc`` command).

main tracks the example's data with ``dvc add`` and pushes it to a local DVC remote; the PR branch replaces 40
training rows. With no cached baseline, ``mlgate check`` trains the merge-base in a temporary git worktree, where
DVC-tracked files are absent: mlgate writes them there from the main checkout's DVC cache (``dvc checkout``),
pulling what the cache lacks when ``baseline.fetch`` allows, so the baseline is trained on its own data. When that
data cannot be had the baseline is none and the report says why (never trained on other data).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from gitrepo import Repo
from integration.test_cli_data_pull import dvc
from integration.test_dvc_data import CONFIG, EXAMPLE, change_training_rows, md5_in
from mlgate.cli import main

pytestmark = pytest.mark.slow


@pytest.fixture
def on_path(dvc_bin: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "bin"
    folder.mkdir()
    (folder / "dvc").symlink_to(dvc_bin)
    monkeypatch.setenv("PATH", f"{folder}:/usr/bin:/bin")
    return dvc_bin


@pytest.fixture
def pr(tmp_path: Path, on_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Repo, str, int]:
    """main: the example under DVC, pushed; checked out: branch `more` (40 training rows replaced by 25).

    Returns the repository, main's md5 of data/train.csv and main's training rows.
    """
    repo = Repo(tmp_path / "project")
    repo.path.mkdir()
    repo.git("init", "-q", "-b", "main")
    files = {"schema.yaml": (EXAMPLE / "schema.yaml").read_text(), "mlgate.yaml": CONFIG, ".gitignore": ".mlgate/\n"}
    repo.commit("project", files)
    dvc(on_path, repo.path, "init", "-q")
    (repo.path / "data").mkdir()
    for name in ("train.csv", "test.csv"):
        shutil.copy(EXAMPLE / "data" / name, repo.path / "data" / name)
    dvc(on_path, repo.path, "add", "-q", "data/train.csv", "data/test.csv")
    dvc(on_path, repo.path, "remote", "add", "-d", "local", str(tmp_path / "remote"))
    dvc(on_path, repo.path, "push", "-q")
    repo.git("add", "-A")
    repo.git("commit", "-q", "-m", "data under DVC")
    base_md5 = md5_in(repo.path / "data" / "train.csv.dvc")
    rows = len((repo.path / "data" / "train.csv").read_text().splitlines()) - 1
    change_training_rows(on_path, repo)
    monkeypatch.chdir(repo.path)
    return repo, base_md5, rows


def check(capsys: pytest.CaptureFixture[str]) -> dict[str, Any]:
    capsys.readouterr()
    code = main(["check", "--out", ".mlgate/pr", "--base", "main", "--format", "json"])
    report: dict[str, Any] = json.loads(capsys.readouterr().out)
    assert code in (0, 1), report
    return report


def baseline_file(repo: Repo, report: dict[str, Any], name: str) -> dict[str, Any]:
    """``name`` (manifest.json, metrics.json) of the baseline the check trained and cached."""
    (found,) = (repo.path / ".mlgate" / "cache" / report["baseline"]["commit"]).glob(f"*/{name}")
    document: dict[str, Any] = json.loads(found.read_text())
    return document


def test_baseline_trains_on_the_merge_bases_data_from_the_cache(
    pr: tuple[Repo, str, int], capsys: pytest.CaptureFixture[str]
) -> None:
    repo, base_md5, rows = pr
    report = check(capsys)
    assert report["baseline"]["source"] == "worktree"
    assert "trained in a temporary worktree on its own DVC-tracked data" in report["baseline"]["reason"]
    manifest = baseline_file(repo, report, "manifest.json")
    train = next(e for e in manifest["data"] if e["uri"].endswith("train.csv"))
    assert train["dvc"]["md5"] == base_md5
    assert train["dvc"]["modified"] is False
    head_rows = len((repo.path / "data" / "train.csv").read_text().splitlines()) - 1
    assert head_rows == rows - 15
    assert baseline_file(repo, report, "metrics.json")["evaluation"]["train_rows"] == rows
    assert (repo.path / "data" / "train.csv").read_text().count("\n") - 1 == head_rows  # the PR's file untouched
    assert not list((repo.path / ".mlgate").glob("worktree-*"))


def test_what_the_cache_lacks_is_pulled(pr: tuple[Repo, str, int], capsys: pytest.CaptureFixture[str]) -> None:
    repo, base_md5, rows = pr
    shutil.rmtree(repo.path / ".dvc" / "cache")
    report = check(capsys)
    assert report["baseline"]["source"] == "worktree", report["baseline"]
    assert baseline_file(repo, report, "metrics.json")["evaluation"]["train_rows"] == rows
    assert (repo.path / ".dvc" / "cache" / "files" / "md5" / base_md5[:2] / base_md5[2:]).is_file()  # shared cache


def test_no_pull_when_fetching_is_off(
    pr: tuple[Repo, str, int], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    repo, _, _ = pr
    shutil.rmtree(repo.path / ".dvc" / "cache")
    monkeypatch.setenv("MLGATE_BASELINE__FETCH", "false")
    report = check(capsys)
    assert report["baseline"]["source"] == "none"
    reason = report["baseline"]["reason"]
    assert (
        "'s data cannot be had, so it was not trained: data/train.csv, data/test.csv: the data is not in the DVC cache"
        in reason
    )
    assert "mlgate data pull" in reason
    assert not (repo.path / ".dvc" / "cache" / "files").exists()
    assert "cannot be had" in (repo.path / ".mlgate" / "pr" / "comment.md").read_text()


def test_data_pushed_nowhere_means_no_baseline(
    pr: tuple[Repo, str, int], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo, _, _ = pr
    shutil.rmtree(repo.path / ".dvc" / "cache")
    shutil.rmtree(tmp_path / "remote")
    report = check(capsys)
    assert report["baseline"]["source"] == "none"
    assert "is neither in the DVC cache nor on DVC remote 'local'" in report["baseline"]["reason"]


def test_no_dvc_means_no_baseline_and_says_how_to_install_it(
    pr: tuple[Repo, str, int], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", "/usr/bin:/bin")
    report = check(capsys)
    assert report["baseline"]["source"] == "none"
    assert "the `dvc` command is not installed" in report["baseline"]["reason"]
    assert "pip install 'mlgate[dvc]'" in report["baseline"]["reason"]
