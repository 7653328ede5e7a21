"""A small wrapper around the ``git`` executable: the only place mlgate runs git.

Commands go through an injected runner (argv, cwd) -> (returncode, stdout, stderr), so tests can pass a
fake. Failures become InputError (exit 2) with the first line of git's message and a hint.
"""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from mlgate.errors import InputError

Runner = Callable[[Sequence[str], Path], tuple[int, str, str]]

FULL_SHA = re.compile(r"[0-9a-f]{40}|[0-9a-f]{64}")
TIMED_OUT = 124
# Variables that would point git at another repository, index or object store than the cwd's.
_LOCATION_VARS = frozenset(
    {
        "GIT_DIR",
        "GIT_WORK_TREE",
        "GIT_INDEX_FILE",
        "GIT_OBJECT_DIRECTORY",
        "GIT_ALTERNATE_OBJECT_DIRECTORIES",
        "GIT_COMMON_DIR",
        "GIT_NAMESPACE",
        "GIT_PREFIX",
    }
)
_TWO_WORD_COMMANDS = frozenset({"worktree", "remote", "stash"})


class GitError(InputError):
    """A git command failed; ``returncode`` and ``stderr`` are kept for callers that tell cases apart."""

    def __init__(self, message: str, *, returncode: int, stderr: str, hint: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.returncode = returncode
        self.stderr = stderr


def make_environ(environ: Mapping[str, str]) -> dict[str, str]:
    """The environment git runs with: no repository-location overrides, no prompts, C messages."""
    env = {name: value for name, value in environ.items() if name not in _LOCATION_VARS}
    env |= {"GIT_TERMINAL_PROMPT": "0", "LC_ALL": "C", "LANGUAGE": "C"}
    return env


def make_runner(*, environ: Mapping[str, str] | None = None, timeout: float = 600.0) -> Runner:
    """A runner using subprocess.run; a timeout is reported as return code 124."""
    env = make_environ(os.environ if environ is None else environ)

    def run(argv: Sequence[str], cwd: Path) -> tuple[int, str, str]:
        try:
            done = subprocess.run(
                list(argv),
                cwd=cwd,
                env=env,
                capture_output=True,
                text=True,
                encoding="utf-8",
                errors="replace",
                timeout=timeout,
                check=False,
                stdin=subprocess.DEVNULL,
            )
        except subprocess.TimeoutExpired:
            return TIMED_OUT, "", f"timed out after {timeout:g}s"
        return done.returncode, done.stdout, done.stderr

    return run


def is_full_sha(value: str) -> bool:
    """Whether ``value`` is a full SHA-1 or SHA-256 object name (lower-case hex)."""
    return FULL_SHA.fullmatch(value) is not None


class Git:
    """git commands run in ``cwd`` (any folder inside the repository)."""

    def __init__(self, cwd: Path, *, runner: Runner | None = None, executable: str = "git") -> None:
        self.cwd = cwd
        self.runner = runner or make_runner()
        self.executable = executable

    def run(self, *args: str, ok: Sequence[int] = (0,)) -> tuple[int, str, str]:
        """Run ``git ARGS``; returns (returncode, stdout, stderr). A code outside ``ok`` raises GitError."""
        argv = [self.executable, "-c", "core.quotepath=off", *args]
        try:
            code, out, err = self.runner(argv, self.cwd)
        except (FileNotFoundError, NotADirectoryError) as exc:
            if not self.cwd.is_dir():
                raise InputError(f"cannot run git in {self.cwd}: no such folder") from exc
            raise InputError(
                f"git is not installed (no '{self.executable}' on PATH)",
                hint="install git, or compare result folders directly with `mlgate compare`",
            ) from exc
        if code not in ok or (code != 0 and "not a git repository" in err):
            raise self._error(args, code, err)
        return code, out, err

    def output(self, *args: str) -> str:
        """Stdout of a git command that must succeed, stripped."""
        return self.run(*args)[1].strip()

    def toplevel(self) -> Path:
        """The top folder of the working tree."""
        return Path(self.output("rev-parse", "--show-toplevel"))

    def resolve(self, revision: str) -> str | None:
        """The full sha of the commit ``revision`` names, or None when this clone does not have it."""
        code, out, _ = self.run(
            "rev-parse", "--verify", "--quiet", "--end-of-options", f"{revision}^{{commit}}", ok=(0, 1)
        )
        return out.strip() if code == 0 and out.strip() else None

    def rev_parse(self, revision: str) -> str:
        """The full sha of ``revision``; an unknown revision is an InputError."""
        sha = self.resolve(revision)
        if sha is None:
            raise InputError(
                f"git: unknown revision '{revision}' in {self.cwd}",
                hint="check the name, or fetch it first (`git fetch origin <ref>`)",
            )
        return sha

    def has_ref(self, ref: str) -> bool:
        """Whether the full ref name (``refs/heads/main``) exists."""
        code, _, _ = self.run("show-ref", "--verify", "--quiet", ref, ok=(0, 1))
        return code == 0

    def is_clean(self) -> bool:
        """Whether the tracked files are as ``HEAD`` has them (untracked files are not looked at)."""
        return not self.output("status", "--porcelain", "--untracked-files=no")

    def symbolic_ref(self, ref: str) -> str | None:
        """The ref a symbolic ref points at (``refs/remotes/origin/HEAD`` -> ``refs/remotes/origin/main``), or None."""
        code, out, _ = self.run("symbolic-ref", "--quiet", ref, ok=(0, 1, 128))
        return out.strip() if code == 0 and out.strip() else None

    def config_value(self, key: str) -> str | None:
        """A git setting (``init.defaultBranch``), from the repository's, the user's or the system's config; None when unset."""
        code, out, _ = self.run("config", "--get", key, ok=(0, 1))
        return out.strip() if code == 0 and out.strip() else None

    def remote_default_branch(self, remote: str) -> str | None:
        """The branch ``remote``'s HEAD names, asked over the network (``git ls-remote --symref``); None when it has none."""
        out = self.output("ls-remote", "--symref", remote, "HEAD")
        for line in out.splitlines():
            target, _, name = line.partition("\t")
            if name == "HEAD" and target.startswith("ref: refs/heads/"):
                return target.removeprefix("ref: refs/heads/")
        return None

    def merge_base(self, first: str, second: str) -> str | None:
        """The best common ancestor of two commits, or None when they share no history here."""
        code, out, _ = self.run("merge-base", first, second, ok=(0, 1))
        return out.strip() if code == 0 and out.strip() else None

    def is_ancestor(self, ancestor: str, descendant: str) -> bool:
        """Whether ``ancestor`` is reachable from ``descendant``."""
        code, _, _ = self.run("merge-base", "--is-ancestor", ancestor, descendant, ok=(0, 1))
        return code == 0

    def is_shallow(self) -> bool:
        """Whether this clone has cut-off history (``actions/checkout`` defaults to depth 1)."""
        return self.output("rev-parse", "--is-shallow-repository") == "true"

    def fetch(
        self,
        remote: str,
        *refspecs: str,
        depth: int | None = None,
        deepen: int | None = None,
        unshallow: bool = False,
    ) -> None:
        """``git fetch`` without tags or submodules; ``depth``/``deepen``/``unshallow`` shape the history."""
        options = ["--no-tags", "--no-recurse-submodules", "--quiet"]
        if depth is not None:
            options.append(f"--depth={depth}")
        if deepen is not None:
            options.append(f"--deepen={deepen}")
        if unshallow:
            options.append("--unshallow")
        self.run("fetch", *options, remote, *refspecs)

    def read_file(self, commit: str, path: str) -> str | None:
        """The text of ``path`` (relative to the repository top) at ``commit``, or None when absent."""
        code, kind, _ = self.run("cat-file", "-t", f"{commit}:{path}", ok=(0, 128))
        if code != 0 or kind.strip() != "blob":
            return None
        return self.run("cat-file", "blob", f"{commit}:{path}")[1]

    def worktree_add(self, path: Path, commit: str, *, detach: bool = True) -> None:
        """Check ``commit`` out in a new linked worktree at ``path``."""
        self.run("worktree", "add", *(["--detach"] if detach else []), str(path), commit)

    def worktree_remove(self, path: Path, *, force: bool = True) -> None:
        """Remove a linked worktree (``--force``: even with untracked or modified files)."""
        self.run("worktree", "remove", *(["--force"] if force else []), str(path))

    def worktree_prune(self) -> None:
        """Forget worktrees whose folders are gone."""
        self.run("worktree", "prune")

    def _error(self, args: Sequence[str], code: int, stderr: str) -> InputError:
        lines = [line.strip() for line in stderr.splitlines() if line.strip()]
        first = next(
            (line for line in lines if line.lower().startswith(("fatal:", "error:"))), lines[0] if lines else ""
        )
        if "not a git repository" in stderr:
            return GitError(
                f"{self.cwd} is not inside a git repository",
                returncode=code,
                stderr=stderr,
                hint="run mlgate in a clone of the project (actions/checkout), or compare folders with `mlgate compare`",
            )
        command = " ".join(args[:2]) if args[0] in _TWO_WORD_COMMANDS else args[0]
        detail = first or f"exit code {code}"
        return GitError(f"git {command} failed: {detail}", returncode=code, stderr=stderr)
