"""The sticky marker and the size budget of a report body.

The marker is the body's first line, ``<!-- mlgate:report v=1 key=KEY head=SHA hash=HASH -->``
(``mlgate.github.marker``), where
HASH is the first 16 hex digits of the SHA-256 of everything after that line: a poster can skip an update
that changes nothing. KEY and SHA are reduced to characters that cannot end the HTML comment.

Sizes are counted in UTF-8 bytes, never fewer than characters, so a budget holds in either unit.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence

from mlgate.github.marker import format_marker

_KEY_UNSAFE = re.compile(r"[^A-Za-z0-9._/:@+-]+")


def size(text: str) -> int:
    """The budgeted size of ``text``: its UTF-8 length in bytes."""
    return len(text.encode("utf-8"))


def sanitize_key(key: str) -> str:
    """A report key safe inside the marker: ``pr-check/benchmark``; unsafe runs and ``--`` become ``-``."""
    clean = re.sub(r"-{2,}", "-", _KEY_UNSAFE.sub("-", key)).strip("-")[:100]
    return clean or "mlgate"


def sanitize_head(head: str | None) -> str:
    """A full hex commit id, lower case, or ``unknown``."""
    return head.lower() if head and re.fullmatch(r"[0-9a-fA-F]{7,64}", head) else "unknown"


def marker_line(body: str, *, key: str, head: str | None) -> str:
    """The first line for ``body`` (without its newline)."""
    digest = hashlib.sha256(body.encode("utf-8")).hexdigest()[:16]
    return format_marker("report", key=sanitize_key(key), head=sanitize_head(head), hash=digest)


def with_marker(body: str, *, key: str, head: str | None) -> str:
    """``body`` with its marker line first."""
    return marker_line(body, key=key, head=head) + "\n" + body


def fit_prefix(lines: Sequence[str], room: int) -> int:
    """How many of ``lines`` (each followed by a newline) fit in ``room`` bytes, taken from the start."""
    used = count = 0
    for line in lines:
        used += size(line) + 1
        if used > room:
            break
        count += 1
    return count
