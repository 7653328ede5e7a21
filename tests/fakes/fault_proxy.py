"""A loopback HTTP proxy in front of the moto server that can answer some requests itself.

``FaultProxy(upstream)`` forwards every request to ``upstream`` unless a handler claims it: ``faults``
(a script of AWS errors: throttling, 503, ``ValidationException``, ``ModelError``, each for a number of
matching requests) first, then ``intercept`` (used by the ``UpdateEndpoint`` stand-in), which can read the
request's headers as ``proxy.request.headers`` (per thread). ``seen`` lists the operation of every request that
reached the proxy, so tests can count retries.
"""

from __future__ import annotations

import http.client
import json
import threading
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

Answer = tuple[int, dict[str, str], bytes]
Interceptor = Callable[[str, str, bytes], Answer | None]


@dataclass
class Fault:
    """Answer ``times`` requests whose operation contains ``match`` with an AWS error."""

    match: str
    status: int
    code: str
    message: str = "injected by the fault proxy"
    times: int = 1


def build_error(status: int, code: str, message: str) -> Answer:
    """An AWS JSON-protocol error answer."""
    body = json.dumps({"__type": code, "message": message, "Message": message}).encode()
    return status, {"Content-Type": "application/x-amz-json-1.1", "x-amzn-ErrorType": code}, body


def find_operation(path: str, headers: Any) -> str:
    """``SageMaker.UpdateEndpoint`` from the JSON target header, else ``METHOD path`` for REST calls."""
    return str(headers.get("X-Amz-Target") or path)


class FaultProxy:
    """The proxy server on 127.0.0.1 (a free port); use as a context manager."""

    def __init__(self, upstream: str) -> None:
        self.upstream = urlsplit(upstream)
        self.faults: list[Fault] = []
        self.intercept: Interceptor | None = None
        self.seen: list[str] = []
        self.request = threading.local()  # .headers: those of the request this thread is answering
        self.lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> FaultProxy:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)

    def answer(self, method: str, path: str, headers: Any, body: bytes) -> Answer:
        operation = find_operation(path, headers)
        with self.lock:
            self.seen.append(operation)
            for fault in self.faults:
                if fault.times > 0 and fault.match in operation:
                    fault.times -= 1
                    return build_error(fault.status, fault.code, fault.message)
        if self.intercept is not None:
            self.request.headers = headers
            claimed = self.intercept(operation, path, body)
            if claimed is not None:
                return claimed
        return self.forward(method, path, headers, body)

    def forward(self, method: str, path: str, headers: Any, body: bytes) -> Answer:
        connection = http.client.HTTPConnection(self.upstream.hostname or "127.0.0.1", self.upstream.port, timeout=10)
        try:
            skip = {"host", "content-length", "connection"}
            sent = {k: v for k, v in headers.items() if k.lower() not in skip}
            connection.request(method, path, body=body or None, headers=sent)
            response = connection.getresponse()
            data = response.read()
            kept = {k: v for k, v in response.getheaders() if k.lower() not in {"transfer-encoding", "connection"}}
            return response.status, kept, data
        finally:
            connection.close()

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True  # headers and body go out in two writes: no 40 ms delayed-ACK stalls

            def _serve(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                status, headers, data = proxy.answer(self.command, self.path, self.headers, body)
                self.send_response(status)
                size = str(len(data))
                for key, value in headers.items():
                    if key.lower() != "content-length":
                        self.send_header(key, value)
                    elif self.command == "HEAD":  # no body, but the size of the one a GET would get
                        size = value
                self.send_header("Content-Length", size)
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = _serve

            def log_message(self, format: str, *args: Any) -> None:
                return

        return Handler
