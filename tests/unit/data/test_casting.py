from __future__ import annotations

import datetime as dt

import pyarrow as pa
import pytest

from mlgate.data.casting import cast_column
from mlgate.data.schema import Field


def cast(kind: str, cells: list[str | None], **extra: object) -> tuple[list[object], list[bool], list[bool]]:
    result = cast_column(pa.array(cells, pa.string()), Field(name="x", type=kind, **extra), ("",))  # type: ignore[arg-type]
    return result.values.to_pylist(), result.missing.to_pylist(), result.invalid.to_pylist()


def test_integers_follow_frictionless() -> None:
    values, missing, invalid = cast("integer", ["1", "+5", " 7 ", "-3", "1.0", "0x10", "12x", "", None])
    assert values == [1, 5, 7, -3, None, None, None, None, None]
    assert invalid == [False, False, False, False, True, True, True, False, False]
    assert missing == [False] * 7 + [True, True]


def test_numbers_accept_exponents_nan_and_inf() -> None:
    values, _, invalid = cast("number", ["1e3", "-0.5", ".5", "NaN", "INF", "-Infinity", "1,5", "abc"])
    assert values[:3] == [1000.0, -0.5, 0.5]
    assert values[4] == float("inf")
    assert invalid == [False] * 6 + [True, True]


def test_number_with_group_and_decimal_chars() -> None:
    values, _, invalid = cast("number", ["1.234,5", "2,0", "3.5", "1,2,3"], group_char=".", decimal_char=",")
    assert values[:3] == [1234.5, 2.0, 35.0]  # as frictionless: the group char is removed first
    assert invalid == [False, False, False, True]


def test_booleans_use_true_and_false_values() -> None:
    values, _, invalid = cast("boolean", ["true", "FALSE", "1", "yes", "Y"], true_values=("true", "1", "Y"))
    assert values == [True, False, True, None, True]
    assert invalid == [False, False, False, True, False]


def test_dates_default_and_custom_formats() -> None:
    values, _, invalid = cast("date", ["2020-01-05", "2020-13-01", "05/01/2020"])
    assert values[0] == dt.date(2020, 1, 5)
    assert invalid == [False, True, True]
    values, _, invalid = cast("date", ["05/01/2020", "2020-01-05"], format="%d/%m/%Y")
    assert values[0] == dt.date(2020, 1, 5)
    assert invalid == [False, True]


def test_datetimes_in_iso_form_normalise_to_utc() -> None:
    values, _, invalid = cast("datetime", ["2020-01-05T10:00:00Z", "2020-01-05T12:00:00+02:00", "2020-01-05"])
    assert values[0] == values[1] == dt.datetime(2020, 1, 5, 10, 0)
    assert invalid == [False, False, True]


@pytest.mark.parametrize(
    ("fmt", "good", "bad"),
    [
        ("email", "a@b.io", "not-an-email"),
        ("uuid", "123e4567-e89b-12d3-a456-426614174000", "123"),
        ("uri", "https://example.org/x", "no scheme"),
        ("binary", "aGVsbG8=", "***"),
    ],
)
def test_string_formats(fmt: str, good: str, bad: str) -> None:
    _, _, invalid = cast("string", [good, bad], format=fmt)
    assert invalid == [False, True]


def test_missing_values_apply_before_typing() -> None:
    column = pa.array(["NA", "-", "3"], pa.string())
    result = cast_column(column, Field(name="x", type="integer"), ("NA", "-"))
    assert result.missing.to_pylist() == [True, True, False]
    assert result.invalid.to_pylist() == [False, False, False]


def test_typed_parquet_columns() -> None:
    result = cast_column(pa.array([1.0, 2.5, None]), Field(name="x", type="integer"), ("",))
    assert result.invalid.to_pylist() == [False, True, False]
    assert result.values.to_pylist() == [1, None, None]
    mismatched = cast_column(pa.array([1, None]), Field(name="x", type="string"), ("",))
    assert mismatched.invalid.to_pylist() == [True, False]


def test_parquet_values_beyond_64_bits_and_nanoseconds_do_not_crash() -> None:
    huge = pa.array([1, 2**64 - 1], pa.uint64())
    assert cast_column(huge, Field(name="x", type="integer"), ("",)).invalid.to_pylist() == [False, True]
    assert cast_column(huge, Field(name="x", type="number"), ("",)).values.to_pylist()[1] == float(2**64 - 1)
    assert cast_column(pa.array([1e300, 2.0]), Field(name="x", type="integer"), ("",)).invalid.to_pylist() == [
        True,
        False,
    ]
    nanos = pa.array([1_000_000_000_123_456_789], pa.timestamp("ns"))
    value = cast_column(nanos, Field(name="x", type="datetime"), ("",)).values.to_pylist()[0]
    assert value == dt.datetime(2001, 9, 9, 1, 46, 40, 123456)
