"""``mlgate check`` verdicts a team can trust, on the churn example in a real repository.

A PR that changes nothing that matters passes clean, run after run, on a busy machine; a PR that drops a feature
column fails closed (compared on the merge-base's version of the same rows, or not comparable); a data-only PR
shows each model's score on both versions of the data.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
import yaml

from busy import busy_machine
from gitrepo import Repo
from mlgate.cli import main
from mlgate.text.markdown import md

EXAMPLE = Path(__file__).parents[2] / "examples" / "churn"
CONFIG = """\
version: 1
data: {schema: schema.yaml, train: data/train.csv, test: data/test.csv}
task: classification
target: churned
models:
  logistic: {estimator: sklearn.linear_model.LogisticRegression, params: {max_iter: 300}}
  forest: {estimator: sklearn.ensemble.RandomForestClassifier, params: {n_estimators: 30, max_depth: 5%s}}
metrics: {names: [accuracy, f1_macro, roc_auc], primary: roc_auc}
train: {latency_rows: 40, batch_rows: 200}
artifacts: {trusted_types: [sklearn.tree._tree.Tree]}
"""


def drop_column(text: str, column: str) -> str:
    rows = list(csv.reader(io.StringIO(text)))
    index = rows[0].index(column)
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows([r[:index] + r[index + 1 :] for r in rows])
    return out.getvalue()


def schema_without(column: str, *, key: bool = True) -> str:
    schema = yaml.safe_load((EXAMPLE / "schema.yaml").read_text())
    schema["fields"] = [f for f in schema["fields"] if f["name"] != column]
    if not key:
        schema.pop("primaryKey", None)
    return yaml.safe_dump(schema, sort_keys=False)


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Repo:
    """main: the churn example (cached by a main-branch run); checked out on a feature branch."""
    repo = Repo(tmp_path / "project")
    repo.path.mkdir()
    repo.git("init", "-q", "-b", "main")
    repo.commit(
        "project",
        {
            "schema.yaml": (EXAMPLE / "schema.yaml").read_text(),
            "data/train.csv": (EXAMPLE / "data" / "train.csv").read_text(),
            "data/test.csv": (EXAMPLE / "data" / "test.csv").read_text(),
            "mlgate.yaml": CONFIG % "",
            ".gitignore": ".mlgate/\n",
        },
    )
    monkeypatch.chdir(repo.path)
    assert check(repo, tmp_path / "main-run", "--cache")[0] == 0
    repo.git("checkout", "-q", "-b", "feature")
    return repo


def check(repo: Repo, out: Path, *extra: str) -> tuple[int, dict[str, object], str]:
    code = main(["check", "--config", str(repo.path / "mlgate.yaml"), "--out", str(out), "--base", "main", *extra])
    return code, json.loads((out / "report.json").read_text()), (out / "comment.md").read_text()


def headline(comment: str) -> str:
    return comment.splitlines()[1]


@pytest.mark.slow
def test_a_pr_that_changes_nothing_that_matters_passes_clean_run_after_run_on_a_busy_machine(
    repo: Repo, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # n_jobs changes the saved forest (so it is re-scored and timed side by side) but not one prediction
    repo.commit("docs and threads", {"README.md": "churn\n", "mlgate.yaml": CONFIG % ", n_jobs: 1"})
    with busy_machine(seconds=120):
        for run in range(2):
            code, report, comment = check(repo, tmp_path / f"pr-{run}")
            capsys.readouterr()
            assert code == 0, headline(comment)
            assert headline(comment).startswith("### ✅ mlgate: all gates passed"), headline(comment)
            rows = report["comparison"]["metrics"]  # type: ignore[index]
            assert rows["forest"]["roc_auc"]["method"] == "DeLong + seed spread (4 fits)"  # the procedure is tested
            assert all(v["status"] not in ("fail", "warn") for m in rows.values() for v in m.values())
            assert {v["status"] for v in rows["forest"].values() if v["kind"] == "timing"} <= {"same", "unjudged"}
            # main measured the forest's seed spread: the PR's forest is not refitted with other seeds, it borrows it
            trained = json.loads((tmp_path / f"pr-{run}" / "candidate" / "metrics.json").read_text())
            assert "seed_sd" not in trained["models"]["forest"]
            main_sha = repo.git("rev-parse", "main").strip()
            cached = json.loads(next((repo.path / ".mlgate" / "cache" / main_sha).rglob("metrics.json")).read_text())
            assert cached["models"]["forest"]["seed_sd"]["roc_auc"] > 0


@pytest.mark.slow
def test_a_pr_that_drops_a_feature_fails_closed_on_the_same_rows(
    repo: Repo, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    files = {
        name: drop_column((EXAMPLE / name).read_text(), "tenure_months") for name in ("data/train.csv", "data/test.csv")
    }
    repo.commit("drop tenure", {**files, "schema.yaml": schema_without("tenure_months")})
    code, report, comment = check(repo, tmp_path / "pr")
    capsys.readouterr()
    assert code == 1, headline(comment)
    assert "NOT re-scored on this PR's data" in report["baseline"]["reason"]  # type: ignore[index]
    assert "cached model re-scored" not in report["baseline"]["reason"]  # type: ignore[index]
    rows = report["comparison"]["metrics"]  # type: ignore[index]
    assert rows["logistic"]["roc_auc"]["status"] == "fail"
    assert "the baseline model scored on the merge-base's version of them" in rows["logistic"]["roc_auc"]["reason"]
    assert "features[tenure_months]" in report["comparison"]["params"]["logistic"]  # type: ignore[index]
    assert md("features[tenure_months]") in comment  # the changed-parameters table names the removed feature


@pytest.mark.slow
def test_without_rows_to_match_the_baseline_is_not_comparable_and_that_fails(
    repo: Repo, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    test = drop_column((EXAMPLE / "data" / "test.csv").read_text(), "tenure_months").splitlines(keepends=True)
    files = {
        "data/train.csv": drop_column((EXAMPLE / "data" / "train.csv").read_text(), "tenure_months"),
        "data/test.csv": "".join(test[:1] + test[41:]),  # other rows than the baseline's, and no key to match
        "schema.yaml": schema_without("tenure_months", key=False),
    }
    repo.commit("drop tenure and rows", files)
    code, report, comment = check(repo, tmp_path / "pr")
    capsys.readouterr()
    assert code == 1
    assert headline(comment).startswith("### ❌ mlgate: 2 models not comparable"), headline(comment)
    assert report["comparison"]["incomparable"] == 6  # type: ignore[index]
    lenient = repo.path / "mlgate.yaml"
    lenient.write_text(lenient.read_text() + "baseline: {incomparable: warn}\n")
    repo.git("commit", "-qam", "accept")
    code, report, comment = check(repo, tmp_path / "pr-lenient")
    capsys.readouterr()
    assert code == 0
    assert headline(comment).startswith("### ⚠️ mlgate: passed, but 2 models not comparable"), headline(comment)


@pytest.mark.slow
def test_a_data_only_pr_shows_each_model_on_both_versions_of_the_data(
    repo: Repo, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lines = (EXAMPLE / "data" / "test.csv").read_text().splitlines(keepends=True)
    repo.commit("fewer test rows", {"data/test.csv": "".join(lines[:121])})
    code, report, comment = check(repo, tmp_path / "pr")
    capsys.readouterr()
    rows = report["comparison"]["metrics"]  # type: ignore[index]
    assert report["comparison"]["data_changed"] is True  # type: ignore[index]
    assert isinstance(rows["logistic"]["accuracy"]["old_own"], float)
    assert "Scores on the merge-base's data and on this PR's data" in comment
    assert code in (0, 1)
