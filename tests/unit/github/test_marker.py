"""The marker line: written by the report renderer and the monitor issue, read back by the same parser."""

from __future__ import annotations

from mlgate.github.marker import Marker, format_marker, parse_marker
from mlgate.report.budget import with_marker


def test_make_marker_writes_the_fields_in_order() -> None:
    assert format_marker("monitor", key="prod") == "<!-- mlgate:monitor v=1 key=prod -->"
    line = format_marker("report", key="k", head="unknown", hash="0" * 16)
    assert line == f"<!-- mlgate:report v=1 key=k head=unknown hash={'0' * 16} -->"
    assert parse_marker(line) == Marker(1, "k", None, "0" * 16)


def test_parse_marker_reads_the_report_renderers_marker() -> None:
    body = with_marker("hello\n", key="pr checks/bench", head="A" * 40)
    marker = parse_marker(body)
    assert marker is not None
    assert (marker.version, marker.key, marker.head) == (1, "pr-checks/bench", "a" * 40)
    assert marker.hash is not None
    assert len(marker.hash) == 16


def test_parse_marker_accepts_later_versions_and_crlf() -> None:
    assert parse_marker("<!-- mlgate:report v=2 key=k head=unknown extra=1 -->\r\nbody") == Marker(2, "k", None, None)


def test_a_marker_must_be_the_first_line() -> None:
    assert parse_marker("> <!-- mlgate:report v=1 key=k head=x hash=y -->") is None
    assert parse_marker("text\n<!-- mlgate:report v=1 key=k head=x hash=y -->") is None
    assert parse_marker("<!-- mlgate:report v=1 head=x -->") is None
