"""Text for a terminal, which in CI is also the Actions log.

No control character from data reaches the terminal: C0 (ESC, BEL, CR, ...), DEL, C1 (CSI U+009B, OSC
U+009D, ...), the bidirectional controls and the line separators are shown as ``\\x1b`` / ``\\u009b`` escapes.
A data value stays on its one line (a line break is shown as ``\\x0a``), and what it says can never act as a
workflow command (:func:`mlgate.text.actions_log.neutralise`).

- :func:`escape`: one value from data, placed anywhere on a line of a report;
- :func:`sanitize`: a whole output, the CLI's last guard: line breaks and tabs kept, everything else shown.
"""

from __future__ import annotations

from mlgate.text.actions_log import neutralise
from mlgate.text.controls import clip, show


def escape(value: object, limit: int | None = 200) -> str:
    """One value for a line of text output: control characters visible, one line, inert in the Actions log."""
    return neutralise(show(clip(str(value), limit)))


def example(value: object, limit: int = 40) -> str:
    """A short rendering of an example value: strings quoted (``"a \\"b\\""``), others as they print."""
    if not isinstance(value, str):
        return escape(value, limit)
    text = clip(value, limit).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return '"' + escape(text, None) + '"'


def sanitize(text: str) -> str:
    """A whole output for a terminal: line breaks and tabs kept, every other control character visible."""
    return show(text, keep="\n\t")
