"""Warnings for the user from library code: a repaired file, a dropped line, a state that was recovered.

Library code never prints; it calls ``notify(message)``. The CLI sends notices to stderr for the length
of a command (``sending_to``); other callers (tests, the demo) may collect them the same way. With no
sink, a notice is kept in ``unheard`` so nothing is lost silently.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

Sink = Callable[[str], None]

_KEEP = 100
_sinks: list[Sink] = []
unheard: list[str] = []


def notify(message: str) -> None:
    """Tell the user ``message`` (one line: what happened, where, what was kept or dropped)."""
    if not _sinks:
        unheard.append(message)
        del unheard[:-_KEEP]
    for sink in list(_sinks):
        sink(message)


@contextmanager
def sending_to(sink: Sink) -> Iterator[None]:
    """Send every notice to ``sink`` while the block runs."""
    _sinks.append(sink)
    try:
        yield
    finally:
        _sinks.remove(sink)
