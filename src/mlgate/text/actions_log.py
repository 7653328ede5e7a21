"""The GitHub Actions log: workflow commands, and lines that carry data.

The runner reads every line a step prints. A line that starts with ``::`` once leading whitespace is trimmed
is a workflow command (``::error::``, ``::add-mask::``, ``::stop-commands::``); ``##[`` anywhere on a line is
the older form, and the log viewer styles lines that start with it. Untrusted text therefore never starts a
line with ``::`` and never contains ``##[``: :func:`neutralise` breaks both with a zero-width space
(U+200B, not whitespace to the runner), which keeps the text legible and makes it inert. Messages and
properties of mlgate's own commands are escaped the way the runner unescapes them (:func:`escape_data`,
:func:`escape_property`), so a value can never end its command or start another line.
"""

from __future__ import annotations

import re

from mlgate.text.controls import show

ZWSP = "\u200b"
# what a runner or a viewer may skip before a command: whitespace, and zero-width characters for good measure
_LINE_START = re.compile(r"(^|[\n\r\u2028\u2029\x85])([\s\ufeff\u200b-\u200d\u2060]*)::")
_LEGACY = "##["
_BROKEN = "#" + ZWSP + "#["


def neutralise(text: str) -> str:
    """``text`` with no line that starts with ``::`` and no ``##[``: ``:\\u200b:`` and ``#\\u200b#[``."""
    text = text.replace(_LEGACY, _BROKEN)
    return _LINE_START.sub(lambda m: f"{m.group(1)}{m.group(2)}:{ZWSP}:", text)


def escape_data(value: str) -> str:
    """A workflow command's message: ``%``, CR and LF escaped (the runner unescapes them), other control
    characters shown as ``\\x1b``, ``##[`` broken (the runner writes a multi-line message to the log line by line)."""
    return (
        show(value, keep="\r\n").replace(_LEGACY, _BROKEN).replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    )


def escape_property(value: str) -> str:
    """A workflow command's property value: like data, plus ``:`` and ``,``."""
    return escape_data(value).replace(":", "%3A").replace(",", "%2C")


def workflow_command(command: str, message: str = "", **properties: str | int | None) -> str:
    """``::command k=v,...::message`` with escaping; properties set to None are left out."""
    props = ",".join(f"{k}={escape_property(str(v))}" for k, v in properties.items() if v is not None)
    return f"::{command}{' ' + props if props else ''}::{escape_data(message)}"
