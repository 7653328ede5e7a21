"""uvicorn's HTTP/1.1 protocol (h11), answering a request it cannot parse with a JSON error that says why.

uvicorn answers every malformed request (a Content-Length that is not a number, a CR or NUL inside a header
value, both Content-Length and Transfer-Encoding) with ``400 Invalid HTTP request received.`` in plain text.
This subclass remembers what h11 found wrong and answers ``{"error": "invalid HTTP request: ...", "hint": ...}``
like every other client mistake; the connection is closed as before, and uvicorn logs its one warning line.
"""

from __future__ import annotations

import json
import re
from typing import Any

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

_UNSAFE = re.compile(r"[^\x20-\x7e]")
_BYTES = re.compile(r"bytearray\(b'(.*)'\)")
HINT = "send a well-formed HTTP/1.1 request: one numeric Content-Length (or chunked), no control characters in headers"


class ExplainingH11Protocol(H11Protocol):
    """H11Protocol whose 400 for an unparsable request is JSON naming the problem h11 reported."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.problem = ""
        parse = self.conn.next_event

        def next_event() -> Any:
            try:
                return parse()
            except h11.RemoteProtocolError as exc:
                self.problem = describe(exc)
                raise

        self.conn.next_event = next_event  # type: ignore[method-assign]

    def send_400_response(self, msg: str) -> None:
        problem = self.problem or msg.rstrip(".")
        body = json.dumps({"error": f"invalid HTTP request: {problem}", "hint": HINT}).encode("ascii")
        headers = [(b"content-type", b"application/json"), (b"connection", b"close")]
        for event in (
            h11.Response(status_code=400, headers=headers, reason=b"Bad Request"),
            h11.Data(data=body),
            h11.EndOfMessage(),
        ):
            self.transport.write(self.conn.send(event) or b"")
        self.transport.close()


def describe(exc: h11.RemoteProtocolError) -> str:
    """h11's message on one printable line, at most 160 characters (it may quote the offending bytes)."""
    text = _UNSAFE.sub("?", _BYTES.sub(r"'\1'", str(exc))) or type(exc).__name__
    return text if len(text) <= 160 else text[:159] + "…"
