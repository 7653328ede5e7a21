"""Who owns a comment or issue body, its marker line dropped, and GitHub's size limit.

The marker is the body's first line (``mlgate.github.marker``: the format, written and read): a body is
mlgate's when its marker has the key and the expected author wrote it. A body over GitHub's 65,536-character
limit is cut at a line boundary, with open code fences and ``<details>`` closed and a note saying so: posting
never fails on size.
"""

from __future__ import annotations

import re

from mlgate.github.marker import MarkerKind, parse_marker

COMMENT_LIMIT = 65_536  # GitHub's limit on an issue comment body, in characters; sizes here are UTF-8 bytes
MARKER_ROOM = 256  # bytes reserved for the marker line in front of a fitted body
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")


def is_ours(body: str, login: str, *, key: str, author: str, kind: MarkerKind = "report") -> bool:
    """Whether a body written by ``login`` is mlgate's for ``key``: its marker starts it and ``author`` wrote it.

    Logins compare case-insensitively, as GitHub's do. A human quoting mlgate's text never matches.
    """
    marker = parse_marker(body, kind=kind)
    return marker is not None and marker.key == key and login.lower() == author.lower()


def strip_marker(body: str, *, kind: MarkerKind = "report") -> str:
    """``body`` without its leading ``kind`` marker line (unchanged when it has none)."""
    if parse_marker(body, kind=kind) is None:
        return body
    return body.split("\n", 1)[1] if "\n" in body else ""


def size(text: str) -> int:
    """Budgeted size: UTF-8 bytes, never fewer than GitHub's characters."""
    return len(text.encode("utf-8"))


def fit_body(body: str, *, limit: int, where: str = "the job summary") -> tuple[str, bool]:
    """``body`` cut to at most ``limit`` bytes, and whether it was cut.

    The cut falls on a line boundary; an open code fence and open ``<details>`` are closed, so the
    rest of the comment renders; a note says how much was left out and ``where`` the full report is.
    """
    total = size(body)
    if total <= limit:
        return body, False
    room = limit - 512  # the closers and the note
    while True:
        kept = body.encode("utf-8")[: max(0, room)].decode("utf-8", errors="ignore")
        kept = kept[: kept.rfind("\n") + 1] if "\n" in kept else ""
        note = (
            f"\n\n> [!NOTE]\n> mlgate cut this report to fit GitHub's comment size limit: "
            f"{total - size(kept):,} of {total:,} bytes left out. The full report is in {where}.\n"
        )
        fitted = kept + _closers(kept) + note
        if size(fitted) <= limit or room <= 0:
            return fitted, True
        room -= size(fitted) - limit


def fit_report(text: str, *, where: str, kind: MarkerKind = "report") -> tuple[str, bool]:
    """A report file's text ready for a marker: its old ``kind`` marker dropped, cut to leave room for the new one."""
    return fit_body(strip_marker(text, kind=kind), limit=COMMENT_LIMIT - MARKER_ROOM, where=where)


def _closers(text: str) -> str:
    """What closes the code fence and ``<details>`` blocks left open at the end of ``text``."""
    fence: str | None = None
    for line in text.splitlines():
        match = _FENCE.match(line)
        if match is None:
            continue
        mark = match.group(1)
        if fence is None:
            fence = mark
        elif mark[0] == fence[0] and len(mark) >= len(fence) and not line.strip()[len(mark) :].strip():
            fence = None
    closers = f"{fence}\n" if fence else ""  # the kept text ends with a newline
    outside = text if fence is None else text[: text.rfind(fence)]
    open_details = len(re.findall(r"<details\b", outside, re.I)) - len(re.findall(r"</details>", outside, re.I))
    return closers + "\n</details>\n" * max(0, open_details)
