"""The marker line that starts every body mlgate posts, written and read in one place.

``<!-- mlgate:KIND v=1 FIELD=VALUE … -->``: a PR comment's is ``<!-- mlgate:report v=1 key=KEY head=SHA
hash=HASH -->`` (written by the report renderer, ``mlgate.report.budget``), a monitor issue's
``<!-- mlgate:monitor v=1 key=KEY -->`` (``mlgate.github.issues``); DESIGN.md has the format. Readers take
any ``v=``, so later versions still find older bodies. The writers keep spaces and ``--`` out of the values,
so that a value can neither end the HTML comment nor add a field.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal, get_args

MarkerKind = Literal["report", "monitor"]
MARKER_VERSION = 1
_MARKERS = {
    kind: re.compile(rf"<!-- mlgate:{kind} v=(?P<version>\d+)(?P<fields>(?: [a-z]+=\S*)*) -->")
    for kind in get_args(MarkerKind)
}


@dataclass(frozen=True)
class Marker:
    """The fields of a report marker line."""

    version: int
    key: str
    head: str | None
    hash: str | None


def format_marker(kind: MarkerKind, **fields: str) -> str:
    """The marker line of ``kind`` with ``fields`` in their order (without a newline)."""
    return " ".join([f"<!-- mlgate:{kind} v={MARKER_VERSION}", *(f"{k}={v}" for k, v in fields.items()), "-->"])


def parse_marker(body: str, *, kind: MarkerKind = "report") -> Marker | None:
    """The ``kind`` marker that starts ``body``, or None (a marker quoted further down does not count)."""
    first = body.split("\n", 1)[0].rstrip("\r")
    match = _MARKERS[kind].fullmatch(first)
    if match is None:
        return None
    fields = dict(item.split("=", 1) for item in match["fields"].split())
    if not fields.get("key"):
        return None
    head = fields.get("head")
    return Marker(int(match["version"]), fields["key"], None if head in (None, "unknown") else head, fields.get("hash"))
