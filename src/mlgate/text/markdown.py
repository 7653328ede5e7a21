"""GitHub-flavoured markdown for PR comments, issues and job summaries.

A value from data is shown as text and can never act:

- no markup: ``\\`` and the ASCII punctuation markdown acts on (`` ` * _ [ ] | ~ ``) are backslash-escaped,
  so ``\\|`` in data is an escaped backslash followed by an escaped pipe, never a cell split;
- no raw HTML and no entity: ``&``, ``<`` and ``>`` become ``&amp;``, ``&lt;``, ``&gt;``;
- no mention, reference or autolink: a zero-width space (U+200B) follows every ``@`` and ``#`` and splits
  ``://`` and ``www.`` (GitHub links ``@user``, ``@org/team``, ``#123`` and ``GH-123`` only when the name or
  number follows at once, and a backslash or an entity would be undone before it looks);
- no bidirectional control (U+202A-U+202E, U+2066-U+2069, U+200E, U+200F, U+061C): removed;
- one line: line breaks become spaces, other control characters are shown as ``\\x1b``.

Inside a code span GitHub links nothing and markdown does nothing, so :func:`code` only has to keep the span
closed and on one line. Table cells use :func:`md`: a pipe inside a code span would still split the cell.
"""

from __future__ import annotations

import re

from mlgate.text.actions_log import neutralise
from mlgate.text.controls import BIDI_CHARS, clip, show

ZWSP = "\u200b"
_BREAKS = re.compile(r"[\r\n\t\x0b\x0c\x85\u2028\u2029]")
_ESCAPE = str.maketrans(
    {
        "\\": "\\\\",
        "`": "\\`",
        "*": "\\*",
        "_": "\\_",
        "[": "\\[",
        "]": "\\]",
        "|": "\\|",
        "~": "\\~",
        "&": "&amp;",
        "<": "&lt;",
        ">": "&gt;",
        "@": "@" + ZWSP,
        "#": "#" + ZWSP,
    }
)
_LINKS = re.compile(r"(?i)(:)(//)|\b(www)(\.)|\b(gh)(-\d)")


def _one_line(value: object, limit: int | None) -> str:
    """The value's text: bidirectional controls removed, line breaks as spaces, other controls visible, and
    inert in the Actions log too (a report printed with ``--format markdown`` in a step lands there)."""
    text = BIDI_CHARS.sub("", str(value))
    return neutralise(show(_BREAKS.sub(" ", clip(text, limit))))


def md(value: object, limit: int | None = 60) -> str:
    """A value as inert markdown text, safe in a table cell and anywhere in a line (cut to ``limit``)."""
    text = _one_line(value, limit).translate(_ESCAPE)
    return _LINKS.sub(lambda m: ZWSP.join(g for g in m.groups() if g is not None), text)


def code(value: object, limit: int | None = 80) -> str:
    """The inside of an inline code span outside tables (the caller adds the backticks): no backtick, one line."""
    return _one_line(value, limit).replace("`", "'") or " "
