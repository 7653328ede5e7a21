"""mlgate.text.actions_log: data never starts a workflow command, inside or outside mlgate's own."""

from __future__ import annotations

import pytest
from hypothesis import given, settings

from inert import hostile_text, log_problems
from mlgate.text.actions_log import escape_data, escape_property, neutralise, workflow_command

BOUNDED = settings(max_examples=200, deadline=None, derandomize=True)


@BOUNDED
@given(hostile_text())
def test_neutralised_text_has_no_command_line(value: str) -> None:
    shown = neutralise(value)
    assert log_problems(shown) == []
    assert not any(line.strip().startswith("::") for line in shown.splitlines())
    assert shown.replace("\u200b", "") == value.replace("\u200b", "")  # legible: only zero-width spaces added


@BOUNDED
@given(hostile_text(), hostile_text())
def test_a_command_is_one_line_whatever_its_message_and_title(message: str, title: str) -> None:
    line = workflow_command("error", message, file=title, title=title)
    assert "\n" not in line
    assert "\r" not in line
    assert "##[" not in line
    assert line.startswith("::error file=")
    head = line[2:].split("::", 1)[0]  # the properties end at the first "::": nothing from data closes them
    assert head.count(",") == 1
    assert head.count("=") >= 2


@pytest.mark.parametrize(
    ("value", "data", "prop"),
    [
        ("50% done\r\n::error::x", "50%25 done%0D%0A::error::x", "50%25 done%0D%0A%3A%3Aerror%3A%3Ax"),
        ("a,b:c", "a,b:c", "a%2Cb%3Ac"),
        ("##[group]x", "#\u200b#[group]x", "#\u200b#[group]x"),
        ("\x1b[31m", "\\x1b[31m", "\\x1b[31m"),
    ],
)
def test_data_and_properties_are_escaped(value: str, data: str, prop: str) -> None:
    assert escape_data(value) == data
    assert escape_property(value) == prop
