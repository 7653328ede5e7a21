"""mlgate.serve.ab in process: sticky routing by header or feature, the challenger loaded first, the champion answering
when the challenger fails, every invocation of the split logged, /status ``ab``, the watcher."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest

from mlgate.serve.ab import AbRouter, AbWatcher, find_client
from mlgate.serve.ab_log import AbLog
from mlgate.serve.ab_records import read_ab_log
from mlgate.serve.ab_state import VARIANT_HEADER, AbPointer, write_ab
from mlgate.serve.app import create_app
from mlgate.serve.holder import ModelHolder
from unit.serve.test_app import POINTER, Client, Models

FIXED = datetime(2026, 12, 7, 9, 0, tzinfo=timezone.utc)
FEATURES = ("a", "b")


class Broken:
    def predict(self, frame: Any) -> Any:
        raise RuntimeError("the challenger broke")


def split(percent: float = 50.0, key: str = "header:X-Client") -> AbPointer:
    return AbPointer("1", replace(POINTER, version="2"), percent, key, "2026-12-07T09:00:00Z")


@pytest.fixture
def models() -> Models:
    return Models()


@pytest.fixture
def router(tmp_path: Path, models: Models) -> AbRouter:
    return AbRouter(AbLog(tmp_path / "ab", clock=lambda: FIXED), loader=models)


@pytest.fixture
def client(models: Models, router: AbRouter) -> Client:
    holder = ModelHolder(loader=models)
    holder.apply(POINTER)
    return Client(create_app(holder, ab=router))


def ask(client: Client, who: str, **headers: str) -> tuple[str, str]:
    reply = client.post("/invocations", json={"instances": [[1, 2]]}, headers={"X-Client": who, **headers})
    assert reply.status_code == 200, reply.text
    return reply.headers["x-mlgate-version"], reply.headers[VARIANT_HEADER]


def test_without_a_split_nothing_is_routed_or_logged(client: Client, router: AbRouter) -> None:
    reply = client.post("/invocations", json={"instances": [[1, 2]]})
    assert (reply.headers["x-mlgate-version"], VARIANT_HEADER in reply.headers) == ("1", False)
    assert client.get("/status").json()["ab"] is None
    assert router.log.flush() == 0


def test_clients_stick_to_their_variant_and_both_are_logged(client: Client, router: AbRouter, tmp_path: Path) -> None:
    router.apply(split())
    answers = {who: ask(client, who) for who in (f"c{i}" for i in range(60))}
    assert {answers[w] for w in answers} == {("1", "champion"), ("2", "challenger")}
    assert all(ask(client, who) == answers[who] for who in list(answers)[:20]), "the same client, the same variant"
    smoke = client.post("/invocations", json={"instances": [[1, 2]]}, headers={"X-Mlgate-Smoke": "1", "X-Client": "c0"})
    assert smoke.headers["x-mlgate-version"] == "1", "a smoke test always tests the live version"
    status = client.get("/status").json()["ab"]
    assert (status["challenger"], status["ready"], status["answered"]) == ("2", True, 80)
    router.log.flush()
    records = read_ab_log(tmp_path / "ab", FIXED).records
    assert len(records) == 80
    assert {(r.variant, r.version) for r in records} == {("champion", "1"), ("challenger", "2")}
    assert all(r.predictions == ((3.0,) if r.version == "1" else (30.0,)) for r in records)


def test_a_failing_challenger_is_answered_by_the_champion_and_counted(
    client: Client, router: AbRouter, models: Models
) -> None:
    models.by_version["2"] = Broken()
    router.apply(split(percent=99.99))
    assert ask(client, "someone") == ("1", "champion")
    assert client.get("/status").json()["ab"]["fallbacks"] == 1
    router.log.flush()
    (record,) = read_ab_log(router.log.folder, FIXED).records
    assert (record.variant, record.version, record.fallback, record.status) == ("challenger", "1", True, 200)


def test_a_challenger_that_cannot_load_routes_nothing(client: Client, router: AbRouter, models: Models) -> None:
    models.by_version["2"] = ValueError("tampered")
    router.apply(split(percent=99.99))
    assert ask(client, "someone") == ("1", "champion")
    assert "tampered" in client.get("/status").json()["ab"]["error"]


def test_the_watcher_follows_ab_json(tmp_path: Path, router: AbRouter) -> None:
    watcher = AbWatcher(tmp_path, router)
    assert watcher.poll() is False
    write_ab(tmp_path, split())
    assert watcher.poll() is True
    assert (router.running, router.stats().ready) == (True, True)
    (tmp_path / "ab.json").unlink()
    assert watcher.poll() is True
    assert router.running is False
    (tmp_path / "ab.json").write_text("{", encoding="utf-8")
    watcher.poll()
    assert "not valid JSON" in str(router.stats().error)


@pytest.mark.parametrize(
    ("key", "headers", "body", "content_type", "expected"),
    [
        (("header", "X-Client"), {"X-Client": "u1"}, b"", None, "u1"),
        (("header", "X-Client"), {}, b"", None, None),
        (("feature", "a"), {}, b'{"instances": [{"a": 7, "b": 1}]}', "application/json", "7"),
        (("feature", "a"), {}, b'{"instances": [["x", 1]]}', "application/json", "x"),
        (("feature", "a"), {}, b"a,b\n5,6\n", "text/csv", "5"),
        (("feature", "a"), {}, b"5,6\n", "text/csv", "5"),
        (("feature", "a"), {}, b"{not json", "application/json", None),
        (("feature", "zz"), {}, b'{"instances": [["x", 1]]}', "application/json", None),
    ],
)
def test_the_client_is_found_in_a_header_or_the_first_row(
    key: tuple[str, str], headers: dict[str, str], body: bytes, content_type: str | None, expected: str | None
) -> None:
    assert find_client(key, headers, body, content_type, FEATURES) == expected


def test_requests_without_a_key_are_routed_by_request_id(client: Client, router: AbRouter) -> None:
    router.apply(split())
    seen = set()
    for i in range(40):
        reply = client.post("/invocations", json={"instances": [[1, 2]]}, headers={"X-Request-Id": f"id-{i}"})
        seen.add(reply.headers[VARIANT_HEADER])
    assert seen == {"champion", "challenger"}
