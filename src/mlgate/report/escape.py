"""Escaping for values that come from data: markdown tables, HTML and GitHub workflow commands."""

from __future__ import annotations

from typing import Any

_MD = str.maketrans({"|": "\\|", "`": "'", "<": "&lt;", ">": "&gt;", "\n": " ", "\r": " ", "*": "\\*", "_": "\\_"})


def md(value: Any, limit: int = 60) -> str:
    """A value safe inside a markdown table cell (no pipes, HTML, markers or line breaks)."""
    text = str(value)
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return text.translate(_MD)


def command_data(value: str) -> str:
    """Escape the message part of a ``::error ...::message`` workflow command."""
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def command_property(value: str) -> str:
    """Escape a property value (file=, title=) of a workflow command."""
    return command_data(value).replace(":", "%3A").replace(",", "%2C")


def example(value: Any, limit: int = 40) -> str:
    """A short quoted rendering of an example value for text output."""
    if isinstance(value, str):
        text = value if len(value) <= limit else value[: limit - 1] + "…"
        return '"' + text.replace("\n", "\\n").replace('"', '\\"') + '"'
    return str(value)
