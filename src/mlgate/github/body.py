"""A comment body's marker line and GitHub's size limit.

The marker is the body's first line: ``<!-- mlgate:report v=1 key=KEY head=SHA hash=HASH -->`` (DESIGN.md).
This module only reads markers (any ``v=``, so later versions still find older comments); the report
renderer writes them. A body over GitHub's 65,536-character limit is cut at a line boundary, with open
code fences and ``<details>`` closed and a note saying so: posting never fails on size.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

COMMENT_LIMIT = 65_536  # GitHub's limit on an issue comment body, in characters; sizes here are UTF-8 bytes
MARKER_ROOM = 256  # bytes reserved for the marker line in front of a fitted body
_MARKER = re.compile(r"<!-- mlgate:report v=(?P<version>\d+)(?P<fields>(?: [a-z]+=\S*)*) -->")
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")


@dataclass(frozen=True)
class Marker:
    """The fields of a report marker line."""

    version: int
    key: str
    head: str | None
    hash: str | None


def parse_marker(body: str) -> Marker | None:
    """The marker that starts ``body``, or None (a marker quoted further down does not count)."""
    first = body.split("\n", 1)[0].rstrip("\r")
    match = _MARKER.fullmatch(first)
    if match is None:
        return None
    fields = dict(item.split("=", 1) for item in match["fields"].split())
    if not fields.get("key"):
        return None
    head = fields.get("head")
    return Marker(int(match["version"]), fields["key"], None if head in (None, "unknown") else head, fields.get("hash"))


def strip_marker(body: str) -> str:
    """``body`` without its leading marker line (unchanged when it has none)."""
    if parse_marker(body) is None:
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
