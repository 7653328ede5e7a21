from __future__ import annotations

import csv
from pathlib import Path

from mlgate.config import CsvConfig
from mlgate.data.csvlines import LineMap, large_fields, map_lines
from mlgate.data.sources import locate


def mapped(tmp_path: Path, text: str, width: int, dialect: CsvConfig | None = None) -> LineMap:
    path = tmp_path / "data.csv"
    path.write_bytes(text.encode())
    return map_lines(locate(str(path)), dialect or CsvConfig(), width)


def test_records_get_their_row_and_first_line_past_blank_quoted_and_ragged_rows(tmp_path: Path) -> None:
    # line 1 header (row 1); line 2 row 2; line 3 blank (row 3); lines 4-5 one quoted record (row 4);
    # line 6 a ragged record (row 5); line 7 row 6
    found = mapped(tmp_path, 'a,b\n1,2\n\n"x\ny",3\n4\n5,6\n', 2)
    assert found.rows.tolist() == [2, 4, 6]
    assert found.lines.tolist() == [2, 4, 7]
    assert found.blank_rows == ((3, 3),)
    assert found.ragged == ((5, 6),)


def test_a_regular_file_has_rows_equal_to_lines(tmp_path: Path) -> None:
    found = mapped(tmp_path, "a,b\r\n1,2\r\n3,4\r\n", 2)
    assert found.rows.tolist() == found.lines.tolist() == [2, 3]
    assert (found.blank_rows, found.ragged) == ((), ())


def test_a_header_only_file_has_no_records(tmp_path: Path) -> None:
    found = mapped(tmp_path, "a,b\n", 2)
    assert (found.rows.tolist(), found.lines.tolist()) == ([], [])


def test_the_dialect_decides_what_a_cell_is(tmp_path: Path) -> None:
    # with ';' and no quoting, the quotes are text and the comma is inside one cell
    found = mapped(tmp_path, 'a;b\n"1,2";3\n"4;5\n', 2, CsvConfig(delimiter=";", quote_char=""))
    assert found.rows.tolist() == [2, 3]
    assert found.ragged == ()


def test_the_byte_order_mark_is_not_part_of_the_header(tmp_path: Path) -> None:
    path = tmp_path / "data.csv"
    path.write_bytes(b"\xef\xbb\xbfa,b\n1,2\n\n3,4\n")
    found = map_lines(locate(str(path)), CsvConfig(), 2)
    assert found.rows.tolist() == [2, 4]
    assert found.blank_rows == ((3, 3),)


def test_a_huge_cell_is_read_and_the_csv_field_limit_restored(tmp_path: Path) -> None:
    outside = csv.field_size_limit(131_072)  # csv's default, whatever an earlier test in this process left
    try:
        found = mapped(tmp_path, "a,b\n" + "x" * (131_072 + 10) + ",1\n2,3\n", 2)
        assert found.rows.tolist() == [2, 3]
        assert csv.field_size_limit() == 131_072
    finally:
        csv.field_size_limit(outside)


def test_overlapping_passes_restore_the_limit_only_when_the_last_one_ends() -> None:
    """The limit is one per process: a pass ending while another runs must leave it raised, then restore it."""
    outside = csv.field_size_limit(131_072)
    try:
        first, second = large_fields(), large_fields()
        first.__enter__()
        second.__enter__()
        first.__exit__(None, None, None)  # the first pass ends while the second still reads
        assert csv.field_size_limit() == 2**31 - 1
        second.__exit__(None, None, None)
        assert csv.field_size_limit() == 131_072
    finally:
        csv.field_size_limit(outside)
