"""mlgate.serve.watcher: live.json changes reach the holder; unchanged or broken pointers do not reload."""

from __future__ import annotations

import os
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from mlgate.serve.holder import ModelHolder
from mlgate.serve.state import LIVE_FILE, LivePointer, write_pointer
from mlgate.serve.watcher import PointerWatcher

POINTER = LivePointer(
    version="1",
    model="m",
    artifact="/models/1.skops",
    sha256="0" * 64,
    trusted_types=(),
    features=("a",),
    switched_at="2026-01-01T00:00:00+00:00",
)


class Model:
    def predict(self, frame: pd.DataFrame) -> Any:
        return np.zeros(len(frame))


class CountingLoader:
    def __init__(self) -> None:
        self.versions: list[str] = []

    def __call__(self, pointer: LivePointer) -> Any:
        self.versions.append(pointer.version)
        return Model()


def make(tmp_path: Path) -> tuple[PointerWatcher, ModelHolder, CountingLoader]:
    loader = CountingLoader()
    holder = ModelHolder(loader=loader)
    return PointerWatcher(tmp_path, holder, interval=0.01), holder, loader


def test_nothing_happens_without_a_pointer(tmp_path: Path) -> None:
    watcher, holder, loader = make(tmp_path)
    assert watcher.poll() is False
    assert holder.current is None
    assert loader.versions == []


def test_a_new_pointer_is_applied_once(tmp_path: Path) -> None:
    watcher, holder, loader = make(tmp_path)
    write_pointer(tmp_path, POINTER)
    assert watcher.poll() is True
    assert watcher.poll() is False
    write_pointer(tmp_path, POINTER)  # rewritten with the same content: a new inode, nothing to load
    assert watcher.poll() is False
    write_pointer(tmp_path, replace(POINTER, version="2"))
    assert watcher.poll() is True
    assert loader.versions == ["1", "2"]
    assert holder.current is not None
    assert holder.current.version == "2"


def test_an_in_place_edit_is_noticed(tmp_path: Path) -> None:
    watcher, holder, _ = make(tmp_path)
    path = tmp_path / LIVE_FILE
    path.write_text(POINTER.to_json(), encoding="utf-8")
    watcher.poll()
    stat = path.stat()
    path.write_text(replace(POINTER, version="7").to_json(), encoding="utf-8")
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))
    assert watcher.poll() is True
    assert holder.status().pointer_version == "7"


def test_a_broken_pointer_is_reported_and_the_model_kept(tmp_path: Path) -> None:
    watcher, holder, loader = make(tmp_path)
    write_pointer(tmp_path, POINTER)
    watcher.poll()
    (tmp_path / LIVE_FILE).write_text('{"version": ', encoding="utf-8")
    assert watcher.poll() is True
    status = holder.status()
    assert status.version == "1"
    assert status.loading_error is not None
    assert "not valid JSON" in status.loading_error
    assert loader.versions == ["1"]


def test_the_thread_picks_up_changes_and_stops(tmp_path: Path) -> None:
    watcher, holder, _ = make(tmp_path)
    write_pointer(tmp_path, POINTER)
    watcher.start()
    try:
        deadline = time.monotonic() + 5
        while holder.current is None and time.monotonic() < deadline:
            time.sleep(0.01)
        assert holder.current is not None
        write_pointer(tmp_path, replace(POINTER, version="2"))
        while holder.status().version != "2" and time.monotonic() < deadline:
            time.sleep(0.01)
        assert holder.status().version == "2"
    finally:
        watcher.stop()
    write_pointer(tmp_path, replace(POINTER, version="3"))
    time.sleep(0.05)
    assert holder.status().version == "2"  # stopped: no more polling
