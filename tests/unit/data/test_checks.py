from __future__ import annotations

import pyarrow as pa
import pytest

from mlgate.data.casting import Cast, cast_column
from mlgate.data.checks import check_constraints, pattern_engine
from mlgate.data.schema import Constraints, Field


def failures(
    kind: str, cells: list[str | None], *, required: bool = False, **constraints: object
) -> dict[str, tuple[list[bool], str]]:
    item = Field(name="x", type=kind, constraints=Constraints(**constraints))  # type: ignore[arg-type]
    cast = cast_column(pa.array(cells, pa.string()), item, ("",))
    return {
        check: (mask.to_pylist(), detail) for check, mask, detail in check_constraints(item, cast, required=required)
    }


def test_missing_cells_fail_required_and_no_value_check() -> None:
    found = failures("integer", ["1", "", "9"], required=True, minimum=5)
    assert found == {
        "required": ([False, True, False], "a value is required"),
        "minimum": ([True, False, False], "below minimum 5"),
    }


def test_no_missing_cell_means_no_required_check() -> None:
    assert failures("integer", ["5", "6"], required=True, minimum=5) == {"minimum": ([False, False], "below minimum 5")}


def test_invalid_values_fail_type_naming_the_format() -> None:
    assert failures("integer", ["1", "x"])["type"] == ([False, True], "not a valid integer")
    item = Field(name="d", type="date", format="%d/%m/%Y")
    cast = cast_column(pa.array(["01/02/2024", "2024-02-01"], pa.string()), item, ("",))
    (check, mask, detail), *_ = check_constraints(item, cast, required=False)
    assert (check, mask.to_pylist(), detail) == ("type", [False, True], "not a valid date (%d/%m/%Y)")


def test_bounds_are_inclusive_or_exclusive_and_nan_is_outside_every_bound() -> None:
    found = failures("number", ["0", "1", "5", "10", "NaN"], minimum=1, exclusive_maximum=10)
    assert found["minimum"] == ([True, False, False, False, True], "below minimum 1")
    assert found["exclusiveMaximum"] == ([False, False, False, True, True], "not below exclusiveMaximum 10")
    found = failures("number", ["1", "5", "10"], exclusive_minimum=1, maximum=5)
    assert found["exclusiveMinimum"] == ([True, False, False], "not above exclusiveMinimum 1")
    assert found["maximum"] == ([False, False, True], "above maximum 5")


def test_lengths_count_characters_not_bytes() -> None:
    found = failures("string", ["ab", "abcd", "ééé"], min_length=3, max_length=3)
    assert found["minLength"] == ([True, False, False], "shorter than 3")
    assert found["maxLength"] == ([False, True, False], "longer than 3")


@pytest.mark.parametrize("pattern", ["[a-z]+", "ab?c", r"(?=a)[a-z]+"])  # the last one runs in Python
def test_a_pattern_must_match_the_whole_value(pattern: str) -> None:
    mask, detail = failures("string", ["abc", "ac", "abc1", ""], pattern=pattern)["pattern"]
    assert detail == f"does not match {pattern}"
    assert mask == [False, False, True, False]  # "abc1": a trailing "1" not covered; "": missing, not checked


def test_pattern_engine_falls_back_to_python_for_lookarounds() -> None:
    assert pattern_engine("[0-9]{3}") == "re2"
    assert pattern_engine(r"(?=a)\w+") == "python"


def test_enum_fails_present_values_outside_the_set() -> None:
    assert failures("string", ["a", "b", "", "c"], enum=("a", "c")) == {
        "enum": ([False, True, False, False], "not in enum")
    }
    assert failures("integer", ["1", "2", "x"], enum=(1,))["enum"] == ([False, True, False], "not in enum")


def test_checks_on_a_batch_without_missing_cells_take_the_masks_as_they_are() -> None:
    item = Field(name="x", type="integer", constraints=Constraints(maximum=2))
    values = pa.array([1, 3], pa.int64())
    no = pa.array([False, False])
    ((check, mask, detail),) = check_constraints(item, Cast(values, no, no, has_missing=False), required=True)
    assert (check, mask.to_pylist(), detail) == ("maximum", [False, True], "above maximum 2")
