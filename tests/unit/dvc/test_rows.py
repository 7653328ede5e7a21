"""Rows added and removed between two versions of a CSV or Parquet file."""

from __future__ import annotations

import gzip
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from mlgate.config import CsvConfig
from mlgate.dvc.rows import RowChanges, count_row_changes


def write(path: Path, text: str) -> Path:
    path.write_text(text)
    return path


def test_csv_rows_are_compared_as_multisets(tmp_path: Path) -> None:
    old = write(tmp_path / "old", "a,b\n1,2\n3,4\n3,4\n5,6\n")
    new = write(tmp_path / "new", "a,b\n5,6\n3,4\n7,8\n9,0\n")
    assert count_row_changes(old, new, name="train.csv", csv_options=CsvConfig()) == RowChanges(added=2, removed=2)


def test_reordered_columns_change_nothing(tmp_path: Path) -> None:
    old = write(tmp_path / "old", "a,b\n1,2\n")
    new = write(tmp_path / "new", "b,a\n2,1\n")
    assert count_row_changes(old, new, name="t.csv", csv_options=CsvConfig()) == RowChanges(0, 0)


def test_gzip_and_a_delimiter(tmp_path: Path) -> None:
    old, new = tmp_path / "old", tmp_path / "new"
    old.write_bytes(gzip.compress(b"a;b\n1;2\n"))
    new.write_bytes(gzip.compress(b"a;b\n1;2\n1;3\n"))
    found = count_row_changes(old, new, name="t.csv.gz", csv_options=CsvConfig(delimiter=";"))
    assert found == RowChanges(added=1, removed=0)


def test_parquet(tmp_path: Path) -> None:
    old, new = tmp_path / "old", tmp_path / "new"
    pq.write_table(pa.table({"a": [1, 2, 3]}), old)
    pq.write_table(pa.table({"a": [2, 3]}), new)
    assert count_row_changes(old, new, name="t.parquet", csv_options=CsvConfig()) == RowChanges(added=0, removed=1)


def test_unreadable_versions_give_none(tmp_path: Path) -> None:
    old = write(tmp_path / "old", "a\n1\n")
    assert count_row_changes(old, tmp_path / "missing", name="t.csv", csv_options=CsvConfig()) is None
    assert count_row_changes(old, old, name="model.pkl", csv_options=CsvConfig()) is None
    (tmp_path / "bad").write_bytes(b"\xff\xfe\x00")
    assert count_row_changes(old, tmp_path / "bad", name="t.parquet", csv_options=CsvConfig()) is None
