"""Who makes a change (--by, GITHUB_ACTOR, the local user) and how times are written."""

from __future__ import annotations

import datetime as dt

import pytest

from mlgate.errors import InputError
from mlgate.registry.actor import format_time, resolve_actor


def no_user() -> str:
    raise OSError("no login name")


def test_by_wins_over_github_actor_and_the_local_user() -> None:
    assert resolve_actor(" carol ", {"GITHUB_ACTOR": "octocat"}, lambda: "local") == "carol"


def test_github_actor_wins_over_the_local_user() -> None:
    assert resolve_actor(None, {"GITHUB_ACTOR": "octocat"}, lambda: "local") == "octocat"


def test_the_local_user_is_the_last_resort() -> None:
    assert resolve_actor(None, {"GITHUB_ACTOR": "  "}, lambda: "local") == "local"


def test_an_empty_by_is_refused() -> None:
    with pytest.raises(InputError, match="--by is empty"):
        resolve_actor("  ", {}, lambda: "local")


def test_an_unknown_user_asks_for_by() -> None:
    with pytest.raises(InputError, match="cannot tell who is making this change") as caught:
        resolve_actor(None, {}, no_user)
    assert caught.value.hint == "pass --by NAME"


def test_times_are_iso_utc_to_the_second() -> None:
    paris = dt.timezone(dt.timedelta(hours=1))
    assert format_time(dt.datetime(2026, 11, 20, 10, 0, 5, 999, tzinfo=paris)) == "2026-11-20T09:00:05+00:00"
    assert format_time(dt.datetime(2026, 11, 20, 9, 0, 5)) == "2026-11-20T09:00:05+00:00"
