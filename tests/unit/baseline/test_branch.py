"""find_base_branch decisions against a scripted git (real repositories: tests/integration/test_baseline_git.py)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pytest

from mlgate.baseline.branch import BaseBranch, find_base_branch
from mlgate.baseline.git import Git

HINT = "(set baseline.base_branch in mlgate.yaml, or pass --base BRANCH)"


class Repository:
    """A scripted repository: its refs, origin/HEAD, git settings and what ``origin`` answers."""

    def __init__(
        self,
        refs: Sequence[str] = (),
        *,
        origin_head: str | None = None,
        settings: dict[str, str] | None = None,
        remote: tuple[int, str, str] | None = None,
    ) -> None:
        self.refs = set(refs)
        self.origin_head = origin_head
        self.settings = settings or {}
        self.remote = remote
        self.asked = 0

    def __call__(self, argv: Sequence[str], cwd: Path) -> tuple[int, str, str]:
        args = list(argv[3:])
        if args[0] == "show-ref":
            return (0, "", "") if args[-1] in self.refs else (1, "", "")
        if args[0] == "symbolic-ref":
            assert args[-1] == "refs/remotes/origin/HEAD"
            return (0, f"{self.origin_head}\n", "") if self.origin_head else (1, "", "")
        if args[0] == "config":
            value = self.settings.get(args[-1])
            return (0, f"{value}\n", "") if value is not None else (1, "", "")
        if args[0] == "ls-remote":
            assert args[1:] == ["--symref", "origin", "HEAD"]
            self.asked += 1
            assert self.remote is not None
            return self.remote
        raise AssertionError(f"unexpected git {args}")


def find(repository: Repository, *, fetch: bool = True) -> BaseBranch:
    return find_base_branch(Git(Path("."), runner=repository), fetch=fetch)


def test_origin_head_comes_first() -> None:
    repository = Repository(
        ["refs/heads/main", "refs/remotes/origin/develop"],
        origin_head="refs/remotes/origin/develop",
        settings={"init.defaultBranch": "main"},
    )
    assert find(repository) == BaseBranch("develop", "origin/HEAD")


def test_init_default_branch_when_it_exists() -> None:
    repository = Repository(["refs/heads/trunk", "refs/heads/main"], settings={"init.defaultBranch": "trunk"})
    assert find(repository) == BaseBranch("trunk", "init.defaultBranch")


@pytest.mark.parametrize(
    ("refs", "expected"),
    [
        (["refs/heads/master"], "master"),
        (["refs/remotes/origin/master"], "master"),
        (["refs/heads/master", "refs/remotes/origin/main"], "main"),  # main first, local or remote-tracking
    ],
)
def test_then_main_then_master(refs: list[str], expected: str) -> None:
    repository = Repository(refs, settings={"init.defaultBranch": "trunk"})  # set, but no such branch
    assert find(repository) == BaseBranch(expected, f"the {expected} branch")


def test_without_any_and_without_origin_there_is_none_and_the_reason_fits_a_laptop() -> None:
    found = find(Repository(["refs/heads/feature"], settings={"init.defaultBranch": "trunk"}))
    assert found.name is None
    assert found.reason == (
        f"no branch to compare with: this repository has no main, master or trunk branch, and no origin/HEAD {HINT}"
    )


def test_a_ci_clone_asks_origin_for_its_default_branch() -> None:
    repository = Repository(
        settings={"remote.origin.url": "https://github.com/o/r"},
        remote=(0, "ref: refs/heads/develop\tHEAD\n" + "a" * 40 + "\tHEAD\n", ""),
    )
    assert find(repository) == BaseBranch("develop", "origin's default branch")


def test_origin_is_not_asked_when_fetching_is_off() -> None:
    repository = Repository(settings={"remote.origin.url": "https://github.com/o/r"})
    found = find(repository, fetch=False)
    assert (found.name, repository.asked) == (None, 0)
    assert (
        found.reason
        == f"no branch to compare with: this repository has no main or master branch, and no origin/HEAD {HINT}"
    )


@pytest.mark.parametrize(
    ("answer", "why"),
    [
        (
            (128, "", "fatal: unable to access 'https://github.com/o/r/': Could not resolve host\n"),
            "origin could not be asked for its default branch: git ls-remote failed: fatal: unable to access",
        ),
        ((0, "", ""), "origin has no default branch yet"),
    ],
)
def test_an_unreachable_or_empty_origin_means_no_base_branch(answer: tuple[int, str, str], why: str) -> None:
    found = find(Repository(settings={"remote.origin.url": "https://github.com/o/r"}, remote=answer))
    assert found.name is None
    assert found.reason is not None
    assert found.reason.startswith(
        f"no branch to compare with: this repository has no main or master branch, and {why}"
    )
