"""The history log after interrupted writes: torn tails, uncommitted events, failed appends, glued lines."""

from __future__ import annotations

import datetime as dt
import errno
import os
from pathlib import Path

import pytest

from mlgate.errors import InputError
from mlgate.registry.journal import append_line, read_log
from mlgate.registry.local import LocalRegistry
from mlgate.registry.model import HistoryEvent
from mlgate.registry.records import event_line
from unit.registry.helpers import artifact, version

LATER = dt.datetime(2026, 11, 21, 8, 30, tzinfo=dt.timezone.utc)
DEPLOYED = HistoryEvent(
    at="2026-11-21T09:00:00+00:00", event="deployed", version="1", by="carol", detail={"live": "1", "previous": None}
)


def registered(root: Path, notes: list[str]) -> LocalRegistry:
    store = LocalRegistry(root, clock=lambda: LATER, lock_timeout_s=1, notify=notes.append)
    path, digest = artifact(root.parent / "results")
    store.register(version(digest), path)
    return store


def fail_writes_after(monkeypatch: pytest.MonkeyPatch, allowed: int, code: int = errno.ENOSPC) -> None:
    """``os.write`` in the journal writes ``allowed`` bytes in all, then fails like a full disk."""
    left = [allowed]
    real_write = os.write  # journal.os is the os module: patching it replaces os.write everywhere

    def write(fd: int, data: bytes | memoryview) -> int:
        if left[0] <= 0:
            raise OSError(code, os.strerror(code))
        count = min(left[0], len(data))
        left[0] -= count
        return real_write(fd, bytes(data[:count]))

    monkeypatch.setattr(os, "write", write)  # the os module the journal writes through


def test_a_torn_last_line_is_dropped_with_a_note_and_cut_before_the_next_append(tmp_path: Path) -> None:
    notes: list[str] = []
    store = registered(tmp_path / "reg", notes)
    history = tmp_path / "reg" / "history.jsonl"
    whole = history.read_bytes()
    history.write_bytes(whole + event_line(DEPLOYED).encode()[:40])
    assert [e.event for e in store.history()] == ["registered"]
    assert notes == [f"{history}:2: dropped a torn last line (40 bytes): a write was interrupted"]
    store.record(DEPLOYED)
    assert history.read_bytes() == whole + event_line(DEPLOYED).encode()
    assert notes[-1] == f"{history}: cut off a torn last line (40 bytes) left by an interrupted write"
    assert [e.event for e in store.history()] == ["registered", "deployed"]


def test_a_failed_append_leaves_the_history_as_it_was_and_names_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = registered(tmp_path / "reg", [])
    history = tmp_path / "reg" / "history.jsonl"
    before = history.read_bytes()
    fail_writes_after(monkeypatch, 25, errno.EFBIG)
    with pytest.raises(InputError, match=r"cannot write the registry history .*history.jsonl: File too large; "):
        store.set_status("1", "approved", by="bob", reason="fine")
    assert history.read_bytes() == before
    assert store.get("1").status == "pending"


def test_a_status_change_whose_record_cannot_be_written_takes_its_event_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = registered(tmp_path / "reg", [])
    history = tmp_path / "reg" / "history.jsonl"
    before = history.read_bytes()

    def full_disk(path: Path, data: str | bytes) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr("mlgate.registry.local.write_atomic", full_disk)
    with pytest.raises(InputError, match=r"cannot write the registry record .*1/version.json: No space left on device"):
        store.set_status("1", "approved", by="bob", reason="fine")
    assert history.read_bytes() == before
    assert [e.event for e in store.history()] == ["registered"]
    assert store.get("1").status == "pending"


def test_an_event_whose_change_was_never_saved_is_ignored_then_cut_off(tmp_path: Path) -> None:
    notes: list[str] = []
    store = registered(tmp_path / "reg", notes)
    history = tmp_path / "reg" / "history.jsonl"
    whole = history.read_bytes()
    ghost = HistoryEvent(at="2026-11-21T08:30:00+00:00", event="approved", version="1", by="bob", reason="ok")
    history.write_bytes(whole + event_line(ghost).encode())  # a process killed before it wrote version.json
    assert [e.event for e in store.history()] == ["registered"]
    assert notes == [
        f"{history}: ignored the last event (approved version 1 by bob at 2026-11-21T08:30:00+00:00): "
        "the command that wrote it stopped before its change was saved"
    ]
    assert store.get("1").status == "pending"
    store.set_status("1", "rejected", by="bob", reason="no")
    assert [e.event for e in store.history()] == ["registered", "rejected"]
    assert store.get("1").status == "rejected"


def test_a_registration_killed_before_its_rename_is_ignored_and_its_number_reused(tmp_path: Path) -> None:
    notes: list[str] = []
    store = registered(tmp_path / "reg", notes)
    history = tmp_path / "reg" / "history.jsonl"
    ghost = HistoryEvent(at="2026-11-21T08:30:00+00:00", event="registered", version="2", by="bob")
    history.write_bytes(history.read_bytes() + event_line(ghost).encode())
    (tmp_path / "reg" / "versions" / ".staging-2-dead").mkdir()
    assert [e.version for e in store.history()] == ["1"]
    path, digest = artifact(tmp_path / "more", b"other")
    assert store.register(version(digest), path).version == "2"
    assert [(e.event, e.version) for e in store.history()] == [("registered", "1"), ("registered", "2")]
    assert sorted(p.name for p in (tmp_path / "reg" / "versions").iterdir()) == ["1", "2"]


def test_an_event_glued_to_a_torn_line_is_recovered(tmp_path: Path) -> None:
    notes: list[str] = []
    store = registered(tmp_path / "reg", notes)
    history = tmp_path / "reg" / "history.jsonl"
    torn = event_line(DEPLOYED).encode()[:30]
    history.write_bytes(history.read_bytes() + torn + event_line(DEPLOYED).encode())  # what older versions did
    assert [e.event for e in store.history()] == ["registered", "deployed"]
    assert notes == [
        f"{history}:2: dropped 30 bytes of a torn line; kept the event after it "
        "(deployed version 1 by carol at 2026-11-21T09:00:00+00:00)"
    ]


def test_a_last_event_without_its_newline_is_kept_and_completed(tmp_path: Path) -> None:
    history = tmp_path / "history.jsonl"
    history.write_bytes(event_line(DEPLOYED).encode().rstrip(b"\n"))
    read = read_log(history)
    assert (len(read.entries), read.unterminated, read.torn_at, read.notes) == (1, True, None, ())
    append_line(history, event_line(DEPLOYED), repair_to=None, newline_first=True)
    assert history.read_bytes() == event_line(DEPLOYED).encode() * 2


def test_a_missing_log_is_empty_and_a_byte_order_mark_is_skipped(tmp_path: Path) -> None:
    assert read_log(tmp_path / "none.jsonl").entries == ()
    history = tmp_path / "history.jsonl"
    history.write_bytes(b"\xef\xbb\xbf" + event_line(DEPLOYED).encode() + b"\n\xff\xfe\n")
    read = read_log(history)
    assert [e.event.event for e in read.entries] == ["deployed"]
    assert read.notes == (f"{history}:3: dropped a line that is not a history event (2 bytes)",)
