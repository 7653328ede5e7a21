"""Validate datasets against a schema, streaming record batches in bounded memory.

Every violation is reported with its exact count and all of its rows (Frictionless numbering:
header = row 1); for local plain CSV also the physical line. Library code: returns data, never prints.
"""

from __future__ import annotations

import contextlib
import dataclasses
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from mlgate.config import CsvConfig
from mlgate.data import compute as pc
from mlgate.data.casting import cast_column
from mlgate.data.checks import check_constraints, pattern_engine
from mlgate.data.collect import Collector, Entry, finish_entry
from mlgate.data.headers import match_header
from mlgate.data.numbering import RowNumbering
from mlgate.data.prefetch import prefetch
from mlgate.data.results import FileResult, ValidationResult, Violation
from mlgate.data.schema import Schema
from mlgate.data.sources import (
    FilesystemFactory,
    Location,
    ReadStats,
    iter_parquet,
    locate,
    open_parquet,
    stream_csv,
)  # fmt: skip
from mlgate.data.uniqueness import UniqueTracker, combine_keys, is_short_strings, key_of
from mlgate.progress import Progress

if TYPE_CHECKING:
    from mlgate.data.drift import DriftCollector
    from mlgate.data.stats import ReferenceStats

I64 = npt.NDArray[np.int64]


class BatchObserver(Protocol):
    """Receives the valid typed values of every field, batch by batch (statistics, drift)."""

    def observe(self, name: str, values: pa.Array) -> None: ...


def validate_files(
    uris: Sequence[str],
    schema: Schema,
    *,
    csv: CsvConfig,
    max_examples: int = 5,
    progress: Progress | None = None,
    s3: FilesystemFactory | None = None,
    observer_for: Callable[[str], BatchObserver | None] | None = None,
    drift: ReferenceStats | None = None,
    roots: Sequence[Path] = (),
) -> ValidationResult:
    """Validate each dataset in turn; with ``drift`` reference statistics, also check for drift.

    A dataset that is the reference's own source (``mlgate.data.origin``; a relative source is also tried
    against ``roots``) is not checked for drift: its ``drift_skipped`` says why.
    """
    results = []
    for uri in uris:
        origin = None
        if drift is not None:
            from mlgate.data.origin import find_origin

            origin = find_origin(drift, uri, roots=roots, s3=s3)
        result = validate_file(
            uri,
            schema,
            csv=csv,
            max_examples=max_examples,
            progress=progress,
            s3=s3,
            observer=observer_for(uri) if observer_for else None,
            drift=None if origin else drift,
        )
        if origin:
            result = dataclasses.replace(result, drift_skipped=f"the reference statistics were made from it ({origin})")
        results.append(result)
    return ValidationResult(schema=str(schema.path or ""), files=tuple(results))


def validate_file(
    uri: str,
    schema: Schema,
    *,
    csv: CsvConfig,
    max_examples: int = 5,
    progress: Progress | None = None,
    s3: FilesystemFactory | None = None,
    observer: BatchObserver | None = None,
    drift: ReferenceStats | None = None,
) -> FileResult:
    started = time.perf_counter()
    drift_collector: DriftCollector | None = None
    if drift is not None:
        from mlgate.data.drift import DriftCollector

        drift_collector = DriftCollector(drift, schema)
    observers = [o for o in (observer, drift_collector) if o is not None]
    observer = observers[0] if len(observers) == 1 else (_FanOut(observers) if observers else None)
    location = locate(uri, s3=s3)
    stats = ReadStats()
    parquet: Any = None
    if location.format == "csv":
        header, batches = stream_csv(location, csv, stats, s3=s3)
    else:
        parquet = open_parquet(location, s3=s3)
        header = list(parquet.schema_arrow.names)
        batches = iter_parquet(parquet, location)
    collector = Collector(max_examples)
    columns = match_header(header, schema, lambda *a: collector.entry(*a).rows.append(1))
    run = _Run(schema, columns, collector, observer)
    total = location.size if location.format == "csv" else int(parquet.metadata.num_rows)
    for batch in prefetch(batches):
        run.check_batch([batch.column(i) for i in range(batch.num_columns)], run.records, None)
        run.records += batch.num_rows
        if progress:
            done = stats.bytes_read if location.format == "csv" else run.records
            progress(uri, done, total, run.records)
    numbering = RowNumbering.for_file(location, stats, run.records, len(header), csv, s3)
    notes = list(numbering.notes)
    if location.format == "csv":
        run.check_ragged(stats, numbering, csv)
    for row, _line in numbering.blank_rows:
        collector.entry(None, "blank-row", schema.severity, "an empty row").rows.append(row)
    rows = run.records + len(stats.ragged) + len(numbering.blank_rows)
    run.finish_file_checks(rows)
    duplicates = run.finish_unique()
    for key_name, entry, tracker in duplicates:
        if entry.examples == [] and entry.ordinals:
            wanted = np.sort(np.concatenate(entry.ordinals))[:max_examples]
            known = tracker.values_of(wanted)  # short strings: their keys are their bytes, no second read
            if known is None:
                known = _fetch_examples(location, csv, s3, columns, key_name, wanted)
            collector.add_examples(entry, [known[int(o)] for o in wanted if int(o) in known])
    for item in schema.fields:
        pat = item.constraints.pattern
        if pat and item.name in columns and pattern_engine(pat) == "python":
            notes.append(f"{item.name}: pattern runs on Python's re (RE2 cannot run it), which is slower")
    violations = tuple(finish_entry(e, numbering, location.is_local_plain_csv) for e in collector.entries.values())
    drift_report = drift_collector.finish() if drift_collector is not None else None
    drift_data = None
    if drift_report is not None:
        from mlgate.data.drift import drift_violations
        from mlgate.data.drift import to_data as drift_to_data

        violations += tuple(drift_violations(drift_report))
        drift_data = drift_to_data(drift_report)
    return FileResult(
        path=uri,
        format=location.format + (".gz" if location.gzip else ""),
        rows=rows,
        fields=len(header),
        seconds=time.perf_counter() - started,
        violations=tuple(sorted(violations, key=_order(schema))),
        notes=tuple(notes),
        drift=drift_report,
        drift_data=drift_data,
    )


class _FanOut:
    """Several observers behind one."""

    def __init__(self, observers: list[BatchObserver]) -> None:
        self.observers = observers

    def observe(self, name: str, values: pa.Array) -> None:
        for observer in self.observers:
            observer.observe(name, values)


class _Run:
    """The state of one file's validation."""

    def __init__(
        self, schema: Schema, columns: dict[str, int], collector: Collector, observer: BatchObserver | None
    ) -> None:
        self.schema = schema
        self.columns = columns
        self.collector = collector
        self.observer = observer
        self.records = 0
        limited = {
            f.name for f in schema.fields if f.max_null_fraction is not None or schema.max_null_fraction is not None
        }
        self.nulls = {name: 0 for name in columns if name in limited}
        self.checked = {name: 0 for name in columns}
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

    def check_batch(self, arrays: list[pa.Array], base: int, rows: Sequence[int] | None) -> None:
        fields = [item for item in self.schema.fields if item.name in self.columns]
        casts = {
            item.name: cast_column(arrays[self.columns[item.name]], item, self.schema.missing_values_for(item))
            for item in fields
        }
        keep = self._drop_blank_rows(arrays, casts, base) if rows is None else None
        for item in fields:
            raw = arrays[self.columns[item.name]]
            cast = casts[item.name]
            if rows is None and item.name in self.nulls and cast.has_missing:  # only for null-fraction bounds
                missing = cast.missing if keep is None else pc.and_(cast.missing, keep)
                self.nulls[item.name] += int(pc.sum(missing).as_py() or 0)
            severity = self.schema.severity_for(item)
            for check, found, message in check_constraints(item, cast, required=item.name in self.required):
                mask = found if keep is None else pc.and_(found, keep)
                if not mask.true_count:  # masks are null-free
                    continue
                entry = self.collector.entry(item.name, check, severity, message)
                if rows is None:
                    self.collector.add_mask(entry, mask, raw, base)
                else:
                    picked = [r for r, bad in zip(rows, mask.to_pylist(), strict=True) if bad]
                    entry.rows.extend(picked)
                    self.collector.add_examples(entry, pc.filter(raw, mask).to_pylist())
            if self.observer is not None and rows is None:
                ok = pc.invert(pc.or_(cast.missing, cast.invalid))
                self.observer.observe(item.name, pc.filter(cast.values, ok if keep is None else pc.and_(ok, keep)))
        if rows is None:
            self._track_unique(casts, base, keep)

    def _drop_blank_rows(self, arrays: list[pa.Array], casts: dict[str, Any], base: int) -> pa.Array | None:
        """Report records whose every cell is missing as blank rows; the mask of the others, if any."""
        if any(not cast.has_missing for cast in casts.values()):
            return None  # some column has a value in every row: no row is blank
        mapped = set(self.columns.values())
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
        if not blank.true_count:
            return None
        entry = self.collector.entry(None, "blank-row", self.schema.severity, "an empty row")
        self.collector.add_mask(entry, blank, None, base)
        return pc.invert(blank)

    def _track_unique(self, casts: dict[str, Any], base: int, keep: pa.Array | None) -> None:
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

    def check_ragged(self, stats: ReadStats, numbering: RowNumbering, csv: CsvConfig) -> None:
        import csv as pycsv

        if not stats.ragged:
            return
        header_width = numbering.width
        cells_by_row: list[list[str | None]] = []
        rows: list[int] = []
        for ragged, row in zip(stats.ragged, numbering.ragged_rows, strict=False):
            parsed = next(pycsv.reader([ragged.text], delimiter=csv.delimiter, quotechar=csv.quote_char or '"'), [])
            check = "extra-cell" if ragged.cells > header_width else "missing-cell"
            message = "more cells than the header" if check == "extra-cell" else "fewer cells than the header"
            self.collector.entry(None, check, self.schema.severity, message).rows.append(row)
            cells: list[str | None] = list(parsed[:header_width])
            cells += [None] * (header_width - len(cells))
            cells_by_row.append(cells)
            rows.append(row)
        arrays = [pa.array([c[i] for c in cells_by_row], pa.string()) for i in range(header_width)]
        self.check_batch(arrays, 0, rows)

    def finish_file_checks(self, rows: int) -> None:
        schema = self.schema
        low, high = schema.row_count_min, schema.row_count_max
        if (low is not None and rows < low) or (high is not None and rows > high):
            bound = f"at least {low}" if low is not None and rows < low else f"at most {high}"
            self.collector.entry(None, "row-count", schema.severity, f"{rows} rows; expected {bound}")
        for item in schema.fields:
            limit = item.max_null_fraction if item.max_null_fraction is not None else schema.max_null_fraction
            if limit is None or item.name not in self.nulls or self.records == 0:
                continue
            fraction = self.nulls[item.name] / self.records
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


def _fetch_examples(
    location: Location, csv: CsvConfig, s3: FilesystemFactory | None, columns: dict[str, int], key_name: str, wanted: I64,
) -> dict[int, Any]:  # fmt: skip
    """Values of the rows ``wanted`` (sorted ordinals): a second read that stops as soon as they are found."""
    names = [n.strip() for n in key_name.split(",")]
    index = [columns[n] for n in names]
    found: dict[int, Any] = {}
    for base, batch in _batches_with_base(location, csv, s3, index):
        hit = wanted[(wanted >= base) & (wanted < base + batch.num_rows)]
        for ordinal in hit:
            cells = [batch.column(i)[int(ordinal - base)].as_py() for i in range(len(index))]
            found[int(ordinal)] = cells[0] if len(cells) == 1 else ", ".join(map(str, cells))
        if base + batch.num_rows > wanted[-1]:
            break
    return found


def _batches_with_base(
    location: Location, csv: CsvConfig, s3: FilesystemFactory | None, index: list[int]
) -> Iterator[tuple[int, pa.RecordBatch]]:
    """The columns at ``index`` (in that order), batch by batch, with each batch's first ordinal."""
    pa.default_memory_pool().release_unused()  # the main pass's buffers, before new ones are taken
    if location.format == "csv":
        small = dataclasses.replace(csv, block_size_mb=min(csv.block_size_mb, 0.25))
        _, batches = stream_csv(location, small, None, s3=s3, columns=index)
    else:
        parquet = open_parquet(location, s3=s3)
        names = [parquet.schema_arrow.names[i] for i in index]
        batches = iter_parquet(parquet, location, columns=names)
    base = 0
    with contextlib.closing(batches):  # type: ignore[type-var]
        for batch in batches:
            yield base, batch
            base += batch.num_rows


def _order(schema: Schema) -> Callable[[Violation], tuple[int, int, str]]:
    position = {f.name: i for i, f in enumerate(schema.fields)}

    def key(v: Violation) -> tuple[int, int, str]:
        return (0 if v.severity == "error" else 1, position.get(v.field or "", -1), v.check)

    return key
