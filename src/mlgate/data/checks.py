"""Per-batch constraint checks on typed values. Each returns ``(check, mask, detail)`` triples."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from typing import Any

import pyarrow as pa

from mlgate.data import compute as pc
from mlgate.data.casting import Cast
from mlgate.data.fixed_pattern import compile_fixed, mismatches
from mlgate.data.schema import Field, re2_compiles

Check = tuple[str, pa.Array, str]


def check_constraints(item: Field, cast: Cast, *, required: bool) -> Iterator[Check]:
    """Yield the failing-value masks of every constraint of ``item`` on one batch."""
    if required and cast.has_missing and cast.missing.true_count:
        yield "required", cast.missing, "a value is required"
    if cast.invalid.true_count:
        yield (
            "type",
            cast.invalid,
            f"not a valid {item.type}" + (f" ({item.format})" if item.format != "default" else ""),
        )
    values = cast.values
    if not cast.has_missing:
        yield from _value_checks(item, values)
        return
    present: pa.Array | None = None  # computed for the first check that applies, if any
    for check, mask, message in _value_checks(item, values):
        present = pc.invert(cast.missing) if present is None else present
        yield check, pc.and_(mask, present), message


def _no_nulls(mask: pa.Array, values: pa.Array) -> pa.Array:
    """``mask`` with nulls read as False (a comparison of null-free values has none: no kernel call)."""
    return mask if values.null_count == 0 else pc.fill_null(mask, False)


def _value_checks(item: Field, values: pa.Array) -> Iterator[Check]:
    c = item.constraints
    bounds = [
        (name, bound, compare, text)
        for name, bound, compare, text in (
            ("minimum", c.minimum, pc.less, "below minimum"),
            ("maximum", c.maximum, pc.greater, "above maximum"),
            ("exclusiveMinimum", c.exclusive_minimum, pc.less_equal, "not above exclusiveMinimum"),
            ("exclusiveMaximum", c.exclusive_maximum, pc.greater_equal, "not below exclusiveMaximum"),
        )
        if bound is not None
    ]
    nan = _no_nulls(pc.is_nan(values), values) if bounds and pa.types.is_floating(values.type) else None
    for name, bound, compare, text in bounds:
        mask = _no_nulls(compare(values, _scalar(bound, values.type)), values)
        if nan is not None:  # as in Frictionless: NaN is not within any bound
            mask = pc.or_(mask, nan)
        yield name, mask, f"{text} {bound}"
    if c.min_length is not None or c.max_length is not None:
        lengths = pc.utf8_length(values)
        if c.min_length is not None:
            yield "minLength", _no_nulls(pc.less(lengths, c.min_length), values), f"shorter than {c.min_length}"
        if c.max_length is not None:
            yield "maxLength", _no_nulls(pc.greater(lengths, c.max_length), values), f"longer than {c.max_length}"
    if c.pattern is not None:
        yield "pattern", _pattern_mask(values, c.pattern), f"does not match {c.pattern}"
    if c.enum is not None:
        allowed = pa.array(list(c.enum), values.type)
        inside = pc.is_in(values, value_set=allowed)
        yield "enum", pc.and_(pc.is_valid(values), pc.invert(pc.fill_null(inside, True))), "not in enum"


def _scalar(value: Any, kind: pa.DataType) -> pa.Scalar:
    return pa.scalar(value, kind)


_RE2_OK: dict[str, bool] = {}
_fixed_pattern = functools.lru_cache(maxsize=256)(compile_fixed)  # parsed once per pattern, not per batch


def pattern_engine(pattern: str) -> str:
    """'re2' when pyarrow can run the pattern, else 'python' (slower, same semantics)."""
    if pattern not in _RE2_OK:
        _RE2_OK[pattern] = re2_compiles(pattern)
    return "re2" if _RE2_OK[pattern] else "python"


def _pattern_mask(values: pa.Array, pattern: str) -> pa.Array:
    """Present values that do not match the whole pattern."""
    if pattern_engine(pattern) == "re2":
        fixed = _fixed_pattern(pattern)
        if fixed is not None and (pa.types.is_string(values.type) or pa.types.is_large_string(values.type)):
            return pc.from_numpy(mismatches(values, fixed))
        matched = pc.match_substring_regex(values, pattern=f"^(?:{pattern})$")
        return pc.fill_null(pc.invert(matched), False)
    compiled = re.compile(pattern)  # re caches compiled patterns itself
    return pa.array([v is not None and compiled.fullmatch(v) is None for v in values.to_pylist()], pa.bool_())
