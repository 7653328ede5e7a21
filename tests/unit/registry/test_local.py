"""The local backend: numbering, verified copies, status changes, history, reads and errors."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pytest

from mlgate.errors import InputError
from mlgate.registry.local import LocalRegistry
from mlgate.registry.model import HistoryEvent
from unit.registry.helpers import WHEN, artifact, version

LATER = dt.datetime(2026, 11, 21, 8, 30, tzinfo=dt.timezone.utc)


def registry(root: Path) -> LocalRegistry:
    return LocalRegistry(root, clock=lambda: LATER, lock_timeout_s=1)


def test_versions_are_numbered_from_one_with_their_own_verified_copy(tmp_path: Path) -> None:
    store = registry(tmp_path / "reg")
    for n, content in enumerate([b"a", b"b", b"c"], start=1):
        path, digest = artifact(tmp_path / f"results{n}", content)
        stored = store.register(version(digest), path)
        assert stored.version == str(n)
        assert Path(stored.artifact) == tmp_path / "reg" / "versions" / str(n) / "model.skops"
        assert Path(stored.artifact).read_bytes() == content
    assert [v.version for v in store.list()] == ["1", "2", "3"]
    first = store.get("1")
    assert first.status == "pending"
    assert [(c.status, c.by, c.reason, c.at) for c in first.history] == [("pending", "alice", "registered", WHEN)]
    stored_json = json.loads((tmp_path / "reg" / "versions" / "1" / "version.json").read_text(encoding="utf-8"))
    assert stored_json["artifact"] == "versions/1/model.skops"  # portable on disk


def test_a_file_that_does_not_match_its_digest_is_refused_and_nothing_is_stored(tmp_path: Path) -> None:
    store = registry(tmp_path / "reg")
    path, digest = artifact(tmp_path / "results", b"original")
    path.write_bytes(b"tampered")
    with pytest.raises(InputError, match=r"tampered artifact: .*model.skops has SHA-256"):
        store.register(version(digest), path)
    assert store.list() == []
    assert store.history() == []
    assert list((tmp_path / "reg" / "versions").iterdir()) == []  # the staging folder is gone


def test_a_missing_artifact_file_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"model file not found: .*gone.skops"):
        registry(tmp_path / "reg").register(version("0" * 64), tmp_path / "gone.skops")


def test_status_changes_record_who_why_and_when_and_the_history_grows(tmp_path: Path) -> None:
    store = registry(tmp_path / "reg")
    path, digest = artifact(tmp_path / "results")
    store.register(version(digest), path)
    approved = store.set_status("v1", "approved", by=" bob ", reason=" beats v0 ")
    assert approved.status == "approved"
    last = approved.history[-1]
    assert (last.by, last.reason, last.at) == ("bob", "beats v0", "2026-11-21T08:30:00+00:00")
    assert store.get("1") == approved
    rejected = store.set_status("1", "rejected", by="ci", reason="smoke test failed")
    assert [c.status for c in rejected.history] == ["pending", "approved", "rejected"]
    events = store.history()
    assert [(e.event, e.version, e.by) for e in events] == [
        ("registered", "1", "alice"),
        ("approved", "1", "bob"),
        ("rejected", "1", "ci"),
    ]
    assert events[0].detail["sha256"] == digest


def test_the_same_status_again_changes_nothing(tmp_path: Path) -> None:
    store = registry(tmp_path / "reg")
    path, digest = artifact(tmp_path / "results")
    store.register(version(digest), path)
    first = store.set_status("1", "approved", by="bob", reason="ok")
    assert store.set_status("1", "approved", by="carol", reason="again") == first
    assert [e.event for e in store.history()] == ["registered", "approved"]


@pytest.mark.parametrize(
    ("status", "by", "reason", "message"),
    [
        ("approved", "bob", "  ", "a reason is required to mark version 1 approved"),
        ("approved", " ", "ok", "who marks version 1 approved is unknown"),
        ("live", "bob", "ok", "status 'live' is not one of pending, approved, rejected"),
    ],
)
def test_status_changes_need_a_reason_an_actor_and_a_known_status(
    tmp_path: Path, status: str, by: str, reason: str, message: str
) -> None:
    store = registry(tmp_path / "reg")
    path, digest = artifact(tmp_path / "results")
    store.register(version(digest), path)
    with pytest.raises(InputError, match=message):
        store.set_status("1", status, by=by, reason=reason)  # type: ignore[arg-type]
    assert store.get("1").status == "pending"


def test_unknown_versions_name_the_known_ones(tmp_path: Path) -> None:
    store = registry(tmp_path / "reg")
    with pytest.raises(InputError, match=r"has no version 1") as empty:
        store.get("1")
    assert "the registry is empty" in str(empty.value.hint)
    path, digest = artifact(tmp_path / "results")
    store.register(version(digest), path)
    with pytest.raises(InputError, match=r"has no version 7") as caught:
        store.set_status("7", "approved", by="bob", reason="ok")
    assert caught.value.hint == "known versions: 1"
    with pytest.raises(InputError, match=r"has no version 7"):
        store.history("7")


def test_a_folder_named_with_other_digits_is_not_taken_for_a_version(tmp_path: Path) -> None:
    store = registry(tmp_path / "reg")
    path, digest = artifact(tmp_path / "r1", b"\x01")
    store.register(version(digest), path)
    (tmp_path / "reg" / "versions" / "²").mkdir()
    assert [v.version for v in store.list()] == ["1"]


def test_recorded_events_are_appended_and_filtered_by_version(tmp_path: Path) -> None:
    store = registry(tmp_path / "reg")
    for n in (1, 2):
        path, digest = artifact(tmp_path / f"r{n}", bytes([n]))
        store.register(version(digest), path)
    store.record(HistoryEvent(at=WHEN, event="deployed", version="2", by="ci", detail={"target": "local"}))
    store.record(HistoryEvent(at=WHEN, event="note", version=None, by="ci"))
    assert [e.event for e in store.history("2")] == ["registered", "deployed"]
    assert len(store.history()) == 4
    lines = (tmp_path / "reg" / "history.jsonl").read_text(encoding="utf-8").splitlines()
    assert [json.loads(line)["event"] for line in lines] == ["registered", "registered", "deployed", "note"]


def test_the_folder_can_move_and_leftover_staging_folders_are_ignored(tmp_path: Path) -> None:
    store = registry(tmp_path / "reg")
    path, digest = artifact(tmp_path / "results")
    store.register(version(digest), path)
    (tmp_path / "reg" / "versions" / ".staging-2-dead").mkdir()  # a writer that crashed mid-way
    shutil.move(tmp_path / "reg", tmp_path / "moved")
    moved = registry(tmp_path / "moved")
    (found,) = moved.list()
    assert moved.artifact_path(found) == tmp_path / "moved" / "versions" / "1" / "model.skops"
    assert found.artifact == str(moved.artifact_path(found))
    path2, digest2 = artifact(tmp_path / "r2", b"other")
    assert moved.register(version(digest2), path2).version == "2"


def test_a_missing_artifact_copy_is_reported(tmp_path: Path) -> None:
    store = registry(tmp_path / "reg")
    path, digest = artifact(tmp_path / "results")
    stored = store.register(version(digest), path)
    Path(stored.artifact).unlink()
    with pytest.raises(InputError, match=r"the artifact of version 1 is missing"):
        store.artifact_path(stored)


def test_corrupt_files_are_reported_with_their_location(tmp_path: Path) -> None:
    store = registry(tmp_path / "reg")
    path, digest = artifact(tmp_path / "results")
    store.register(version(digest), path)
    history = tmp_path / "reg" / "history.jsonl"
    history.write_text(history.read_text(encoding="utf-8") + "{broken\n", encoding="utf-8")
    notes: list[str] = []
    store.notify = notes.append
    assert [e.event for e in store.history()] == ["registered"]
    assert notes == [f"{history}:2: dropped a line that is not a history event (7 bytes)"]
    (tmp_path / "reg" / "versions" / "1" / "version.json").write_text("{", encoding="utf-8")
    with pytest.raises(InputError, match=r"version.json:1: registry record is not valid JSON"):
        store.get("1")


def test_an_empty_registry_lists_nothing_and_creates_nothing(tmp_path: Path) -> None:
    store = registry(tmp_path / "reg")
    assert store.list() == []
    assert store.history() == []
    assert not (tmp_path / "reg").exists()
