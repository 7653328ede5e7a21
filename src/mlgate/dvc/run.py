"""Running the ``dvc`` executable: the only place mlgate starts DVC (it never imports the ``dvc`` package).

``find_dvc`` looks the command up on PATH; a missing one is an InputError naming the extra that installs it.
Commands go through a ``DvcRunner`` (argv, cwd) -> ``DvcRun``, so tests and callers can pass their own.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from mlgate.errors import InputError

INSTALL_HINT = "install it beside mlgate: pip install 'mlgate[dvc]' (and the plugin of your remote, e.g. dvc-s3)"
TIMED_OUT = 124


@dataclass(frozen=True)
class DvcRun:
    """What one ``dvc`` command returned."""

    returncode: int
    stdout: str
    stderr: str


DvcRunner = Callable[[Sequence[str], Path], DvcRun]


def find_dvc(environ: Mapping[str, str] | None = None) -> str:
    """The ``dvc`` executable on PATH; none is an InputError saying how to install it."""
    path = (os.environ if environ is None else environ).get("PATH", os.defpath)
    found = shutil.which("dvc", path=path)
    if found is None:
        raise InputError("the `dvc` command is not installed (no `dvc` on PATH)", hint=INSTALL_HINT)
    return found


def make_dvc_runner(environ: Mapping[str, str] | None = None, *, timeout: float = 3600.0) -> DvcRunner:
    """A runner for the ``dvc`` found on PATH: no prompts, no analytics, C messages; a timeout is code 124."""
    env = dict(os.environ if environ is None else environ)
    executable = find_dvc(env)
    env |= {"DVC_NO_ANALYTICS": "1", "LC_ALL": "C", "LANGUAGE": "C", "GIT_TERMINAL_PROMPT": "0"}

    def run(args: Sequence[str], cwd: Path) -> DvcRun:
        try:
            done = subprocess.run(
                [executable, *args],
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
            return DvcRun(TIMED_OUT, "", f"ERROR: timed out after {timeout:g}s")
        except OSError as exc:
            raise InputError(f"cannot run {executable}: {exc.strerror or exc}", hint=INSTALL_HINT) from exc
        return DvcRun(done.returncode, done.stdout, done.stderr)

    return run
