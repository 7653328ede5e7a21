from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pytest

from mlgate.baseline.git import Git, GitError, is_full_sha, make_environ
from mlgate.errors import InputError

SHA = "a" * 40


class Script:
    """A fake runner: answers by git subcommand (argv after ``git -c core.quotepath=off``) and records calls."""

    def __init__(self, answers: dict[str, tuple[int, str, str]]) -> None:
        self.answers = answers
        self.calls: list[list[str]] = []

    def __call__(self, argv: Sequence[str], cwd: Path) -> tuple[int, str, str]:
        self.calls.append(list(argv))
        return self.answers[argv[3]]


def test_every_command_disables_path_quoting_and_runs_in_cwd(tmp_path: Path) -> None:
    seen: list[tuple[list[str], Path]] = []

    def runner(argv: Sequence[str], cwd: Path) -> tuple[int, str, str]:
        seen.append((list(argv), cwd))
        return 0, "true\n", ""

    assert Git(tmp_path, runner=runner).is_shallow()
    assert seen == [(["git", "-c", "core.quotepath=off", "rev-parse", "--is-shallow-repository"], tmp_path)]


def test_missing_git_executable_is_an_input_error_with_hint(tmp_path: Path) -> None:
    def runner(argv: Sequence[str], cwd: Path) -> tuple[int, str, str]:
        raise FileNotFoundError(argv[0])

    with pytest.raises(InputError, match=r"git is not installed \(no 'git' on PATH\)") as info:
        Git(tmp_path, runner=runner).toplevel()
    assert info.value.exit_code == 2
    assert info.value.hint is not None


def test_missing_working_folder_is_not_reported_as_missing_git(tmp_path: Path) -> None:
    def runner(argv: Sequence[str], cwd: Path) -> tuple[int, str, str]:
        raise FileNotFoundError(str(cwd))

    with pytest.raises(InputError, match=r"cannot run git in .*gone: no such folder"):
        Git(tmp_path / "gone", runner=runner).toplevel()


def test_not_a_repository_names_the_folder(tmp_path: Path) -> None:
    script = Script({"merge-base": (128, "", "fatal: not a git repository (or any of the parent directories): .git\n")})
    with pytest.raises(GitError, match=r"is not inside a git repository") as info:
        Git(tmp_path, runner=script).merge_base("a", "b")
    assert str(tmp_path) in info.value.message
    assert info.value.hint is not None
    assert "actions/checkout" in info.value.hint


def test_failure_message_uses_the_fatal_line(tmp_path: Path) -> None:
    stderr = "warning: something harmless\nfatal: couldn't find remote ref refs/heads/nope\n"
    script = Script({"fetch": (128, "", stderr)})
    with pytest.raises(GitError, match=r"^git fetch failed: fatal: couldn't find remote ref refs/heads/nope$") as info:
        Git(tmp_path, runner=script).fetch("origin", "refs/heads/nope")
    assert (info.value.returncode, info.value.stderr) == (128, stderr)


def test_timeout_code_is_reported(tmp_path: Path) -> None:
    script = Script({"worktree": (124, "", "timed out after 600s")})
    with pytest.raises(GitError, match=r"^git worktree add failed: timed out after 600s$"):
        Git(tmp_path, runner=script).worktree_add(tmp_path / "tree", SHA)


def test_fetch_options(tmp_path: Path) -> None:
    script = Script({"fetch": (0, "", "")})
    git = Git(tmp_path, runner=script)
    git.fetch("origin", SHA, depth=1)
    git.fetch("origin", "+refs/heads/main:refs/remotes/origin/main", deepen=64)
    git.fetch("origin", "main", unshallow=True)
    assert [call[3:] for call in script.calls] == [
        ["fetch", "--no-tags", "--no-recurse-submodules", "--quiet", "--depth=1", "origin", SHA],
        [
            "fetch",
            "--no-tags",
            "--no-recurse-submodules",
            "--quiet",
            "--deepen=64",
            "origin",
            "+refs/heads/main:refs/remotes/origin/main",
        ],
        ["fetch", "--no-tags", "--no-recurse-submodules", "--quiet", "--unshallow", "origin", "main"],
    ]


def test_merge_base_none_when_histories_do_not_meet(tmp_path: Path) -> None:
    assert Git(tmp_path, runner=Script({"merge-base": (1, "", "")})).merge_base("a", "b") is None
    assert Git(tmp_path, runner=Script({"merge-base": (0, f"{SHA}\n", "")})).merge_base("a", "b") == SHA


def test_is_ancestor_maps_exit_codes(tmp_path: Path) -> None:
    assert Git(tmp_path, runner=Script({"merge-base": (0, "", "")})).is_ancestor("a", "b")
    assert not Git(tmp_path, runner=Script({"merge-base": (1, "", "")})).is_ancestor("a", "b")
    with pytest.raises(GitError, match=r"git merge-base failed: fatal: Not a valid commit name"):
        Git(tmp_path, runner=Script({"merge-base": (128, "", "fatal: Not a valid commit name x\n")})).is_ancestor(
            "x", "b"
        )


def test_resolve_and_rev_parse(tmp_path: Path) -> None:
    known = Git(tmp_path, runner=Script({"rev-parse": (0, f"{SHA}\n", "")}))
    assert known.resolve("main") == SHA
    assert known.rev_parse("main") == SHA
    unknown = Git(tmp_path, runner=Script({"rev-parse": (1, "", "")}))
    assert unknown.resolve("nope") is None
    with pytest.raises(InputError, match=r"git: unknown revision 'nope'"):
        unknown.rev_parse("nope")


def test_read_file_absent_path_is_none(tmp_path: Path) -> None:
    script = Script({"cat-file": (128, "", f"fatal: path 'mlgate.yaml' does not exist in '{SHA}'\n")})
    assert Git(tmp_path, runner=script).read_file(SHA, "mlgate.yaml") is None
    assert script.calls[0][3:] == ["cat-file", "-t", f"{SHA}:mlgate.yaml"]


def test_make_environ_drops_location_overrides_and_prompts() -> None:
    env = make_environ({"GIT_DIR": "/elsewhere", "GIT_INDEX_FILE": "x", "GIT_CONFIG_COUNT": "1", "PATH": "/bin"})
    assert env == {"GIT_CONFIG_COUNT": "1", "PATH": "/bin", "GIT_TERMINAL_PROMPT": "0", "LC_ALL": "C", "LANGUAGE": "C"}


@pytest.mark.parametrize(("value", "expected"), [(SHA, True), ("b" * 64, True), ("A" * 40, False), ("abc123", False)])
def test_is_full_sha(value: str, expected: bool) -> None:
    assert is_full_sha(value) is expected
