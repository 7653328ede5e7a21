"""The local target: pointer, lock, port file, and its HTTP conversation (httpx.MockTransport as the server)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import fcntl
import json
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from mlgate.deploy.local import LocalTarget
from mlgate.deploy.target import LoadFailed, TargetBusy, TargetTimeout
from mlgate.errors import InputError, ServiceError
from mlgate.serve.state import LOCK_FILE, read_pointer
from unit.deploy.fakes import FakeClock, make_version

NOW = dt.datetime(2026, 11, 21, 12, 0, 0, tzinfo=dt.timezone.utc)
Handler = Callable[[httpx.Request], httpx.Response]


@pytest.fixture
def state(tmp_path: Path) -> Iterator[Path]:
    """A state folder whose server is alive: its port file, and server.lock held as a running server holds it."""
    folder = tmp_path / "serve"
    folder.mkdir()
    (folder / "port").write_text("8123\n", encoding="utf-8")
    with (folder / LOCK_FILE).open("a", encoding="utf-8") as lock:
        fcntl.flock(lock.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        yield folder


@pytest.fixture
def clients() -> Iterator[Callable[[Handler], httpx.Client]]:
    opened: list[httpx.Client] = []

    def make(handler: Handler) -> httpx.Client:
        opened.append(httpx.Client(transport=httpx.MockTransport(handler)))
        return opened[-1]

    yield make
    for client in opened:
        client.close()


def server(
    served: str | None, *, loading_error: str | None = None, pointer: str | None = None, loading: bool = False
) -> Handler:
    """A fake of ``mlgate serve``'s endpoints serving ``served`` (predictions: x * 2)."""

    def handle(request: httpx.Request) -> httpx.Response:
        headers = {"X-Mlgate-Version": served} if served else {}
        if request.url.path == "/ping":
            if served is None:
                return httpx.Response(503, json={"status": "no model"})
            return httpx.Response(200, json={"status": "ok", "version": served}, headers=headers)
        if request.url.path == "/status":
            return httpx.Response(
                200,
                json={
                    "version": served,
                    "loading_error": loading_error,
                    "pointer_version": pointer,
                    "loading": loading,
                },
            )
        if request.url.path == "/invocations":
            rows = json.loads(request.content)["instances"]
            return httpx.Response(
                200, json={"predictions": [r["x"] * 2 for r in rows], "version": served}, headers=headers
            )
        return httpx.Response(404, text="not found")

    return handle


def local(state: Path, client: httpx.Client, clock: FakeClock | None = None) -> LocalTarget:
    clock = clock or FakeClock()
    return LocalTarget(
        state,
        http=client,
        trusted_types=["sklearn.tree._tree.Tree"],
        now=lambda: NOW,
        clock=clock,
        sleep=clock.advance,
        poll_s=0.5,
    )


def test_switch_writes_the_pointer_the_server_reads(state: Path, clients: Callable[[Handler], httpx.Client]) -> None:
    target = local(state, clients(server("1")))
    assert target.current() is None
    artifact = state.parent / "registry" / "versions" / "2" / "model.skops"
    target.switch(make_version(2), artifact)
    pointer = read_pointer(state)
    assert pointer is not None
    assert (pointer.version, pointer.artifact, pointer.sha256) == ("2", str(artifact.resolve()), "02" * 32)
    assert (pointer.trusted_types, pointer.features) == (("sklearn.tree._tree.Tree",), ("x",))
    assert pointer.switched_at == "2026-11-21T12:00:00.000+00:00"
    assert pointer.feature_schema is None  # this version has none: the server reads values as before
    assert target.current() == "2"
    described = {"fields": [{"name": "x", "type": "date"}], "missingValues": [""]}
    target.switch(dataclasses.replace(make_version(3), feature_schema=described), artifact)
    switched = read_pointer(state)
    assert switched is not None
    assert switched.feature_schema == described  # the server reads request values with it


def test_a_pointer_that_cannot_be_written_is_a_service_error(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("", encoding="utf-8")
    with httpx.Client() as client, pytest.raises(ServiceError, match="cannot write the live pointer"):
        LocalTarget(blocker, http=client).switch(make_version(1), tmp_path / "model.skops")


def test_a_broken_pointer_is_an_input_error(state: Path, clients: Callable[[Handler], httpx.Client]) -> None:
    (state / "live.json").write_text("{", encoding="utf-8")
    with pytest.raises(InputError, match=r"live.json:1:2: not valid JSON"):
        local(state, clients(server("1"))).current()


def test_only_one_deploy_holds_the_endpoint(state: Path, clients: Callable[[Handler], httpx.Client]) -> None:
    first, second = local(state, clients(server("1"))), local(state, clients(server("1")))
    with first.exclusive(), pytest.raises(TargetBusy, match="endpoint busy: another deploy or rollback"):
        second.exclusive().__enter__()
    with second.exclusive():  # released when the first one is done
        assert (state / ".deploy.lock").exists()


def test_ping_and_invoke_talk_to_the_port_in_the_state_folder(
    state: Path, clients: Callable[[Handler], httpx.Client]
) -> None:
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(str(request.url))
        return server("3")(request)

    target = local(state, clients(handler))
    ping = target.ping()
    assert (ping.status, ping.version, ping.body) == (200, "3", {"status": "ok", "version": "3"})
    reply = target.invoke([{"x": 1.5}, {"x": 2.0}])
    assert reply.body == {"predictions": [3.0, 4.0], "version": "3"}
    assert seen == ["http://127.0.0.1:8123/ping", "http://127.0.0.1:8123/invocations"]
    assert target.describe() == "local server 127.0.0.1:8123"


def test_a_smoke_invocation_carries_the_smoke_header_and_a_smoke_request_id(
    state: Path, clients: Callable[[Handler], httpx.Client]
) -> None:
    from mlgate.serve.marks import SMOKE_HEADER, is_smoke_id

    headers: list[httpx.Headers] = []

    def handler(request: httpx.Request) -> httpx.Response:
        headers.append(request.headers)
        return server("3")(request)

    target = local(state, clients(handler))
    assert target.invoke([{"x": 1.0}], smoke=True).status == 200
    assert target.invoke([{"x": 1.0}]).status == 200
    assert headers[0][SMOKE_HEADER] == "1"
    assert is_smoke_id(headers[0]["X-Request-Id"])
    assert SMOKE_HEADER not in headers[1]
    assert "X-Request-Id" not in headers[1]


def test_the_address_in_server_json_is_used_when_it_is_specific(
    state: Path, clients: Callable[[Handler], httpx.Client]
) -> None:
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(str(request.url.host))
        return httpx.Response(200, text="ok")

    info = {"pid": 1, "port": 8123, "host": "::1", "started_at": "2026-11-21T12:00:00+00:00"}
    (state / "server.json").write_text(json.dumps(info), encoding="utf-8")
    target = local(state, clients(handler))
    reply = target.ping()
    assert (reply.body, reply.text) == (None, "ok")
    (state / "server.json").write_text(json.dumps({**info, "host": "0.0.0.0"}), encoding="utf-8")
    target.ping()
    assert seen == ["::1", "127.0.0.1"]


def test_no_port_file_means_no_server(state: Path, clients: Callable[[Handler], httpx.Client]) -> None:
    (state / "port").unlink()
    target = local(state, clients(server("1")))
    assert target.describe().endswith("not running)")
    with pytest.raises(ServiceError, match=r"no local server for .*: no port file") as info:
        target.ping()
    assert info.value.hint == f"start one with `mlgate serve --state {state}`"


def test_connection_errors_are_service_errors(state: Path, clients: Callable[[Handler], httpx.Client]) -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    with pytest.raises(ServiceError, match=r"cannot reach the local server at http://127\.0\.0\.1:8123/ping"):
        local(state, clients(refuse)).ping()


def test_waiting_returns_once_the_new_version_is_served(
    state: Path, clients: Callable[[Handler], httpx.Client]
) -> None:
    answers = iter(["1", "1", "2"])
    current = {"served": "1"}

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/ping":
            current["served"] = next(answers)
        return server(current["served"], pointer="2")(request)

    clock = FakeClock()
    local(state, clients(handler), clock).wait_until_serving("2", timeout=10.0)
    assert clock.now == 101.0  # two polls of 0.5 s


def test_a_load_error_for_the_version_fails_fast(state: Path, clients: Callable[[Handler], httpx.Client]) -> None:
    handler = server("1", loading_error="UntrustedTypesFoundException: x.Y", pointer="2")
    with pytest.raises(LoadFailed, match="could not load version 2: UntrustedTypesFoundException"):
        local(state, clients(handler)).wait_until_serving("2", timeout=10.0)


def test_an_error_shown_while_loading_is_from_an_earlier_attempt(
    state: Path, clients: Callable[[Handler], httpx.Client]
) -> None:
    handler = server("1", loading_error="version 2: an earlier failure", pointer="2", loading=True)
    with pytest.raises(TargetTimeout, match="did not serve version 2 within 1 s"):
        local(state, clients(handler)).wait_until_serving("2", timeout=1.0)


def test_a_load_error_of_another_version_is_not_ours(state: Path, clients: Callable[[Handler], httpx.Client]) -> None:
    handler = server("1", loading_error="an older failure", pointer="3")
    clock = FakeClock()
    with pytest.raises(TargetTimeout, match=r"did not serve version 2 within 2 s: /ping answers 200 with version 1"):
        local(state, clients(handler), clock).wait_until_serving("2", timeout=2.0)
    assert clock.now == pytest.approx(102.0)


def test_an_unreachable_server_is_waited_for_until_the_timeout(
    state: Path, clients: Callable[[Handler], httpx.Client]
) -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    with pytest.raises(TargetTimeout, match="within 1 s: cannot reach the local server") as info:
        local(state, clients(refuse)).wait_until_serving("2", timeout=1.0)
    assert info.value.exit_code == 6


def test_a_port_file_left_by_a_killed_server_is_not_trusted(tmp_path: Path) -> None:
    folder = tmp_path / "serve"
    folder.mkdir()
    (folder / "port").write_text("8123\n", encoding="utf-8")  # no server holds server.lock
    info = {"pid": 4242, "port": 8123, "host": "127.0.0.1", "started_at": "2026-11-21T12:00:00+00:00"}
    (folder / "server.json").write_text(json.dumps(info), encoding="utf-8")
    (folder / LOCK_FILE).touch()
    asked: list[str] = []

    def answer(request: httpx.Request) -> httpx.Response:
        asked.append(str(request.url))
        return httpx.Response(200)

    with httpx.Client(transport=httpx.MockTransport(answer)) as http:
        target = LocalTarget(folder, http=http)
        with pytest.raises(ServiceError, match=r"its port file was left by a server \(pid 4242\) that was killed"):
            target.ping()
    assert asked == []  # nothing was sent to whatever listens on that port now
