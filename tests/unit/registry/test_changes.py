"""Registry changes as data: a new version or the one with the same artifact; a status change or why there was none."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from mlgate.registry.build import Candidate
from mlgate.registry.changes import Change, change_status, register_candidate
from mlgate.registry.local import LocalRegistry
from mlgate.registry.model import ModelVersion, Status
from unit.registry.helpers import artifact, version

LATER = dt.datetime(2026, 11, 21, 8, 30, tzinfo=dt.timezone.utc)


def registry(root: Path) -> LocalRegistry:
    return LocalRegistry(root, clock=lambda: LATER, lock_timeout_s=1)


def candidate(folder: Path, content: bytes) -> Candidate:
    path, digest = artifact(folder, content)
    return Candidate(version(digest), path)


def registered(tmp_path: Path) -> tuple[LocalRegistry, ModelVersion]:
    store = registry(tmp_path / "reg")
    return store, register_candidate(store, candidate(tmp_path / "results", b"model")).version


def test_a_new_artifact_is_registered_as_a_pending_version(tmp_path: Path) -> None:
    store = registry(tmp_path / "reg")
    change = register_candidate(store, candidate(tmp_path / "results", b"model"))
    assert (change.action, change.version.version, change.version.status, change.note) == (
        "registered",
        "1",
        "pending",
        None,
    )
    assert [v.version for v in store.list()] == ["1"]


def test_the_same_artifact_again_is_not_stored_and_names_its_version(tmp_path: Path) -> None:
    store, first = registered(tmp_path)
    again = register_candidate(store, candidate(tmp_path / "again", b"model"))
    assert again == Change(
        "unchanged", first, f"this artifact is already registered as version {first.version}; nothing was added"
    )
    assert len(store.list()) == 1


def test_approving_records_who_why_and_names_the_change(tmp_path: Path) -> None:
    store, first = registered(tmp_path)
    change = change_status(store, first.version, "approved", by="bob", reason="metrics reviewed")
    assert (change.action, change.version.status, change.note) == ("approved", "approved", None)
    last = store.get(first.version).history[-1]
    assert (last.status, last.by, last.reason) == ("approved", "bob", "metrics reviewed")


def test_a_version_already_in_the_status_is_left_alone_and_the_note_names_the_last_change(tmp_path: Path) -> None:
    store, first = registered(tmp_path)
    change_status(store, first.version, "rejected", by="bob", reason="leaks the target")
    history = len(store.get(first.version).history)
    again = change_status(store, first.version, "rejected", by="carol", reason="still leaks")
    assert again.action == "unchanged"
    assert again.note is not None
    assert again.note.startswith(f"version {first.version} is already rejected (by bob at ")
    assert again.note.endswith(": leaks the target)")
    assert len(store.get(first.version).history) == history


class Racing:
    """A registry where another change lands between the read and the write (the write then records it, not ours)."""

    def __init__(self, store: LocalRegistry) -> None:
        self.store = store

    def get(self, version: str) -> ModelVersion:
        return self.store.get(version)

    def set_status(self, version: str, status: Status, *, by: str, reason: str) -> ModelVersion:
        return self.store.set_status(version, status, by="someone-else", reason="approved first")


def test_a_change_that_lost_a_race_says_so(tmp_path: Path) -> None:
    store, first = registered(tmp_path)
    racing = Racing(store)
    change = change_status(racing, first.version, "approved", by="bob", reason="mine")  # type: ignore[arg-type]
    assert change.action == "unchanged"
    assert change.note == "another change arrived at the same time; see `mlgate registry history`"
    assert change.version.history[-1].by == "someone-else"
