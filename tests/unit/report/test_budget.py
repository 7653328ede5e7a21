"""Unit tests for mlgate.report.budget: the marker line of a report body and its byte budget."""

from __future__ import annotations

import hashlib

import pytest

from mlgate.github.marker import parse_marker
from mlgate.report.budget import fit_prefix, marker_line, sanitize_head, sanitize_key, size, with_marker


def test_size_counts_utf8_bytes() -> None:
    assert size("abc") == 3
    assert size("é€😀") == 2 + 3 + 4


@pytest.mark.parametrize(
    ("key", "clean"),
    [
        ("pr-check/benchmark", "pr-check/benchmark"),
        ("a b--c", "a-b-c"),
        ("<!-- x -->", "x"),
        ("", "mlgate"),
        ("k" * 150, "k" * 100),
    ],
)
def test_sanitize_key_keeps_the_marker_closed(key: str, clean: str) -> None:
    assert sanitize_key(key) == clean


@pytest.mark.parametrize(
    ("head", "clean"),
    [
        ("ABCDEF1", "abcdef1"),
        ("a" * 40, "a" * 40),
        (None, "unknown"),
        ("abc", "unknown"),
        ("g" * 40, "unknown"),
        ("a" * 40 + " -->", "unknown"),
    ],
)
def test_sanitize_head_accepts_only_a_hex_commit_id(head: str | None, clean: str) -> None:
    assert sanitize_head(head) == clean


def test_the_marker_hashes_the_body_after_it() -> None:
    body = "## Report\n\nall good\n"
    line = marker_line(body, key="pr/bench", head="C" * 40)
    digest = hashlib.sha256(body.encode()).hexdigest()[:16]
    assert line == f"<!-- mlgate:report v=1 key=pr/bench head={'c' * 40} hash={digest} -->"
    marked = with_marker(body, key="pr/bench", head="C" * 40)
    assert marked == line + "\n" + body
    marker = parse_marker(marked)
    assert marker is not None
    assert (marker.key, marker.head, marker.hash) == ("pr/bench", "c" * 40, digest)
    assert marker_line(body + ".", key="pr/bench", head=None) != line


def test_fit_prefix_counts_the_lines_that_fit_with_their_newlines() -> None:
    lines = ["abc", "dé", "xyz"]  # 4, 4 and 4 bytes with their newlines
    assert fit_prefix(lines, 12) == 3
    assert fit_prefix(lines, 11) == 2
    assert fit_prefix(lines, 8) == 2
    assert fit_prefix(lines, 3) == 0
    assert fit_prefix([], 0) == 0
