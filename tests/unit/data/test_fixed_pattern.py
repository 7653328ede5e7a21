"""Fixed-shape patterns: same verdicts as RE2 full matches, and None for everything else."""

from __future__ import annotations

import random

import pyarrow as pa
import pyarrow.compute as pc
import pytest

from mlgate.data.fixed_pattern import compile_fixed, mismatches

FIXED = [
    "ID-[0-9]{8}",
    "^C-[0-9]{6}$",
    "[A-Z]{2}[0-9]{4}",
    r"\d{3}-\d{4}",
    r"[a-f0-9]{8}",
    r"[A-Za-z_]\w{3}",
    r"x\.y\-z",
    "[]a]b",
    "[a-]{2}",
    r"a\$",
    "abc",
    r"[\d_]{2}\s",
]
NOT_FIXED = ["a+", "a*", "a?", "a{2,3}", "a{2,}", "a|b", "(ab)", ".{3}", "[^a]b", "é{2}", r"\bx", "(?i)ab", "", "^$"]


@pytest.mark.parametrize("pattern", FIXED)
def test_fixed_patterns_agree_with_re2(pattern: str) -> None:
    fixed = compile_fixed(pattern)
    assert fixed is not None
    rng = random.Random(pattern)
    alphabet = "ID-C0123456789ABZabcxyz_.$]- \té"
    values: list[str | None] = [None, "", "ID-12345678", "C-123456", "AB1234", "123-4567", "x.y-z", "]b", "a-", "a$"]
    for _ in range(3000):
        values.append("".join(rng.choice(alphabet) for _ in range(rng.randint(0, 12))))
    array = pa.array(values, pa.string())
    expected = pc.fill_null(pc.invert(pc.match_substring_regex(array, pattern=f"^(?:{pattern})$")), False)
    for candidate in (array, array.cast(pa.large_string()), array.slice(7)):
        want = expected if len(candidate) == len(array) else expected.slice(7)
        assert mismatches(candidate, fixed).tolist() == want.to_pylist()


@pytest.mark.parametrize("pattern", NOT_FIXED)
def test_other_patterns_are_left_to_the_regex_engine(pattern: str) -> None:
    assert compile_fixed(pattern) is None


def test_a_block_of_one_class_is_one_comparison() -> None:
    fixed = compile_fixed("ID-[0-9]{8}")
    assert fixed is not None
    assert fixed.length == 11
    assert [(b.start, b.stop) for b in fixed.blocks] == [(0, 1), (1, 2), (2, 3), (3, 11)]


@pytest.mark.parametrize("pattern", ["a{²}", "[0-9]{３}", "x{١٢}"])
def test_a_repeat_count_of_other_scripts_digits_is_left_to_the_regex_engine(pattern: str) -> None:
    assert compile_fixed(pattern) is None  # str.isdigit takes "²", int() does not; re reads "{²}" literally
