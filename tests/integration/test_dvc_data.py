"""DVC-tracked datasets with the real ``dvc`` command: DVC's hash in the manifest, the registry and the PR check.

A git repository with DVC and a local DVC remote under tmp_path: main tracks the example's data with
``dvc add`` and pushes it; a branch changes the training rows. The check's JSON report says which dataset
changed by DVC's hash, with rows added and removed; missing data names the DVC command that brings it back.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from gitrepo import Repo
from mlgate.cli import main

EXAMPLE = Path(__file__).parents[2] / "examples" / "churn"
CONFIG = """\
version: 1
data: {schema: schema.yaml, train: data/train.csv, test: data/test.csv}
task: classification
target: churned
models:
  tree:
    estimator: sklearn.tree.DecisionTreeClassifier
    params: {max_depth: 3}
metrics: {names: [accuracy], primary: accuracy}
train: {latency_rows: 5, batch_rows: 50}
artifacts: {trusted_types: [sklearn.tree._tree.Tree]}
"""
pytestmark = pytest.mark.slow


def dvc(dvc_bin: Path, repo: Repo, *args: str) -> str:
    done = subprocess.run([str(dvc_bin), *args], cwd=repo.path, capture_output=True, text=True, check=False)
    assert done.returncode == 0, f"dvc {' '.join(args)}: {done.stderr}"
    return done.stdout


def md5_in(dvc_file: Path) -> str:
    return dvc_file.read_text().split("md5: ")[1].split()[0]


@pytest.fixture
def project(tmp_path: Path, dvc_bin: Path, monkeypatch: pytest.MonkeyPatch) -> Repo:
    """main: the example tracked by DVC (pushed to a local remote); branch `more`: 40 training rows replaced."""
    repo = Repo(tmp_path / "project")
    repo.path.mkdir()
    repo.git("init", "-q", "-b", "main")
    files = {"schema.yaml": (EXAMPLE / "schema.yaml").read_text(), "mlgate.yaml": CONFIG, ".gitignore": ".mlgate/\n"}
    repo.commit("project", files)
    dvc(dvc_bin, repo, "init", "-q")
    (repo.path / "data").mkdir()
    for name in ("train.csv", "test.csv"):
        shutil.copy(EXAMPLE / "data" / name, repo.path / "data" / name)
    dvc(dvc_bin, repo, "add", "-q", "data/train.csv", "data/test.csv")
    dvc(dvc_bin, repo, "remote", "add", "-d", "local", str(tmp_path / "remote"))
    dvc(dvc_bin, repo, "push", "-q")
    repo.git("add", "-A")
    repo.git("commit", "-q", "-m", "data under DVC")
    monkeypatch.chdir(repo.path)
    return repo


def change_training_rows(dvc_bin: Path, repo: Repo) -> None:
    """On a branch: the last 40 training rows removed, 25 of them added back under new ids (25 added, 40 removed)."""
    repo.git("checkout", "-q", "-b", "more")
    path = repo.path / "data" / "train.csv"
    lines = path.read_text().splitlines(keepends=True)
    path.write_text("".join(lines[:-40] + [line.replace("C-0", "C-9", 1) for line in lines[-40:-15]]))
    dvc(dvc_bin, repo, "add", "-q", "data/train.csv")
    repo.git("add", "data/train.csv.dvc")
    repo.git("commit", "-q", "-m", "more rows")


def test_manifest_and_registry_record_dvc_hash(project: Repo, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["train", "--out", "results"]) == 0
    manifest = json.loads((project.path / "results" / "manifest.json").read_text())
    entries = {Path(e["uri"]).name: e["dvc"] for e in manifest["data"]}
    assert entries["train.csv"] == {
        "md5": md5_in(project.path / "data" / "train.csv.dvc"),
        "file": "data/train.csv.dvc",
        "stage": None,
        "modified": False,
        "workspace_md5": md5_in(project.path / "data" / "train.csv.dvc"),
    }
    assert entries["test.csv"]["md5"] == md5_in(project.path / "data" / "test.csv.dvc")
    capsys.readouterr()
    assert main(["registry", "register", "results", "--by", "alice", "--format", "json"]) == 0
    record = json.loads(capsys.readouterr().out)["version"]
    files = {Path(e["uri"]).name: e["dvc"]["md5"] for e in record["extra"]["data_files"]}
    assert files["train.csv"] == md5_in(project.path / "data" / "train.csv.dvc")


def test_check_reports_the_changed_dataset_with_rows(
    project: Repo, dvc_bin: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["check", "--out", ".mlgate/main", "--cache", "--format", "json"]) == 0  # main's baseline
    base_md5 = md5_in(project.path / "data" / "train.csv.dvc")
    change_training_rows(dvc_bin, project)
    capsys.readouterr()
    code = main(["check", "--out", ".mlgate/pr", "--base", "main", "--format", "json"])
    report = json.loads(capsys.readouterr().out)
    assert code in (0, 1), report
    versions = {v["dataset"]: v for v in report["data_versions"]}
    assert versions["data/train.csv"] == {
        "dataset": "data/train.csv",
        "status": "changed",
        "tracked_by": "data/train.csv.dvc",
        "base_md5": base_md5,
        "head_md5": md5_in(project.path / "data" / "train.csv.dvc"),
        "modified": False,
        "rows_added": 25,
        "rows_removed": 40,
        "note": None,
    }
    assert versions["data/test.csv"]["status"] == "unchanged"
    text = (project.path / ".mlgate" / "pr" / "comment.md").read_text()
    assert "`data/train.csv`: DVC data changed since the merge-base" in text
    assert "25 rows added, 40 removed" in text


def test_missing_data_names_dvc_pull_and_writes_nothing(
    project: Repo, dvc_bin: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (project.path / "data" / "train.csv").unlink()
    shutil.rmtree(project.path / ".dvc" / "cache")
    assert main(["train", "--out", "results"]) == 2
    err = capsys.readouterr().err
    assert "data/train.csv: tracked by data/train.csv.dvc" in err
    assert "run `dvc pull data/train.csv.dvc`" in err
    assert "Traceback" not in err
    assert not (project.path / "results").exists()
    dvc(dvc_bin, project, "pull", "-q")  # the fix the message names works
    assert main(["train", "--out", "results"]) == 0


def test_a_malformed_dvc_file_stops_the_check(project: Repo, capsys: pytest.CaptureFixture[str]) -> None:
    (project.path / "data" / "test.csv.dvc").write_text("outs:\n- path: test.csv\n  md5: [\n")
    assert main(["check", "--out", ".mlgate/pr"]) == 2
    err = capsys.readouterr().err
    assert "data/test.csv.dvc" in err
    assert "git checkout -- data/test.csv.dvc" in err
    assert len([line for line in err.splitlines() if line.strip()]) <= 3
    assert not (project.path / ".mlgate" / "pr").exists()
