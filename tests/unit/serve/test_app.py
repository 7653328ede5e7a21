"""mlgate.serve.app in process (httpx's ASGI transport): endpoints, status codes, the version header."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from typing import Any

import httpx
import numpy as np
import pandas as pd
import pytest
from starlette.types import ASGIApp

from mlgate.errors import InputError
from mlgate.serve.app import create_app
from mlgate.serve.holder import ModelHolder
from mlgate.serve.state import TIMING_HEADER, VERSION_HEADER, LivePointer, read_timing

POINTER = LivePointer(
    version="1",
    model="m",
    artifact="/m.skops",
    sha256="0" * 64,
    trusted_types=(),
    features=("a", "b"),
    switched_at="2026-01-01T00:00:00+00:00",
)


class Scaled:
    """Predicts (a + b) * factor; ``during_predict`` runs inside predict (to swap models mid-request)."""

    def __init__(self, factor: float, during_predict: Any = None) -> None:
        self.factor = factor
        self.during_predict = during_predict

    def predict(self, frame: pd.DataFrame) -> Any:
        if self.during_predict is not None:
            self.during_predict()
        return (frame["a"].to_numpy() + frame["b"].to_numpy()) * self.factor


class Models:
    def __init__(self) -> None:
        self.by_version: dict[str, Any] = {"1": Scaled(1.0), "2": Scaled(10.0)}

    def __call__(self, pointer: LivePointer) -> Any:
        found = self.by_version[pointer.version]
        if isinstance(found, Exception):
            raise found
        return found


class Client:
    """A synchronous client for an ASGI app: each request runs in its own event loop."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    def request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        async def call() -> httpx.Response:
            transport = httpx.ASGITransport(app=self.app, raise_app_exceptions=False)
            async with httpx.AsyncClient(transport=transport, base_url="http://serve.test") as client:
                return await client.request(method, path, **kwargs)

        return asyncio.run(call())

    def get(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.request("POST", path, **kwargs)


@pytest.fixture
def models() -> Models:
    return Models()


@pytest.fixture
def holder(models: Models) -> ModelHolder:
    return ModelHolder(loader=models)


@pytest.fixture
def client(holder: ModelHolder) -> Client:
    return Client(create_app(holder, max_body_bytes=2048))


def test_ping_is_503_without_a_model_and_has_no_version_header(client: Client) -> None:
    response = client.get("/ping")
    assert response.status_code == 503
    assert response.json() == {
        "status": "unavailable",
        "error": "no model is loaded: the state folder has no live.json yet (deploy a version)",
    }
    assert VERSION_HEADER not in response.headers
    invocation = client.post("/invocations", json={"instances": [[1, 2]]})
    assert invocation.status_code == 503


def test_ping_names_the_failed_load_when_nothing_could_be_loaded(
    client: Client, holder: ModelHolder, models: Models
) -> None:
    models.by_version["1"] = InputError("tampered artifact: /m.skops")
    holder.apply(POINTER)
    assert client.get("/ping").json()["error"] == "no model is loaded: version 1: tampered artifact: /m.skops"


def test_ping_and_status_report_the_served_version(client: Client, holder: ModelHolder) -> None:
    holder.apply(POINTER)
    ping = client.get("/ping")
    assert (ping.status_code, ping.json(), ping.headers[VERSION_HEADER]) == (200, {"status": "ok", "version": "1"}, "1")
    status = client.get("/status").json()
    assert (status["version"], status["pointer_version"], status["loading_error"]) == ("1", "1", None)


def test_invocations_answer_json_and_csv(client: Client, holder: ModelHolder) -> None:
    holder.apply(POINTER)
    response = client.post("/invocations", json={"instances": [{"a": 1, "b": 2}, [3, 4]]})
    assert response.status_code == 200
    assert response.json() == {"predictions": [3.0, 7.0], "version": "1"}
    assert response.headers[VERSION_HEADER] == "1"
    csv = client.post("/invocations", content=b"1,2\n", headers={"Content-Type": "text/csv", "Accept": "text/csv"})
    assert (csv.status_code, csv.text, csv.headers["content-type"]) == (200, "3.0\n", "text/csv; charset=utf-8")
    for answered in (response, csv):  # the server's own time, for the deploy's latency comparison
        own = read_timing(answered.headers[TIMING_HEADER])
        assert own is not None
        assert 0.0 <= own < 60_000.0


def test_large_bodies_are_predicted_in_a_worker_thread_with_the_same_answer(holder: ModelHolder) -> None:
    holder.apply(POINTER)
    rows = "\n".join(f"{i},{i}" for i in range(5000)).encode()  # > INLINE_BYTES
    response = Client(create_app(holder)).post("/invocations", content=rows, headers={"Content-Type": "text/csv"})
    assert response.status_code == 200
    assert response.json()["predictions"][-1] == 9998.0


@pytest.mark.parametrize(
    ("method", "path", "kwargs", "status", "error"),
    [
        (
            "post",
            "/invocations",
            {"content": b"a=1", "headers": {"Content-Type": "application/x-www-form-urlencoded"}},
            415,
            "unsupported media type: Content-Type 'application/x-www-form-urlencoded'",
        ),
        (
            "post",
            "/invocations",
            {"content": b"", "headers": {"Content-Type": "application/json"}},
            400,
            "empty request body",
        ),
        (
            "post",
            "/invocations",
            {"json": {"instances": [[1, 2]]}, "headers": {"Accept": "text/html"}},
            406,
            "cannot answer in 'text/html'",
        ),
        (
            "post",
            "/invocations",
            {"content": b"x" * 4096, "headers": {"Content-Type": "text/csv"}},
            413,
            "the body has 4096 bytes, more than the limit of 2048",
        ),
        ("get", "/invocations", {}, 405, "Method Not Allowed"),
        ("get", "/nowhere", {}, 404, "Not Found"),
    ],
)
def test_client_mistakes_get_json_errors_and_the_version_header(
    client: Client, holder: ModelHolder, method: str, path: str, kwargs: dict[str, Any], status: int, error: str
) -> None:
    holder.apply(POINTER)
    response = getattr(client, method)(path, **kwargs)
    assert response.status_code == status
    assert response.json()["error"] == error
    assert response.headers[VERSION_HEADER] == "1"


def test_a_model_bug_is_a_json_500_not_a_crash(client: Client, holder: ModelHolder, models: Models) -> None:
    models.by_version["1"] = Scaled(1.0, during_predict=lambda: 1 / 0)
    holder.apply(POINTER)
    response = client.post("/invocations", json={"instances": [[1, 2]]})
    assert response.status_code == 500
    assert response.json() == {"error": "internal server error: ZeroDivisionError"}
    assert client.get("/ping").status_code == 200


def test_a_request_in_flight_finishes_on_the_model_it_started_with(
    client: Client, holder: ModelHolder, models: Models
) -> None:
    swapped = replace(POINTER, version="2")
    models.by_version["1"] = Scaled(1.0, during_predict=lambda: holder.apply(swapped))
    holder.apply(POINTER)
    response = client.post("/invocations", json={"instances": [[1, 2]]})
    assert response.json() == {"predictions": [3.0], "version": "1"}  # the swap happened during predict
    assert response.headers[VERSION_HEADER] == "1"
    after = client.post("/invocations", json={"instances": [[1, 2]]})
    assert after.json() == {"predictions": [30.0], "version": "2"}
    assert client.get("/ping").headers[VERSION_HEADER] == "2"


def test_predictions_are_exact_numbers(client: Client, holder: ModelHolder) -> None:
    holder.apply(POINTER)
    values = np.linspace(-1, 1, 7).tolist()
    response = client.post("/invocations", json={"instances": [[v, v] for v in values]})
    assert response.json()["predictions"] == pytest.approx([2 * v for v in values], abs=0)


def test_a_smoke_request_for_the_previous_version_is_answered_by_it(client: Client, holder: ModelHolder) -> None:
    holder.apply(POINTER)
    alone = client.post("/invocations", json={"instances": [[1, 2]]}, headers={"X-Mlgate-Smoke": "previous"})
    assert alone.status_code == 409
    assert "no previous version is loaded" in alone.json()["error"]
    holder.apply(replace(POINTER, version="2"))
    reply = client.post("/invocations", json={"instances": [[1, 2]]}, headers={"X-Mlgate-Smoke": "previous"})
    assert reply.status_code == 200
    assert (reply.headers[VERSION_HEADER], reply.json()) == ("1", {"predictions": [3.0], "version": "1"})
    plain = client.post("/invocations", json={"instances": [[1, 2]]})
    assert (plain.headers[VERSION_HEADER], plain.json()["predictions"]) == ("2", [30.0])
