"""The baseline against real git repositories built in tmp_path: merge refs, shallow clones, worktrees, cache."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from functools import partial
from pathlib import Path

import pytest

from gitrepo import Repo
from mlgate.baseline import Baseline, BaselineCache, Git, find_merge_base, find_revisions, make_runner, resolve_baseline
from mlgate.errors import InputError
from mlgate.results import ModelResult, ResultSet, read_results, write_results

MODELS_CONFIG = "version: 1\nmodels:\n  lr:\n    estimator: sklearn.linear_model.LogisticRegression\n"


@pytest.fixture
def origin(tmp_path: Path) -> tuple[Repo, dict[str, str]]:
    """main: R1..R4-A-B-C1-C2-C3; feature from B: F; M = GitHub's merge of F into C3 (refs/pull/1/merge)."""
    repo = Repo(tmp_path / "origin")
    repo.path.mkdir()
    repo.git("init", "-q", "-b", "main")
    repo.git("config", "uploadpack.allowAnySHA1InWant", "true")  # as GitHub allows fetching a PR head sha
    for number in range(1, 5):  # old history a shallow clone should not need
        repo.commit(f"R{number}", {"history.md": f"R{number}\n"})
    shas = {"A": repo.commit("A", {"mlgate.yaml": MODELS_CONFIG, "model.txt": "A\n"})}
    shas["B"] = repo.commit("B", {"model.txt": "B\n"})
    repo.git("checkout", "-q", "-b", "feature")
    shas["F"] = repo.commit("F", {"model.txt": "F\n"})
    repo.git("checkout", "-q", "main")
    for name in ("C1", "C2", "C3"):
        shas[name] = repo.commit(name, {"main.txt": f"{name}\n"})
    repo.git("checkout", "-q", "--detach", shas["C3"])
    repo.git("merge", "-q", "--no-ff", "-m", "Merge F into C3", shas["F"])
    shas["M"] = repo.git("rev-parse", "HEAD")
    repo.git("update-ref", "refs/pull/1/merge", shas["M"])
    repo.git("update-ref", "refs/pull/1/head", shas["F"])
    return repo, shas


def write_event(path: Path, head: str, base_sha: str) -> Path:
    event = {
        "number": 1,
        "pull_request": {"number": 1, "head": {"sha": head}, "base": {"ref": "main", "sha": base_sha}},
    }
    path.write_text(json.dumps(event), encoding="utf-8")
    return path


def actions_checkout(origin: Repo, target: Path) -> Repo:
    """What actions/checkout does for a pull_request: fetch refs/pull/1/merge at depth 1 and check it out."""
    clone = Repo(target)
    target.mkdir()
    clone.git("init", "-q")
    clone.git("remote", "add", "origin", origin.path.as_uri())
    clone.git("fetch", "-q", "--no-tags", "--depth=1", "origin", "+refs/pull/1/merge:refs/remotes/pull/1/merge")
    clone.git("checkout", "-q", "--detach", "refs/remotes/pull/1/merge")
    return clone


def make_results(folder: Path, marker: str) -> Path:
    write_results(folder, ResultSet(models={"lr": ModelResult(name="lr", estimator="LogisticRegression")}))
    (folder / "models" / "lr").mkdir(parents=True)
    (folder / "models" / "lr" / "model.skops").write_text(marker, encoding="utf-8")
    return folder


def test_pull_request_baseline_is_merge_base_of_event_head_not_merge_ref(
    origin: tuple[Repo, dict[str, str]], tmp_path: Path
) -> None:
    repo, shas = origin
    git = Git(repo.path)
    assert git.rev_parse("HEAD") == shas["M"]  # the merge ref is checked out, as in a pull_request run
    assert git.merge_base("HEAD", "main") == shas["C3"]  # the trap: HEAD's merge-base is main's tip
    environ = {
        "GITHUB_EVENT_NAME": "pull_request",
        "GITHUB_EVENT_PATH": str(write_event(tmp_path / "e.json", shas["F"], shas["C3"])),
    }
    revisions = find_revisions(environ, git=git, base_branch="develop")
    assert (revisions.head, revisions.base_branch, revisions.pr_number) == (shas["F"], "main", 1)
    assert revisions.base_branch is not None
    merge_base = find_merge_base(git, revisions.head, revisions.base_branch, fetch=False)
    assert merge_base == shas["B"]
    assert merge_base not in (shas["C3"], shas["M"])
    cache = BaselineCache(tmp_path / "cache", "0.1.0")
    cache.put(shas["B"], make_results(tmp_path / "b-results", "model of B"))
    baseline = resolve_baseline(
        git=git,
        head=revisions.head,
        base_branch=revisions.base_branch,
        cache=cache,
        train_in_worktree=None,
        fetch=False,
        require=True,
        workdir=tmp_path / "work",
    )
    assert (baseline.source, baseline.commit) == ("cache", shas["B"])
    assert baseline.reason == f"merge-base {shas['B'][:7]}: cached model re-scored on this PR's data"
    assert baseline.folder is not None
    assert (baseline.folder / "models" / "lr" / "model.skops").read_text(encoding="utf-8") == "model of B"


def test_shallow_merge_ref_checkout_fetches_head_base_and_deepens(
    origin: tuple[Repo, dict[str, str]], tmp_path: Path
) -> None:
    repo, shas = origin
    clone = actions_checkout(repo, tmp_path / "clone")
    git = Git(clone.path)
    assert git.is_shallow()
    assert git.resolve(shas["F"]) is None
    assert find_merge_base(git, shas["F"], "main", fetch=True, first_depth=1) == shas["B"]
    assert git.is_shallow()  # deepened just enough, not unshallowed
    assert git.rev_parse("refs/remotes/origin/main") == shas["C3"]


def test_shallow_clone_unshallows_after_the_depth_cap(origin: tuple[Repo, dict[str, str]], tmp_path: Path) -> None:
    repo, shas = origin
    clone = actions_checkout(repo, tmp_path / "clone")
    git = Git(clone.path)
    assert find_merge_base(git, shas["F"], "main", fetch=True, first_depth=1, max_depth=1) == shas["B"]
    assert not git.is_shallow()


def test_shallow_merge_ref_checkout_without_fetch_says_how_to_fix(
    origin: tuple[Repo, dict[str, str]], tmp_path: Path
) -> None:
    repo, shas = origin
    git = Git(actions_checkout(repo, tmp_path / "clone").path)
    with pytest.raises(InputError, match=r"PR head .* is not in this clone") as info:
        find_merge_base(git, shas["F"], "main", fetch=False)
    assert info.value.exit_code == 2
    assert info.value.hint is not None
    assert "fetch-depth: 0" in info.value.hint


def test_depth_one_clone_of_branch_fetches_base_and_history(
    origin: tuple[Repo, dict[str, str]], tmp_path: Path
) -> None:
    repo, shas = origin
    clone = Repo(tmp_path)
    clone.git("clone", "-q", "--depth", "1", "--branch", "feature", repo.path.as_uri(), "clone")
    git = Git(tmp_path / "clone")
    with pytest.raises(InputError, match=r"base branch 'main' is not in this clone"):
        find_merge_base(git, "HEAD", "main", fetch=False)
    assert find_merge_base(git, "HEAD", "main", fetch=True, first_depth=1) == shas["B"]


def test_depth_one_clone_with_base_branch_but_no_merge_base_needs_fetch(
    origin: tuple[Repo, dict[str, str]], tmp_path: Path
) -> None:
    repo, shas = origin
    clone = Repo(tmp_path)
    clone.git("clone", "-q", "--depth", "1", "--no-single-branch", "--branch", "feature", repo.path.as_uri(), "clone")
    git = Git(tmp_path / "clone")
    with pytest.raises(InputError, match=r"merge-base of .* and main is not in this shallow clone") as info:
        find_merge_base(git, shas["F"], "main", fetch=False)
    assert "fetch-depth: 0" in str(info.value)
    assert find_merge_base(git, shas["F"], "main", fetch=True) == shas["B"]


def test_unrelated_histories_have_no_merge_base(origin: tuple[Repo, dict[str, str]], tmp_path: Path) -> None:
    repo, _ = origin
    repo.git("checkout", "-q", "--orphan", "island")
    orphan = repo.commit("island", {"island.txt": "x\n"})
    assert find_merge_base(Git(repo.path), orphan, "main", fetch=False) is None
    baseline = resolve_baseline(
        git=Git(repo.path),
        head=orphan,
        base_branch="main",
        cache=BaselineCache(tmp_path / "cache", "0.1.0"),
        train_in_worktree=None,
        fetch=False,
        require=False,
        workdir=tmp_path / "work",
    )
    assert (baseline.source, baseline.commit) == ("none", None)
    assert baseline.reason == f"{orphan[:7]} and main share no history"


class RecordingTrainer:
    """Trains by writing a results folder; records what the worktree looked like."""

    def __init__(self, fail: str | None = None) -> None:
        self.fail = fail
        self.calls: list[tuple[Path, Path, dict[str, str]]] = []

    def __call__(self, project: Path, out: Path) -> None:
        files = {p.relative_to(project).as_posix(): p.read_text(encoding="utf-8") for p in project.rglob("*.txt")}
        self.calls.append((project, out, files))
        if self.fail:
            raise InputError(f"{self.fail}\nTraceback line that is not shown")
        make_results(out, f"trained from {files.get('model.txt', '').strip()}")


def resolve(
    repo: Repo,
    head: str,
    tmp_path: Path,
    trainer: RecordingTrainer | None,
    *,
    require: bool = False,
    config_file: Path | None = None,
) -> Baseline:
    return resolve_baseline(
        git=Git(repo.path),
        head=head,
        base_branch="main",
        cache=BaselineCache(tmp_path / "cache", "0.1.0"),
        train_in_worktree=trainer,
        fetch=False,
        require=require,
        workdir=tmp_path / "work",
        config_file=config_file,
    )


def worktrees(repo: Repo) -> list[str]:
    return [line for line in repo.git("worktree", "list", "--porcelain").splitlines() if line.startswith("worktree ")]


def test_worktree_fallback_trains_merge_base_checkout_caches_it_and_cleans_up(
    origin: tuple[Repo, dict[str, str]], tmp_path: Path
) -> None:
    repo, shas = origin
    trainer = RecordingTrainer()
    baseline = resolve(repo, shas["F"], tmp_path, trainer)
    assert len(trainer.calls) == 1
    project, _, files = trainer.calls[0]
    assert files == {"model.txt": "B\n"}  # the merge-base's files: no main.txt (C*), not F's model.txt
    assert not project.exists()
    assert len(worktrees(repo)) == 1
    assert baseline.source == "worktree"
    assert baseline.commit == shas["B"]
    assert baseline.reason == f"merge-base {shas['B'][:7]}: trained in a temporary worktree (no cached model)"
    cached = BaselineCache(tmp_path / "cache", "0.1.0").get(shas["B"])
    assert cached is not None
    assert baseline.folder == cached
    assert (cached / "models" / "lr" / "model.skops").read_text(encoding="utf-8") == "trained from B"
    assert read_results(cached).models.keys() == {"lr"}
    again = resolve(repo, shas["F"], tmp_path, trainer)
    assert again.source == "cache"
    assert len(trainer.calls) == 1


def test_worktree_is_removed_when_training_fails(origin: tuple[Repo, dict[str, str]], tmp_path: Path) -> None:
    repo, shas = origin
    trainer = RecordingTrainer(fail="mlgate train exited 2: data/train.csv not found")
    baseline = resolve(repo, shas["F"], tmp_path, trainer)
    assert baseline.source == "none"
    assert baseline.reason == (
        f"training the merge-base {shas['B'][:7]} failed: mlgate train exited 2: data/train.csv not found"
    )
    assert not trainer.calls[0][0].exists()
    assert len(worktrees(repo)) == 1
    assert BaselineCache(tmp_path / "cache", "0.1.0").get(shas["B"]) is None
    with pytest.raises(InputError, match=r"^no baseline: training the merge-base .* failed"):
        resolve(repo, shas["F"], tmp_path, trainer, require=True)
    assert len(worktrees(repo)) == 1


def test_worktree_is_removed_when_trainer_crashes(origin: tuple[Repo, dict[str, str]], tmp_path: Path) -> None:
    repo, shas = origin

    def crash(project: Path, out: Path) -> None:
        raise RuntimeError("bug in the trainer")

    with pytest.raises(RuntimeError, match="bug in the trainer"):
        resolve_baseline(
            git=Git(repo.path),
            head=shas["F"],
            base_branch="main",
            cache=BaselineCache(tmp_path / "cache", "0.1.0"),
            train_in_worktree=crash,
            fetch=False,
            require=False,
            workdir=tmp_path / "work",
        )
    assert len(worktrees(repo)) == 1
    assert not any((tmp_path / "work").iterdir())


def test_no_config_at_merge_base_means_no_baseline_without_training(
    origin: tuple[Repo, dict[str, str]], tmp_path: Path
) -> None:
    repo, shas = origin
    repo.git("checkout", "-q", "-b", "second", shas["B"])
    repo.git("rm", "-q", "mlgate.yaml")
    repo.git("commit", "-q", "-m", "drop config")
    base = repo.git("rev-parse", "HEAD")
    repo.git("checkout", "-q", "-b", "pr")
    head = repo.commit("pr", {"mlgate.yaml": MODELS_CONFIG})
    repo.git("branch", "-f", "main", base)
    trainer = RecordingTrainer()
    baseline = resolve(repo, head, tmp_path, trainer)
    assert (baseline.source, baseline.commit) == ("none", base)
    assert baseline.reason == f"the merge-base {base[:7]} has no mlgate.yaml"
    assert trainer.calls == []
    with pytest.raises(InputError, match=r"has no mlgate\.yaml"):
        resolve(repo, head, tmp_path, trainer, require=True)


def test_merge_base_without_models_and_training_off(origin: tuple[Repo, dict[str, str]], tmp_path: Path) -> None:
    repo, shas = origin
    repo.git("checkout", "-q", "main")
    base = repo.commit("no models", {"mlgate.yaml": "version: 1\n"})
    repo.git("checkout", "-q", "-b", "pr2")
    head = repo.commit("add models", {"mlgate.yaml": MODELS_CONFIG})
    trainer = RecordingTrainer()
    baseline = resolve(repo, head, tmp_path, trainer)
    assert baseline.reason == f"the merge-base {base[:7]} declares no models in mlgate.yaml"
    assert trainer.calls == []
    off = resolve(repo, shas["F"], tmp_path, None)
    assert (off.source, off.folder) == ("none", None)
    assert off.reason == f"no cached model for the merge-base {shas['B'][:7]} and training it is off"


def test_config_in_a_subfolder_is_looked_up_and_trained_there(tmp_path: Path) -> None:
    repo = Repo(tmp_path / "mono")
    repo.path.mkdir()
    repo.git("init", "-q", "-b", "main")
    base = repo.commit("base", {"proj/mlgate.yaml": MODELS_CONFIG, "proj/model.txt": "base\n", "other.txt": "x\n"})
    repo.git("checkout", "-q", "-b", "pr")
    head = repo.commit("pr", {"proj/model.txt": "pr\n"})
    trainer = RecordingTrainer()
    baseline = resolve(repo, head, tmp_path, trainer, config_file=repo.path / "proj" / "mlgate.yaml")
    assert baseline.commit == base
    project, _, files = trainer.calls[0]
    assert project.name == "proj"
    assert files == {"model.txt": "base\n"}


def test_outside_a_repository_is_an_input_error_with_hint(tmp_path: Path) -> None:
    folder = tmp_path / "plain"
    folder.mkdir()
    git = Git(folder, runner=make_runner(environ={**os.environ, "GIT_CEILING_DIRECTORIES": str(tmp_path)}))
    with pytest.raises(InputError, match=r"plain is not inside a git repository") as info:
        git.toplevel()
    assert info.value.exit_code == 2
    assert info.value.hint is not None


def test_a_hanging_git_is_stopped_by_the_timeout(tmp_path: Path) -> None:
    hanging = tmp_path / "git"
    hanging.write_text("#!/bin/sh\nexec sleep 30\n", encoding="utf-8")
    hanging.chmod(0o755)
    git = Git(tmp_path, runner=make_runner(timeout=0.3), executable=str(hanging))
    with pytest.raises(InputError, match=r"^git fetch failed: timed out after 0\.3s$"):
        git.fetch("origin", "main")


def test_trainer_output_without_models_or_results_is_no_baseline(
    origin: tuple[Repo, dict[str, str]], tmp_path: Path
) -> None:
    repo, shas = origin

    def empty(project: Path, out: Path) -> None:
        write_results(out, ResultSet(models={}))

    def silent(project: Path, out: Path) -> None:
        out.mkdir(parents=True)

    def run(trainer: Callable[[Path, Path], None]) -> Baseline:
        return resolve_baseline(
            git=Git(repo.path),
            head=shas["F"],
            base_branch="main",
            cache=cache,
            train_in_worktree=trainer,
            fetch=False,
            require=False,
            workdir=tmp_path / "work",
        )

    cache = BaselineCache(tmp_path / "cache", "0.1.0")
    nothing = run(empty)
    assert nothing.reason == f"training the merge-base {shas['B'][:7]} produced no models"
    missing = run(silent)
    assert missing.reason.startswith(f"training the merge-base {shas['B'][:7]} failed: results: ")
    assert missing.reason.endswith("has no metrics.json")
    assert cache.get(shas["B"]) is None
    assert not any((tmp_path / "work").iterdir())


def laptop_repository(path: Path, branch: str) -> tuple[Repo, dict[str, str]]:
    """A repository made with `git init -b BRANCH` (no remote): A on BRANCH, then feature F from A."""
    repo = Repo(path)
    path.mkdir()
    repo.git("init", "-q", "-b", branch)
    shas = {"A": repo.commit("A", {"mlgate.yaml": MODELS_CONFIG})}
    repo.git("checkout", "-q", "-b", "feature")
    shas["F"] = repo.commit("F", {"model.txt": "F\n"})
    return repo, shas


def test_without_a_configured_branch_a_master_repository_compares_with_master(tmp_path: Path) -> None:
    repo, shas = laptop_repository(tmp_path / "repo", "master")
    revisions = find_revisions({}, git=Git(repo.path), base_branch=None, fetch=True)
    assert (revisions.head, revisions.base_branch, revisions.base_source) == (shas["F"], "master", "the master branch")
    assert find_merge_base(Git(repo.path), revisions.head, "master", fetch=True) == shas["A"]


def test_without_a_configured_branch_a_clone_follows_origin_head(tmp_path: Path) -> None:
    origin, _ = laptop_repository(tmp_path / "origin", "develop")
    origin.git("checkout", "-q", "develop")
    Repo(tmp_path).git("clone", "-q", origin.path.as_uri(), "clone")
    clone = Repo(tmp_path / "clone")
    clone.git("checkout", "-q", "feature")
    revisions = find_revisions({}, git=Git(clone.path), base_branch=None)
    assert (revisions.base_branch, revisions.base_source) == ("develop", "origin/HEAD")
    clone.git("config", "init.defaultBranch", "feature")  # origin/HEAD still wins
    assert find_revisions({}, git=Git(clone.path), base_branch=None).base_branch == "develop"


def test_without_a_configured_branch_init_default_branch_is_next(tmp_path: Path) -> None:
    repo, _ = laptop_repository(tmp_path / "repo", "trunk")
    repo.git("branch", "main")  # exists, but the repository's own default comes first
    repo.git("config", "init.defaultBranch", "trunk")
    revisions = find_revisions({}, git=Git(repo.path), base_branch=None)
    assert (revisions.base_branch, revisions.base_source) == ("trunk", "init.defaultBranch")


def test_a_one_commit_ci_clone_asks_origin_for_its_default_branch_and_fetches_it(tmp_path: Path) -> None:
    origin, shas = laptop_repository(tmp_path / "origin", "main")
    origin.git("checkout", "-q", "main")
    Repo(tmp_path).git(
        "clone", "-q", "--depth", "1", "--single-branch", "--branch", "feature", origin.path.as_uri(), "clone"
    )
    git = Git(tmp_path / "clone")
    assert not git.has_ref("refs/remotes/origin/main")
    assert git.symbolic_ref("refs/remotes/origin/HEAD") is None
    assert find_revisions({}, git=git, base_branch=None, fetch=False).base_branch is None
    revisions = find_revisions({}, git=git, base_branch=None, fetch=True)
    assert (revisions.base_branch, revisions.base_source) == ("main", "origin's default branch")
    assert find_merge_base(git, revisions.head, "main", fetch=True) == shas["A"]


def test_without_any_base_branch_there_is_no_baseline_and_the_reason_says_what_to_do(tmp_path: Path) -> None:
    repo, shas = laptop_repository(tmp_path / "repo", "trunk")
    git = Git(repo.path)
    revisions = find_revisions({}, git=git, base_branch=None)
    reason = (
        "no branch to compare with: this repository has no main or master branch, and no origin/HEAD "
        "(set baseline.base_branch in mlgate.yaml, or pass --base BRANCH)"
    )
    assert (revisions.head, revisions.base_branch, revisions.base_reason) == (shas["F"], None, reason)
    resolve_here = partial(
        resolve_baseline,
        git=git,
        head=revisions.head,
        base_branch=revisions.base_branch,
        cache=BaselineCache(tmp_path / "cache", "0.1.0"),
        train_in_worktree=None,
        fetch=True,
        workdir=tmp_path / "work",
        base_reason=revisions.base_reason,
    )
    assert resolve_here(require=False) == Baseline(None, "none", None, reason)
    with pytest.raises(InputError, match=r"^no baseline: no branch to compare with: this repository has no main"):
        resolve_here(require=True)


def test_a_merge_base_that_is_the_candidates_own_commit_is_not_trained_again(tmp_path: Path) -> None:
    repo, shas = laptop_repository(tmp_path / "repo", "main")
    repo.git("checkout", "-q", "main")  # on main: merge-base(HEAD, main) is HEAD itself
    trainer = RecordingTrainer()
    resolve_here = partial(
        resolve_baseline,
        git=Git(repo.path),
        head=shas["A"],
        base_branch="main",
        cache=BaselineCache(tmp_path / "cache", "0.1.0"),
        train_in_worktree=trainer,
        fetch=False,
        require=True,
        workdir=tmp_path / "work",
    )
    itself = resolve_here(candidate_commit=shas["A"])
    reason = "this commit is its own merge-base with main: compared with itself"
    assert itself == Baseline(shas["A"], "self", None, reason)
    assert trainer.calls == []
    by_sha = resolve_here(base_branch=shas["A"], candidate_commit=shas["A"])
    assert by_sha.reason == f"this commit is its own merge-base with {shas['A'][:7]}: compared with itself"
    changed = resolve_here(candidate_commit=None)  # uncommitted changes: the commit is trained
    assert (changed.source, changed.commit, len(trainer.calls)) == ("worktree", shas["A"], 1)


def test_a_checkout_is_clean_until_a_tracked_file_changes(tmp_path: Path) -> None:
    repo, _ = laptop_repository(tmp_path / "repo", "main")
    git = Git(repo.path)
    (repo.path / "notes.txt").write_text("untracked\n", encoding="utf-8")
    assert git.is_clean()
    (repo.path / "model.txt").write_text("changed\n", encoding="utf-8")
    assert not git.is_clean()
