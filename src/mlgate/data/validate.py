"""Validate datasets against a schema, streaming record batches in bounded memory.

``validate_file`` opens a dataset (``mlgate.data.scan.open_table``), checks its header, scans it once with the
constraint checker (``ConstraintChecker``, a scan observer, beside any others the caller adds: drift) and
then runs the file-level checks: ragged rows, blank rows, row counts, null fractions and uniqueness.
``validate_table`` does the same for a table already open (captured traffic, held in memory). Drift is
composed with validation in ``mlgate.data.gate``.

Every violation is reported with its exact count and all of its rows (Frictionless numbering:
header = row 1); for local plain CSV also the physical line. Library code: returns data, never prints.
"""

from __future__ import annotations

import contextlib
import csv as pycsv
import dataclasses
import time
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from mlgate.config import CsvConfig
from mlgate.data import compute as pc
from mlgate.data.casting import Cast, cast_column
from mlgate.data.checks import check_constraints, pattern_engine
from mlgate.data.collect import Collector, Entry, finish_entry
from mlgate.data.numbering import RowNumbering
from mlgate.data.results import FileResult, ValidationResult, Violation
from mlgate.data.scan import BatchObserver, CastBatch, Table, number_rows, open_table, scan
from mlgate.data.schema import Field, Schema
from mlgate.data.sources import FilesystemFactory, ReadStats, locate
from mlgate.data.uniqueness import UniqueTracker, combine_keys, is_short_strings, key_of
from mlgate.progress import Progress

I64 = npt.NDArray[np.int64]


def validate_files(
    uris: Sequence[str],
    schema: Schema,
    *,
    csv: CsvConfig,
    max_examples: int = 5,
    progress: Progress | None = None,
    s3: FilesystemFactory | None = None,
) -> ValidationResult:
    """Validate each dataset in turn (drift too: ``mlgate.data.gate.validate_datasets``)."""
    results = tuple(
        validate_file(uri, schema, csv=csv, max_examples=max_examples, progress=progress, s3=s3) for uri in uris
    )
    return ValidationResult(schema=str(schema.path or ""), files=results)


def validate_file(
    uri: str,
    schema: Schema,
    *,
    csv: CsvConfig,
    max_examples: int = 5,
    progress: Progress | None = None,
    s3: FilesystemFactory | None = None,
    observers: Sequence[BatchObserver] = (),
) -> FileResult:
    """Validate one dataset (CSV, .csv.gz or Parquet; local or s3://); ``observers`` ride the same pass."""
    started = time.perf_counter()
    table = open_table(locate(uri, s3=s3), csv, s3=s3)
    result = validate_table(
        table, schema, csv=csv, max_examples=max_examples, progress=progress, s3=s3, observers=observers
    )
    return dataclasses.replace(result, seconds=time.perf_counter() - started)


def validate_table(
    table: Table,
    schema: Schema,
    *,
    csv: CsvConfig,
    max_examples: int = 5,
    progress: Progress | None = None,
    s3: FilesystemFactory | None = None,
    observers: Sequence[BatchObserver] = (),
) -> FileResult:
    """Validate an open table (``open_table``, or ``arrow_table`` for data in memory)."""
    started = time.perf_counter()
    collector = Collector(max_examples)
    columns = table.match(schema, lambda *a: collector.entry(*a).rows.append(1))
    checker = ConstraintChecker(schema, columns, collector)
    records = scan(table, schema, columns, [checker, *observers], progress=progress)
    numbering = number_rows(table, records, csv, s3)
    notes = list(numbering.notes)
    check_ragged(checker, table.read, numbering, csv)
    for row, _line in numbering.blank_rows:
        collector.entry(None, "blank-row", schema.severity, "an empty row").rows.append(row)
    rows = records + len(table.read.ragged) + len(numbering.blank_rows)
    checker.finish_file_checks(rows, records)
    for key_name, entry, tracker in checker.finish_unique():
        if entry.examples == [] and entry.ordinals and max_examples > 0:
            wanted = np.sort(np.concatenate(entry.ordinals))[:max_examples]
            known = tracker.values_of(wanted)  # short strings: their keys are their bytes, no second read
            if known is None:
                known = _fetch_examples(table, csv, s3, columns, key_name, wanted)
            collector.add_examples(entry, [known[int(o)] for o in wanted if int(o) in known])
    for item in schema.fields:
        pat = item.constraints.pattern
        if pat and item.name in columns and pattern_engine(pat) == "python":
            notes.append(f"{item.name}: pattern runs on Python's re (RE2 cannot run it), which is slower")
    with_lines = table.location is not None and table.location.is_local_plain_csv
    violations = (finish_entry(e, numbering, with_lines) for e in collector.entries.values())
    return FileResult(
        path=table.uri,
        format=table.format,
        rows=rows,
        fields=len(table.header),
        seconds=time.perf_counter() - started,
        violations=sort_violations(violations, schema),
        notes=tuple(notes),
    )


def sort_violations(violations: Iterable[Violation], schema: Schema) -> tuple[Violation, ...]:
    """Errors first, then by the field's place in the schema (file-level findings first), then by check."""
    position = {f.name: i for i, f in enumerate(schema.fields)}

    def key(v: Violation) -> tuple[int, int, str]:
        return (0 if v.severity == "error" else 1, position.get(v.field or "", -1), v.check)

    return tuple(sorted(violations, key=key))


class ConstraintChecker:
    """The scan observer that checks each field's constraints and tracks nulls and unique keys."""

    def __init__(self, schema: Schema, columns: dict[str, int], collector: Collector) -> None:
        self.schema = schema
        self.columns = columns
        self.collector = collector
        self.fields = [item for item in schema.fields if item.name in columns]
        limited = {
            f.name for f in schema.fields if f.max_null_fraction is not None or schema.max_null_fraction is not None
        }
        self.nulls = {name: 0 for name in columns if name in limited}
        keyed: list[tuple[str, tuple[str, ...], str]] = [
            (f.name, (f.name,), "unique") for f in schema.fields if f.constraints.unique
        ]
        if schema.primary_key:
            keyed.append((", ".join(schema.primary_key), schema.primary_key, "primary-key"))
        keyed += [(", ".join(k), k, "unique-keys") for k in schema.unique_keys]
        self.trackers = {
            (name, check): (names, UniqueTracker()) for name, names, check in keyed if all(n in columns for n in names)
        }
        self.required = {f.name for f in schema.fields if f.constraints.required} | set(schema.primary_key)

    def observe_batch(self, batch: CastBatch) -> None:
        keep, base = batch.keep, batch.base
        if batch.blank is not None:
            entry = self.collector.entry(None, "blank-row", self.schema.severity, "an empty row")
            self.collector.add_mask(entry, batch.blank, None, base)
        for item in self.fields:
            cast = batch.casts[item.name]
            if item.name in self.nulls and cast.has_missing:  # only for null-fraction bounds
                missing = cast.missing if keep is None else pc.and_(cast.missing, keep)
                self.nulls[item.name] += int(pc.sum(missing).as_py() or 0)
            raw = batch.arrays[self.columns[item.name]]
            for entry, mask in self._failures(item, cast, keep):
                self.collector.add_mask(entry, mask, raw, base)
        self._track_unique(batch.casts, base, keep)

    def check_rows(self, arrays: list[pa.Array], rows: Sequence[int]) -> None:
        """Check records read outside the scan (ragged rows), whose row numbers are ``rows``."""
        for item in self.fields:
            raw = arrays[self.columns[item.name]]
            cast = cast_column(raw, item, self.schema.missing_values_for(item))
            for entry, mask in self._failures(item, cast, None):
                entry.rows.extend(r for r, bad in zip(rows, mask.to_pylist(), strict=True) if bad)
                self.collector.add_examples(entry, pc.filter(raw, mask).to_pylist())

    def _failures(self, item: Field, cast: Cast, keep: pa.Array | None) -> Iterator[tuple[Entry, pa.Array]]:
        """The entry and mask (rows in ``keep``) of each constraint of ``item`` some value of the batch fails."""
        severity = self.schema.severity_for(item)
        for check, found, message in check_constraints(item, cast, required=item.name in self.required):
            mask = found if keep is None else pc.and_(found, keep)
            if mask.true_count:  # masks are null-free
                yield self.collector.entry(item.name, check, severity, message), mask

    def _track_unique(self, casts: dict[str, Cast], base: int, keep: pa.Array | None) -> None:
        for names, tracker in self.trackers.values():
            goods = [pc.invert(pc.or_(casts[n].missing, casts[n].invalid)) for n in names]
            if keep is not None:
                goods.append(keep)
            ok = goods[0]
            for good in goods[1:]:
                ok = pc.and_(ok, good)
            if len(ok) == 0:
                continue  # an empty batch (an empty row group) adds no keys
            if ok.true_count == len(ok):  # every row takes part (the usual case): no selection, no copy
                index = np.arange(len(ok), dtype=np.int64)
                keyed = [casts[name].values for name in names]
            else:
                index = np.flatnonzero(ok.to_numpy(zero_copy_only=False))
                if len(index) == 0:
                    continue
                take = pc.from_numpy(index)
                keyed = [pc.take(casts[name].values, take) for name in names]
            packed = len(keyed) == 1 and is_short_strings(keyed[0])
            tracker.add(combine_keys([key_of(k) for k in keyed]), index.astype(np.int64) + base, packed=packed)

    def finish_file_checks(self, rows: int, records: int) -> None:
        """Row-count bounds (over ``rows``) and null fractions (over the ``records`` scanned)."""
        schema = self.schema
        low, high = schema.row_count_min, schema.row_count_max
        if (low is not None and rows < low) or (high is not None and rows > high):
            bound = f"at least {low}" if low is not None and rows < low else f"at most {high}"
            self.collector.entry(None, "row-count", schema.severity, f"{rows} rows; expected {bound}")
        for item in schema.fields:
            limit = item.max_null_fraction if item.max_null_fraction is not None else schema.max_null_fraction
            if limit is None or item.name not in self.nulls or records == 0:
                continue
            fraction = self.nulls[item.name] / records
            if fraction > limit:
                message = f"{fraction:.1%} of values are missing; at most {limit:.1%} allowed"
                entry = self.collector.entry(item.name, "null-fraction", schema.severity_for(item), message)
                entry.examples.append(round(fraction, 6))

    def finish_unique(self) -> list[tuple[str, Entry, UniqueTracker]]:
        found = []
        for (name, check), (names, tracker) in self.trackers.items():
            dups, firsts = tracker.duplicates()
            if len(dups) == 0:
                continue
            item = self.schema.get(names[0]) if len(names) == 1 else None
            severity = self.schema.severity_for(item) if item else self.schema.severity
            entry = self.collector.entry(name, check, severity, "repeats an earlier row")
            entry.ordinals.append(dups)
            entry.first_ordinals = firsts
            found.append((name, entry, tracker))
        return found


def check_ragged(checker: ConstraintChecker, read: ReadStats, numbering: RowNumbering, csv: CsvConfig) -> None:
    """Report the CSV records whose cell count differs from the header (none in other tables), and check their cells."""
    if not read.ragged:
        return
    header_width = numbering.width
    cells_by_row: list[list[str | None]] = []
    rows: list[int] = []
    for ragged, row in zip(read.ragged, numbering.ragged_rows, strict=False):
        parsed = next(pycsv.reader([ragged.text], delimiter=csv.delimiter, quotechar=csv.quote_char or '"'), [])
        check = "extra-cell" if ragged.cells > header_width else "missing-cell"
        message = "more cells than the header" if check == "extra-cell" else "fewer cells than the header"
        checker.collector.entry(None, check, checker.schema.severity, message).rows.append(row)
        cells: list[str | None] = list(parsed[:header_width])
        cells += [None] * (header_width - len(cells))
        cells_by_row.append(cells)
        rows.append(row)
    checker.check_rows([pa.array([c[i] for c in cells_by_row], pa.string()) for i in range(header_width)], rows)


def _fetch_examples(
    table: Table,
    csv: CsvConfig,
    s3: FilesystemFactory | None,
    columns: dict[str, int],
    key_name: str,
    wanted: I64,
) -> dict[int, Any]:
    """Values of the rows ``wanted`` (sorted ordinals): a second read that stops as soon as they are found."""
    names = [n.strip() for n in key_name.split(",")]
    index = [columns[n] for n in names]
    found: dict[int, Any] = {}
    for base, batch in _batches_with_base(table, csv, s3, index):
        hit = wanted[(wanted >= base) & (wanted < base + batch.num_rows)]
        for ordinal in hit:
            cells = [batch.column(i)[int(ordinal - base)].as_py() for i in range(len(index))]
            found[int(ordinal)] = cells[0] if len(cells) == 1 else ", ".join(map(str, cells))
        if base + batch.num_rows > wanted[-1]:
            break
    return found


def _batches_with_base(
    table: Table, csv: CsvConfig, s3: FilesystemFactory | None, index: list[int]
) -> Iterator[tuple[int, pa.RecordBatch]]:
    """The columns at ``index`` (in that order), batch by batch, with each batch's first ordinal."""
    if table.location is None:  # in memory: the table is still held
        assert table.held is not None
        batches: Iterator[pa.RecordBatch] = (batch for batch in table.held.select(index).to_batches())
    else:
        pa.default_memory_pool().release_unused()  # the main pass's buffers, before new ones are taken
        small = dataclasses.replace(csv, block_size_mb=min(csv.block_size_mb, 0.25))
        batches = open_table(table.location, small, columns=index, s3=s3, tally=False).batches
    base = 0
    with contextlib.closing(batches):  # type: ignore[type-var]
        for batch in batches:
            yield base, batch
            base += batch.num_rows
