"""``dvc metrics diff`` and ``dvc params diff`` read mlgate's results (the real ``dvc``; layout in docs/interop.md).

A git repository declares ``results/metrics.json`` as DVC metrics and params in ``dvc.yaml``; two commits
train the same model with another ``C``; DVC's JSON diffs must show mlgate's own numbers.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from gitrepo import Repo
from mlgate.cli import main
from mlgate.results import read_results

EXAMPLE = Path(__file__).parents[2] / "examples" / "churn"
CONFIG = """\
version: 1
data: {{schema: schema.yaml, train: data/train.csv, test: data/test.csv}}
task: classification
target: churned
models:
  logistic:
    estimator: sklearn.linear_model.LogisticRegression
    params: {{C: {c}, max_iter: 300}}
metrics: {{names: [accuracy, roc_auc], primary: roc_auc}}
train: {{latency_rows: 5, batch_rows: 50}}
"""
DVC_YAML = "metrics:\n- results/metrics.json\nparams:\n- results/metrics.json\n"
pytestmark = pytest.mark.slow


def dvc_json(dvc_bin: Path, repo: Repo, *args: str) -> dict[str, dict[str, dict[str, object]]]:
    done = subprocess.run([str(dvc_bin), *args, "--json"], cwd=repo.path, capture_output=True, text=True, check=False)
    assert done.returncode == 0, f"dvc {' '.join(args)}: {done.stderr}"
    document: dict[str, dict[str, dict[str, object]]] = json.loads(done.stdout)
    return document


def train_and_commit(repo: Repo, c: float, capsys: pytest.CaptureFixture[str]) -> None:
    (repo.path / "mlgate.yaml").write_text(CONFIG.format(c=c))
    assert main(["train", "--out", "results", "--config", str(repo.path / "mlgate.yaml")]) == 0
    capsys.readouterr()
    repo.git("add", "-A")
    repo.git("commit", "-q", "-m", f"C={c}")


def test_dvc_reads_mlgate_metrics_and_params(
    tmp_path: Path, dvc_bin: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = Repo(tmp_path / "project")
    (repo.path / "data").mkdir(parents=True)
    repo.git("init", "-q", "-b", "main")
    subprocess.run([str(dvc_bin), "init", "-q"], cwd=repo.path, check=True)
    shutil.copy(EXAMPLE / "schema.yaml", repo.path / "schema.yaml")
    for name in ("train.csv", "test.csv"):
        shutil.copy(EXAMPLE / "data" / name, repo.path / "data" / name)
    (repo.path / "dvc.yaml").write_text(DVC_YAML)
    monkeypatch.chdir(repo.path)
    train_and_commit(repo, 1.0, capsys)
    old = read_results(repo.path / "results")
    train_and_commit(repo, 0.001, capsys)
    new = read_results(repo.path / "results")

    metrics = dvc_json(dvc_bin, repo, "metrics", "diff", "HEAD~1", "HEAD", "--all")["results/metrics.json"]
    for name in ("accuracy", "roc_auc"):
        row = metrics[f"models.logistic.metrics.{name}"]
        assert row["old"] == old.models["logistic"].metrics[name]
        assert row["new"] == new.models["logistic"].metrics[name]
    assert old.models["logistic"].metrics["roc_auc"] != new.models["logistic"].metrics["roc_auc"]

    params = dvc_json(dvc_bin, repo, "params", "diff", "HEAD~1", "HEAD")["results/metrics.json"]
    assert params["models.logistic.params.C"] == {"old": 1.0, "new": 0.001, "diff": pytest.approx(-0.999)}
    assert "models.logistic.params.max_iter" not in params  # unchanged: DVC lists changes only
