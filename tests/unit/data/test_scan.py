"""mlgate.data.scan: one reader switch (CSV, Parquet, memory) and one typed pass feeding observers."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from mlgate.config import CsvConfig
from mlgate.data.scan import CastBatch, arrow_table, count_rows, open_table, scan
from mlgate.data.schema import parse_schema
from mlgate.data.sources import locate

SCHEMA = parse_schema({"fields": [{"name": "id", "type": "integer"}, {"name": "name", "type": "string"}]})


class Recorder:
    """An observer that keeps what each batch showed."""

    def __init__(self) -> None:
        self.bases: list[int] = []
        self.ids: list[int] = []
        self.blank: list[list[bool]] = []

    def observe_batch(self, batch: CastBatch) -> None:
        self.bases.append(batch.base)
        self.ids += batch.valid("id").to_pylist()
        self.blank.append([] if batch.blank is None else batch.blank.to_pylist())


def test_csv_and_parquet_open_as_the_same_table_with_their_own_progress_units(tmp_path: Path) -> None:
    csv_path = tmp_path / "d.csv"
    csv_path.write_text("id,name\n1,a\n2,b\n", encoding="utf-8")
    parquet_path = tmp_path / "d.parquet"
    pq.write_table(pa.table({"id": [1, 2], "name": ["a", "b"]}), parquet_path)
    text = open_table(locate(str(csv_path)), CsvConfig())
    typed = open_table(locate(str(parquet_path)), CsvConfig())
    assert (text.header, text.unit, text.total, text.types, text.format) == (
        ["id", "name"],
        "bytes",
        csv_path.stat().st_size,
        None,
        "csv",
    )
    assert (typed.header, typed.unit, typed.total, typed.types, typed.format) == (
        ["id", "name"],
        "rows",
        2,
        (pa.int64(), pa.string()),
        "parquet",
    )
    seen = []
    records = scan(text, SCHEMA, text.match(SCHEMA), [], progress=lambda *a: seen.append(a))
    assert records == 2
    assert seen == [(str(csv_path), csv_path.stat().st_size, csv_path.stat().st_size, 2)]


def test_only_the_wanted_columns_are_read(tmp_path: Path) -> None:
    path = tmp_path / "d.parquet"
    pq.write_table(pa.table({"id": [1, 2], "name": ["a", "b"]}), path)
    table = open_table(locate(str(path)), CsvConfig(), columns=[1])
    assert [batch.column(0).to_pylist() for batch in table.batches] == [["a", "b"]]


def test_observers_see_valid_values_without_blank_rows_and_the_ordinal_of_each_batch() -> None:
    batches = [
        pa.record_batch([pa.array(["1", "x"]), pa.array(["a", "b"])], names=["id", "name"]),
        pa.record_batch([pa.array(["", "4"]), pa.array(["", "d"])], names=["id", "name"]),
    ]
    table = arrow_table("memory", pa.Table.from_batches(batches))
    recorder = Recorder()
    assert scan(table, SCHEMA, table.match(SCHEMA), [recorder, recorder]) == 4
    assert recorder.bases == [0, 0, 2, 2]  # each observer is handed every batch
    assert recorder.ids == [1, 1, 4, 4]  # "x" is invalid, the third record is blank
    assert recorder.blank == [[], [], [True, False], [True, False]]
    assert (table.format, count_rows(table, 4, CsvConfig())) == ("arrow", 4)


def test_rows_count_ragged_records_and_blank_lines_too(tmp_path: Path) -> None:
    path = tmp_path / "d.csv"
    path.write_text('id,name\n1,"two\nlines"\n\n2,b,extra\n3,c\n', encoding="utf-8")
    table = open_table(locate(str(path)), CsvConfig())
    records = scan(table, SCHEMA, table.match(SCHEMA), [])
    assert (records, count_rows(table, records, CsvConfig())) == (2, 4)
