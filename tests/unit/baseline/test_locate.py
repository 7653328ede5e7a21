"""find_merge_base decisions against a scripted git (real repositories: tests/integration/test_baseline_git.py)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pytest

from mlgate.baseline.git import Git
from mlgate.baseline.locate import ensure_commit, find_base_ref, find_merge_base
from mlgate.errors import InputError

HEAD = "1" * 40
MERGE_BASE = "2" * 40


class Clone:
    """A scripted clone: which revisions and refs exist, whether it is shallow, when the merge-base appears."""

    def __init__(self, *, revisions: set[str], refs: set[str], shallow: bool, found_after_fetches: int | None) -> None:
        self.revisions = revisions
        self.refs = refs
        self.shallow = shallow
        self.found_after_fetches = found_after_fetches
        self.fetches: list[list[str]] = []
        self.fail_fetch = False

    def __call__(self, argv: Sequence[str], cwd: Path) -> tuple[int, str, str]:
        args = list(argv[3:])
        if args[0] == "rev-parse" and args[1] == "--is-shallow-repository":
            return 0, "true\n" if self.shallow else "false\n", ""
        if args[0] == "rev-parse":
            name = args[-1].removesuffix("^{commit}")
            return (0, f"{HEAD}\n", "") if name in self.revisions else (1, "", "")
        if args[0] == "show-ref":
            return (0, "", "") if args[-1] in self.refs else (1, "", "")
        if args[0] == "fetch":
            if self.fail_fetch:
                return 128, "", "fatal: could not read from remote repository\n"
            self.fetches.append(args[4:])
            if "--unshallow" in args:
                self.shallow = False
            self.revisions.add(args[-1])
            if args[-1].startswith("+refs/heads/"):
                self.refs.add(args[-1].split(":")[1])
            return 0, "", ""
        if args[0] == "merge-base":
            found = self.found_after_fetches is not None and len(self.fetches) >= self.found_after_fetches
            return (0, f"{MERGE_BASE}\n", "") if found else (1, "", "")
        raise AssertionError(f"unexpected git {args}")


def test_present_history_needs_no_fetch(tmp_path: Path) -> None:
    clone = Clone(revisions={HEAD}, refs={"refs/heads/main"}, shallow=False, found_after_fetches=0)
    assert find_merge_base(Git(tmp_path, runner=clone), HEAD, "main", fetch=False) == MERGE_BASE
    assert clone.fetches == []


def test_deepening_doubles_then_unshallows(tmp_path: Path) -> None:
    clone = Clone(revisions=set(), refs=set(), shallow=True, found_after_fetches=6)
    git = Git(tmp_path, runner=clone)
    assert find_merge_base(git, HEAD, "main", fetch=True, first_depth=4, max_depth=16) == MERGE_BASE
    spec = "+refs/heads/main:refs/remotes/origin/main"
    assert clone.fetches == [
        ["--depth=4", "origin", HEAD],
        ["--depth=4", "origin", spec],
        ["--deepen=4", "origin", spec],
        ["--deepen=8", "origin", spec],
        ["--deepen=16", "origin", spec],
        ["--unshallow", "origin", spec],
    ]


def test_complete_history_without_common_commit_is_none(tmp_path: Path) -> None:
    clone = Clone(revisions={HEAD}, refs={"refs/remotes/origin/main"}, shallow=False, found_after_fetches=None)
    assert find_merge_base(Git(tmp_path, runner=clone), HEAD, "main", fetch=True) is None
    assert clone.fetches == []


def test_shallow_without_fetch_says_how_to_fix(tmp_path: Path) -> None:
    clone = Clone(revisions={HEAD}, refs={"refs/remotes/origin/main"}, shallow=True, found_after_fetches=None)
    with pytest.raises(InputError, match=r"merge-base of 1111111 and main is not in this shallow clone") as info:
        find_merge_base(Git(tmp_path, runner=clone), HEAD, "main", fetch=False)
    assert info.value.hint == "set `fetch-depth: 0` on actions/checkout, or let mlgate fetch it (baseline.fetch: true)"


def test_failed_fetch_names_what_and_how(tmp_path: Path) -> None:
    clone = Clone(revisions={HEAD}, refs={"refs/remotes/origin/main"}, shallow=True, found_after_fetches=None)
    clone.fail_fetch = True
    with pytest.raises(
        InputError, match=r"cannot fetch the merge-base of 1111111 and main from 'origin': git fetch failed"
    ):
        find_merge_base(Git(tmp_path, runner=clone), HEAD, "main", fetch=True)


def test_missing_head(tmp_path: Path) -> None:
    clone = Clone(revisions=set(), refs=set(), shallow=False, found_after_fetches=None)
    git = Git(tmp_path, runner=clone)
    with pytest.raises(InputError, match=r"the PR head 1111111 is not in this clone \(baseline\.fetch is off\)"):
        ensure_commit(git, HEAD, fetch=False)
    with pytest.raises(InputError, match=r"unknown revision 'feature'"):
        ensure_commit(git, "feature", fetch=True)
    assert ensure_commit(git, HEAD, fetch=True) == HEAD
    assert clone.fetches == [["origin", HEAD]]  # full clone: no depth


def test_base_ref_preference(tmp_path: Path) -> None:
    both = Clone(
        revisions=set(), refs={"refs/heads/main", "refs/remotes/origin/main"}, shallow=False, found_after_fetches=None
    )
    assert find_base_ref(Git(tmp_path, runner=both), "main", fetch=False) == "refs/heads/main"
    remote = Clone(revisions=set(), refs={"refs/remotes/origin/main"}, shallow=False, found_after_fetches=None)
    assert find_base_ref(Git(tmp_path, runner=remote), "main", fetch=False) == "refs/remotes/origin/main"
    tag = Clone(revisions={"v1.0"}, refs=set(), shallow=False, found_after_fetches=None)
    assert find_base_ref(Git(tmp_path, runner=tag), "v1.0", fetch=False) == "v1.0"
    missing = Clone(revisions=set(), refs=set(), shallow=False, found_after_fetches=None)
    with pytest.raises(InputError, match=r"the base branch 'main' is not in this clone") as info:
        find_base_ref(Git(tmp_path, runner=missing), "main", fetch=False)
    assert info.value.hint is not None
    assert info.value.hint.startswith("`git fetch origin main` first")
