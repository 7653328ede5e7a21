"""How each DVC-tracked dataset changed between the merge-base and the head, by DVC's hash (``mlgate check``).

The head's record is the workspace's tracking file (``versions.read_data_versions``); the merge-base's is the
same tracking file read at the merge-base through ``read_base`` (an absolute workspace path -> its text at
that commit, None when absent). When the hash changed and DVC's cache holds the merge-base's content, the rows
added and removed are counted against the workspace file (``rows.count_row_changes``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Literal

from mlgate.config import Config
from mlgate.dvc.rows import count_row_changes
from mlgate.dvc.tracking import Reader, Tracked, find_cache_dir, find_cache_object, find_dvc_root, find_tracking
from mlgate.dvc.versions import DataVersion, dataset_locations
from mlgate.errors import InputError
from mlgate.files import display_path

BaseReader = Callable[[Path], "str | None"]
Status = Literal["unchanged", "changed", "new", "untracked", "unreadable"]


@dataclass(frozen=True)
class DataChange:
    """One dataset: its hash at the merge-base and at the head, and what that means.

    ``status``: ``unchanged``/``changed`` (same or other hash), ``new`` (tracked now, not at the merge-base),
    ``untracked`` (tracked at the merge-base, not now), ``unreadable`` (the merge-base's DVC file is malformed).
    """

    dataset: str
    status: Status
    source: str | None = None  # the head's tracking file (display path)
    base_md5: str | None = None
    head_md5: str | None = None
    modified: bool = False  # the workspace file is not the head's recorded content
    rows_added: int | None = None
    rows_removed: int | None = None
    note: str | None = None


def diff_data_versions(
    config: Config, versions: Mapping[str, DataVersion], read_base: BaseReader
) -> tuple[DataChange, ...]:
    """A change per dataset tracked at the head or at the merge-base (see the module docstring)."""
    changes = []
    for location in dataset_locations(config):
        path = Path(location).absolute()
        dataset = display_path(location)
        root = find_dvc_root(path.parent)
        if root is None:
            continue
        head = versions.get(dataset)
        try:
            base = find_tracking(path.relative_to(root).as_posix(), _under(root, read_base))
        except InputError as exc:
            if head is not None:
                changes.append(_unreadable(head, exc.message))
            continue
        except ValueError:
            continue
        if head is None and base is None:
            continue
        changes.append(_compare(dataset, head, base, config))
    return tuple(changes)


def _under(root: Path, read_base: BaseReader) -> Reader:
    """The merge-base's files relative to the DVC root."""

    def read(relative: str) -> str | None:
        return read_base(root / relative)

    return read


def _unreadable(head: DataVersion, why: str) -> DataChange:
    return DataChange(
        head.dataset,
        "unreadable",
        source=head.source,
        head_md5=head.tracked.md5,
        modified=head.modified,
        note=f"the merge-base's DVC file cannot be read: {why}",
    )


def _compare(dataset: str, head: DataVersion | None, base: Tracked | None, config: Config) -> DataChange:
    if head is None:
        assert base is not None
        return DataChange(dataset, "untracked", base_md5=base.md5, note="no longer tracked by DVC")
    new = DataChange(dataset, "new", source=head.source, head_md5=head.tracked.md5, modified=head.modified)
    if base is None:
        return new
    if base.md5 == head.tracked.md5:
        return replace(new, status="unchanged", base_md5=base.md5)
    changed = replace(new, status="changed", base_md5=base.md5)
    old = find_cache_object(find_cache_dir(head.root), base.md5)
    if old is None:
        return replace(
            changed, note=f"rows not counted: the merge-base's data (md5 {base.md5[:12]}) is not in the DVC cache"
        )
    counted = count_row_changes(old, head.root / head.tracked.path, name=dataset, csv_options=config.data.csv)
    if counted is None:
        return replace(changed, note="rows not counted: one of the versions is not a readable CSV or Parquet file")
    return replace(changed, rows_added=counted.added, rows_removed=counted.removed)
