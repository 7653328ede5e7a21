"""The data versions of a PR check: each DVC-tracked dataset, its hash at the merge-base and at the head.

One line per dataset in every format (text, markdown, JSON); paths, hashes and notes come from files a PR
controls, so they are escaped like any other untrusted text (``mlgate.text``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from mlgate.text import terminal
from mlgate.text.markdown import code, md

if TYPE_CHECKING:
    from mlgate.dvc.changes import DataChange


def render_markdown_lines(changes: Sequence[DataChange]) -> list[str]:
    """``- 📦 `data/train.csv`: **changed** since the merge-base …``, one bullet per dataset."""
    return [f"- {'📦' if c.status != 'unreadable' else '⚠️'} " + _describe(c, name=_code, note=md) for c in changes]


def render_text_lines(changes: Sequence[DataChange]) -> list[str]:
    """The same lines for terminals."""
    return [_describe(c, name=terminal.escape, note=terminal.escape) for c in changes]


def to_data(changes: Sequence[DataChange]) -> list[dict[str, Any]]:
    """The ``data_versions`` list of the JSON report (docs/schemas/check.schema.json)."""
    return [
        {
            "dataset": c.dataset,
            "status": c.status,
            "tracked_by": c.source,
            "base_md5": c.base_md5,
            "head_md5": c.head_md5,
            "modified": c.modified,
            "rows_added": c.rows_added,
            "rows_removed": c.rows_removed,
            "note": c.note,
        }
        for c in changes
    ]


def _code(value: object, limit: int | None = 80) -> str:
    return f"`{code(value, limit)}`"


def _describe(c: DataChange, *, name: Callable[..., str], note: Callable[..., str]) -> str:
    head = name(c.head_md5[:12], 12) if c.head_md5 else ""
    base = name(c.base_md5[:12], 12) if c.base_md5 else ""
    where = f" ({name(c.source, 120)})" if c.source else ""
    text = f"{name(c.dataset, 120)}: "
    if c.status == "unchanged":
        text += f"DVC data unchanged since the merge-base, md5 {head}{where}"
    elif c.status == "changed":
        text += f"DVC data changed since the merge-base, md5 {base} → {head}{where}"
        if c.rows_added is not None and c.rows_removed is not None:
            text += f": {c.rows_added:,} rows added, {c.rows_removed:,} removed"
    elif c.status == "new":
        text += f"tracked by DVC since the merge-base, md5 {head}{where}"
    elif c.status == "untracked":
        text += f"no longer tracked by DVC (md5 {base} at the merge-base)"
    else:
        text += f"DVC data version md5 {head}{where}; the merge-base's cannot be compared"
    if c.modified:
        text += "; the file is modified since dvc add/repro (not the content DVC recorded)"
    if c.note and c.status in ("changed", "unreadable"):
        text += f" — {note(c.note, 300)}"
    return text
