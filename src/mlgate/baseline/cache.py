"""The baseline cache: one complete results folder per commit and mlgate version.

Layout: ``<root>/<commit sha>/<mlgate version>/`` holding ``metrics.json``, ``manifest.json``,
``models/<name>/model.skops`` and a ``COMPLETE`` marker written last. The key includes the mlgate
version, so an upgrade never reuses entries an older version wrote (their formats may differ). An entry
is filled in a temporary folder inside the cache root and renamed into place, so readers never see half
an entry and two writers racing for the same key both end with the same complete entry.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import tempfile
from pathlib import Path

from mlgate.baseline.git import is_full_sha
from mlgate.errors import InputError
from mlgate.files import write_atomic
from mlgate.results import METRICS_FILE, read_results

COMPLETE = "COMPLETE"
_VERSION = re.compile(r"[A-Za-z0-9][A-Za-z0-9._+-]*")
_TEMP_PREFIX = ".incoming-"


class BaselineCache:
    """Results folders of past runs keyed by commit sha and mlgate version."""

    def __init__(self, root: Path, mlgate_version: str) -> None:
        if not _VERSION.fullmatch(mlgate_version):
            raise InputError(f"baseline cache: invalid mlgate version for a cache key: {mlgate_version!r}")
        self.root = root
        self.mlgate_version = mlgate_version

    def actions_key(self, sha: str) -> str:
        """The GitHub Actions cache key of ``sha``'s entry (path: ``entry(sha)``)."""
        return f"mlgate-baseline-{sha}-{self.mlgate_version}"

    def entry(self, sha: str) -> Path:
        """Where the entry of ``sha`` lives (whether or not it exists)."""
        if not is_full_sha(sha):
            raise InputError(f"baseline cache: keys are full commit shas, not {sha!r}")
        return self.root / sha / self.mlgate_version

    def get(self, sha: str) -> Path | None:
        """The cached results folder of ``sha``, or None unless a complete entry exists."""
        folder = self.entry(sha)
        return folder if _is_complete(folder) else None

    def put(self, sha: str, results_folder: Path) -> Path:
        """Copy a results folder into the cache as the entry of ``sha``; returns the entry folder.

        If another writer completed the same entry first, its entry is kept and returned.
        """
        target = self.entry(sha)
        if not (results_folder / METRICS_FILE).is_file():
            raise InputError(f"baseline cache: {results_folder} has no {METRICS_FILE}", hint="run `mlgate train` first")
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            staging = Path(tempfile.mkdtemp(dir=self.root, prefix=_TEMP_PREFIX))
        except OSError as exc:
            raise InputError(f"baseline cache: cannot write to {self.root}: {exc.strerror}") from exc
        try:
            shutil.copytree(results_folder, staging, dirs_exist_ok=True)
            marker = {"commit": sha, "mlgate_version": self.mlgate_version}
            write_atomic(staging / COMPLETE, json.dumps(marker) + "\n")
            _move_into_place(staging, target)
        except OSError as exc:
            raise InputError(f"baseline cache: cannot store {results_folder} in {target}: {exc}") from exc
        finally:
            shutil.rmtree(staging, ignore_errors=True)
        return target

    def prune(self, keep: int) -> list[Path]:
        """Keep the ``keep`` most recently stored entries (any version); remove the rest and broken ones."""
        if not self.root.is_dir():
            return []
        complete: list[tuple[float, Path]] = []
        removed: list[Path] = []
        for folder in sorted(p for p in self.root.glob("*/*") if p.is_dir() and is_full_sha(p.parent.name)):
            if _is_complete(folder):
                complete.append(((folder / COMPLETE).stat().st_mtime, folder))
            else:
                removed.append(folder)
        complete.sort(key=lambda item: item[0], reverse=True)
        removed += [folder for _, folder in complete[max(keep, 0) :]]
        for folder in removed:
            shutil.rmtree(folder, ignore_errors=True)
            with contextlib.suppress(OSError):  # only succeeds once the commit has no entries left
                folder.parent.rmdir()
        return removed


def save_baseline(cache: BaselineCache, sha: str, results_folder: Path) -> Path:
    """Store this run's results folder as the baseline of commit ``sha`` (used on the base branch).

    The folder must be a readable result set; if it records a commit, that commit must be ``sha``.
    """
    results = read_results(results_folder)
    if results.commit and not sha.startswith(results.commit) and not results.commit.startswith(sha):
        raise InputError(
            f"baseline cache: {results_folder} holds results of commit {results.commit[:7]}, not {sha[:7]}",
            hint="store the results folder trained at that commit",
        )
    return cache.put(sha, results_folder)


def _is_complete(folder: Path) -> bool:
    return (folder / COMPLETE).is_file() and (folder / METRICS_FILE).is_file()


def _move_into_place(staging: Path, target: Path) -> None:
    """Rename ``staging`` to ``target``; a complete entry already there wins, an incomplete one is replaced."""
    target.parent.mkdir(parents=True, exist_ok=True)
    for _ in range(3):
        try:
            os.rename(staging, target)
            return
        except OSError:
            if _is_complete(target):
                return
            if target.exists():
                _discard(target)
    os.rename(staging, target)


def _discard(folder: Path) -> None:
    """Move a broken entry out of the way (atomically), then delete it."""
    graveyard = Path(tempfile.mkdtemp(dir=folder.parent.parent, prefix=_TEMP_PREFIX))
    with contextlib.suppress(FileNotFoundError):  # another writer discarded it first
        os.rename(folder, graveyard / "old")
    shutil.rmtree(graveyard, ignore_errors=True)
