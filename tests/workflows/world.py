"""The world a workflow run under act sees: a baked project's repository, mlgate, actions, Python and services.

- ``bake_repository``: the cookiecutter template baked (tests/e2e/bake.py) with ``mlgate_ref`` = the commit under
  test, committed to ``main`` of a git repository whose ``origin`` is https://github.com/acme/churn.git (act
  derives ``GITHUB_REPOSITORY`` from it; it is never contacted).
- ``clone_mlgate``: a clone of this checkout at HEAD; act resolves ``mlgate/mlgate/.github/workflows/X.yml@REF``
  there (``--local-repository``), and the jobs' ``pip install git+https://github.com/mlgate/mlgate@REF`` reaches it
  through git's ``url.<clone>.insteadOf`` (``GIT_CONFIG_*``), so no workflow is edited.
- ``list_pins`` / ``map_actions``: every third-party ``uses:`` pin of mlgate's workflows and actions, each mapped to
  its folder in ``shared/act/actions`` (a pin without a folder fails the tier). aws-actions/configure-aws-credentials
  (OIDC: GitHub's token exchanged with AWS STS, impossible offline) is mapped to ``stand-ins/aws-credentials``,
  which exports the moto server's environment credentials instead.
- ``make_tool_cache``: setup-python finds ``$RUNNER_TOOL_CACHE/Python/<x.y.z>/x64`` (and ``x64.complete``) before
  it would download. That entry is a venv of this interpreter holding this venv's packages (symlinks), so a job's
  ``pip install`` (or ``uv pip install``) of mlgate needs neither an index nor a build download (``PIP_NO_INDEX``,
  ``UV_OFFLINE``, no build isolation: hatchling is a test dependency).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import sysconfig
from collections.abc import Mapping
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
STAND_INS = Path(__file__).resolve().parent / "stand-ins"
REPOSITORY = "acme/churn"
ORIGIN = f"https://github.com/{REPOSITORY}.git"
MLGATE = "mlgate/mlgate"
PIN = re.compile(r"uses:\s*(?P<action>[\w.-]+/[\w.-]+)(?P<sub>/[\w./-]+)?@(?P<sha>[0-9a-f]{40})\b")
# shared/act/actions/<folder> per action repository; the OIDC action gets the stand-in.
FOLDERS = {
    "actions/checkout": "actions-checkout",
    "actions/setup-python": "actions-setup-python",
    "actions/cache": "actions-cache",
    "actions/upload-artifact": "actions-upload-artifact",
    "actions/download-artifact": "actions-download-artifact",
}
OIDC_ACTION = "aws-actions/configure-aws-credentials"
# The projects' Python: this interpreter's, which setup-python then finds in the tool cache.
PYTHON = f"{sys.version_info.major}.{sys.version_info.minor}"
# Entries of this venv's site-packages never linked into the tool-cache Python: mlgate (the jobs install it) and
# the files of its editable install.
NOT_LINKED = ("mlgate", "_mlgate", "_editable_impl_mlgate", "__editable__", "__pycache__")


def find_shared_actions() -> Path:
    """``shared/act/actions`` beside the checkout (CI: ``../shared``; a worktree: ``../../shared``), or beside the
    repository this one was cloned from when ``origin`` is a local folder (a clone in a temporary folder)."""
    bases = [ROOT.parent, ROOT.parent.parent]
    origin = subprocess.run(
        ["git", "-C", str(ROOT), "config", "--get", "remote.origin.url"], capture_output=True, text=True, check=False
    ).stdout.strip()
    if origin and "://" not in origin and Path(origin).is_dir():
        source = Path(origin).resolve()
        bases += [source.parent, source.parent.parent]
    for base in bases:
        folder = base / "shared" / "act" / "actions"
        if folder.is_dir():
            return folder
    raise AssertionError(f"no shared/act/actions beside {ROOT}, its parent or its origin: the workflow tier needs it")


def list_pins(root: Path = ROOT) -> set[tuple[str, str]]:
    """(owner/name, sha) of every pinned ``uses:`` in mlgate's workflows and actions."""
    files = [*(root / ".github" / "workflows").glob("*.yml"), root / "action.yml", *(root / "actions").glob("*/*.yml")]
    return {(m["action"], m["sha"]) for path in files for m in PIN.finditer(path.read_text(encoding="utf-8"))}


def map_actions(shared: Path, pins: set[tuple[str, str]]) -> dict[str, Path]:
    mapping = {}
    for action, sha in sorted(pins):
        folder = STAND_INS / "aws-credentials" if action == OIDC_ACTION else shared / FOLDERS.get(action, "?")
        assert folder.is_dir(), f"no local copy of {action}@{sha} ({folder}): add it to shared/act/actions"
        mapping[f"{action}@{sha}"] = folder
    return mapping


def git(cwd: Path, *args: str) -> str:
    env = {
        "GIT_AUTHOR_NAME": "Dev",
        "GIT_AUTHOR_EMAIL": "dev@example.com",
        "GIT_COMMITTER_NAME": "Dev",
        "GIT_COMMITTER_EMAIL": "dev@example.com",
        "GIT_CONFIG_NOSYSTEM": "1",
    }
    done = subprocess.run(
        ["git", *args], cwd=cwd, env={**os.environ, **env}, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, f"git {' '.join(args)} in {cwd}: {done.stderr}"
    return done.stdout.strip()


def clone_mlgate(folder: Path) -> tuple[Path, str]:
    """A clone of this checkout at HEAD and that commit's sha."""
    git(folder.parent, "clone", "-q", "--no-hardlinks", str(ROOT), str(folder))
    return folder, git(folder, "rev-parse", "HEAD")


def bake_repository(folder: Path, ref: str, answers: Mapping[str, Any]) -> Path:
    """The template baked into ``folder`` (answers on top of the defaults), committed on ``main``."""
    sys.path.insert(0, str(ROOT / "tests"))
    from e2e.bake import Run

    run = Run(folder / "bake")
    with run.isolated():
        project = run.bake({"mlgate_ref": ref, **answers}, folder)
    git(project, "init", "-q", "-b", "main")
    git(project, "remote", "add", "origin", ORIGIN)
    git(project, "add", "-A")
    git(project, "commit", "-q", "-m", "baked from the mlgate template")
    return project


def strip_cache_mode(project: Path) -> None:
    """act 0.2.89's schema refuses the job key ``cache-mode`` (GitHub's, newer than act): the callers drop it."""
    for path in (project / ".github" / "workflows").glob("*.yml"):
        text = path.read_text(encoding="utf-8")
        path.write_text(re.sub(r"(?m)^\s+cache-mode: .*\n", "", text), encoding="utf-8")


def make_tool_cache(tool_cache: Path, versions: tuple[str, ...] = ()) -> list[Path]:
    """setup-python's offline entries: a venv of this interpreter per version, holding this venv's packages.

    The packages are symlinks into this venv's site-packages (so pip and uv count them as installed in the entry),
    mlgate itself excepted: the jobs install it from the clone. ``.pth`` files are not linked (an editable
    install's finder would put this checkout on the jobs' path).
    """
    here = f"{sys.version_info.major}.{sys.version_info.minor}.{sys.version_info.micro}"
    source = Path(sysconfig.get_paths()["purelib"])
    made = []
    for version in (here, *versions):
        target = tool_cache / "Python" / version / "x64"
        base = getattr(sys, "_base_executable", sys.executable)
        subprocess.run([base, "-m", "venv", "--without-pip", str(target)], check=True, capture_output=True)
        purelib = Path(sysconfig.get_paths(vars={"base": str(target), "platbase": str(target)})["purelib"])
        for entry in source.iterdir():
            if not entry.name.startswith(NOT_LINKED) and entry.suffix != ".pth":
                (purelib / entry.name).symlink_to(entry)
        uv = Path(sys.executable).with_name("uv")
        if uv.is_file():  # `python -m uv` looks for its binary beside the interpreter
            (target / "bin" / "uv").symlink_to(uv)
        (target.parent / "x64.complete").write_text("", encoding="utf-8")
        made.append(target)
    return made


def install_env(clone: Path, folder: Path) -> dict[str, str]:
    """The jobs' install step reaches the clone, with no index and no build download (pip or uv).

    uv resolves every dependency against an index even when it is installed, so its config (``UV_CONFIG_FILE``)
    says ``no-deps``: the tool-cache Python already holds them; the install adds mlgate alone.
    """
    config = folder / "uv.toml"
    config.write_text("[pip]\nno-deps = true\n", encoding="utf-8")
    return {
        "GIT_CONFIG_COUNT": "1",
        "GIT_CONFIG_KEY_0": f"url.{clone}.insteadOf",
        "GIT_CONFIG_VALUE_0": f"https://github.com/{MLGATE}",
        "PIP_NO_INDEX": "1",
        "PIP_NO_BUILD_ISOLATION": "0",
        "PIP_DISABLE_PIP_VERSION_CHECK": "1",
        "UV_OFFLINE": "1",
        "UV_NO_BUILD_ISOLATION": "1",
        "UV_PYTHON_DOWNLOADS": "never",
        "UV_CONFIG_FILE": str(config),
    }
