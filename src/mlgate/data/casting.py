"""Turn a column into typed values the Frictionless way, vectorised with pyarrow.compute.

``cast_column`` returns the typed array (null where missing or invalid), the missing mask (after
``missingValues``, before typing) and the type-error mask. Formats the fast engine cannot parse fall
back to a per-value Python reader for that column.
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa

from mlgate.data import compute as pc
from mlgate.data.schema import Field

_INTEGER = r"^[+-]?[0-9]+$"
_NUMBER = r"^[+-]?(?:(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?|(?i:nan|inf|infinity))$"
_YEAR = r"^[0-9]{4}$"
_DATE = r"^[0-9]{4}-(?:1[0-2]|0[1-9]|[1-9])-(?:3[01]|[12][0-9]|0[1-9]|[1-9]| [1-9])$"  # Python's %Y-%m-%d
_INT64 = (-(2**63), 2**63 - 1)
# ISO 8601 calendar date and time, extended format, as dateutil reads it: "T", "t" or a space between them;
# a fraction after "." or ","; then "Z", "z", +HH, +HHMM or +HH:MM.
_DATETIME = (
    r"^[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt ][0-9]{2}:[0-9]{2}:[0-9]{2}(?:[.,][0-9]+)?(?:[Zz]|[+-][0-9]{2}(?::?[0-9]{2})?)?$"
)
_STRING_FORMATS = {
    "email": r"^[^@\s]+@[^@\s]+\.[^@\s]+$",
    "uuid": r"^[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}$",
    "uri": r"^[A-Za-z][A-Za-z0-9+.-]*:[^\s]*$",
}
ARROW_TYPES: dict[str, pa.DataType] = {
    "integer": pa.int64(),
    "year": pa.int64(),
    "number": pa.float64(),
    "boolean": pa.bool_(),
    "date": pa.date32(),
    "datetime": pa.timestamp("us"),
    "time": pa.time64("us"),
    "string": pa.string(),
    "any": pa.string(),
}


@dataclass(frozen=True)
class Cast:
    values: pa.Array
    missing: pa.Array  # bool, no nulls
    invalid: pa.Array  # bool, no nulls
    has_missing: bool = True  # False only when no value of the batch is missing


def cast_column(column: pa.Array, item: Field, missing_values: tuple[str, ...]) -> Cast:
    """Cast one batch of a column to the field's type."""
    if pa.types.is_dictionary(column.type):
        column = column.dictionary_decode()
    if pa.types.is_large_string(column.type) or pa.types.is_string_view(column.type):
        column = pc.cast(column, pa.string())
    if pa.types.is_string(column.type):
        missing = _missing_mask(column, missing_values)
        has_missing = missing.true_count > 0  # null-free mask: a bit count, no kernel
        if item.type in ("string", "any"):  # no copy: checks ignore missing cells through the mask
            values, invalid = _cast_strings(column, item)
        else:
            present = pc.if_else(missing, pa.scalar(None, pa.string()), column) if has_missing else column
            values, invalid = _cast_strings(present, item)
        return Cast(values, missing, pc.and_not(invalid, missing) if has_missing else invalid, has_missing)
    cast = _cast_typed(column, item)
    return dataclasses.replace(cast, has_missing=column.null_count > 0)


def _missing_mask(column: pa.Array, missing_values: tuple[str, ...]) -> pa.Array:
    """Null-free: True where the cell is null or one of ``missing_values``."""
    if missing_values == ("",):  # the default: from the offsets alone, no string comparison
        listed = pc.equal(pc.binary_length(column), 0)
    elif len(missing_values) == 1:
        listed = pc.equal(column, missing_values[0])
    elif missing_values:
        listed = pc.is_in(column, value_set=pa.array(missing_values, pa.string()))
    else:
        return pc.is_null(column)
    if column.null_count == 0:  # the usual case: the comparison has no nulls either
        return listed
    return pc.or_(pc.is_null(column), pc.fill_null(listed, False))


def _cast_strings(present: pa.Array, item: Field) -> tuple[pa.Array, pa.Array]:
    """Returns typed values and a mask of present values that do not parse."""
    kind = item.type
    if kind == "any":
        return present, _false(len(present))
    if kind == "string":
        regex = _STRING_FORMATS.get(item.format)
        if regex:
            return present, _not_matching(present, regex)
        if item.format == "binary":
            return present, _python_invalid(present, _is_base64)
        return present, _false(len(present))
    if kind == "boolean":
        is_true = pc.is_in(present, value_set=pa.array(item.true_values, pa.string()))
        is_false = pc.is_in(present, value_set=pa.array(item.false_values, pa.string()))
        valid = pc.or_(is_true, is_false)
        values = pc.if_else(valid, is_true, pa.scalar(None, pa.bool_()))
        return values, _present_and_not(present, valid)
    if kind in ("integer", "number", "year"):
        return _cast_numeric(present, item)
    if kind == "date" and item.format == "default":
        fast = _try_cast(present, pa.date32())  # Arrow's ISO parser is stricter: a subset of strptime's
        if fast is not None:
            return fast, _false(len(present))
        return _cast_iso_dates(present)
    return _python_cast(present, item)


def _cast_iso_dates(present: pa.Array) -> tuple[pa.Array, pa.Array]:
    """``%Y-%m-%d`` exactly as Python's strptime reads it (Arrow's strptime rolls 02-30 over to 03-01
    and skips leading blanks, so the shape is checked first and the day is compared after parsing)."""
    shaped = pc.fill_null(pc.match_substring_regex(present, pattern=_DATE), False)
    kept = pc.if_else(shaped, present, pa.scalar(None, pa.string()))
    parsed = pc.strptime(kept, format="%Y-%m-%d", unit="s", error_is_null=True)
    day = pc.cast(pc.utf8_trim_whitespace(pc.list_element(pc.split_pattern(kept, "-"), 2)), pa.int64())
    exact = pc.and_(pc.equal(pc.day(parsed), day), pc.greater_equal(pc.year(parsed), 1))
    values = pc.if_else(pc.fill_null(exact, False), pc.cast(parsed, pa.date32()), pa.scalar(None, pa.date32()))
    return values, pc.and_(pc.is_valid(present), pc.is_null(values))


def _cast_numeric(present: pa.Array, item: Field) -> tuple[pa.Array, pa.Array]:
    plain = item.bare_number and item.group_char is None and item.decimal_char == "."
    if plain and item.type != "year":
        fast = _try_cast(present, ARROW_TYPES[item.type])
        if fast is not None:
            return fast, _false(len(present))
    text = present if item.type == "year" else pc.utf8_trim_whitespace(present)
    if not item.bare_number:
        text = pc.replace_substring_regex(text, pattern=r"^[^-0-9]*|[^0-9]*$", replacement="")
    if item.type == "number" and (item.group_char or item.decimal_char != "."):
        if item.group_char:
            text = pc.replace_substring(text, pattern=item.group_char, replacement="")
        if item.decimal_char != ".":
            text = pc.if_else(pc.match_substring(text, "."), pa.scalar("x"), text)
        text = pc.replace_substring(text, pattern=item.decimal_char, replacement=".")
    regex = {"integer": _INTEGER, "year": _YEAR, "number": _NUMBER}[item.type]
    valid = pc.fill_null(pc.match_substring_regex(text, pattern=regex), False)
    kept = pc.if_else(valid, text, pa.scalar(None, pa.string()))
    target = ARROW_TYPES[item.type]
    if item.type != "number" and pc.any(pc.starts_with(kept, "+")).as_py():
        kept = pc.replace_substring_regex(kept, pattern=r"^\+", replacement="")
    try:
        values = pc.cast(kept, target)
    except pa.ArrowInvalid:  # an integer beyond 64 bits: parse value by value
        return _python_cast(present, item)
    return values, _present_and_not(present, valid)


def _try_cast(present: pa.Array, target: pa.DataType) -> pa.Array | None:
    """pyarrow's C++ parser, when it accepts every value and agrees with Frictionless on them.

    It refuses what Frictionless refuses except hexadecimal integers ("0x10"), so a batch holding an
    "x" takes the exact (regex) path; so does any batch the parser refuses as a whole.
    """
    try:
        values = pc.cast(present, target)
    except pa.ArrowInvalid:
        return None
    if pa.types.is_integer(target) and _holds_x(present):
        return None
    return values


def _holds_x(strings: pa.Array) -> bool:
    """Whether any byte of the strings' data is 'x' or 'X' (one vector pass over the raw bytes)."""
    data = strings.buffers()[2]
    if data is None or len(strings) == 0:
        return False
    raw = np.frombuffer(data, dtype=np.uint8)
    return bool(np.any((raw | 0x20) == ord("x")))


def _cast_typed(column: pa.Array, item: Field) -> Cast:
    """Columns that arrive typed (Parquet): check that the physical type fits the field."""
    missing = pc.is_null(column)
    kind, ctype = item.type, column.type
    target = ARROW_TYPES[kind]
    fits = (
        kind == "any"
        or (kind in ("integer", "year") and pa.types.is_integer(ctype))
        or (
            kind == "number"
            and (pa.types.is_integer(ctype) or pa.types.is_floating(ctype) or pa.types.is_decimal(ctype))
        )
        or (kind == "boolean" and pa.types.is_boolean(ctype))
        or (kind == "date" and (pa.types.is_date(ctype) or pa.types.is_timestamp(ctype)))
        or (kind == "datetime" and (pa.types.is_timestamp(ctype) or pa.types.is_date(ctype)))
        or (kind == "time" and pa.types.is_time(ctype))
    )
    if kind == "integer" and pa.types.is_floating(ctype):
        in_range = pc.and_(pc.greater_equal(column, -(2.0**63)), pc.less(column, 2.0**63))
        valid = pc.fill_null(pc.and_(pc.equal(pc.floor(column), column), in_range), True)
        values = pc.cast(pc.if_else(valid, column, pa.scalar(None, ctype)), target)
        return Cast(values, missing, pc.invert(valid))
    if not fits:
        return Cast(pa.nulls(len(column), target), missing, pc.invert(missing))
    if kind == "any":
        return Cast(column, missing, _false(len(column)))
    if kind in ("integer", "year") and pa.types.is_uint64(ctype):  # beyond int64: out of range
        valid = pc.fill_null(pc.less_equal(column, pa.scalar(2**63 - 1, pa.uint64())), True)
        values = pc.cast(pc.if_else(valid, column, pa.scalar(None, ctype)), target)
        return Cast(values, missing, pc.invert(valid))
    if pa.types.is_timestamp(ctype):  # sub-microsecond digits do not matter to any check
        column = pc.cast(column, pa.timestamp("us", tz=ctype.tz), safe=False)
        if ctype.tz is not None:
            column = pc.cast(pc.cast(column, pa.timestamp("us", tz="UTC")), pa.timestamp("us"))
        ctype = column.type
    if kind == "date" and pa.types.is_timestamp(ctype):
        midnight = pc.equal(
            pc.cast(pc.cast(column, pa.date32()), pa.timestamp(ctype.unit)), pc.cast(column, pa.timestamp(ctype.unit))
        )
        valid = pc.fill_null(midnight, True)
        values = pc.cast(pc.if_else(valid, column, pa.scalar(None, column.type)), pa.date32())
        return Cast(values, missing, pc.invert(valid))
    # number from 64-bit integers or decimals: nearest float, like Python's float()
    return Cast(pc.cast(column, target, safe=kind != "number"), missing, _false(len(column)))


def _python_cast(present: pa.Array, item: Field) -> tuple[pa.Array, pa.Array]:
    reader = python_reader(item)
    parsed: list[Any] = []
    invalid: list[bool] = []
    for cell in present.to_pylist():
        if cell is None:
            parsed.append(None)
            invalid.append(False)
            continue
        value = reader(cell)
        parsed.append(value)
        invalid.append(value is None)
    return pa.array(parsed, ARROW_TYPES[item.type]), pa.array(invalid, pa.bool_())


def python_reader(item: Field) -> Callable[[str], Any]:
    """A per-value reader with Frictionless semantics, for the formats the fast path skips."""
    fmt = item.format

    def read(cell: str) -> Any:
        try:
            if item.type == "integer":
                text = cell.strip()
                if not re.fullmatch(r"[+-]?[0-9]+", text):
                    return None
                value = int(text)  # integers are 64-bit: a wider value is a type error, not a crash
                return value if _INT64[0] <= value <= _INT64[1] else None
            if item.type == "number":
                text = cell.strip().replace(item.group_char or "\0", "").replace(item.decimal_char, ".")
                return float(text)
            if item.type == "year":
                return int(cell) if re.fullmatch(r"[0-9]{4}", cell) else None
            if item.type == "date":
                if fmt == "any":
                    return _dateutil().parse(cell).date()
                return dt.datetime.strptime(cell, "%Y-%m-%d" if fmt == "default" else fmt).date()
            if item.type == "datetime":
                if fmt == "default":
                    if not re.fullmatch(_DATETIME[1:-1], cell):
                        return None
                    return _naive_utc(_dateutil().isoparse(cell))
                parsed = _dateutil().parse(cell) if fmt == "any" else dt.datetime.strptime(cell, fmt)
                return _naive_utc(parsed)
            if item.type == "time":
                if fmt == "default":
                    if len(cell) < 8 or cell[5] != ":":
                        return None
                    return _dateutil().isoparse(f"2000-01-01T{cell}").time()
                parsed = _dateutil().parse(cell) if fmt == "any" else dt.datetime.strptime(cell, fmt)
                return parsed.time()
        except (ValueError, OverflowError, TypeError):
            return None
        return cell

    return read


def _naive_utc(value: dt.datetime) -> dt.datetime:
    if value.tzinfo is None:
        return value
    return value.astimezone(dt.timezone.utc).replace(tzinfo=None)


def _dateutil() -> Any:
    from dateutil import parser

    return parser


def _is_base64(cell: str) -> bool:
    try:
        base64.b64decode(cell, validate=True)
    except (binascii.Error, ValueError):
        return False
    return True


def _python_invalid(present: pa.Array, check: Callable[[str], bool]) -> pa.Array:
    return pa.array([cell is not None and not check(cell) for cell in present.to_pylist()], pa.bool_())


def _not_matching(present: pa.Array, regex: str) -> pa.Array:
    return pc.fill_null(pc.invert(pc.match_substring_regex(present, pattern=regex)), False)


def _present_and_not(present: pa.Array, valid: pa.Array) -> pa.Array:
    return pc.and_(pc.is_valid(present), pc.invert(pc.fill_null(valid, False)))


_FALSE: dict[int, pa.Array] = {}


def _false(length: int) -> pa.Array:
    """An all-false mask (cached: batches mostly share a few lengths)."""
    if length not in _FALSE:
        if len(_FALSE) > 64:
            _FALSE.clear()
        _FALSE[length] = pc.fill_null(pa.nulls(length, pa.bool_()), False)
    return _FALSE[length]
