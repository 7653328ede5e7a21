"""The pyarrow compute functions the data gate uses, called through ``pyarrow._compute`` directly.

``import pyarrow.compute`` costs about 66 ms, some 50 ms of it spent generating a Python wrapper for every
compute function in the registry; ``import pyarrow._compute`` (the Cython core with ``call_function`` and
the options classes) costs about 6 ms. ``mlgate validate`` reads a file in well under a second, so the
difference is visible. This module imports only ``pyarrow`` and ``pyarrow._compute`` and offers exactly
the functions the modules under ``mlgate.data`` call, with the names and arguments of ``pyarrow.compute``.
The ``cast``/``filter``/``take``/``drop_null``/``is_valid`` methods of arrays and tables import
``pyarrow.compute`` on first use, so ``mlgate.data`` calls the functions here instead of those methods.
"""

from __future__ import annotations

from typing import Any, TypeAlias

import numpy as np
import numpy.typing as npt
import pyarrow as pa
from pyarrow import _compute

Values: TypeAlias = Any
"""An Arrow ``Array`` or ``ChunkedArray`` (``Table`` for ``sort_indices``)."""
Operand: TypeAlias = Any
"""An Arrow array, chunked array or scalar, or a Python scalar Arrow converts."""


def from_numpy(values: npt.NDArray[Any]) -> pa.Array:
    """A 1-d NumPy bool or numeric array as an Arrow array without nulls (numeric ones zero-copy).

    ``pa.array`` on a NumPy array checks for masked arrays, which imports ``numpy.ma`` (~15 ms) on first use.
    """
    if values.dtype == np.bool_:
        bits = np.packbits(values, bitorder="little")
        return pa.Array.from_buffers(pa.bool_(), len(values), [None, pa.py_buffer(bits)])
    flat = np.ascontiguousarray(values)
    return pa.Array.from_buffers(pa.from_numpy_dtype(flat.dtype), len(flat), [None, pa.py_buffer(flat)])


def _call(name: str, *args: Operand, options: Any = None) -> Any:
    return _compute.call_function(name, list(args), options)


def add(left: Operand, right: Operand) -> Values:
    return _call("add", left, right)


def all(values: Values) -> pa.Scalar:
    return _call("all", values)


def any(values: Values) -> pa.Scalar:
    return _call("any", values)


def sum(values: Values) -> pa.Scalar:
    return _call("sum", values)


def max(values: Values) -> pa.Scalar:
    return _call("max", values)


def min_max(values: Values) -> pa.Scalar:
    return _call("min_max", values)


def count_distinct(values: Values) -> pa.Scalar:
    return _call("count_distinct", values)


def and_(left: Operand, right: Operand) -> Values:
    return _call("and", left, right)


def and_not(left: Operand, right: Operand) -> Values:
    return _call("and_not", left, right)


def or_(left: Operand, right: Operand) -> Values:
    return _call("or", left, right)


def invert(values: Values) -> Values:
    return _call("invert", values)


def equal(left: Operand, right: Operand) -> Values:
    return _call("equal", left, right)


def greater(left: Operand, right: Operand) -> Values:
    return _call("greater", left, right)


def greater_equal(left: Operand, right: Operand) -> Values:
    return _call("greater_equal", left, right)


def less(left: Operand, right: Operand) -> Values:
    return _call("less", left, right)


def less_equal(left: Operand, right: Operand) -> Values:
    return _call("less_equal", left, right)


def if_else(condition: Operand, left: Operand, right: Operand) -> Values:
    return _call("if_else", condition, left, right)


def fill_null(values: Values, fill_value: Operand) -> Values:
    """Replace nulls with ``fill_value``, converted to the type of ``values`` as pyarrow.compute does."""
    if not isinstance(fill_value, pa.Array | pa.ChunkedArray | pa.Scalar):
        fill_value = pa.scalar(fill_value, type=values.type)
    elif values.type != fill_value.type:
        fill_value = pa.scalar(fill_value.as_py(), type=values.type)
    return _call("coalesce", values, fill_value)


def cast(values: Operand, target_type: pa.DataType, safe: bool = True) -> Values:
    options = _compute.CastOptions.safe(target_type) if safe else _compute.CastOptions.unsafe(target_type)
    return _call("cast", values, options=options)


def is_in(values: Values, *, value_set: pa.Array) -> Values:
    return _call("is_in", values, options=_compute.SetLookupOptions(value_set))


def index_in(values: Values, *, value_set: pa.Array) -> Values:
    return _call("index_in", values, options=_compute.SetLookupOptions(value_set))


def indices_nonzero(values: Values) -> Values:
    return _call("indices_nonzero", values)


def is_nan(values: Values) -> Values:
    return _call("is_nan", values)


def is_null(values: Values) -> Values:
    return _call("is_null", values, options=_compute.NullOptions(nan_is_null=False))


def is_valid(values: Values) -> Values:
    return _call("is_valid", values)


def floor(values: Values) -> Values:
    return _call("floor", values)


def day(values: Values) -> Values:
    return _call("day", values)


def year(values: Values) -> Values:
    return _call("year", values)


def binary_length(values: Values) -> Values:
    return _call("binary_length", values)


def utf8_length(values: Values) -> Values:
    return _call("utf8_length", values)


def utf8_trim_whitespace(values: Values) -> Values:
    return _call("utf8_trim_whitespace", values)


def list_element(lists: Values, index: Operand) -> Values:
    return _call("list_element", lists, index)


def split_pattern(strings: Values, pattern: str) -> Values:
    return _call("split_pattern", strings, options=_compute.SplitPatternOptions(pattern))


def starts_with(strings: Values, pattern: str) -> Values:
    return _call("starts_with", strings, options=_compute.MatchSubstringOptions(pattern))


def match_substring(strings: Values, pattern: str) -> Values:
    return _call("match_substring", strings, options=_compute.MatchSubstringOptions(pattern))


def match_substring_regex(strings: Values, pattern: str) -> Values:
    return _call("match_substring_regex", strings, options=_compute.MatchSubstringOptions(pattern))


def replace_substring(strings: Values, pattern: str, replacement: str) -> Values:
    return _call("replace_substring", strings, options=_compute.ReplaceSubstringOptions(pattern, replacement))


def replace_substring_regex(strings: Values, pattern: str, replacement: str) -> Values:
    options = _compute.ReplaceSubstringOptions(pattern, replacement)
    return _call("replace_substring_regex", strings, options=options)


def strptime(strings: Values, *, format: str, unit: str, error_is_null: bool = False) -> Values:
    return _call("strptime", strings, options=_compute.StrptimeOptions(format, unit, error_is_null=error_is_null))


def sort_indices(table: Values, *, sort_keys: list[tuple[str, str]]) -> Values:
    return _call("sort_indices", table, options=_compute.SortOptions(sort_keys=sort_keys))


def unique(values: Values) -> Values:
    return _call("unique", values)


def value_counts(values: Values) -> Values:
    return _call("value_counts", values)


def take(values: Values, indices: Operand) -> Values:
    return _call("take", values, indices, options=_compute.TakeOptions(boundscheck=True))


def filter(values: Values, mask: Operand) -> Values:
    return _call("filter", values, mask, options=_compute.FilterOptions("drop"))


def drop_null(values: Values) -> Values:
    return _call("drop_null", values)
