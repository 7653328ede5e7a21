from __future__ import annotations

from pathlib import Path

import numpy as np

from mlgate.config import CsvConfig
from mlgate.data.numbering import RowNumbering, lines_for_rows
from mlgate.data.sources import Location, RaggedRow, ReadStats, locate


def ordinals(*values: int) -> np.ndarray:
    return np.asarray(values, np.int64)


def test_parquet_rows_follow_the_ordinal_and_have_no_lines() -> None:
    numbering = RowNumbering.for_file(Location("s.parquet", "parquet", False, 10), ReadStats(), 3, 2, CsvConfig(), None)
    assert numbering.rows_of(ordinals(0, 1, 2)).tolist() == [2, 3, 4]
    assert numbering.lines_of is None
    assert numbering.ragged_rows == []


def test_one_line_per_record_is_counted_without_reading_the_file_again() -> None:
    # header + 3 records + 1 ragged record = 5 lines; the ragged one is row 3, so later records shift by one
    stats = ReadStats(newlines=5, last_byte=b"\n", ragged=[RaggedRow(3, 1, "x")])
    missing = Location("/nowhere/never-read.csv", "csv", False, 0)
    numbering = RowNumbering.for_file(missing, stats, 3, 2, CsvConfig(), None)
    assert numbering.rows_of(ordinals(0, 1, 2)).tolist() == [2, 4, 5]
    assert numbering.lines_of is not None
    assert numbering.lines_of(ordinals(0, 1, 2)).tolist() == [2, 4, 5]
    assert numbering.ragged_rows == [3]
    assert numbering.notes == ()


def test_a_last_line_without_a_newline_still_counts() -> None:
    stats = ReadStats(carriage_returns=2, last_byte=b"4")  # "a\r1\r4": three lines, old Mac line ends
    numbering = RowNumbering.for_file(Location("/nowhere.csv", "csv", False, 0), stats, 2, 1, CsvConfig(), None)
    assert numbering.rows_of(ordinals(0, 1)).tolist() == [2, 3]


def test_quoted_line_breaks_and_blank_lines_are_mapped_by_a_second_pass(tmp_path: Path) -> None:
    path = tmp_path / "data.csv"
    path.write_bytes(b'a,b\n1,2\n\n"x\ny",3\n5,6\n')  # rows 2, 3 (blank), 4 (lines 4-5), 5 (line 6)
    stats = ReadStats(newlines=6, last_byte=b"\n")
    numbering = RowNumbering.for_file(locate(str(path)), stats, 3, 2, CsvConfig(), None)
    assert numbering.rows_of(ordinals(0, 1, 2)).tolist() == [2, 4, 5]
    assert numbering.lines_of is not None
    assert numbering.lines_of(ordinals(0, 1, 2)).tolist() == [2, 4, 6]
    assert numbering.blank_rows == ((3, 3),)
    assert lines_for_rows(ordinals(1, 3, 5), numbering).tolist() == [1, 3, 5]


def test_numbers_are_approximate_when_the_second_pass_disagrees(tmp_path: Path) -> None:
    path = tmp_path / "data.csv"
    path.write_bytes(b'a,b\n1,2\n"x\ny",3\n\n')  # 5 lines; csv sees 2 records where the first read saw 3
    stats = ReadStats(newlines=5, last_byte=b"\n")
    numbering = RowNumbering.for_file(locate(str(path)), stats, 3, 2, CsvConfig(), None)
    assert numbering.rows_of(ordinals(0, 1, 2)).tolist() == [2, 3, 4]
    assert numbering.lines_of is None
    assert numbering.notes == ("row numbers are approximate: the file's quoting confuses record boundaries",)


def test_lines_for_rows_maps_only_blank_rows() -> None:
    numbering = RowNumbering(2, lambda o: o + 2, None, [], blank_rows=((4, 7), (9, 12)))
    assert lines_for_rows(ordinals(1, 4, 9, 10), numbering).tolist() == [1, 7, 12, 10]
