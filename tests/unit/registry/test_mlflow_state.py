"""What the mlflow backend keeps in tags and aliases, and how it reads changes made outside mlgate."""

from __future__ import annotations

import dataclasses
import json

import pytest

from mlgate.errors import InputError
from mlgate.registry.mlflow_state import (
    MAX_TAG,
    event_value,
    expected_aliases,
    find_outside_changes,
    history_key,
    latest_statuses,
    live_version,
    newest_approved,
    read_events,
    status_changes,
    version_tags,
)
from mlgate.registry.model import HistoryEvent, StatusChange
from unit.registry.helpers import version

REGISTERED = StatusChange("pending", "ci", "registered", "2026-12-01T09:00:00Z")


def event(name: str, number: str | None, **detail: object) -> HistoryEvent:
    return HistoryEvent(at="2026-12-01T10:00:00Z", event=name, version=number, by="alice", reason="r", detail=detail)


def tags_of(*events: HistoryEvent) -> dict[str, str]:
    return {history_key(1_000 + i, f"{i:012x}"): event_value(e) for i, e in enumerate(events)}


def test_history_keys_sort_by_time_and_read_back_in_order() -> None:
    events = (event("registered", "1"), event("approved", "1"), event("deployed", "1", live="1", previous=None))
    tags = {**tags_of(*events), "owner": "team-ml"}
    assert history_key(5, "ab") < history_key(40, "aa")
    assert read_events(tags, where="model m") == events


def test_a_malformed_history_tag_names_the_tag() -> None:
    with pytest.raises(InputError, match=r"model m, tag mlgate\.history\.x: history event is not valid JSON"):
        read_events({"mlgate.history.x": "{not json"}, where="model m")
    with pytest.raises(InputError, match=r"model m, tag mlgate\.history\.y: malformed history event"):
        read_events({"mlgate.history.y": json.dumps({"event": "approved"})}, where="model m")


def test_a_long_reason_is_shortened_to_fit_a_tag() -> None:
    long = HistoryEvent(at="t", event="approved", version="1", by="alice", reason="x" * 20_000)
    value = event_value(long)
    assert len(value) <= MAX_TAG
    assert json.loads(value)["reason"].endswith("…")


def test_status_comes_from_the_history_of_that_version_only() -> None:
    events = [event("registered", "1"), event("approved", "1"), event("rejected", "2"), event("deployed", "1")]
    changes = status_changes(events, "1", REGISTERED)
    assert [c.status for c in changes] == ["pending", "approved"]
    assert [c.status for c in status_changes(events, "3", REGISTERED)] == ["pending"]


def test_aliases_belong_to_the_last_live_and_the_newest_approved_version() -> None:
    events = [event("deployed", "1", live="1"), event("deployed", "3", live="3"), event("rolled-back", "1", live="1")]
    assert live_version(events) == "1"
    assert live_version([event("approved", "2")]) is None
    assert newest_approved({"2": "approved", "10": "approved", "11": "rejected"}) == "10"
    assert newest_approved({"1": "pending"}) is None
    assert expected_aliases(events, {"3": "approved"}, champion="prod", challenger="next") == {"prod": "1", "next": "3"}


def test_changes_outside_mlgate_are_named() -> None:
    expected = {"champion": "1", "challenger": None}
    aliases = {"champion": "2", "challenger": "2", "mine": "2"}
    found = find_outside_changes("2", "pending", {"mlgate.status": "approved"}, aliases, expected)
    assert found == ("tag mlgate.status='approved'", "alias 'champion'", "alias 'challenger'")
    assert find_outside_changes("1", "approved", {"mlgate.status": "approved"}, {"champion": "1"}, expected) == ()


def test_version_tags_hold_the_short_facts_only() -> None:
    tags = version_tags(dataclasses.replace(version("e" * 64), data_sha256=None), "f" * 64)
    assert tags["mlgate.record_sha256"] == "f" * 64
    assert (tags["mlgate.sha256"], tags["mlgate.status"]) == ("e" * 64, "pending")
    assert "mlgate.data_sha256" not in tags
    assert all(len(value) <= MAX_TAG for value in tags.values())


def test_each_versions_latest_status_comes_from_its_events() -> None:
    events = [event("registered", "1"), event("registered", "2"), event("approved", "1"), event("rejected", "1")]
    assert latest_statuses([*events, event("deployed", "2", live="2")]) == {"1": "rejected", "2": "pending"}
