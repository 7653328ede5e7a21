"""Rows added and removed between two versions of a dataset (CSV, gzipped CSV or Parquet), as multisets.

A row is the tuple of its values in the columns both versions share (sorted by name), so a reordered file
adds and removes nothing. Rows are kept as 16-byte digests, not as values.
"""

from __future__ import annotations

import contextlib
import csv
import gzip
import hashlib
import io
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from mlgate.config import CsvConfig


@dataclass(frozen=True)
class RowChanges:
    added: int
    removed: int


def count_row_changes(old: Path, new: Path, *, name: str, csv_options: CsvConfig) -> RowChanges | None:
    """Rows of ``new`` not in ``old`` and the reverse; ``name`` (the dataset) gives the format; None: unreadable."""
    lower = name.lower()
    if not lower.endswith((".parquet", ".csv", ".csv.gz", ".tsv", ".txt")):
        return None
    try:
        shared = sorted(set(_columns(old, lower, csv_options)) & set(_columns(new, lower, csv_options)))
        before = _digests(old, lower, csv_options, shared)
        after = _digests(new, lower, csv_options, shared)
    except (OSError, ValueError, UnicodeDecodeError, csv.Error, EOFError):
        return None
    return RowChanges(added=sum((after - before).values()), removed=sum((before - after).values()))


def _columns(path: Path, lower: str, options: CsvConfig) -> list[str]:
    with _rows(path, lower, options) as (columns, _):
        return columns


def _digests(path: Path, lower: str, options: CsvConfig, shared: list[str]) -> Counter[bytes]:
    counts: Counter[bytes] = Counter()
    with _rows(path, lower, options) as (columns, rows):
        positions = [columns.index(c) for c in shared]
        for row in rows:
            values = [repr(row[i]) if i < len(row) else "" for i in positions]
            counts[hashlib.blake2b("\x1f".join(values).encode("utf-8"), digest_size=16).digest()] += 1
    return counts


@contextlib.contextmanager
def _rows(path: Path, lower: str, options: CsvConfig) -> Iterator[tuple[list[str], Iterator[Sequence[object]]]]:
    if lower.endswith(".parquet"):
        import pyarrow.parquet as pq

        table = pq.read_table(path)
        yield [str(c) for c in table.column_names], (tuple(row.values()) for row in table.to_pylist())
        return
    with (
        gzip.open(path, "rb") if lower.endswith(".gz") else path.open("rb") as raw,
        io.TextIOWrapper(raw, encoding=options.encoding or "utf-8-sig", newline="") as text,
    ):
        reader = csv.reader(
            text,
            delimiter=options.delimiter,
            quotechar=options.quote_char,
            doublequote=options.double_quote,
            escapechar=options.escape_char,
        )
        yield next(reader, []), reader
