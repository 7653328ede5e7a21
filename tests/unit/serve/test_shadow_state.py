"""shadow.json: round trip, refusals naming the file, start and stop."""

from __future__ import annotations

from pathlib import Path

import pytest

from mlgate.errors import InputError
from mlgate.serve.shadow_state import (
    ShadowPointer,
    check_fraction,
    clear_shadow,
    parse_shadow,
    read_shadow,
    write_shadow,
)
from mlgate.serve.state import LivePointer

POINTER = LivePointer("2", "tree", "/m/2.skops", "a" * 64, ("x.Y",), ("a", "b"), "2026-12-07T09:00:00")


def test_written_then_read_back_then_cleared(tmp_path: Path) -> None:
    assert read_shadow(tmp_path) is None
    write_shadow(tmp_path, ShadowPointer(POINTER, 0.25, "2026-12-07T09:00:00Z"))
    assert read_shadow(tmp_path) == ShadowPointer(POINTER, 0.25, "2026-12-07T09:00:00Z")
    assert clear_shadow(tmp_path) is True
    assert clear_shadow(tmp_path) is False


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[]", r"s\.json: expected an object with pointer, fraction and started_at"),
        ('{"pointer": {}, "fraction": "all", "started_at": "t"}', r"fraction must be a number"),
        ('{"pointer": {}, "fraction": 0.5, "started_at": "t"}', r"s\.json: pointer: missing version"),
        ("{", r"s\.json:1:2: not valid JSON"),
    ],
)
def test_a_malformed_file_names_itself(text: str, message: str) -> None:
    with pytest.raises(InputError, match=message):
        parse_shadow(text, where="s.json")


@pytest.mark.parametrize("fraction", [0.0, -0.1, 1.5, float("nan")])
def test_a_fraction_outside_zero_to_one_is_refused(fraction: float) -> None:
    with pytest.raises(InputError, match=r"must be in \(0, 1\]"):
        check_fraction(fraction)
