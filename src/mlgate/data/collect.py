"""Collect violations batch by batch (as record ordinals) and resolve them into reported rows."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from mlgate.data import compute as pc
from mlgate.data.numbering import RowNumbering, lines_for_rows
from mlgate.data.results import Violation
from mlgate.data.schema import Severity

I64 = npt.NDArray[np.int64]


@dataclass
class Entry:
    field_name: str | None
    check: str
    severity: Severity
    message: str
    ordinals: list[I64] = field(default_factory=list)
    rows: list[int] = field(default_factory=list)  # already resolved (ragged rows, file level)
    examples: list[Any] = field(default_factory=list)
    first_ordinals: I64 | None = None


class Collector:
    def __init__(self, max_examples: int) -> None:
        self.max_examples = max_examples
        self.entries: dict[tuple[str | None, str], Entry] = {}

    def entry(self, name: str | None, check: str, severity: Severity, message: str) -> Entry:
        key = (name, check)
        if key not in self.entries:
            self.entries[key] = Entry(name, check, severity, message)
        return self.entries[key]

    def add_mask(self, entry: Entry, mask: pa.Array, raw: pa.Array | None, base: int) -> None:
        index = pc.indices_nonzero(mask).to_numpy().astype(np.int64)
        if len(index) == 0:
            return
        entry.ordinals.append(index + base)
        if raw is not None and len(entry.examples) < self.max_examples:
            self.add_examples(entry, pc.take(raw, pc.from_numpy(index[: self.max_examples * 4])).to_pylist())

    def add_examples(self, entry: Entry, values: Sequence[Any]) -> None:
        for value in values:
            if len(entry.examples) >= self.max_examples:
                return
            if value not in entry.examples:
                entry.examples.append(value)


def finish_entry(entry: Entry, numbering: RowNumbering, with_lines: bool) -> Violation:
    ordinals = np.concatenate(entry.ordinals) if entry.ordinals else np.zeros(0, np.int64)
    mapped_rows = numbering.rows_of(ordinals) if len(ordinals) else ordinals
    rows = np.concatenate([mapped_rows, np.asarray(entry.rows, np.int64)])
    order = np.argsort(rows, kind="stable")
    rows = rows[order]
    lines = None
    if with_lines and numbering.lines_of is not None:
        lines_all = np.concatenate(
            [
                numbering.lines_of(ordinals) if len(ordinals) else ordinals,
                lines_for_rows(np.asarray(entry.rows, np.int64), numbering),
            ]
        )
        lines = tuple(int(x) for x in lines_all[order])
    firsts = None
    if entry.first_ordinals is not None:
        firsts = tuple(int(x) for x in numbering.rows_of(entry.first_ordinals)[order[: len(entry.first_ordinals)]])
    count = 1 if entry.check in ("row-count", "null-fraction") else len(rows)  # dataset-level: one finding
    return Violation(
        field=entry.field_name,
        check=entry.check,
        severity=entry.severity,
        count=count,
        rows=tuple(int(x) for x in rows),
        message=entry.message,
        lines=lines,
        examples=tuple(entry.examples),
        first_rows=firsts,
    )
