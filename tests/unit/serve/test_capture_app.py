"""Capture and request ids through the app (httpx's ASGI transport): what a client sees and what gets queued."""

from __future__ import annotations

import asyncio
import errno
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import httpx
import pandas as pd
import pytest

from mlgate.serve.app import create_app
from mlgate.serve.capture.files import CaptureSink
from mlgate.serve.capture.settings import CaptureSettings
from mlgate.serve.capture.writer import CaptureWriter
from mlgate.serve.holder import ModelHolder
from mlgate.serve.marks import SMOKE_HEADER
from mlgate.serve.state import REQUEST_ID_HEADER, LivePointer

POINTER = LivePointer(
    version="5",
    model="m",
    artifact="/m.skops",
    sha256="0" * 64,
    trusted_types=(),
    features=("a", "b"),
    switched_at="2026-01-01T00:00:00+00:00",
)


class Sum:
    def predict(self, frame: pd.DataFrame) -> Any:
        return frame["a"].to_numpy() + frame["b"].to_numpy()


def request(app: Any, method: str, path: str, **kwargs: Any) -> httpx.Response:
    async def call() -> httpx.Response:
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://serve.test") as client:
            return await client.request(method, path, **kwargs)

    return asyncio.run(call())


@pytest.fixture
def holder() -> ModelHolder:
    holder = ModelHolder(loader=lambda pointer: Sum())
    holder.apply(POINTER)
    return holder


def records(folder: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for path in sorted(folder.rglob("*.jsonl")) for line in path.read_text().splitlines()]


@pytest.mark.parametrize(
    ("sent", "kept"),
    [("req-1.a:B_9", True), ("x" * 128, True), ("x" * 129, False), ("has space", False), ("", False), (None, False)],
)
def test_a_valid_request_id_is_echoed_and_anything_else_replaced(
    holder: ModelHolder, sent: str | None, kept: bool
) -> None:
    app = create_app(holder)
    headers = {REQUEST_ID_HEADER: sent} if sent is not None else {}
    for method, path, extra in (
        ("GET", "/ping", {}),
        ("POST", "/invocations", {"json": {"instances": [[1, 2]]}}),
        ("GET", "/nowhere", {}),
    ):
        answer = request(app, method, path, headers=headers, **extra)
        if kept:
            assert answer.headers[REQUEST_ID_HEADER] == sent
        else:
            assert answer.headers[REQUEST_ID_HEADER] != sent
            assert len(answer.headers[REQUEST_ID_HEADER]) == 32
            int(answer.headers[REQUEST_ID_HEADER], 16)


def test_answered_invocations_are_captured_with_their_request_id_and_counted_in_status(
    holder: ModelHolder, tmp_path: Path
) -> None:
    capture = CaptureWriter(CaptureSettings(folder=tmp_path))
    app = create_app(holder, capture=capture)
    ok = request(
        app,
        "POST",
        "/invocations",
        json={"instances": [{"a": 1, "b": 2}, [3, 4]]},
        headers={REQUEST_ID_HEADER: "order-77"},
    )
    generated = request(app, "POST", "/invocations", content=b"5,6\n", headers={"Content-Type": "text/csv"})
    refused = request(app, "POST", "/invocations", json={"instances": [[1]]})
    assert (ok.status_code, generated.status_code, refused.status_code) == (200, 200, 400)
    assert request(app, "GET", "/status").json()["capture"]["queued_rows"] == 3
    capture.process()
    status = request(app, "GET", "/status").json()["capture"]
    assert status == {
        "enabled": True,
        "format": "jsonl",
        "path": str(tmp_path),
        "sample": 1.0,
        "captured_rows": 3,
        "dropped_rows": 0,
        "queued_rows": 0,
        "files_written": 0,
        "write_errors": 0,
        "error": None,
    }
    capture.close()
    captured = records(tmp_path)
    assert [(r["request_id"], r["row"], r["inputs"], r["prediction"], r["version"]) for r in captured] == [
        ("order-77", 0, {"a": 1, "b": 2}, 3.0, "5"),
        ("order-77", 1, {"a": 3, "b": 4}, 7.0, "5"),
        (generated.headers[REQUEST_ID_HEADER], 0, {"a": 5.0, "b": 6.0}, 11.0, "5"),
    ]


@pytest.mark.parametrize(("value", "marked"), [("1", True), ("true", True), ("YES", True), ("0", False), (None, False)])
def test_the_smoke_header_marks_the_captured_rows(
    holder: ModelHolder, tmp_path: Path, value: str | None, marked: bool
) -> None:
    capture = CaptureWriter(CaptureSettings(folder=tmp_path))
    app = create_app(holder, capture=capture)
    headers = {SMOKE_HEADER: value} if value is not None else {}
    answer = request(app, "POST", "/invocations", json={"instances": [[1, 2], [3, 4]]}, headers=headers)
    assert answer.status_code == 200
    capture.close()
    assert [r.get("smoke", False) for r in records(tmp_path)] == [marked, marked]


def test_status_says_capture_is_off_without_a_writer(holder: ModelHolder) -> None:
    assert request(create_app(holder), "GET", "/status").json()["capture"] == {"enabled": False}


class BrokenDisk:
    def __init__(self, path: Path, file_format: str) -> None:
        self.path = path

    def add(self, rows: Sequence[Any]) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    def flush(self) -> None: ...

    def size(self) -> int:
        return 0

    def close(self) -> Path:
        return self.path

    def abandon(self) -> None: ...


def test_a_failing_capture_never_fails_a_request(holder: ModelHolder, tmp_path: Path) -> None:
    def broken(path: Path, file_format: str) -> CaptureSink:
        return BrokenDisk(path, file_format)

    capture = CaptureWriter(CaptureSettings(folder=tmp_path, queue_rows=1), sink_factory=broken)
    capture.start()
    app = create_app(holder, capture=capture)
    answers = [request(app, "POST", "/invocations", json={"instances": [[n, n]]}) for n in range(20)]
    assert [answer.status_code for answer in answers] == [200] * 20
    stats = capture.close(timeout=10)
    assert stats.write_errors == 1
    assert stats.captured_rows == 0
    assert stats.dropped_rows == 20
    assert request(app, "POST", "/invocations", json={"instances": [[1, 1]]}).json()["predictions"] == [2.0]
