"""Unit tests for mlgate.text.controls: which characters are unsafe and how they are shown."""

from __future__ import annotations

import json

import pytest

from mlgate.text.controls import BIDI_CHARS, UNSAFE, clip, show, visible


@pytest.mark.parametrize(
    ("char", "shown"),
    [("\x1b", "\\x1b"), ("\x07", "\\x07"), ("\x7f", "\\u007f"), ("\x9b", "\\u009b"), ("\u202e", "\\u202e")],
)
def test_visible_writes_an_escape_below_del_and_a_unicode_escape_from_del_on(char: str, shown: str) -> None:
    assert visible(char) == shown


def test_show_escapes_controls_bidi_and_line_separators() -> None:
    assert show("a\x1b[31mb\u202ec\u2028d") == "a\\x1b[31mb\\u202ec\\u2028d"


def test_show_keeps_ordinary_text_and_the_characters_asked_for() -> None:
    assert show("line one\nline\ttwo", keep="\n") == "line one\nline\\x09two"
    assert show("plain ünïcode €") == "plain ünïcode €"


def test_the_unicode_escapes_keep_a_json_string_valid() -> None:
    text = "x\u009by\u202ez"
    assert json.loads('"' + show(text) + '"') == text


def test_the_patterns_tell_bidi_controls_from_other_unsafe_characters() -> None:
    assert BIDI_CHARS.search("\u2066")
    assert not BIDI_CHARS.search("\x1b")
    assert UNSAFE.findall("ok\x00\u061c\u2029") == ["\x00", "\u061c", "\u2029"]


@pytest.mark.parametrize(
    ("text", "limit", "clipped"),
    [("abcdef", None, "abcdef"), ("abcdef", 6, "abcdef"), ("abcdef", 4, "abc…"), ("abcdef", 1, "…"), ("ab", 0, "…")],
)
def test_clip_cuts_to_the_limit_with_an_ellipsis(text: str, limit: int | None, clipped: str) -> None:
    assert clip(text, limit) == clipped
