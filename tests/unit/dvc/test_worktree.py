"""Writing a worktree's DVC-tracked data: the main checkout's cache shared, checkout first, pull only if allowed."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pytest

from mlgate.dvc.run import DvcRun, DvcRunner
from mlgate.dvc.worktree import materialise_worktree_data
from mlgate.errors import InputError

MD5 = "e5ebd4c02cefbe7955977c67ada242b7"
NOT_CACHED = DvcRun(
    255, "", "ERROR: Checkout failed for following targets:\ndata/train.csv\nIs your cache up to date?\n"
)


def make_repo(top: Path, *, tracked: bool = True) -> Path:
    (top / ".dvc").mkdir(parents=True)
    (top / ".dvc" / "config").write_text("[core]\n    remote = local\n")
    (top / "data").mkdir()
    if tracked:
        (top / "data" / "train.csv.dvc").write_text(f"outs:\n- md5: {MD5}\n  hash: md5\n  path: train.csv\n")
    (top / "mlgate.yaml").write_text("version: 1\ndata: {train: data/train.csv, test: data/test.csv}\n")
    return top


class Recorder:
    def __init__(self, *replies: DvcRun) -> None:
        self.calls: list[tuple[list[str], Path]] = []
        self.replies = list(replies)

    def __call__(self, args: Sequence[str], cwd: Path) -> DvcRun:
        self.calls.append((list(args), cwd))
        return self.replies.pop(0) if self.replies else DvcRun(0, "", "")


def materialise(tmp_path: Path, runner: DvcRunner, *, pull: bool) -> tuple[str, ...]:
    targets = materialise_worktree_data(
        tmp_path / "tree",
        tmp_path / "tree" / "mlgate.yaml",
        main_top=tmp_path / "main",
        pull=pull,
        make_runner=lambda: runner,
    )
    return tuple(t.dataset for t in targets)


def test_checks_out_from_the_main_checkouts_cache(tmp_path: Path) -> None:
    main = make_repo(tmp_path / "main")
    (main / ".dvc" / "config.local").write_text("['remote \"local\"']\n    access_key_id = k\n")
    tree = make_repo(tmp_path / "tree")
    runner = Recorder()
    assert materialise(tmp_path, runner, pull=False) == ("data/train.csv",)
    assert runner.calls == [
        (["config", "--local", "cache.dir", str(main / ".dvc" / "cache")], tree),
        (["checkout", "--", "data/train.csv"], tree),
    ]
    assert (tree / ".dvc" / "config.local").read_text() == (main / ".dvc" / "config.local").read_text()


def test_pulls_what_the_cache_lacks_when_allowed(tmp_path: Path) -> None:
    make_repo(tmp_path / "main")
    tree = make_repo(tmp_path / "tree")
    runner = Recorder(DvcRun(0, "", ""), NOT_CACHED)
    assert materialise(tmp_path, runner, pull=True) == ("data/train.csv",)
    assert [args[0] for args, _ in runner.calls] == ["config", "checkout", "pull"]
    assert runner.calls[-1] == (["pull", "--", "data/train.csv"], tree)


def test_without_pull_the_missing_data_is_the_error(tmp_path: Path) -> None:
    make_repo(tmp_path / "main")
    make_repo(tmp_path / "tree")
    runner = Recorder(DvcRun(0, "", ""), NOT_CACHED)
    with pytest.raises(InputError, match=r"^data/train.csv: the data is not in the DVC cache"):
        materialise(tmp_path, runner, pull=False)
    assert [args[0] for args, _ in runner.calls] == ["config", "checkout"]


def test_nothing_tracked_needs_no_dvc(tmp_path: Path) -> None:
    make_repo(tmp_path / "main")
    make_repo(tmp_path / "tree", tracked=False)

    def no_dvc() -> DvcRunner:
        raise InputError("the `dvc` command is not installed")

    targets = materialise_worktree_data(
        tmp_path / "tree", tmp_path / "tree" / "mlgate.yaml", main_top=tmp_path / "main", pull=True, make_runner=no_dvc
    )
    assert targets == ()


def test_a_main_checkout_without_dvc_keeps_the_worktrees_cache(tmp_path: Path) -> None:
    (tmp_path / "main").mkdir()
    tree = make_repo(tmp_path / "tree")
    runner = Recorder()
    assert materialise(tmp_path, runner, pull=False) == ("data/train.csv",)
    assert runner.calls == [(["checkout", "--", "data/train.csv"], tree)]


def test_an_unusable_config_is_left_to_training_to_report(tmp_path: Path) -> None:
    make_repo(tmp_path / "main")
    tree = make_repo(tmp_path / "tree")
    (tree / "mlgate.yaml").write_text("version: 1\nnot_a_key: 1\n")
    assert materialise(tmp_path, Recorder(), pull=True) == ()
