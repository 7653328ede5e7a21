"""The characters no output may carry from data: control characters and bidirectional controls."""

from __future__ import annotations

import re

# C0 (ESC, BEL, CR, ...), DEL and C1 (U+0080-U+009F: CSI U+009B, OSC U+009D, NEL U+0085, ...)
CONTROL = "\x00-\x1f\x7f-\x9f"
# bidirectional embeddings, overrides and isolates, the directional marks and the Arabic letter mark;
# U+2028/U+2029 (line and paragraph separators) end a line in some viewers
BIDI = "\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c"
SEPARATORS = "\u2028\u2029"

UNSAFE = re.compile(f"[{CONTROL}{BIDI}{SEPARATORS}]")
BIDI_CHARS = re.compile(f"[{BIDI}]")


def visible(char: str) -> str:
    """How one unsafe character is shown: ``\\x1b`` below DEL, ``\\u009b`` / ``\\u202e`` from DEL on.

    The ``\\uXXXX`` form is also a valid JSON escape of the same character, so a JSON document stays valid.
    """
    point = ord(char)
    return f"\\x{point:02x}" if point < 0x7F else f"\\u{point:04x}"


def show(text: str, *, keep: str = "") -> str:
    """``text`` with every unsafe character but those in ``keep`` written as :func:`visible` escapes."""
    return UNSAFE.sub(lambda m: m.group() if m.group() in keep else visible(m.group()), text)


def clip(text: str, limit: int | None) -> str:
    """``text`` cut to ``limit`` characters with an ellipsis; None: no limit."""
    if limit is None or len(text) <= limit:
        return text
    return text[: max(limit - 1, 0)] + "…"
