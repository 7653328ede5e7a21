"""mlgate.text.terminal: no control character from data reaches a terminal or the Actions log."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings

from inert import hostile_text, log_problems, terminal_problems
from mlgate.text.terminal import escape, example, sanitize

BOUNDED = settings(max_examples=200, deadline=None, derandomize=True)


@BOUNDED
@given(hostile_text())
def test_a_value_is_one_inert_line(value: str) -> None:
    shown = escape(value, None)
    assert terminal_problems(shown) == []
    assert "\n" not in shown
    assert "\t" not in shown
    assert log_problems(f"  {shown}") == []
    assert log_problems(f"{shown}  x") == []


@BOUNDED
@given(hostile_text())
def test_a_whole_output_keeps_its_lines_and_loses_its_controls(value: str) -> None:
    shown = sanitize(value)
    assert terminal_problems(shown) == []
    assert shown.count("\n") == value.count("\n")


@BOUNDED
@given(hostile_text())
def test_json_stays_valid_and_equal_through_the_guard(value: str) -> None:
    document = json.dumps({"v": value}, ensure_ascii=False)
    assert json.loads(sanitize(document)) == {"v": value}


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ("\x1b[31mred", "\\x1b[31mred"),
        ("bell\x07", "bell\\x07"),
        ("\x9b31m", "\\u009b31m"),
        ("\x1b]8;;https://e.example\x07x", "\\x1b]8;;https://e.example\\x07x"),
        ("a\u202eb", "a\\u202eb"),
        ("a\nb\rc", "a\\x0ab\\x0dc"),
        ("::error::x", ":\u200b:error::x"),
        ("  ::warning::x", "  :\u200b:warning::x"),
        ("a ##[group]b", "a #\u200b#[group]b"),
    ],
)
def test_known_sequences_are_shown(value: str, shown: str) -> None:
    assert escape(value) == shown


def test_sanitize_keeps_line_breaks_and_tabs_only() -> None:
    assert sanitize("a\tb\nc\x1bd\re") == "a\tb\nc\\x1bd\\x0de"


def test_an_example_is_quoted_and_shown() -> None:
    assert example('a"b\\c\n\x1b') == '"a\\"b\\\\c\\n\\x1b"'
    assert example(3.5) == "3.5"
    assert example("x" * 50, 10) == '"' + "x" * 9 + '…"'
