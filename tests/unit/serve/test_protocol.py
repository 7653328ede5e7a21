"""mlgate.serve.protocol: what h11 found wrong, on one printable line."""

from __future__ import annotations

import h11

from mlgate.serve.protocol import describe


def test_the_offending_header_is_quoted_without_control_characters() -> None:
    problem = h11.RemoteProtocolError("illegal header line: bytearray(b'X-Request-Id: a\\rb')")
    assert describe(problem) == "illegal header line: 'X-Request-Id: a\\rb'"


def test_a_long_problem_is_cut() -> None:
    text = describe(h11.RemoteProtocolError("illegal header line: " + "x" * 500 + "\x1b[31m"))
    assert len(text) == 160
    assert text.endswith("…")
