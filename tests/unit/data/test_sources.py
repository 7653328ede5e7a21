"""mlgate.data.sources: what a dataset is before it is parsed (encodings, special files) and read errors."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import pytest

from mlgate.config import CsvConfig
from mlgate.data.sources import ReadStats, detect_wide_encoding, locate, stream_csv
from mlgate.errors import DataError

TEXT = "id,name,amount\n1,alpha,3.5\n2,beta,4.0\n"


@pytest.mark.parametrize(
    ("encoding", "name", "how"),
    [
        ("utf-16", "UTF-16LE", "byte order mark"),  # Excel's "Unicode Text"
        ("utf-16-be", "UTF-16BE", "no byte order mark"),
        ("utf-16-le", "UTF-16LE", "no byte order mark"),
        ("utf-32", "UTF-32LE", "byte order mark"),
        ("utf-32-be", "UTF-32BE", "no byte order mark"),
    ],
)
def test_wide_encodings_are_named(encoding: str, name: str, how: str) -> None:
    found = detect_wide_encoding(TEXT.encode(encoding))
    assert found is not None
    assert found[0] == name
    assert found[1].startswith(how)


@pytest.mark.parametrize("head", [TEXT.encode(), b"\x00\x01\x02\x03binary\x00\xff" * 40, b"a\x00b", "é,ü\n".encode()])
def test_other_bytes_are_no_wide_encoding(head: bytes) -> None:
    assert detect_wide_encoding(head) is None


def _read(path: Path, csv: CsvConfig | None = None, stats: ReadStats | None = None) -> list[Any]:
    header, batches = stream_csv(locate(str(path)), csv or CsvConfig(), stats)
    return [header, *batches]


def test_a_utf16_csv_is_reported_by_its_encoding_with_the_fix(tmp_path: Path) -> None:
    path = tmp_path / "excel.csv"
    path.write_bytes(TEXT.encode("utf-16"))
    with pytest.raises(DataError, match=r"excel\.csv is UTF-16LE text \(byte order mark\), not UTF-8") as info:
        _read(path)
    assert 'save it as "CSV UTF-8"' in (info.value.hint or "")
    assert "iconv -f UTF-16LE -t UTF-8" in (info.value.hint or "")


@pytest.mark.parametrize("stats", [ReadStats(), None], ids=["validate", "train"])
def test_a_ragged_row_with_bytes_that_are_not_utf8_is_an_encoding_error_and_nothing_is_printed(
    tmp_path: Path, capfd: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, stats: ReadStats | None
) -> None:
    ignored: list[object] = []
    monkeypatch.setattr(sys, "unraisablehook", ignored.append)
    path = tmp_path / "mixed.csv"
    path.write_bytes(b"a,b,c\n1,2,3\n4,\xff\xfe,6,7\n8,9,10\n")
    with pytest.raises(DataError, match=r"mixed\.csv:3: bytes that are not valid UTF-8") as info:
        _read(path, stats=stats)
    assert "data.csv.encoding" in (info.value.hint or "")
    assert ignored == []
    assert "Exception ignored" not in capfd.readouterr().err


def test_a_character_split_between_blocks_is_fine_and_a_bad_byte_late_names_its_line(tmp_path: Path) -> None:
    path = tmp_path / "big.csv"
    rows = [f"{i},é{'x' * (i % 7)},{i}.5\n" for i in range(30_000)]
    path.write_text("id,name,amount\n" + "".join(rows), encoding="utf-8")
    small = CsvConfig(block_size_mb=0.01)
    table = _read(path, small, ReadStats())
    assert sum(batch.num_rows for batch in table[1:]) == 30_000
    with path.open("ab") as handle:
        handle.write(b"1,\xe9,2\n")
    with pytest.raises(DataError, match=r"big\.csv:30002: bytes that are not valid UTF-8"):
        _read(path, small, ReadStats())


def test_a_declared_encoding_reads_the_same_bytes(tmp_path: Path) -> None:
    path = tmp_path / "latin.csv"
    path.write_bytes("id,name\n1,café\n".encode("latin-1"))
    header, *batches = _read(path, CsvConfig(encoding="latin-1"), ReadStats())
    assert header == ["id", "name"]
    assert batches[0].column(1).to_pylist() == ["café"]


def test_special_files_are_refused_before_they_are_opened(tmp_path: Path) -> None:
    with pytest.raises(DataError, match=r"^/dev/zero is a character device, not a regular file"):
        locate("/dev/zero")
    fifo = tmp_path / "pipe.csv"
    os.mkfifo(fifo)
    with pytest.raises(DataError, match=r"pipe\.csv is a FIFO \(named pipe\), not a regular file"):
        locate(str(fifo))  # opening it would block until a writer came
