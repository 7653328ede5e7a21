"""A corrupted copy of a dataset: real violations written into real rows, for the data gate to find.

Chosen from the schema, so it works on any project: a number that is not a number in a numeric field,
an empty cell in a required field, a value far above a field's maximum, a value outside a field's enum.
Each corruption hits a few rows; the original file is never touched.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from mlgate.errors import InputError
from mlgate.files import write_atomic

if TYPE_CHECKING:
    from mlgate.config import CsvConfig
    from mlgate.data.schema import Field, Schema

NUMERIC = frozenset({"integer", "number"})


@dataclass(frozen=True)
class Corruption:
    """One kind of damage: in ``field``, ``records`` (1 = the first after the header) got ``value``: ``why``."""

    field: str
    records: tuple[int, ...]
    value: str
    why: str


def plan_corruptions(schema: Schema, *, records: int, target: str | None = None, per_kind: int = 3) -> list[Corruption]:
    """Which cells to damage: one field per kind of violation, ``per_kind`` rows each, rows spread out."""
    if records < 4 * per_kind:
        raise InputError(f"the dataset has {records} rows: too few to corrupt a copy of it (need {4 * per_kind})")
    kinds: list[tuple[Field, str, str]] = []
    used: set[str] = set()

    def pick(predicate: Callable[[Field], bool], value: Callable[[Field], str], why: str) -> None:
        for f in schema.fields:
            if f.name not in used and f.name != target and predicate(f):
                used.add(f.name)
                kinds.append((f, value(f), why))
                return

    pick(lambda f: f.type in NUMERIC, lambda _f: "twelve", "not a number")
    pick(lambda f: f.constraints.required and f.type not in NUMERIC, lambda _f: "", "empty required cell")
    pick(
        lambda f: f.type in NUMERIC and f.constraints.maximum is not None,
        lambda f: str(int(float(f.constraints.maximum)) * 10 + 7),
        "far above the maximum",
    )
    pick(lambda f: bool(f.constraints.enum), lambda _f: "not-a-category", "outside the allowed values")
    if not kinds:
        raise InputError("the schema declares no types or constraints to violate: nothing to corrupt")
    step = max(1, records // (len(kinds) * per_kind + 1))
    plan = []
    for i, (f, value, why) in enumerate(kinds):
        chosen = tuple(1 + step * (i * per_kind + j) for j in range(per_kind))
        plan.append(Corruption(f.name, chosen, value, why))
    return plan


def write_corrupted_copy(source: Path, target: Path, plan: list[Corruption], *, csv_config: CsvConfig) -> None:
    """Copy the CSV ``source`` to ``target`` with the cells of ``plan`` replaced."""
    encoding = csv_config.encoding or "utf-8"
    dialect = {
        "delimiter": csv_config.delimiter,
        "quotechar": csv_config.quote_char,
        "doublequote": csv_config.double_quote,
        "escapechar": csv_config.escape_char,
    }
    try:
        with source.open(newline="", encoding=encoding) as handle:
            rows = list(csv.reader(handle, **dialect))  # type: ignore[arg-type]
    except OSError as exc:
        raise InputError(f"cannot read {source}: {exc.strerror or exc}") from exc
    header, records = rows[0], rows[1:]
    for corruption in plan:
        column = header.index(corruption.field)
        for number in corruption.records:
            records[number - 1][column] = corruption.value
    buffer = io.StringIO(newline="")
    csv.writer(buffer, **dialect, lineterminator="\n").writerows([header, *records])  # type: ignore[arg-type]
    write_atomic(target, buffer.getvalue().encode(encoding))


def count_records(path: Path, *, encoding: str | None = None) -> int:
    """Records of a CSV file (rows after the header; quoted newlines counted correctly)."""
    with path.open(newline="", encoding=encoding or "utf-8") as handle:
        return max(0, sum(1 for _ in csv.reader(handle)) - 1)
