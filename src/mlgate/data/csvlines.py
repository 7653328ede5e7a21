"""Row and line numbers for CSV files whose records do not map one-to-one onto lines.

Only needed when a file has blank lines or quoted values with line breaks (a cheap newline count
tells). One pass with Python's csv module maps each parsed record to its Frictionless row number
(header = 1, blank rows counted) and its first physical line, and finds the blank rows.
"""

from __future__ import annotations

import csv
import io
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from mlgate.config import CsvConfig
from mlgate.data.sources import FilesystemFactory, Location, open_binary
from mlgate.errors import DataError

_FIELD_SIZE_LIMIT = 2**31 - 1  # the largest value csv accepts on every platform (a C long)
_LIMIT_LOCK = threading.Lock()  # csv's field limit is one per process: passes in threads share one raise
_raised = [0, 0]  # [passes running, the limit before the first of them]


@contextmanager
def large_fields() -> Iterator[None]:
    """Lift csv's field size limit while the block runs: pyarrow reads cells of any size, so must the second pass.

    The limit is global to the process and passes may run in threads at once: the first one in saves it, the
    last one out restores it (saving and restoring per pass would let one pass put back another's raised value).
    """
    with _LIMIT_LOCK:
        if _raised[0] == 0:
            _raised[1] = csv.field_size_limit(_FIELD_SIZE_LIMIT)
        _raised[0] += 1
    try:
        yield
    finally:
        with _LIMIT_LOCK:
            _raised[0] -= 1
            if _raised[0] == 0:
                csv.field_size_limit(_raised[1])


@dataclass(frozen=True)
class LineMap:
    rows: npt.NDArray[np.int64]  # per parsed record (ordinal): Frictionless row number
    lines: npt.NDArray[np.int64]  # per parsed record: first physical line
    blank_rows: tuple[tuple[int, int], ...]  # (row, line)
    ragged: tuple[tuple[int, int], ...]  # (row, line) in file order


def map_lines(location: Location, dialect: CsvConfig, width: int, *, s3: FilesystemFactory | None = None) -> LineMap:
    raw = open_binary(location, s3=s3)
    text = io.TextIOWrapper(raw, encoding=dialect.encoding or "utf-8-sig", newline="")
    reader = csv.reader(
        text,
        delimiter=dialect.delimiter,
        quotechar=dialect.quote_char or '"',
        quoting=csv.QUOTE_MINIMAL if dialect.quote_char else csv.QUOTE_NONE,
        doublequote=dialect.double_quote,
        escapechar=dialect.escape_char,
        strict=False,
    )
    rows: list[int] = []
    lines: list[int] = []
    blank: list[tuple[int, int]] = []
    ragged: list[tuple[int, int]] = []
    previous_end = 0
    row_number = 0
    try:
        with large_fields():
            for record in reader:
                row_number += 1
                start = previous_end + 1
                previous_end = reader.line_num
                if row_number == 1:
                    continue
                if not record:
                    blank.append((row_number, start))
                elif len(record) != width:
                    ragged.append((row_number, start))
                else:
                    rows.append(row_number)
                    lines.append(start)
    except csv.Error as exc:
        raise DataError(f"{location.uri}:{reader.line_num}: not a readable CSV file: {exc}") from exc
    finally:
        text.close()
    return LineMap(np.asarray(rows, np.int64), np.asarray(lines, np.int64), tuple(blank), tuple(ragged))
