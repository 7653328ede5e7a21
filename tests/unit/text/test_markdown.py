"""mlgate.text.markdown: data shown as markdown text never acts (property-based, and the classic cases)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings

from inert import hostile_text, markdown_problems
from mlgate.text.markdown import code, md

BOUNDED = settings(max_examples=200, deadline=None, derandomize=True)


@BOUNDED
@given(hostile_text())
def test_a_value_is_inert_in_a_table_cell_and_in_a_line(value: str) -> None:
    cell = md(value, None)
    assert markdown_problems(f"| a | b |\n|---|---|\n| {cell} | x |\n\n- {cell}\n") == []
    assert "\n" not in cell


@BOUNDED
@given(hostile_text())
def test_a_code_span_stays_closed_on_one_line(value: str) -> None:
    inside = code(value, None)
    assert "`" not in inside
    assert "\n" not in inside
    assert "\r" not in inside
    assert markdown_problems(f"- `{inside}` and `{code(value, 5)}`\n") == []


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ("@someone", "@\u200bsomeone"),
        ("@org/team", "@\u200borg/team"),
        ("#123", "#\u200b123"),
        ("GH-12", "GH\u200b-12"),
        ("x\\|y", "x\\\\\\|y"),  # an escaped backslash, then an escaped pipe: one cell
        ("a|b", "a\\|b"),
        ("<b>", "&lt;b&gt;"),
        ("&commat;x", "&amp;commat;x"),
        ("a\u202eb\u2066c", "abc"),
        ("a\nb", "a b"),
        ("a\x1bb", "a\\\\x1bb"),  # shown as the four characters \x1b
        ("[x](y)", "\\[x\\](y)"),
        ("https://e.example", "https:\u200b//e.example"),
    ],
)
def test_known_attacks_are_shown_as_text(value: str, shown: str) -> None:
    assert md(value) == shown


def test_a_long_value_is_cut_before_escaping_with_an_ellipsis() -> None:
    assert md("a" * 100, 10) == "a" * 9 + "…"
    assert md("|" * 100, 4) == "\\|\\|\\|…"


def test_code_keeps_text_literal_but_for_backticks_and_breaks() -> None:
    assert code("a_b*c @x #1") == "a_b*c @x #1"
    assert code("a`b\nc") == "a'b c"
    assert code("a|b") == "a|b"
    assert code("") == " "
