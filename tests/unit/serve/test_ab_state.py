"""ab.json: round trip, refusals naming the file, the routing key, and the sticky hash's share."""

from __future__ import annotations

from pathlib import Path

import pytest

from mlgate.errors import ConfigError, InputError
from mlgate.serve.ab_state import (
    AbPointer,
    check_percent,
    clear_ab,
    is_challenger,
    parse_ab,
    read_ab,
    split_key,
    write_ab,
)
from mlgate.serve.state import LivePointer

POINTER = LivePointer("2", "tree", "/m/2.skops", "a" * 64, ("x.Y",), ("a", "b"), "2026-12-07T09:00:00")
SPLIT = AbPointer("1", POINTER, 25.0, "header:X-Client", "2026-12-07T09:00:00Z")


def test_written_then_read_back_then_cleared(tmp_path: Path) -> None:
    assert read_ab(tmp_path) is None
    write_ab(tmp_path, SPLIT)
    assert read_ab(tmp_path) == SPLIT
    assert clear_ab(tmp_path) is True
    assert clear_ab(tmp_path) is False


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[]", r"ab\.json: expected an object with champion, challenger"),
        ('{"challenger": {}, "champion": 1, "key": "header:X", "started_at": "t", "percent": 5}', "must be strings"),
        ('{"challenger": {}, "champion": "1", "key": "header:X", "started_at": "t", "percent": true}', "percent must"),
        ('{"challenger": {}, "champion": "1", "key": "cookie:X", "started_at": "t", "percent": 5}', "expected header"),
        ('{"challenger": {}, "champion": "1", "key": "header:X", "started_at": "t", "percent": 5}', "missing version"),
        ("{", r"ab\.json:1:2: not valid JSON"),
    ],
)
def test_a_malformed_file_names_itself(text: str, message: str) -> None:
    with pytest.raises(InputError, match=message):
        parse_ab(text, where="ab.json")


@pytest.mark.parametrize("percent", [0, 100, -5, float("nan"), float("inf")])
def test_a_share_outside_0_100_is_refused(percent: float) -> None:
    with pytest.raises(InputError, match="must be a percentage between 0 and 100"):
        check_percent(percent)


def test_routing_keys_are_a_header_or_a_feature() -> None:
    assert split_key("header:X-Client") == ("header", "X-Client")
    assert split_key("feature: customer_id") == ("feature", "customer_id")
    for bad in ("X-Client", "header:", "query:x"):
        with pytest.raises(ConfigError, match="expected header:<Name> or feature:<name>"):
            split_key(bad)


def test_a_client_always_lands_on_the_same_side_and_the_share_is_the_percent() -> None:
    clients = [f"client-{i}" for i in range(20000)]
    picked = [is_challenger(c, salt="t0", percent=10) for c in clients]
    assert picked == [is_challenger(c, salt="t0", percent=10) for c in clients]
    share = sum(picked) / len(picked)
    assert 0.09 < share < 0.11  # binomial sd 0.002: five sd either side
    # a larger share keeps every client of the smaller one (the same hash, a higher cut)
    assert all(is_challenger(c, salt="t0", percent=30) for c, p in zip(clients, picked, strict=True) if p)
    # a new test (another start) draws another split
    redrawn = [is_challenger(c, salt="t1", percent=10) for c in clients]
    assert redrawn != picked
