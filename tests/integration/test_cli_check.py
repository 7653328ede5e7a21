"""``mlgate check`` end to end on a real repository: merge ref, moved main, cached and worktree baselines."""

from __future__ import annotations

import csv
import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from actions_harness import parse_file_commands
from gitrepo import Repo
from mlgate import __version__, check
from mlgate.baseline import Baseline
from mlgate.check import CheckOptions
from mlgate.cli import main
from mlgate.config import Config, load_config
from mlgate.errors import InputError
from mlgate.training import run as training_run

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
  tree:
    estimator: sklearn.tree.DecisionTreeClassifier
    params: {{max_depth: 3}}
metrics: {{names: [accuracy, roc_auc], primary: roc_auc}}
train: {{latency_rows: 5, batch_rows: 50}}
artifacts: {{trusted_types: [sklearn.tree._tree.Tree]}}
"""


@pytest.fixture
def project(tmp_path: Path) -> tuple[Repo, dict[str, str]]:
    """main: A (the example project); feature from A: F (a much weaker logistic model: an L1 penalty that zeroes every coefficient); main moves to C;
    M = GitHub's merge of F into C, checked out detached as actions/checkout does for a pull_request."""
    repo = Repo(tmp_path / "project")
    repo.path.mkdir()
    repo.git("init", "-q", "-b", "main")
    files = {
        "schema.yaml": (EXAMPLE / "schema.yaml").read_text(),
        "data/train.csv": (EXAMPLE / "data" / "train.csv").read_text(),
        "data/test.csv": (EXAMPLE / "data" / "test.csv").read_text(),
        "mlgate.yaml": CONFIG.format(c=1.0),
        ".gitignore": ".mlgate/\n",
    }
    shas = {"A": repo.commit("project", files)}
    repo.git("checkout", "-q", "-b", "feature")
    shas["F"] = repo.commit("weaker model", {"mlgate.yaml": CONFIG.format(c="0.01, l1_ratio: 1.0, solver: saga")})
    repo.git("checkout", "-q", "main")
    shas["C"] = repo.commit("docs", {"README.md": "churn\n"})
    repo.git("checkout", "-q", "--detach", shas["C"])
    repo.git("merge", "-q", "--no-ff", "-m", "Merge F into C", shas["F"])
    shas["M"] = repo.git("rev-parse", "HEAD")
    return repo, shas


def pull_request_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, shas: dict[str, str]) -> None:
    event = tmp_path / "event.json"
    pull = {"number": 7, "head": {"sha": shas["F"]}, "base": {"ref": "main", "sha": shas["C"]}}
    event.write_text(json.dumps({"pull_request": pull}))
    monkeypatch.setenv("GITHUB_EVENT_NAME", "pull_request")
    monkeypatch.setenv("GITHUB_EVENT_PATH", str(event))


def run_check(repo: Repo, out: Path, capsys: pytest.CaptureFixture[str], *extra: str) -> tuple[int, str]:
    code = main(["check", "--config", str(repo.path / "mlgate.yaml"), "--out", str(out), *extra])
    return code, capsys.readouterr().out


def test_a_pull_request_is_compared_with_its_merge_base_from_the_cache(
    project: tuple[Repo, dict[str, str]],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    repo, shas = project
    monkeypatch.chdir(repo.path)
    repo.git("checkout", "-q", "main")
    repo.git("checkout", "-q", "--detach", shas["A"])  # the main-branch run that fills the cache for A
    code, _ = run_check(repo, tmp_path / "main-run", capsys, "--cache")
    assert code == 0
    assert (repo.path / ".mlgate" / "cache" / shas["A"]).is_dir()
    repo.git("checkout", "-q", "--detach", shas["M"])
    pull_request_env(monkeypatch, tmp_path, shas)
    out = tmp_path / "pr-run"
    code, text = run_check(repo, out, capsys, "--format", "markdown")
    assert code == 1, text  # the weaker logistic model fails its gate
    comment = (out / "comment.md").read_text()
    assert comment == text
    assert comment.startswith(f"<!-- mlgate:report v=1 key=mlgate head={shas['F']} ")
    assert shas["A"][:7] in comment
    assert shas["C"][:7] not in comment
    assert shas["M"][:7] not in comment
    assert "cache" in comment.splitlines()[3]
    report = json.loads((out / "report.json").read_text())
    assert report["verdict"] == "fail"
    assert report["baseline"] == {"commit": shas["A"], "source": "cache", "reason": report["baseline"]["reason"]}
    assert report["baseline"]["reason"].endswith("; tree: the same fitted model as this PR's, scores shared")
    assert "tree: the same fitted model as this PR's, scores shared" in comment.splitlines()[3]
    rows = report["comparison"]["metrics"]
    assert rows["logistic"]["roc_auc"]["status"] == "fail"
    assert rows["tree"]["roc_auc"]["status"] == "same"  # the unchanged model re-scores identically
    # ... and is proven the same fitted model as the candidate's tree: its scores and timings are shared
    assert rows["tree"]["predict_1row_p50_ms"]["old"] == rows["tree"]["predict_1row_p50_ms"]["new"]
    assert report["validation"]["valid"] is True
    assert (out / "summary.md").read_text().startswith("<!-- mlgate:report v=1")


def test_without_a_cached_model_the_merge_base_is_trained_in_a_worktree(
    project: tuple[Repo, dict[str, str]],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    repo, shas = project
    monkeypatch.chdir(repo.path)
    pull_request_env(monkeypatch, tmp_path, shas)
    code, text = run_check(repo, tmp_path / "run", capsys, "--format", "json")
    report = json.loads(text)
    assert code == 1
    assert report["baseline"]["source"] == "worktree"
    assert report["baseline"]["commit"] == shas["A"]
    assert "worktree" in report["baseline"]["reason"]
    assert repo.git("worktree", "list").count("\n") == 0  # the temporary worktree is gone
    assert (repo.path / ".mlgate" / "cache" / shas["A"]).is_dir()  # and its results are cached for next time


def test_invalid_data_stops_before_training(
    project: tuple[Repo, dict[str, str]],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    repo, _ = project
    monkeypatch.chdir(repo.path)
    train = repo.path / "data" / "train.csv"
    lines = train.read_text().splitlines()
    lines[3] = lines[3].replace("premium", "platinum").replace("standard", "platinum").replace("basic", "platinum")
    train.write_text("\n".join(lines) + "\n")
    out = tmp_path / "run"
    code, text = run_check(repo, out, capsys, "--format", "markdown")
    assert code == 1
    assert "data gate failed" in text.splitlines()[1]
    assert "enum" in text
    assert not (out / "candidate").exists()


def test_a_failed_data_gate_comment_names_the_head_once_with_the_counts_of_the_text(
    project: tuple[Repo, dict[str, str]],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    repo, shas = project
    monkeypatch.chdir(repo.path)
    repo.git("checkout", "-q", "--detach", shas["M"])
    pull_request_env(monkeypatch, tmp_path, shas)
    train = repo.path / "data" / "train.csv"
    lines = train.read_text().splitlines()
    lines[3] = re.sub(r",(basic|standard|premium),", ",platinum,", lines[3])
    train.write_text("\n".join(lines) + "\n")
    out = tmp_path / "run"
    code, text = run_check(repo, out, capsys, "--format", "text")
    assert code == 1
    comment = (out / "comment.md").read_text()
    marker, body = comment.split("\n", 1)
    assert marker.startswith(f"<!-- mlgate:report v=1 key=mlgate head={shas['F']} hash=")  # the stale-run guard
    assert [line for line in body.splitlines() if line.startswith("#")] == [
        "### ❌ mlgate: data gate failed — 1 violation in `data/train.csv`"
    ]
    assert text.splitlines()[0] == "✗ mlgate: data gate failed — 1 violation in data/train.csv"
    assert body.count("<sub>") == 1
    assert body.rstrip("\n").endswith("</sub>")
    assert "**`data/train.csv`** — 600 rows, 9 fields: 1 violation in 1 field" in body
    assert "✗ data/train.csv — 600 rows, 9 fields: 1 violation in 1 field (" in text


def test_drift_names_each_column_everywhere_and_never_compares_the_reference_with_itself(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "plain"
    shutil.copytree(EXAMPLE / "data", folder / "data")
    schema = (EXAMPLE / "schema.yaml").read_text()
    schema = schema.replace(
        "x-mlgate:\n  rowCount", "x-mlgate:\n  drift: {reference: reference-stats.json}\n  rowCount"
    )
    identifier = 'pattern: "C-[0-9]{6}"}\n'
    schema = schema.replace(identifier, identifier + "    x-mlgate: {drift: false}\n")  # every id is new: not drift
    (folder / "schema.yaml").write_text(schema)
    (folder / "mlgate.yaml").write_text(CONFIG.format(c=1.0))
    monkeypatch.chdir(folder)
    assert main(["schema", "stats", "data/train.csv", "-o", "reference-stats.json"]) == 0  # from the train file
    test = folder / "data" / "test.csv"
    with test.open() as handle:
        rows = list(csv.DictReader(handle))
    for row in rows:
        row["monthly_charges"] = str(round(float(row["monthly_charges"]) * 1.6, 2))
    with test.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    capsys.readouterr()
    code = main(["check", "--out", str(tmp_path / "run"), "--format", "github"])
    github = capsys.readouterr().out
    assert code == 0, github  # drift warns
    drifted = re.findall(
        r"^::warning file=data/test.csv,title=mlgate drift%3A (\w+)::\1 drifted against the "
        r"reference statistics: PSI (\d+\.\d+) > 0\.2, KS (\d+\.\d+) > 0\.1$",
        github,
        re.M,
    )
    assert [name for name, _, _ in drifted] == ["monthly_charges"]
    _, psi, ks = drifted[0]
    skipped = "the reference statistics were made from it (same SHA-256)"
    assert f"::notice file=data/train.csv,title=mlgate drift::not checked for drift: {skipped}" in github
    assert f"\n  drift: data/test.csv: monthly_charges PSI {psi} > 0.2, KS {ks} > 0.1\n" in github
    assert github.count("not checked") == 2  # the annotation and the text: once each
    comment = (tmp_path / "run" / "comment.md").read_text()
    assert re.search(r" · drift ⚠️ 1 of \d+ columns$", comment.splitlines()[3])
    assert f"- ⚠️ drift in `data/test.csv`: `monthly_charges` PSI {psi} > 0.2, KS {ks} > 0.1\n" in comment
    assert comment.count("not checked") == 1
    report = json.loads((tmp_path / "run" / "report.json").read_text())
    files = {f["path"]: f for f in report["validation"]["files"]}
    assert files["data/train.csv"]["drift_skipped"] == skipped
    assert "drift" not in files["data/train.csv"]
    assert files["data/test.csv"]["drift"]["drifted"] == 1


@pytest.mark.parametrize(
    ("git_init", "reason", "hint"),
    [
        (False, "not a git repository", "run inside the repository"),
        (True, "the repository has no commits yet", "commit the project first"),
    ],
    ids=["outside-git", "fresh-git-init"],
)
def test_without_history_the_report_shows_the_current_results_only(
    git_init: bool,
    reason: str,
    hint: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    folder = tmp_path / "plain"
    shutil.copytree(EXAMPLE / "data", folder / "data")
    shutil.copy(EXAMPLE / "schema.yaml", folder / "schema.yaml")
    (folder / "mlgate.yaml").write_text(CONFIG.format(c=1.0))
    if git_init:  # a project just generated: `git init`, nothing committed yet
        subprocess.run(["git", "init", "-q", str(folder)], check=True)
    monkeypatch.chdir(folder)
    code = main(["check", "--out", str(tmp_path / "run")])
    text = capsys.readouterr().out
    assert code == 0, text
    assert f"no baseline: {reason}" in text  # said once, not "no baseline: no baseline: ..."
    assert "no baseline: no baseline" not in text
    assert f"**No baseline**: {reason}" in (tmp_path / "run" / "comment.md").read_text()
    assert json.loads((tmp_path / "run" / "report.json").read_text())["baseline"]["reason"] == reason
    code = main(["check", "--out", str(tmp_path / "run"), "--require-baseline"])
    assert code == 2
    err = capsys.readouterr().err
    assert f"error: no baseline: {reason}" in err
    assert hint in err
    assert "Traceback" not in err


def test_baseline_locate_names_the_merge_base_and_its_cache_key(
    project: tuple[Repo, dict[str, str]],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    repo, shas = project
    monkeypatch.chdir(repo.path)
    pull_request_env(monkeypatch, tmp_path, shas)
    outputs = tmp_path / "github_output"
    monkeypatch.setenv("GITHUB_OUTPUT", str(outputs))
    assert main(["baseline", "locate", "--format", "json", "--github-output"]) == 0
    found = json.loads(capsys.readouterr().out)
    assert found["head"] == shas["F"]
    assert found["merge-base"] == shas["A"]
    assert found["cache-key"] == f"mlgate-baseline-{shas['A']}-{__version__}"
    assert found["cached"] == "false"
    assert repo.path / found["cache-path"] == repo.path / ".mlgate" / "cache" / shas["A"] / __version__  # cwd-relative
    written = parse_file_commands(outputs.read_text(), "GITHUB_OUTPUT")  # read as the runner reads it
    assert written == found


def test_baseline_locate_names_the_cache_folder_by_the_same_text_in_every_workspace(
    project: tuple[Repo, dict[str, str]],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """actions/cache hashes its path text into the entry's version: main's entry must match the PR's."""
    repo, shas = project
    pull_request_env(monkeypatch, tmp_path, shas)
    elsewhere = tmp_path / "runner-2" / "work" / "renamed"
    shutil.copytree(repo.path, elsewhere)
    paths = []
    for workspace in (repo.path, elsewhere):
        monkeypatch.setenv("GITHUB_WORKSPACE", str(workspace))
        monkeypatch.chdir(workspace)
        assert main(["baseline", "locate", "--format", "json"]) == 0
        paths.append(json.loads(capsys.readouterr().out)["cache-path"])
    assert paths == [f".mlgate/cache/{shas['A']}/{__version__}"] * 2
    monkeypatch.setenv("GITHUB_WORKSPACE", str(tmp_path))  # the project in a folder of the repository
    assert main(["baseline", "locate", "--format", "json"]) == 0
    found = json.loads(capsys.readouterr().out)["cache-path"]
    assert found == f"runner-2/work/renamed/.mlgate/cache/{shas['A']}/{__version__}"


def test_baseline_locate_outside_a_pull_request_uses_head_and_the_configured_branch(
    project: tuple[Repo, dict[str, str]], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    repo, shas = project
    monkeypatch.chdir(repo.path)
    monkeypatch.delenv("GITHUB_EVENT_NAME", raising=False)
    monkeypatch.delenv("GITHUB_OUTPUT", raising=False)
    repo.git("checkout", "-q", "feature")
    assert main(["baseline", "locate"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert f"head={shas['F']}" in lines
    assert f"merge-base={shas['A']}" in lines
    assert main(["baseline", "locate", "--github-output"]) == 2
    assert "GITHUB_OUTPUT is not set" in capsys.readouterr().err


def test_matrix_legs_are_merged_and_compared_with_the_rescored_baseline(
    project: tuple[Repo, dict[str, str]],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    repo, shas = project
    monkeypatch.chdir(repo.path)
    pull_request_env(monkeypatch, tmp_path, shas)
    legs = []
    for model in ("logistic", "tree"):  # one runner per candidate
        legs.append(tmp_path / f"leg-{model}")
        assert main(["train", "--only", model, "--out", str(legs[-1])]) == 0
    capsys.readouterr()
    args = [arg for leg in legs for arg in ("--candidate", str(leg))]
    code, text = run_check(repo, tmp_path / "merged", capsys, "--format", "json", *args)
    report = json.loads(text)
    assert code == 1
    assert report["baseline"]["source"] == "worktree"  # the baseline is still re-scored on this data
    assert set(report["comparison"]["metrics"]) == {"logistic", "tree"}
    assert report["comparison"]["metrics"]["tree"]["roc_auc"]["status"] == "same"
    assert not (tmp_path / "merged" / "candidate").exists()  # nothing was trained by the check itself


def test_a_misspelt_gate_stops_the_check_before_training(
    project: tuple[Repo, dict[str, str]],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    repo, _ = project
    monkeypatch.chdir(repo.path)
    config = repo.path / "mlgate.yaml"
    config.write_text(
        config.read_text().replace("primary: roc_auc}", "primary: roc_auc, gates: {acuracy: {abs_tol: 0.01}}}")
    )
    code = main(["check", "--out", str(tmp_path / "run")])
    err = capsys.readouterr().err
    assert code == 2
    assert f"error: {config}:12: metrics.gates.acuracy matches no metric\n" in err
    assert "hint: did you mean 'accuracy'?" in err
    assert not (tmp_path / "run").exists()  # refused when the config was read: nothing trained


def laptop_project(folder: Path, branch: str) -> tuple[Repo, dict[str, str]]:
    """`git init -b BRANCH` without a remote: the example project A on BRANCH, then a branch `idea` with F."""
    repo = Repo(folder)
    folder.mkdir()
    repo.git("init", "-q", "-b", branch)
    files = {
        "schema.yaml": (EXAMPLE / "schema.yaml").read_text(),
        "data/train.csv": (EXAMPLE / "data" / "train.csv").read_text(),
        "data/test.csv": (EXAMPLE / "data" / "test.csv").read_text(),
        "mlgate.yaml": CONFIG.format(c=1.0),
        ".gitignore": ".mlgate/\n",
    }
    shas = {"A": repo.commit("project", files)}
    repo.git("checkout", "-q", "-b", "idea")
    shas["F"] = repo.commit("weaker model", {"mlgate.yaml": CONFIG.format(c="0.01, l1_ratio: 1.0, solver: saga")})
    return repo, shas


def test_a_master_repository_without_origin_is_compared_with_master(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    repo, shas = laptop_project(tmp_path / "project", "master")
    monkeypatch.chdir(repo.path)
    assert main(["baseline", "locate"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert (f"head={shas['F']}", "base-branch=master", f"merge-base={shas['A']}") == tuple(lines[:3])


def test_a_repository_without_a_base_branch_runs_without_a_baseline_and_says_why(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    repo, _ = laptop_project(tmp_path / "project", "trunk")
    monkeypatch.chdir(repo.path)
    why = (
        "no branch to compare with: this repository has no main or master branch, and no origin/HEAD "
        "(set baseline.base_branch in mlgate.yaml, or pass --base BRANCH)"
    )
    code = main(["check", "--out", str(tmp_path / "run")])
    out = capsys.readouterr().out
    assert code == 0, out
    assert f"no baseline: {why}" in out
    assert "actions/checkout" not in out
    assert main(["check", "--out", str(tmp_path / "run"), "--base", "trunk", "--format", "json"]) == 1
    assert json.loads(capsys.readouterr().out)["baseline"]["source"] == "worktree"  # --base names it: compared
    assert main(["check", "--out", str(tmp_path / "run"), "--require-baseline"]) == 2
    assert f"mlgate: error: no baseline: {why}\n" in capsys.readouterr().err


def test_on_main_the_commit_is_trained_once_and_compared_with_itself(
    project: tuple[Repo, dict[str, str]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo, shas = project
    repo.git("checkout", "-q", "main")  # C, with an empty cache: the merge-base of HEAD and main is HEAD
    trained: list[str] = []  # every training: the candidates here, a merge-base in a worktree
    train_models = training_run.train_models

    def count_candidates(config: Config, **kwargs: Any) -> Any:
        trained.append("candidates")
        return train_models(config, **kwargs)

    def count_worktree(project: Path, out: Path) -> None:
        trained.append(f"worktree of {project.name}")
        raise InputError("not trained: only counted")

    monkeypatch.setattr(training_run, "train_models", count_candidates)
    config = load_config(repo.path / "mlgate.yaml", environ={"MLGATE_BASELINE__REQUIRE": "true"})
    options = CheckOptions(cache_results=False)
    result = check.run_check(config, out=tmp_path / "run", options=options, environ={}, trainer=count_worktree)
    assert trained == ["candidates"]
    reason = "this commit is its own merge-base with main: compared with itself"
    assert result.baseline == Baseline(shas["C"], "self", None, reason)
    assert result.comparison is not None
    assert result.comparison.baseline == result.candidate
    assert {row.status for row in result.comparison.rows} == {"same"}
    assert result.verdict == "pass"
    (repo.path / "README.md").write_text("an uncommitted change\n")  # the files on disk are not a commit any more
    config = load_config(repo.path / "mlgate.yaml", environ={})
    result = check.run_check(config, out=tmp_path / "run", options=options, environ={}, trainer=count_worktree)
    assert trained == ["candidates", f"worktree of worktree-{shas['C'][:12]}", "candidates"]  # HEAD is the baseline
    assert result.baseline is not None
    assert result.baseline.reason.startswith(f"training the merge-base {shas['C'][:7]} failed: not trained")


def test_mlgate_check_on_main_says_the_commit_is_compared_with_itself(
    project: tuple[Repo, dict[str, str]],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    repo, shas = project
    repo.git("checkout", "-q", "main")
    monkeypatch.chdir(repo.path)
    code, text = run_check(repo, tmp_path / "run", capsys, "--require-baseline", "--no-cache", "--format", "json")
    assert code == 0, text
    report = json.loads(text)
    assert report["baseline"] == {
        "commit": shas["C"],
        "source": "self",
        "reason": "this commit is its own merge-base with main: compared with itself",
    }
    assert not (repo.path / ".mlgate" / "cache").exists()  # no merge-base was trained (and cached) in a worktree
    assert "compared with itself" in (tmp_path / "run" / "comment.md").read_text().splitlines()[3]
