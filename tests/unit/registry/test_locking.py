"""The registry lock: exclusive writers, shared readers, a bounded wait."""

from __future__ import annotations

import fcntl
import os
from pathlib import Path

import pytest

from mlgate.errors import InputError
from mlgate.registry.locking import hold_lock


class FakeTime:
    """A clock that advances only when the code sleeps."""

    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def test_a_writer_creates_the_lock_file(tmp_path: Path) -> None:
    path = tmp_path / "registry" / ".lock"
    with hold_lock(path, exclusive=True, timeout_s=1):
        assert path.is_file()


def test_a_reader_of_a_registry_never_written_needs_no_lock(tmp_path: Path) -> None:
    path = tmp_path / "nothing" / ".lock"
    with hold_lock(path, exclusive=False, timeout_s=1):
        pass
    assert not path.parent.exists()


def test_readers_share_the_lock(tmp_path: Path) -> None:
    path = tmp_path / ".lock"
    path.touch()
    with hold_lock(path, exclusive=False, timeout_s=0), hold_lock(path, exclusive=False, timeout_s=0):
        pass


def test_a_writer_waits_for_a_holder_and_gives_up_with_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / ".lock"
    path.touch()
    holder = os.open(path, os.O_RDWR)  # another open file description: flock treats it as another holder
    fcntl.flock(holder, fcntl.LOCK_SH)
    fake = FakeTime()
    try:
        with (
            pytest.raises(InputError, match=r"the registry is locked by another process \(waited 1 s"),
            hold_lock(path, exclusive=True, timeout_s=1, clock=fake.clock, sleep=fake.sleep),
        ):
            pass  # pragma: no cover - never reached
    finally:
        os.close(holder)
    assert (fake.sleeps[0], max(fake.sleeps)) == (0.01, 0.2)  # backs off, capped
    with hold_lock(path, exclusive=True, timeout_s=0):  # released with its holder
        pass


def test_an_unopenable_lock_is_an_input_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder", encoding="utf-8")
    with (
        pytest.raises(InputError, match=r"cannot open the registry lock .*: Not a directory"),
        hold_lock(blocker / ".lock", exclusive=False, timeout_s=0),
    ):
        pass  # pragma: no cover
