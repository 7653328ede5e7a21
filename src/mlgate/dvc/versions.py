"""The data version of each dataset of mlgate.yaml: DVC's hash of it, checked against the workspace file.

``read_data_versions(config)`` looks at ``data.train``, ``data.test`` and ``data.datasets``. A dataset with no
DVC file tracking it has no entry. A tracked file whose content no longer has DVC's hash is ``modified`` (what
``dvc status`` calls a changed output: edited since ``dvc add`` / ``dvc repro``). A tracked file missing from the
workspace stops the run (InputError) with the DVC command that brings it back: ``dvc checkout`` when the
cache holds it, ``dvc pull`` when it does not.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mlgate.config import Config
from mlgate.dvc.tracking import (
    Reader,
    Tracked,
    file_md5,
    find_cache_dir,
    find_cache_object,
    find_dvc_root,
    find_tracking,
)
from mlgate.errors import InputError
from mlgate.files import display_path


@dataclass(frozen=True)
class DataVersion:
    """DVC's record of one dataset and the workspace file's own hash (None when not computed)."""

    dataset: str  # as messages show it (``files.display_path``)
    tracked: Tracked
    root: Path  # the DVC root
    workspace_md5: str | None

    @property
    def modified(self) -> bool:
        """The workspace file is not the content DVC recorded (edited since ``dvc add`` / ``dvc repro``)."""
        return self.workspace_md5 is not None and self.workspace_md5 != self.tracked.md5

    @property
    def source(self) -> str:
        """The tracking file as messages show it."""
        return display_path(str(self.root / self.tracked.source))

    def to_data(self) -> dict[str, Any]:
        """The ``dvc`` block of a manifest's data entry."""
        return {
            "md5": self.tracked.md5,
            "file": self.source,
            "stage": self.tracked.stage,
            "modified": self.modified,
            "workspace_md5": self.workspace_md5,
        }


def describe_version(version: DataVersion) -> str:
    """One line for progress and reports: the data version, and whether the file still holds it."""
    line = f"{version.dataset}: DVC data version md5 {version.tracked.md5[:12]} ({version.source})"
    if version.modified:
        line += f", but the file is modified since dvc add/repro (its md5 is {(version.workspace_md5 or '')[:12]})"
    return line


def dataset_locations(config: Config) -> list[str]:
    """The local datasets of mlgate.yaml (train, test, then ``datasets``), each once; URIs left out."""
    found: list[str] = []
    for location in (config.data.train, config.data.test, *config.data.datasets):
        if location and "://" not in location and location not in found:
            found.append(location)
    return found


def read_data_versions(config: Config) -> dict[str, DataVersion]:
    """Each tracked dataset's version, keyed by its display path (the ``uri`` manifests record)."""
    versions = {}
    for location in dataset_locations(config):
        version = read_data_version(Path(location))
        if version is not None:
            versions[version.dataset] = version
    return versions


def read_data_version(path: Path) -> DataVersion | None:
    """``path``'s DVC record, or None when no DVC file tracks it (see the module docstring)."""
    absolute = path.absolute()
    root = find_dvc_root(absolute.parent)
    if root is None:
        return None
    try:
        relative = absolute.relative_to(root).as_posix()
    except ValueError:
        return None
    tracked = find_tracking(relative, workspace_reader(root))
    if tracked is None:
        return None
    dataset = display_path(str(path))
    if not absolute.is_file():
        raise _missing(dataset, tracked, root)
    return DataVersion(dataset, tracked, root, file_md5(absolute, legacy=tracked.legacy))


def _missing(dataset: str, tracked: Tracked, root: Path) -> InputError:
    source = display_path(str(root / tracked.source))
    cached = find_cache_object(find_cache_dir(root), tracked.md5) is not None
    where = "the workspace" if cached else "the workspace and from the DVC cache"
    verb = "checkout" if cached else "pull"
    return InputError(
        f"{dataset}: tracked by {source} (md5 {tracked.md5[:12]}) but missing from {where}",
        hint=f"run `dvc {verb} {source}`" + ("" if cached else " (needs the DVC remote and its credentials)"),
    )


def workspace_reader(root: Path) -> Reader:
    """Files of the DVC repository at ``root`` as they are on disk (absent: None; unreadable: InputError)."""

    def read(relative: str) -> str | None:
        try:
            return (root / relative).read_text(encoding="utf-8")
        except (FileNotFoundError, NotADirectoryError, IsADirectoryError):
            return None
        except (OSError, UnicodeDecodeError) as exc:
            raise InputError(f"{display_path(str(root / relative))}: cannot read: {exc}") from exc

    return read
