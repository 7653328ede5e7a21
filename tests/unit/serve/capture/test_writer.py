"""mlgate.serve.capture.writer: sampling, the bounded queue, rotation, partial files, write errors (records:
test_records.py; settings: test_settings.py)."""

from __future__ import annotations

import errno
import hashlib
import json
import logging
from collections.abc import Iterator, Sequence
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from mlgate.errors import InputError
from mlgate.serve.capture.files import CaptureSink, capture_path, open_sink
from mlgate.serve.capture.records import FieldPolicy
from mlgate.serve.capture.settings import CaptureSettings
from mlgate.serve.capture.writer import CaptureWriter

FEATURES = ("age", "plan", "email")
START = datetime(2026, 3, 4, 23, 59, 0, 123456, tzinfo=timezone.utc)
BODY = b'{"instances": [{"age": 41, "plan": "pro", "email": "a@x.org"}, [7.5, null, "b@x.org"]]}'
ONE_ROW = b'{"instances": [[1, "a", "b"]]}'


class FakeClock:
    def __init__(self, now: datetime = START) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


def sequence(*values: float) -> Iterator[float]:
    yield from values


def writer(folder: Path, clock: FakeClock | None = None, **settings: Any) -> CaptureWriter:
    options = {"sink_factory": settings.pop("sink_factory", open_sink)}
    if "chance" in settings:
        options["chance"] = settings.pop("chance")
    return CaptureWriter(CaptureSettings(folder=folder, **settings), clock=clock or FakeClock(), pid=42, **options)


def offer(capture: CaptureWriter, request_id: str = "r1", body: bytes = BODY, rows: int = 2) -> bool:
    return capture.offer(request_id, "3", FEATURES, body, "application/json", list(range(rows)))


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def files(folder: Path, pattern: str = "*") -> list[Path]:
    return sorted(path for path in folder.rglob(pattern) if path.is_file())


def sha(text: str) -> str:
    return "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()


# -- the writer -------------------------------------------------------------------------------------------------


def test_rows_go_to_a_partial_file_in_the_first_rows_day_folder_renamed_on_close(tmp_path: Path) -> None:
    capture = writer(tmp_path)
    assert offer(capture)
    capture.process()
    name = "capture-20260304T235900123456Z-42-0001.jsonl"
    assert files(tmp_path) == [tmp_path / "2026-03-04" / f"{name}.partial"]
    assert [record["row"] for record in read_jsonl(files(tmp_path)[0])] == [0, 1]
    stats = capture.close()
    assert files(tmp_path) == [tmp_path / "2026-03-04" / name]
    assert (stats.captured_rows, stats.dropped_rows, stats.files_written, stats.write_errors) == (2, 0, 1, 0)
    assert capture_path(tmp_path, START, 42, 1, "jsonl") == tmp_path / "2026-03-04" / name


def test_files_rotate_by_size_and_every_row_is_kept(tmp_path: Path) -> None:
    capture = writer(tmp_path, rotate_bytes=300)  # one record is about 190 bytes
    for number in range(5):
        offer(capture, f"r{number}", rows=1, body=ONE_ROW)
    capture.process()
    stats = capture.close()
    written = files(tmp_path)
    assert all(path.suffix == ".jsonl" for path in written)
    assert [len(read_jsonl(path)) for path in written] == [2, 2, 1]
    assert [record["request_id"] for path in written for record in read_jsonl(path)] == [f"r{n}" for n in range(5)]
    assert stats.files_written == 3


def test_files_rotate_by_age_with_the_injected_clock(tmp_path: Path) -> None:
    clock = FakeClock()
    capture = writer(tmp_path, clock, rotate_s=60)
    offer(capture, "r1")
    capture.process()
    clock.advance(59)
    capture.process()
    assert [path.name.endswith(".partial") for path in files(tmp_path)] == [True]
    clock.advance(1)
    capture.process()  # nothing queued: the old file is still closed
    assert [path.name for path in files(tmp_path)] == ["capture-20260304T235900123456Z-42-0001.jsonl"]
    offer(capture, "r2")
    capture.close()
    assert [path.name for path in files(tmp_path)][1] == "capture-20260305T000000123456Z-42-0002.jsonl"
    assert files(tmp_path)[1].parent.name == "2026-03-05"


def test_a_new_utc_day_starts_a_new_file(tmp_path: Path) -> None:
    clock = FakeClock()
    capture = writer(tmp_path, clock)
    offer(capture, "r1")
    clock.advance(60)
    offer(capture, "r2")
    capture.close()
    assert [path.parent.name for path in files(tmp_path)] == ["2026-03-04", "2026-03-05"]


def test_sampling_is_per_request_with_the_injected_random_source(tmp_path: Path) -> None:
    draws = sequence(0.1, 0.7, 0.49)
    capture = writer(tmp_path, sample=0.5, chance=lambda: next(draws))
    assert [offer(capture, f"r{n}") for n in range(3)] == [True, False, True]
    capture.close()
    assert sorted({record["request_id"] for record in read_jsonl(files(tmp_path)[0])}) == ["r0", "r2"]


def test_a_full_queue_drops_whole_requests_and_counts_their_rows(tmp_path: Path) -> None:
    capture = writer(tmp_path, queue_rows=3)
    assert [offer(capture, "r1"), offer(capture, "r2"), offer(capture, "r3", ONE_ROW, 1)] == [True, False, True]
    assert capture.stats().queued_rows == 3
    stats = capture.close()
    assert (stats.captured_rows, stats.dropped_rows, stats.queued_rows) == (3, 2, 0)


class FullDisk:
    """A sink whose writes fail with ENOSPC."""

    def __init__(self, path: Path, file_format: str) -> None:
        self.path = path
        self.abandoned = False

    def add(self, rows: Sequence[Any]) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    def flush(self) -> None:
        raise AssertionError("never reached")

    def size(self) -> int:
        return 0

    def close(self) -> Path:
        raise AssertionError("a failed file is abandoned, not closed")

    def abandon(self) -> None:
        self.abandoned = True


def test_a_write_error_is_logged_once_counted_and_stops_capture(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    sinks: list[FullDisk] = []

    def factory(path: Path, file_format: str) -> CaptureSink:
        sinks.append(FullDisk(path, file_format))
        return sinks[-1]

    capture = writer(tmp_path, sink_factory=factory)
    with caplog.at_level(logging.ERROR, logger="mlgate.serve.capture"):
        offer(capture, "r1")
        offer(capture, "r2")
        capture.process()
        assert offer(capture, "r3") is False
        capture.process()
        stats = capture.close()
    assert (stats.captured_rows, stats.dropped_rows, stats.write_errors) == (0, 6, 1)
    assert stats.error == "OSError: [Errno 28] No space left on device"
    assert [record.message for record in caplog.records] == [
        "capture stopped (serving continues): OSError: [Errno 28] No space left on device"
    ]
    assert [sink.abandoned for sink in sinks] == [True]


def test_an_unwritable_folder_is_a_write_error(tmp_path: Path) -> None:
    blocker = tmp_path / "capture"
    blocker.write_text("a file where the folder should be", encoding="utf-8")
    capture = writer(blocker)
    offer(capture)
    capture.process()
    stats = capture.close()
    assert (stats.write_errors, stats.dropped_rows) == (1, 2)
    assert str(stats.error).startswith(("FileExistsError", "NotADirectoryError"))


def test_the_thread_writes_everything_queued_before_close(tmp_path: Path) -> None:
    capture = CaptureWriter(CaptureSettings(folder=tmp_path), pid=42)
    capture.start()
    for number in range(50):
        offer(capture, f"r{number}")
    stats = capture.close(timeout=10)
    assert (stats.captured_rows, stats.files_written, stats.queued_rows) == (100, 1, 0)
    assert len(read_jsonl(files(tmp_path)[0])) == 100
    assert offer(capture, "late") is False
    assert capture.stats().dropped_rows == 2


# -- parquet ----------------------------------------------------------------------------------------------------


def test_parquet_files_have_the_contract_columns_and_a_struct_of_inputs(tmp_path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    capture = writer(tmp_path, format="parquet", policy=FieldPolicy(drop=frozenset({"email"})))
    offer(capture, "r1")
    capture.process()
    capture.offer("r2", "3", FEATURES, b"30,basic,c@x.org\n", "text/csv", ["yes"])  # prediction type changes
    stats = capture.close()
    written = files(tmp_path)
    assert [path.suffix for path in written] == [".parquet", ".parquet"]  # the string prediction needs a new file
    table = pq.read_table(written[0])
    assert table.schema.field("ts").type == pa.timestamp("us", tz="UTC")
    assert table.schema.field("row").type == pa.int32()
    assert table.schema.field("inputs").type == pa.struct([("age", pa.float64()), ("plan", pa.string())])
    assert table.column_names == ["request_id", "row", "ts", "version", "inputs", "prediction", "smoke"]
    assert table.schema.field("smoke").type == pa.bool_()
    assert table.to_pylist()[1] == {
        "request_id": "r1",
        "row": 1,
        "ts": START,
        "version": "3",
        "inputs": {"age": 7.5, "plan": None},
        "prediction": 1,
        "smoke": False,
    }
    assert pq.read_table(written[1]).to_pylist()[0]["prediction"] == "yes"
    assert stats.files_written == 2


def test_a_request_that_cannot_be_read_back_is_dropped_and_counted_not_a_write_error(tmp_path: Path) -> None:
    capture = writer(tmp_path)
    offer(capture, "r1", BODY, rows=3)  # three predictions for two rows: a bug upstream, not the disk's fault
    offer(capture, "r2", ONE_ROW, rows=1)
    stats = capture.close()
    assert (stats.captured_rows, stats.dropped_rows, stats.write_errors) == (1, 3, 0)
    assert [record["request_id"] for record in read_jsonl(files(tmp_path)[0])] == ["r2"]


def test_start_refuses_a_capture_folder_it_cannot_create(tmp_path: Path) -> None:
    blocker = tmp_path / "capture"
    blocker.write_text("a file where the folder should be", encoding="utf-8")
    with pytest.raises(InputError, match=r"cannot create the capture folder .*capture/day: Not a directory"):
        CaptureWriter(CaptureSettings(folder=blocker / "day")).start()


def test_parquet_rows_are_buffered_into_row_groups_and_count_towards_the_size(tmp_path: Path) -> None:
    import pyarrow.parquet as pq

    capture = writer(tmp_path, format="parquet")
    offer(capture, "r1")
    capture.process()
    offer(capture, "r2")
    capture.close()
    parquet = pq.ParquetFile(files(tmp_path)[0])
    assert (parquet.metadata.num_row_groups, parquet.metadata.num_rows) == (1, 4)
    small = writer(tmp_path / "small", format="parquet", rotate_bytes=100)
    offer(small, "r1")
    small.process()  # nothing is on disk yet, but the buffered rows pass 100 bytes: the file is closed
    assert small.stats().files_written == 1
    small.close()
