"""resolve_baseline's decisions against a scripted git (real repositories: tests/integration/test_baseline_git.py)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pytest

from mlgate.baseline.cache import BaselineCache
from mlgate.baseline.git import Git
from mlgate.baseline.resolve import Baseline, Preparer, resolve_baseline
from mlgate.errors import InputError
from mlgate.results import ModelResult, ResultSet, read_results, write_results

HEAD = "1" * 40
MERGE_BASE = "2" * 40
CONFIG = "models:\n  lr: {estimator: sklearn.linear_model.LogisticRegression}\n"


class Repo:
    """A scripted repository: HEAD and main share MERGE_BASE, whose files are ``files``; worktrees are folders."""

    def __init__(self, top: Path, files: dict[str, str], *, merge_base: str | None = MERGE_BASE) -> None:
        self.top = top
        self.files = files
        self.merge_base = merge_base
        self.calls: list[list[str]] = []

    def __call__(self, argv: Sequence[str], cwd: Path) -> tuple[int, str, str]:
        args = list(argv[3:])
        self.calls.append(args)
        if args[:2] == ["rev-parse", "--verify"]:
            return (0, f"{HEAD}\n", "") if args[-1] == f"{HEAD}^{{commit}}" else (1, "", "")
        if args[:2] == ["rev-parse", "--show-toplevel"]:
            return 0, f"{self.top}\n", ""
        if args[:2] == ["rev-parse", "--is-shallow-repository"]:
            return 0, "false\n", ""
        if args[0] == "show-ref":
            return (0, "", "") if args[-1] == "refs/heads/main" else (1, "", "")
        if args[0] == "merge-base":
            return (0, f"{self.merge_base}\n", "") if self.merge_base else (1, "", "")
        if args[0] == "cat-file":
            path = args[-1].split(":", 1)[1]
            if path not in self.files:
                return 128, "", f"fatal: path '{path}' does not exist\n"
            return 0, ("blob\n" if args[1] == "-t" else self.files[path]), ""
        if args[:2] == ["worktree", "add"]:
            tree = Path(args[-2])
            for name, text in self.files.items():
                (tree / name).parent.mkdir(parents=True, exist_ok=True)
                (tree / name).write_text(text, encoding="utf-8")
            return 0, "", ""
        if args[0] == "worktree":
            return 0, "", ""
        raise AssertionError(f"unexpected git {args}")

    def worktree_calls(self) -> list[str]:
        return [" ".join(call[:2]) for call in self.calls if call[0] == "worktree"]


class Trainer:
    """Writes a one-model results folder (or none, or fails) and records the project folder it was given."""

    def __init__(self, *, models: bool = True, error: Exception | None = None) -> None:
        self.models = models
        self.error = error
        self.projects: list[tuple[Path, list[str]]] = []

    def __call__(self, project: Path, out: Path) -> None:
        self.projects.append((project, sorted(p.name for p in project.iterdir())))
        if self.error is not None:
            raise self.error
        models = {"lr": ModelResult(name="lr", estimator="LogisticRegression")} if self.models else {}
        write_results(out, ResultSet(models=models))


def resolve(
    tmp_path: Path,
    repo: Repo,
    trainer: Trainer | None,
    *,
    base_branch: str | None = "main",
    require: bool = False,
    config_file: Path | None = None,
    base_reason: str | None = None,
    candidate_commit: str | None = None,
    prepare: Preparer | None = None,
) -> Baseline:
    return resolve_baseline(
        git=Git(repo.top, runner=repo),
        head=HEAD,
        base_branch=base_branch,
        cache=BaselineCache(tmp_path / "cache", "0.1.0"),
        train_in_worktree=trainer,
        fetch=False,
        require=require,
        workdir=tmp_path / "work",
        config_file=config_file,
        base_reason=base_reason,
        candidate_commit=candidate_commit,
        prepare=prepare,
    )


@pytest.fixture
def repo(tmp_path: Path) -> Repo:
    (tmp_path / "top").mkdir()
    return Repo(tmp_path / "top", {"mlgate.yaml": CONFIG})


def test_without_a_base_branch_the_given_reason_is_kept(tmp_path: Path, repo: Repo) -> None:
    baseline = resolve(tmp_path, repo, Trainer(), base_branch=None, base_reason="the repository has no main")
    assert baseline == Baseline(None, "none", None, "the repository has no main")
    assert repo.calls == []


def test_without_a_base_branch_or_reason_the_default_reason_is_given(tmp_path: Path, repo: Repo) -> None:
    assert resolve(tmp_path, repo, None, base_branch=None).reason == "no base branch was found"


def test_unrelated_histories_have_no_baseline(tmp_path: Path) -> None:
    repo = Repo(tmp_path, {}, merge_base=None)
    baseline = resolve(tmp_path, repo, Trainer())
    assert baseline == Baseline(None, "none", None, "1111111 and main share no history")


def test_a_merge_base_equal_to_the_candidate_commit_is_its_own_baseline(tmp_path: Path, repo: Repo) -> None:
    trainer = Trainer()
    baseline = resolve(tmp_path, repo, trainer, candidate_commit=MERGE_BASE)
    assert baseline == Baseline(
        MERGE_BASE, "self", None, "this commit is its own merge-base with main: compared with itself"
    )
    assert trainer.projects == []


def test_a_full_sha_base_branch_is_shortened_in_the_self_reason(tmp_path: Path, repo: Repo) -> None:
    baseline = resolve(tmp_path, repo, None, base_branch=HEAD, candidate_commit=MERGE_BASE)
    assert baseline.reason == "this commit is its own merge-base with 1111111: compared with itself"


def test_a_cached_merge_base_is_reused_without_training(tmp_path: Path, repo: Repo) -> None:
    results = tmp_path / "old"
    write_results(results, ResultSet(models={"lr": ModelResult(name="lr", estimator="LogisticRegression")}))
    entry = BaselineCache(tmp_path / "cache", "0.1.0").put(MERGE_BASE, results)
    trainer = Trainer()
    baseline = resolve(tmp_path, repo, trainer)
    assert baseline == Baseline(
        MERGE_BASE, "cache", entry, "merge-base 2222222: cached model re-scored on this PR's data"
    )
    assert trainer.projects == []


def test_no_cache_and_training_off_is_no_baseline(tmp_path: Path, repo: Repo) -> None:
    baseline = resolve(tmp_path, repo, None)
    assert baseline == Baseline(
        MERGE_BASE, "none", None, "no cached model for the merge-base 2222222 and training it is off"
    )
    assert repo.worktree_calls() == []


def test_training_in_a_worktree_caches_the_results_and_removes_the_worktree(tmp_path: Path, repo: Repo) -> None:
    trainer = Trainer()
    baseline = resolve(tmp_path, repo, trainer)
    entry = BaselineCache(tmp_path / "cache", "0.1.0").get(MERGE_BASE)
    assert entry is not None
    assert baseline == Baseline(
        MERGE_BASE, "worktree", entry, "merge-base 2222222: trained in a temporary worktree (no cached model)"
    )
    assert list(read_results(entry).models) == ["lr"]
    assert trainer.projects == [(tmp_path / "work" / "worktree-222222222222", ["mlgate.yaml"])]
    assert repo.worktree_calls() == ["worktree add", "worktree remove", "worktree prune"]
    assert sorted(p.name for p in (tmp_path / "work").iterdir()) == []  # neither the tree nor the output is left


def test_a_config_in_a_subfolder_is_read_and_trained_there(tmp_path: Path) -> None:
    top = tmp_path / "top"
    (top / "ml").mkdir(parents=True)
    repo = Repo(top, {"ml/mlgate.yaml": CONFIG})
    trainer = Trainer()
    baseline = resolve(tmp_path, repo, trainer, config_file=top / "ml" / "mlgate.yaml")
    assert baseline.source == "worktree"
    assert trainer.projects == [(tmp_path / "work" / "worktree-222222222222" / "ml", ["mlgate.yaml"])]
    assert ["cat-file", "-t", f"{MERGE_BASE}:ml/mlgate.yaml"] in repo.calls


def test_a_config_outside_the_repository_is_an_input_error(tmp_path: Path, repo: Repo) -> None:
    with pytest.raises(InputError, match=r"the config .*elsewhere.yaml is outside the git repository .*top"):
        resolve(tmp_path, repo, Trainer(), config_file=tmp_path / "elsewhere.yaml")


def test_a_merge_base_without_a_config_is_not_trained(tmp_path: Path) -> None:
    repo = Repo(tmp_path, {})
    trainer = Trainer()
    baseline = resolve(tmp_path, repo, trainer)
    assert baseline == Baseline(MERGE_BASE, "none", None, "the merge-base 2222222 has no mlgate.yaml")
    assert trainer.projects == []


def test_a_merge_base_declaring_no_models_is_not_trained(tmp_path: Path) -> None:
    repo = Repo(tmp_path, {"mlgate.yaml": "models: {}\n"})
    baseline = resolve(tmp_path, repo, Trainer())
    assert baseline.reason == "the merge-base 2222222 declares no models in mlgate.yaml"


def test_a_config_that_is_not_yaml_is_left_to_training_to_report(tmp_path: Path) -> None:
    repo = Repo(tmp_path, {"mlgate.yaml": "models: [unclosed\n"})
    trainer = Trainer(error=InputError("mlgate.yaml: invalid YAML at line 1\nmore detail"))
    baseline = resolve(tmp_path, repo, trainer)
    assert len(trainer.projects) == 1
    assert baseline == Baseline(
        MERGE_BASE, "none", None, "training the merge-base 2222222 failed: mlgate.yaml: invalid YAML at line 1"
    )
    assert repo.worktree_calls() == ["worktree add", "worktree remove", "worktree prune"]


def test_a_failing_trainer_without_a_message_is_named_by_its_class(tmp_path: Path, repo: Repo) -> None:
    baseline = resolve(tmp_path, repo, Trainer(error=OSError()))
    assert baseline.reason == "training the merge-base 2222222 failed: OSError"
    assert list((tmp_path / "work").iterdir()) == []


def test_training_without_models_is_no_baseline(tmp_path: Path, repo: Repo) -> None:
    baseline = resolve(tmp_path, repo, Trainer(models=False))
    assert baseline == Baseline(MERGE_BASE, "none", None, "training the merge-base 2222222 produced no models")
    assert list((tmp_path / "work").iterdir()) == []
    assert BaselineCache(tmp_path / "cache", "0.1.0").get(MERGE_BASE) is None


def test_an_uncachable_result_is_still_used_from_the_work_folder(tmp_path: Path, repo: Repo) -> None:
    (tmp_path / "cache").write_text("a file where the cache folder should be", encoding="utf-8")
    baseline = resolve(tmp_path, repo, Trainer())
    out = tmp_path / "work" / "baseline-222222222222"
    assert baseline.source == "worktree"
    assert baseline.folder == out
    assert baseline.reason.startswith(
        "merge-base 2222222: trained in a temporary worktree (no cached model); not cached: baseline cache: cannot"
    )
    assert list(read_results(out).models) == ["lr"]


def test_require_turns_no_baseline_into_an_input_error_with_the_reason(tmp_path: Path, repo: Repo) -> None:
    with pytest.raises(InputError, match=r"^no baseline: 1111111 and main share no history") as caught:
        resolve(tmp_path, Repo(repo.top, {}, merge_base=None), None, require=True)
    assert caught.value.message == "no baseline: 1111111 and main share no history"
    assert caught.value.hint == "a baseline is required (baseline.require / --require-baseline)"


def test_require_accepts_a_baseline(tmp_path: Path, repo: Repo) -> None:
    assert resolve(tmp_path, repo, None, require=True, candidate_commit=MERGE_BASE).source == "self"


def test_the_merge_bases_data_is_written_before_training_and_named_in_the_reason(tmp_path: Path, repo: Repo) -> None:
    seen: list[tuple[Path, Path, bool]] = []

    def prepare(tree: Path, config_file: Path) -> str:
        seen.append((tree, config_file, config_file.is_file()))
        (tree / "train.csv").write_text("x\n1\n")
        return "on its own DVC-tracked data"

    trainer = Trainer()
    baseline = resolve(tmp_path, repo, trainer, prepare=prepare)
    tree = tmp_path / "work" / "worktree-222222222222"
    assert seen == [(tree, tree / "mlgate.yaml", True)]
    assert trainer.projects == [(tree, ["mlgate.yaml", "train.csv"])]
    assert baseline.source == "worktree"
    assert baseline.reason == (
        "merge-base 2222222: trained in a temporary worktree on its own DVC-tracked data (no cached model)"
    )


def test_data_that_cannot_be_had_is_no_baseline_with_the_reason_and_fix(tmp_path: Path, repo: Repo) -> None:
    def prepare(tree: Path, config_file: Path) -> str:
        raise InputError("data/train.csv: the data is not in the DVC cache", hint="pull it: `mlgate data pull`")

    trainer = Trainer()
    baseline = resolve(tmp_path, repo, trainer, prepare=prepare)
    assert baseline == Baseline(
        MERGE_BASE,
        "none",
        None,
        "the merge-base 2222222's data cannot be had, so it was not trained: "
        "data/train.csv: the data is not in the DVC cache; pull it: `mlgate data pull`",
    )
    assert trainer.projects == []
    assert repo.worktree_calls() == ["worktree add", "worktree remove", "worktree prune"]
    assert BaselineCache(tmp_path / "cache", "0.1.0").get(MERGE_BASE) is None
