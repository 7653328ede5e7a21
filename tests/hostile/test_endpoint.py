"""Hostile requests to a real ``mlgate serve`` on loopback, with capture on.

One server per module (tests/fakes/serve.py) serves a small pipeline (features ``a``, ``b`` numeric, ``c`` text)
and captures every answered request (``capture.sample: 1``). Each case sends one hostile request (over httpx,
or a raw socket where httpx would refuse to send it) and asserts the status, a JSON error naming what is
wrong, no traceback in the server's log, that the server still answers, and that nothing was captured for the
rejected request (the capture queue drains to the same count of captured rows as before it).
"""

from __future__ import annotations

import json
import re
import socket
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import numpy as np
import pandas as pd
import pytest

from fakes.serve import ServerHandle, running_server
from mlgate.artifacts import save_model
from mlgate.serve.state import LivePointer, write_pointer

JSON = {"Content-Type": "application/json"}
CSV = {"Content-Type": "text/csv"}
ROW = {"a": 1.0, "b": 2.0, "c": "x"}


@dataclass
class Endpoint:
    server: ServerHandle
    http: httpx.Client

    def captured(self) -> int:
        """Captured rows once the capture queue has drained."""
        status = self.server.wait_for_status(lambda doc: doc["capture"]["queued_rows"] == 0, timeout=30)
        return int(status["capture"]["captured_rows"])

    def raw(self, request: bytes, *, close_after_send: bool = False) -> bytes:
        """Send ``request`` bytes as they are; the whole answer (the server closes or answers once)."""
        with socket.create_connection(("127.0.0.1", self.server.port), timeout=30) as conn:
            conn.sendall(request)
            if close_after_send:
                return b""
            conn.shutdown(socket.SHUT_WR)
            chunks = []
            while chunk := conn.recv(65536):
                chunks.append(chunk)
        return b"".join(chunks)


@pytest.fixture(scope="module")
def endpoint(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Endpoint]:
    from sklearn.compose import ColumnTransformer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import OneHotEncoder

    folder = tmp_path_factory.mktemp("hostile-endpoint")
    rng = np.random.default_rng(5)
    frame = pd.DataFrame(
        {
            "a": rng.normal(size=60),
            "b": rng.normal(size=60),
            "c": pd.Series(rng.choice(["x", "y"], size=60), dtype=object),
        }
    )
    labels = (frame["a"] > frame["b"]).astype(int).to_numpy()
    columns = ColumnTransformer(
        [("num", "passthrough", ["a", "b"]), ("cat", OneHotEncoder(handle_unknown="ignore"), ["c"])]
    )
    model = Pipeline([("cols", columns), ("lr", LogisticRegression())]).fit(frame, labels)
    saved = save_model(model, folder / "model.skops")
    (folder / "mlgate.yaml").write_text(
        json.dumps({"capture": {"enabled": True, "path": "cap", "sample": 1.0}}), encoding="utf-8"
    )
    state = folder / "state"
    state.mkdir()
    write_pointer(
        state,
        LivePointer(
            version="1",
            model="lr",
            artifact=str(saved.path),
            sha256=saved.sha256,
            trusted_types=(),
            features=("a", "b", "c"),
            switched_at="2026-01-01T00:00:00+00:00",
        ),
    )
    with running_server(state, cwd=folder) as server, httpx.Client(base_url=server.url, trust_env=False) as http:
        server.wait_for_version("1")
        yield Endpoint(server, http)


@pytest.fixture
def hostile(endpoint: Endpoint) -> Iterator[Endpoint]:
    """The endpoint; afterwards: no traceback was logged, it still predicts, and nothing more was captured."""
    before = endpoint.captured()
    yield endpoint
    assert endpoint.captured() == before, "a rejected request was captured"
    assert "Traceback" not in endpoint.server.log(), endpoint.server.log()
    check = endpoint.http.post("/invocations", json={"instances": [ROW]}, headers={"X-Request-Id": "after-check"})
    assert check.status_code == 200, check.text
    assert endpoint.captured() == before + 1


def error_of(response: httpx.Response) -> str:
    document: dict[str, Any] = response.json()
    assert set(document) <= {"error", "hint"}
    return str(document["error"])


def deep(levels: int) -> bytes:
    return b'{"instances": ' + b"[" * levels + b"]" * levels + b"}"


JSON_CASES = [
    pytest.param(b"[" * 100_000 + b"]" * 100_000, "the JSON body is nested too deeply", id="array-100k-deep"),
    pytest.param(deep(50_000), "the JSON body is nested too deeply", id="instances-50k-deep"),
    pytest.param(
        b'{"instances": [[' + b"9" * 5000 + b', 1, "x"]]}',
        "an integer of 5000 digits is too large",
        id="int-5000-digits",
    ),
    pytest.param(
        b'{"instances": [[-' + b"9" * 1200 + b', 1, "x"]]}', "an integer of 1200 digits", id="negative-int-1200-digits"
    ),
    pytest.param(b'{"instances": [[1e400, 1, "x"]]}', "the number 1e400 is too large for a float", id="float-1e400"),
    pytest.param(b'{"instances": [[NaN, 1, "x"]]}', "NaN is not a JSON number", id="nan-literal"),
    pytest.param(b'{"instances": [[Infinity, 1, "x"]]}', "Infinity is not a JSON number", id="infinity-literal"),
    pytest.param(
        b'{"instances": [{"a": -Infinity, "b": 1, "c": "x"}]}',
        "-Infinity is not a JSON number",
        id="minus-infinity-in-object",
    ),
    pytest.param(
        b'{"instances": [{"a": 1, "a": 2, "b": 3, "c": "x"}]}', "the key 'a' appears twice", id="duplicate-feature"
    ),
    pytest.param(
        b'{"instances": [[1, 2, "x"]], "instances": [[3, 4, "y"]]}',
        "the key 'instances' appears twice",
        id="duplicate-instances",
    ),
    pytest.param(b'{"instances": "1,2,x"}', '"instances" must be a non-empty list', id="instances-a-string"),
    pytest.param(b'{"instances": []}', '"instances" must be a non-empty list', id="instances-empty"),
    pytest.param(b'{"instances": [7]}', "instances[0] is a number", id="instance-a-number"),
    pytest.param(b'[[1, 2, "x"]]', 'expected a JSON object with an "instances" list', id="top-level-array"),
    pytest.param(b'{"instances": [{"a": 1, "b": 2}]}', "instances[0]: missing c", id="missing-column"),
    pytest.param(b'{"instances": [{"a": 1, "b": 2, "c": "x", "d": 4}]}', "instances[0]: unknown d", id="extra-column"),
    pytest.param(b'{"instances": [[1, 2]]}', "instances[0] has 2 values, expected 3", id="short-list"),
    pytest.param(
        b'{"instances": [[1, {"$gt": 0}, "x"]]}', "feature 'b': an object is not a feature value", id="object-as-value"
    ),
    pytest.param(b'{"instances": [[1, 2, "x"],]}', "invalid JSON at line 1 column", id="trailing-comma"),
    pytest.param(b'{"instances": [[1, 2, "\xff"]]}', "the body is not UTF-8 (byte 23)", id="json-not-utf8"),
    pytest.param('{"instances": [[1, 2, "x"]]}'.encode("utf-16"), "the body is not UTF-8 (byte 0)", id="utf16-json"),
    pytest.param(b"", "empty request body", id="empty-body"),
    pytest.param(b" \r\n\t ", "empty request body", id="whitespace-body"),
]


@pytest.mark.parametrize(("body", "message"), JSON_CASES)
def test_a_hostile_json_body_is_a_400_naming_the_problem(hostile: Endpoint, body: bytes, message: str) -> None:
    response = hostile.http.post("/invocations", content=body, headers=JSON)
    assert response.status_code == 400, response.text
    assert message in error_of(response)
    assert response.headers["X-Mlgate-Version"] == "1"


CSV_CASES = [
    pytest.param(
        b'1,"2\n3,4,y\n',
        "CSV line 1: a quoted value is never closed (unterminated quote)",
        id="unterminated-quote-merges-rows",
    ),
    pytest.param(
        b'a,b,c\n1,2,x\n3,4,"y\n5,6,z\n',
        "CSV line 3: a quoted value is never closed",
        id="unterminated-quote-after-header",
    ),
    pytest.param(b'1,2,"x"y\n', "CSV line 1: text after the closing quote", id="text-after-quote"),
    pytest.param(b"1,2,x\n3,4\n", "CSV line 2: 2 values, expected 3", id="short-row"),
    pytest.param(b"1,2,x,extra\n", "CSV line 1: 4 values, expected 3", id="long-row"),
    pytest.param(b"a,b,c\n", "the CSV body has no rows", id="header-only"),
    pytest.param(b"1,2,\xe9t\xe9\n", "the body is not UTF-8 (byte 4)", id="csv-latin1"),
    pytest.param(b"1," + b"9" * 5000 + b",x\n", "CSV row 1, feature 'b': '999", id="csv-5000-digits"),
    pytest.param(b"-inf,2,x\n", "CSV row 1, feature 'a': '-inf' is not a finite number", id="csv-minus-inf"),
]


@pytest.mark.parametrize(("body", "message"), CSV_CASES)
def test_a_hostile_csv_body_is_a_400_naming_the_line(hostile: Endpoint, body: bytes, message: str) -> None:
    response = hostile.http.post("/invocations", content=body, headers=CSV)
    assert response.status_code == 400, response.text
    assert message in error_of(response)


@pytest.mark.parametrize(
    ("headers", "status", "message"),
    [
        ({"Content-Type": "text/plain"}, 415, "unsupported media type: Content-Type 'text/plain'"),
        ({}, 415, "unsupported media type: no Content-Type"),
        ({"Content-Type": "application/x-www-form-urlencoded"}, 415, "'application/x-www-form-urlencoded'"),
        ({"Content-Type": "text/csv; charset=latin-1"}, 415, "unsupported charset 'latin-1'"),
        ({"Content-Type": "application/json; charset=utf-16"}, 415, "unsupported charset 'utf-16'"),
        ({"Content-Type": "application/json", "Accept": "image/png"}, 406, "cannot answer in 'image/png'"),
    ],
    ids=["text-plain", "no-content-type", "form", "csv-latin1-charset", "json-utf16-charset", "accept-png"],
)
def test_a_wrong_content_type_or_accept_is_a_4xx(
    hostile: Endpoint, headers: dict[str, str], status: int, message: str
) -> None:
    response = hostile.http.post("/invocations", content=b'{"instances": [[1, 2, "x"]]}', headers=headers)
    assert response.status_code == status, response.text
    assert message in error_of(response)


def test_a_declared_body_over_the_limit_is_a_413_before_it_is_sent(hostile: Endpoint) -> None:
    head = b"POST /invocations HTTP/1.1\r\nHost: x\r\nContent-Type: text/csv\r\nContent-Length: 7000000\r\n\r\n"
    answer = hostile.raw(head + b"1,2,x\n")
    assert answer.startswith(b"HTTP/1.1 413 "), answer[:200]
    assert b"the body has 7000000 bytes, more than the limit of 6291456" in answer


@pytest.mark.parametrize(
    ("header", "message"),
    [
        (b"Content-Length: " + b"9" * 40, b"invalid HTTP request: bad Content-Length"),
        (b"Content-Length: -5", b"invalid HTTP request: bad Content-Length"),
        (b"X-Request-Id: a\rSet-Cookie: x=1", b"illegal header line"),
        (b"X-Request-Id: a\x00b", b"illegal header line"),
    ],
    ids=["content-length-40-digits", "negative-content-length", "bare-cr-in-header", "nul"],
)
def test_a_malformed_http_request_is_a_json_400_naming_the_problem(
    hostile: Endpoint, header: bytes, message: bytes
) -> None:
    answer = hostile.raw(
        b"POST /invocations HTTP/1.1\r\nHost: x\r\nContent-Type: text/csv\r\n" + header + b"\r\n\r\n1,2,x\n"
    )
    assert answer.startswith(b"HTTP/1.1 400 "), answer[:300]
    head, _, body = answer.partition(b"\r\n\r\n")
    assert b"content-type: application/json" in head.lower()
    assert message in body
    assert b"set-cookie" not in head.lower()


@pytest.mark.parametrize(
    "request_id",
    [b"%0d%0aSet-Cookie:%20x=1", b"a" * 129, b"caf\xe9", b"id with spaces", b"::error::injected"],
    ids=["encoded-crlf", "129-characters", "latin1-byte", "spaces", "workflow-command"],
)
def test_a_request_id_that_is_not_plain_is_replaced_not_echoed(endpoint: Endpoint, request_id: bytes) -> None:
    hostile = endpoint  # answered, so captured once: checked here rather than by the ``hostile`` fixture
    before = hostile.captured()
    body = b"1,2,x\n"
    answer = hostile.raw(
        b"POST /invocations HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Type: text/csv\r\n"
        b"X-Request-Id: " + request_id + b"\r\nContent-Length: 6\r\n\r\n" + body
    )
    head = answer.split(b"\r\n\r\n", 1)[0].decode("latin-1")
    assert head.startswith("HTTP/1.1 200 "), head
    given = re.search(r"^x-request-id: ([^\r\n]*)", head, re.M | re.I)
    assert given is not None
    if request_id == b"::error::injected":  # plain [A-Za-z0-9._:-]: a valid id, echoed as it is, on its own line
        assert given.group(1) == "::error::injected"
    else:
        assert re.fullmatch(r"[0-9a-f]{32}", given.group(1)), given.group(1)
    assert "set-cookie" not in head.lower()
    assert hostile.captured() == before + 1
    assert "Traceback" not in hostile.server.log()


def cut_off(hostile: Endpoint, request_id: str, rest: bytes) -> list[str]:
    """Send a request whose body never completes, close the socket; the log lines it caused."""
    lines_before = len(hostile.server.log().splitlines())
    hostile.raw(
        b"POST /invocations HTTP/1.1\r\nHost: x\r\nContent-Type: text/csv\r\nX-Request-Id: "
        + request_id.encode()
        + b"\r\n"
        + rest,
        close_after_send=True,
    )
    hostile.server.wait_for_status(lambda _doc: f"request {request_id}:" in hostile.server.log(), timeout=30)
    return hostile.server.log().splitlines()[lines_before:]


@pytest.mark.parametrize(
    ("rest", "line"),
    [
        (b"Content-Length: 1000\r\n\r\n1,2,x\n3,", "the body ended after 8 of 1000 bytes"),
        (b"Content-Length: 1000\r\n\r\n", "the body ended after 0 of 1000 bytes"),
        (b"Transfer-Encoding: chunked\r\n\r\n6\r\n1,2,x\n\r\n40\r\n3,4", "the body ended after 9 bytes"),
        (b"Transfer-Encoding: chunked\r\n\r\nzz\r\n1,2,x\n\r\n0\r\n\r\n", "the body ended after 0 bytes"),
    ],
    ids=["mid-body", "headers-only", "chunked-cut-off", "malformed-chunk-size"],
)
def test_a_body_that_never_completes_is_one_info_line_not_a_traceback(
    hostile: Endpoint, rest: bytes, line: str
) -> None:
    request_id = f"gone-{len(rest)}"
    new = cut_off(hostile, request_id, rest)
    assert all(re.match(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} (INFO|WARNING) ", text) for text in new), new
    ours = [text for text in new if "mlgate.serve" in text]  # uvicorn adds its warning for a malformed chunk
    assert len(ours) == 1, new
    assert ours[0].endswith(
        f"INFO mlgate.serve: request {request_id}: {line} (the client disconnected, or sent a "
        "malformed chunk); not answered"
    )


def test_wrong_method_and_unknown_path_are_json_errors(hostile: Endpoint) -> None:
    assert (hostile.http.get("/invocations").status_code, hostile.http.post("/predict").status_code) == (405, 404)
    assert error_of(hostile.http.get("/invocations")) == "Method Not Allowed"
