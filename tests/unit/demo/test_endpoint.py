"""The demo's endpoint: a real server on a free loopback port, stopped when the block ends, also on errors."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from mlgate.demo.endpoint import is_listening, running_endpoint


def test_the_endpoint_serves_and_is_stopped_afterwards(tmp_path: Path) -> None:
    with running_endpoint(tmp_path / "state") as endpoint:
        assert endpoint.url == f"http://127.0.0.1:{endpoint.port}"
        reply = httpx.get(endpoint.url + "/ping", timeout=10)
        assert reply.status_code == 503  # nothing deployed yet
    assert not is_listening(endpoint.port)


def fail_while_serving(state: Path, ports: list[int], error: BaseException) -> None:
    with running_endpoint(state) as endpoint:
        ports.append(endpoint.port)
        raise error


@pytest.mark.parametrize("error", [RuntimeError("boom"), KeyboardInterrupt("boom")])
def test_an_error_or_ctrl_c_in_the_block_still_stops_the_endpoint(tmp_path: Path, error: BaseException) -> None:
    ports: list[int] = []
    with pytest.raises(type(error), match="boom"):
        fail_while_serving(tmp_path / "state", ports, error)
    port = ports[0]
    assert port
    assert not is_listening(port)
