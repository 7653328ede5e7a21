"""Row and line numbers: map parsed-record ordinals to Frictionless rows and physical CSV lines.

A cheap newline count tells whether every record is one line (then rows and lines follow from the
ordinal and the skipped ragged rows); otherwise one pass with Python's csv module maps them exactly.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from mlgate.config import CsvConfig
from mlgate.data.csvlines import map_lines
from mlgate.data.sources import FilesystemFactory, Location, ReadStats

I64 = npt.NDArray[np.int64]


@dataclass
class RowNumbering:
    """Maps parsed-record ordinals to Frictionless rows and physical lines."""

    width: int
    rows_of: Callable[[I64], I64]
    lines_of: Callable[[I64], I64] | None
    ragged_rows: list[int]
    blank_rows: tuple[tuple[int, int], ...] = ()
    notes: tuple[str, ...] = ()

    @classmethod
    def for_file(
        cls,
        location: Location,
        stats: ReadStats,
        records: int,
        width: int,
        csv: CsvConfig,
        s3: FilesystemFactory | None,
    ) -> RowNumbering:
        if location.format != "csv":
            return cls(width, lambda o: o + 2, None, [])
        breaks = stats.newlines or stats.carriage_returns
        lines = breaks + (1 if stats.last_byte not in (b"\n", b"\r", b"") else 0)
        if lines == 1 + records + len(stats.ragged):
            ragged = sorted(r.number for r in stats.ragged)
            shifted = np.asarray(ragged, np.int64) - np.arange(len(ragged)) - 2

            def rows_of(o: I64) -> I64:
                return o + 2 + np.searchsorted(shifted, o, side="right")

            return cls(width, rows_of, rows_of, [r.number for r in stats.ragged])
        mapped = map_lines(location, csv, width, s3=s3)
        if len(mapped.rows) != records or len(mapped.ragged) != len(stats.ragged):
            note = "row numbers are approximate: the file's quoting confuses record boundaries"
            return cls(width, lambda o: o + 2, None, [r.number for r in stats.ragged], (), (note,))
        return cls(
            width,
            lambda o: mapped.rows[o],
            lambda o: mapped.lines[o],
            [row for row, _ in mapped.ragged],
            mapped.blank_rows,
        )


def lines_for_rows(rows: I64, numbering: RowNumbering) -> I64:
    """Lines of rows resolved outside the ordinal mapping (header, ragged and blank rows)."""
    by_row = {row: line for row, line in numbering.blank_rows}
    return np.asarray([by_row.get(int(r), int(r)) for r in rows], np.int64)
