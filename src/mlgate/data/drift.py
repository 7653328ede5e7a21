"""Drift of a dataset against reference statistics (``mlgate schema stats``): PSI and KS per field.

``DriftCollector`` is a scan observer (``mlgate.data.scan``): it rides along a validation pass
(``mlgate.data.gate``) and keeps only counts; its ``DriftReport`` (and the report's JSON form) is in
``mlgate.data.drift_report``.

The measures themselves (PSI, KS and its p-value, their tolerances) are in ``mlgate.data.drift_math``.

Thresholds: a field's ``x-mlgate.drift`` overrides the schema's (defaults PSI 0.2, KS 0.1); a field is
drifted when PSI or KS exceeds its threshold. The dataset drifts when at least half the checked fields
drift (Evidently's default share). Each field also gets the p-value of a two-sample test (KS for numbers,
chi-square on the counts per category for the rest) and, for numbers, its shift in its own units; ``mlgate
monitor`` decides on those (``mlgate.monitor.decide``), ``mlgate validate`` on the thresholds.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from mlgate.config import CsvConfig
from mlgate.data import compute as pc
from mlgate.data.drift_math import (
    chart_categorical,
    chart_numeric,
    chi_square_pvalue,
    ks_pvalue,
    population_stability,
    quantile_at,
)
from mlgate.data.drift_report import DriftReport, FieldDriftResult, NumericShift
from mlgate.data.results import Violation
from mlgate.data.scan import CastBatch
from mlgate.data.schema import DriftSettings, Field, Schema, Severity
from mlgate.data.sketch import CategoryCounter, category_values
from mlgate.data.sources import FilesystemFactory
from mlgate.data.stats import (
    UNITS,
    CategoricalStats,
    NumericStats,
    ReferenceStats,
    compute_stats,
    load_stats,
    numeric_values,
)
from mlgate.errors import SchemaError

F64 = npt.NDArray[np.float64]
I64 = npt.NDArray[np.int64]
NEW_CATEGORIES_KEPT = 100
_DEFAULTS = DriftSettings(reference="")


class _Numeric:
    """Counts of current values <= each reference bin edge and cut point (sort the batch, then search
    the few edges in it: much faster than searching every value among the edges)."""

    def __init__(self, ref: NumericStats) -> None:
        self.ref = ref
        self.edges, self.cuts = np.asarray(ref.edges, np.float64), np.asarray(ref.cuts, np.float64)
        self.at_edges = np.zeros(len(ref.edges), np.int64)
        self.at_cuts = np.zeros(len(ref.cuts), np.int64)
        self.count = 0
        self.total = self.squares = 0.0  # sums of the values and of their squares, about the reference mean
        self.origin = ref.mean or 0.0

    def add(self, values: pa.Array) -> None:
        x = numeric_values(values)
        x = np.sort(x if np.isfinite(x).all() else x[np.isfinite(x)])
        self.count += len(x)
        self.total += float(np.sum(x - self.origin))
        self.squares += float(np.sum((x - self.origin) ** 2))
        self.at_edges += np.searchsorted(x, self.edges, side="right")
        self.at_cuts += np.searchsorted(x, self.cuts, side="right")

    @property
    def bins(self) -> I64:
        """Current counts per PSI bin: (-inf, e0], (e0, e1], ..., (e_last, inf)."""
        return np.diff(np.concatenate([[0], self.at_edges, [self.count]])).astype(np.int64)

    def shift(self) -> NumericShift:
        """The reference and current mean, standard deviation and median (see ``NumericShift``)."""
        ref, n = self.ref, max(self.count, 1)
        offset = self.total / n
        return NumericShift(
            reference_mean=ref.mean or 0.0,
            current_mean=self.origin + offset,
            reference_std=ref.std or 0.0,
            current_std=math.sqrt(max(self.squares / n - offset**2, 0.0)),
            reference_median=quantile_at(ref.cuts, ref.cdf, 0.5),
            current_median=quantile_at(ref.cuts, self.at_cuts / n, 0.5),
        )


class _Categorical:
    def __init__(self, ref: CategoricalStats) -> None:
        self.ref = ref
        self.keys = pa.array([k for k, _ in ref.categories], pa.string())
        self.counts = np.zeros(len(self.keys) + 1, np.int64)
        self.new = CategoryCounter(10 * NEW_CATEGORIES_KEPT)
        self.count = 0

    def add(self, values: pa.Array) -> None:
        strings = category_values(values)
        index = pc.index_in(strings, value_set=self.keys)
        self.count += len(strings)
        self.counts += np.bincount(pc.fill_null(index, len(self.keys)).to_numpy(), minlength=len(self.counts))
        if index.null_count:
            self.new.add(pc.filter(strings, pc.is_null(index)))


class DriftCollector:
    """A scan observer that counts the current data in the reference's bins, field by field."""

    def __init__(self, reference: ReferenceStats, schema: Schema) -> None:
        self.reference = reference
        self.schema = schema
        self.numeric: dict[str, _Numeric] = {}
        self.categorical: dict[str, _Categorical] = {}
        self.skipped: dict[str, str] = {}
        for item in schema.fields:
            ref = reference.fields.get(item.name)
            if not item.drift.enabled:
                continue
            if ref is None:
                self.skipped[item.name] = "not in the reference statistics"
            elif ref.kind != ("numeric" if item.type in UNITS else "categorical"):
                self.skipped[item.name] = f"type changed from {ref.type} to {item.type}"
            elif ref.count == 0:
                self.skipped[item.name] = "the reference has no values"
            elif isinstance(ref, NumericStats):
                self.numeric[item.name] = _Numeric(ref)
            else:
                self.categorical[item.name] = _Categorical(ref)
        self.seen: set[str] = set()

    def observe_batch(self, batch: CastBatch) -> None:
        for item in self.schema.fields:
            if item.name in batch.casts and (item.name in self.numeric or item.name in self.categorical):
                self.observe(item.name, batch.valid(item.name))

    def observe(self, name: str, values: pa.Array) -> None:
        """Count the valid values of field ``name`` (fields not compared are ignored)."""
        target = self.numeric.get(name) or self.categorical.get(name)
        if target is not None:
            self.seen.add(name)
            target.add(pc.drop_null(values) if values.null_count else values)

    def finish(self) -> DriftReport:
        results: list[FieldDriftResult] = []
        skipped = dict(self.skipped)
        for item in self.schema.fields:
            acc = self.numeric.get(item.name) or self.categorical.get(item.name)
            if acc is None:
                continue
            if item.name not in self.seen:
                skipped[item.name] = "not in the data"
            elif acc.count == 0:
                skipped[item.name] = "no valid values in the data"
            else:
                results.append(_judge(self.schema, item, acc))
        order = {f.name: i for i, f in enumerate(self.schema.fields)}
        return DriftReport(
            reference=self.reference.source,
            fields=tuple(results),
            skipped=tuple(sorted(skipped.items(), key=lambda pair: order.get(pair[0], 0))),
        )


def thresholds_for(schema: Schema, item: Field) -> tuple[float, float, Severity]:
    """(PSI threshold, KS threshold, severity): the field's settings, else the schema's, else defaults."""
    base = schema.drift or _DEFAULTS
    psi = base.psi if item.drift.psi is None else item.drift.psi
    ks = base.ks if item.drift.ks is None else item.drift.ks
    return psi, ks, item.drift.severity or base.severity


def _judge(schema: Schema, item: Field, acc: _Numeric | _Categorical) -> FieldDriftResult:
    t_psi, t_ks, severity = thresholds_for(schema, item)
    if isinstance(acc, _Numeric):
        ref = acc.ref
        psi = population_stability(ref.bins, acc.bins)
        f_cur = acc.at_cuts / acc.count
        ks = float(np.max(np.abs(np.asarray(ref.cdf) - f_cur))) if len(ref.cuts) else 0.0
        labels, ref_share, cur_share = chart_numeric(ref.edges, ref.bins, acc.bins)
        p_value = ks_pvalue(ks, ref.count, acc.count)
        return FieldDriftResult(
            item.name,
            "numeric",
            psi,
            ks,
            p_value,
            (),
            (),
            t_psi,
            t_ks,
            psi > t_psi or ks > t_ks,
            severity,
            acc.count,
            ref.count,
            0.0,
            labels,
            ref_share,
            cur_share,
            test="KS",
            p_value=p_value,
            shift=acc.shift(),
        )
    cat = acc.ref
    ref_counts = np.asarray([c for _, c in cat.categories] + [cat.other], np.int64)
    psi = population_stability(ref_counts, acc.counts)
    names = [k for k, _ in cat.categories]
    missing = tuple(k for k, c in zip(names, acc.counts[:-1].tolist(), strict=True) if c == 0)
    new = () if cat.truncated else tuple(k for k, _ in acc.new.top(NEW_CATEGORIES_KEPT))
    note = f"the reference kept only its top {len(names)} categories: new ones are not listed" if cat.truncated else ""
    labels, ref_share, cur_share = chart_categorical(names, ref_counts, acc.counts)
    return FieldDriftResult(
        item.name,
        "categorical",
        psi,
        None,
        None,
        new,
        missing,
        t_psi,
        None,
        psi > t_psi,
        severity,
        acc.count,
        cat.count,
        int(acc.counts[-1]) / acc.count,
        labels,
        ref_share,
        cur_share,
        note,
        test="chi-square",
        p_value=chi_square_pvalue(ref_counts, acc.counts),
    )


def drift_violations(report: DriftReport) -> list[Violation]:
    """One ``drift`` violation per drifted field, so drift shows in every validate output format."""
    found = []
    for r in report.drifted:
        parts = [f"PSI {_above(r.psi, r.threshold_psi)} > {r.threshold_psi:g}"] if r.psi > r.threshold_psi else []
        if r.ks is not None and r.threshold_ks is not None and r.ks > r.threshold_ks:
            parts.append(f"KS {_above(r.ks, r.threshold_ks)} > {r.threshold_ks:g}")
        if r.new_categories:
            more = f" (+{len(r.new_categories) - 3} more)" if len(r.new_categories) > 3 else ""
            parts.append("new categories: " + ", ".join(r.new_categories[:3]) + more)
        found.append(
            Violation(
                field=r.field,
                check="drift",
                severity=r.severity,
                count=1,
                rows=(),
                message="; ".join(parts),
                examples=(),
            )
        )
    return found


def _above(value: float, limit: float) -> str:
    """``value`` with 2 decimals, or more when 2 would round it down to ``limit`` (0.2004 > 0.2)."""
    return next((f"{value:.{d}f}" for d in (2, 3, 4) if float(f"{value:.{d}f}") > limit), f"{value:.10g}")


def reference_location(schema: Schema, resolve: Callable[[str], str] | None = None) -> str:
    """Where ``x-mlgate.drift.reference`` points: URIs and absolute paths as given, relative paths
    against the schema file's folder (or through ``resolve`` for a schema without a file)."""
    if schema.drift is None:
        raise SchemaError(
            f"{schema.path or 'schema'}: no x-mlgate.drift.reference to compare with",
            hint="add x-mlgate: {drift: {reference: reference-stats.json}} to the schema",
        )
    ref = schema.drift.reference
    if "://" in ref or Path(ref).expanduser().is_absolute():
        return str(Path(ref).expanduser()) if "://" not in ref else ref
    if schema.path is not None:
        return str(schema.path.parent / ref)
    return resolve(ref) if resolve else ref


def reference_for(
    schema: Schema,
    *,
    csv: CsvConfig,
    s3: FilesystemFactory | None = None,
    resolve: Callable[[str], str] | None = None,
    check: Callable[[str, str, Path], None] | None = None,
) -> ReferenceStats:
    """The reference statistics named by the schema: a stats JSON file, or a dataset summarised now.

    ``check(location, what, folder)`` may refuse the location before it is read (``Config.check_inside``: it must
    lie in the project of the schema's folder).
    """
    location = reference_location(schema, resolve)
    if check is not None:
        folder = Path(schema.path).parent if schema.path is not None else Path.cwd()
        check(location, f"{schema.path or 'schema'}: x-mlgate.drift.reference", folder)
    if location.lower().endswith(".json"):
        return load_stats(location, s3=s3)
    return compute_stats(location, schema, csv=csv, s3=s3)
