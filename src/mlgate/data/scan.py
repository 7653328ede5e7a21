"""The ground floor of the data gate: open a dataset as a table of record batches, and scan it once.

``open_table`` is the one place that tells CSV from Parquet (``arrow_table`` wraps data already in memory,
such as captured traffic). ``scan`` casts each batch to the schema's types (``mlgate.data.casting``) and
hands the typed batch to any number of observers: validation (``mlgate.data.validate``), reference
statistics (``mlgate.data.stats``) and drift (``mlgate.data.drift``) all ride the same pass. Records whose
every cell is missing are blank rows: the scan marks them, and observers see only the others' values.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal, Protocol

import pyarrow as pa

from mlgate.config import CsvConfig
from mlgate.data import compute as pc
from mlgate.data.casting import Cast, cast_column
from mlgate.data.headers import Report, match_header
from mlgate.data.numbering import RowNumbering
from mlgate.data.prefetch import prefetch
from mlgate.data.schema import Schema
from mlgate.data.sources import FilesystemFactory, Location, ReadStats, iter_parquet, open_parquet, stream_csv
from mlgate.progress import Progress


@dataclass
class Table:
    """An opened dataset: its header and its record batches (closing ``batches`` closes the file).

    ``total`` is the size the progress is measured against, in ``unit``: bytes for CSV (the bytes read so far are
    in ``read``, which also collects line breaks and ragged rows), rows for Parquet and tables in memory.
    ``types`` are the column types a Parquet file or a table in memory declares; None for CSV (every cell is text).
    """

    uri: str
    header: list[str]
    batches: Iterator[pa.RecordBatch]
    total: int
    unit: Literal["bytes", "rows"]
    types: tuple[pa.DataType, ...] | None = None
    read: ReadStats = field(default_factory=ReadStats)
    location: Location | None = None  # None: the batches are held in memory
    held: pa.Table | None = None

    @property
    def format(self) -> str:
        """``csv``, ``csv.gz``, ``parquet`` or ``arrow`` (in memory)."""
        if self.location is None:
            return "arrow"
        return self.location.format + (".gz" if self.location.gzip else "")

    def done(self, records: int) -> int:
        """How far a read that has yielded ``records`` records is, in ``unit``."""
        return self.read.bytes_read if self.unit == "bytes" else records

    def match(self, schema: Schema, report: Report | None = None) -> dict[str, int]:
        """Field name -> column index for the schema's fields in the header (``mlgate.data.headers``)."""
        return match_header(self.header, schema, report or _ignore)


def open_table(
    location: Location,
    csv: CsvConfig,
    *,
    columns: Sequence[int] | None = None,
    s3: FilesystemFactory | None = None,
    tally: bool = True,
) -> Table:
    """Open a CSV (``.csv.gz``) or Parquet file as a Table of the columns at ``columns`` (default: all).

    ``tally`` counts bytes and line breaks and collects ragged rows in ``Table.read`` (a main pass); without it
    pyarrow reads its own native stream and skips ragged rows silently (a re-read, training).
    """
    wanted = list(columns) if columns is not None else None
    if location.format == "csv":
        read = ReadStats()
        header, batches = stream_csv(location, csv, read if tally else None, s3=s3, columns=wanted)
        return Table(location.uri, header, batches, location.size, "bytes", read=read, location=location)
    parquet = open_parquet(location, s3=s3)
    header = list(parquet.schema_arrow.names)
    types = tuple(parquet.schema_arrow.types)
    names = [header[i] for i in wanted] if wanted is not None else None
    batches = iter_parquet(parquet, location, columns=names)
    return Table(location.uri, header, batches, int(parquet.metadata.num_rows), "rows", types, location=location)


def arrow_table(uri: str, table: pa.Table) -> Table:
    """A Table over data already in memory (``uri`` names it in results)."""
    return Table(
        uri,
        list(table.column_names),
        iter(table.to_batches()),
        table.num_rows,
        "rows",
        tuple(table.schema.types),
        held=table,
    )


@dataclass
class CastBatch:
    """One batch as the scan hands it to observers.

    ``arrays`` are the raw columns by header position; ``casts`` the typed values of each schema field in the
    header (``mlgate.data.casting.Cast``); ``base`` the ordinal of the batch's first record in the table;
    ``blank`` marks the records whose every cell is missing and ``keep`` the others (both None when none is).
    """

    arrays: list[pa.Array]
    casts: dict[str, Cast]
    base: int
    blank: pa.Array | None = None
    keep: pa.Array | None = None
    _valid: dict[str, pa.Array] = field(default_factory=dict, repr=False)

    def valid(self, name: str) -> pa.Array:
        """The values of field ``name`` that are neither missing nor invalid, blank rows left out."""
        if name not in self._valid:
            cast = self.casts[name]
            ok = pc.invert(pc.or_(cast.missing, cast.invalid))
            self._valid[name] = pc.filter(cast.values, ok if self.keep is None else pc.and_(ok, self.keep))
        return self._valid[name]


class BatchObserver(Protocol):
    """Receives every typed batch of a scan (validation, statistics, drift)."""

    def observe_batch(self, batch: CastBatch) -> None: ...


def scan(
    table: Table,
    schema: Schema,
    columns: Mapping[str, int],
    observers: Sequence[BatchObserver],
    *,
    progress: Progress | None = None,
) -> int:
    """Cast every batch of ``table`` (``columns``: field name -> column index) and feed it to ``observers``.

    Batches are read ahead on a second thread (``mlgate.data.prefetch``). Returns the number of records.
    """
    fields = [item for item in schema.fields if item.name in columns]
    mapped = set(columns.values())
    records = 0
    for batch in prefetch(table.batches):
        arrays = [batch.column(i) for i in range(batch.num_columns)]
        casts = {
            item.name: cast_column(arrays[columns[item.name]], item, schema.missing_values_for(item)) for item in fields
        }
        blank = _blank_rows(arrays, casts, mapped)
        typed = CastBatch(arrays, casts, records, blank, None if blank is None else pc.invert(blank))
        for observer in observers:
            observer.observe_batch(typed)
        records += batch.num_rows
        if progress:
            progress(table.uri, table.done(records), table.total, records)
    return records


def number_rows(table: Table, records: int, csv: CsvConfig, s3: FilesystemFactory | None = None) -> RowNumbering:
    """How the ``records`` scanned map to Frictionless rows and lines (a second pass for some CSV files)."""
    if table.location is None:  # in memory: record n is row n + 2, as in a Parquet file
        return RowNumbering(len(table.header), lambda o: o + 2, None, [])
    return RowNumbering.for_file(table.location, table.read, records, len(table.header), csv, s3)


def count_rows(table: Table, records: int, csv: CsvConfig, s3: FilesystemFactory | None = None) -> int:
    """The rows of a scanned table as validation counts them: records, ragged rows and blank lines."""
    return records + len(table.read.ragged) + len(number_rows(table, records, csv, s3).blank_rows)


def _blank_rows(arrays: list[pa.Array], casts: dict[str, Cast], mapped: set[int]) -> pa.Array | None:
    """The mask of records whose every cell is missing, or None when there is none."""
    if any(not cast.has_missing for cast in casts.values()):
        return None  # some column has a value in every row: no row is blank
    empties = [cast.missing for cast in casts.values()]
    for index, array in enumerate(arrays):
        if index not in mapped:
            empty = pc.is_null(array)
            if pa.types.is_string(array.type):
                empty = pc.or_(empty, pc.fill_null(pc.equal(array, ""), True))
            empties.append(empty)
    if not empties:
        return None
    blank = empties[0]
    for empty in empties[1:]:
        blank = pc.and_(blank, empty)
    return blank if blank.true_count else None


def _ignore(name: str | None, check: str, severity: str, message: str) -> None:
    """Header problems nobody reports (statistics, training)."""
