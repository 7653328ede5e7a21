"""Reference statistics: the collector, the JSON file and its schema (the sketches: test_sketch.py)."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
from pathlib import Path
from typing import Any

import jsonschema
import numpy as np
import pyarrow as pa
import pytest

from mlgate.config import CsvConfig
from mlgate.data.schema import parse_schema
from mlgate.data.sketch import RANK_ERROR
from mlgate.data.stats import (
    CUT_LEVELS,
    CategoricalStats,
    NumericStats,
    ReferenceStats,
    StatsCollector,
    compute_stats,
    load_stats,
    save_stats,
    to_data,
)
from mlgate.errors import DataError, InputError

ROOT = Path(__file__).resolve().parents[3]
STATS_SCHEMA = json.loads((ROOT / "docs" / "schemas" / "reference-stats.schema.json").read_text())
SCHEMA = parse_schema(
    {
        "fields": [
            {"name": "x", "type": "number"},
            {"name": "n", "type": "integer"},
            {"name": "day", "type": "date"},
            {"name": "at", "type": "datetime"},
            {"name": "city", "type": "string"},
            {"name": "flag", "type": "boolean"},
        ]
    }
)


def collect(columns: dict[str, pa.Array], rows: int, **kwargs: Any) -> ReferenceStats:
    collector = StatsCollector(SCHEMA, **kwargs)
    for name, values in columns.items():
        collector.observe(name, values)
    collector.observe("not-in-schema", pa.array([1.0]))
    collector.set_rows(rows)
    return collector.finish(source="ref.csv", created="2024-01-01T00:00:00+00:00")


def test_collector_numeric_summary_matches_numpy() -> None:
    values = np.random.default_rng(2).normal(10, 3, size=5000)
    stats = collect({"x": pa.array([*values, np.nan, np.inf, None])}, rows=5010)
    x = stats.fields["x"]
    assert isinstance(x, NumericStats)
    assert (x.count, x.nonfinite, x.nulls, x.rows) == (5000, 2, 8, 5010)
    assert x.min == values.min()
    assert x.max == values.max()
    assert x.mean == pytest.approx(values.mean(), rel=1e-12)
    assert x.std == pytest.approx(values.std(), rel=1e-9)
    assert x.cuts[0] == values.min()
    assert x.cuts[-1] == values.max()
    assert x.cdf[-1] == 1.0
    assert len(x.cuts) == len(CUT_LEVELS)
    assert list(x.cuts) == sorted(x.cuts)
    assert len(x.edges) == 9
    assert len(x.bins) == 10
    assert sum(x.bins) == 5000
    assert all(abs(b - 500) <= RANK_ERROR * 5000 + 1 for b in x.bins)
    assert "n" not in stats.fields  # never observed: not in the data


def test_collector_dates_datetimes_and_categories() -> None:
    days = pa.array([dt.date(1970, 1, 2), dt.date(1970, 1, 11)], pa.date32())
    times = pa.array([dt.datetime(1970, 1, 1, 0, 1), dt.datetime(1970, 1, 1, 0, 0, 30)], pa.timestamp("us"))
    cities = pa.array(["Oslo", "Rome", "Oslo", "Lima", "Oslo", "Rome", "Kyiv"])
    stats = collect({"day": days, "at": times, "city": cities, "flag": pa.array([True, True, False])}, 7, top=2)
    day, at, city, flag = (stats.fields[k] for k in ("day", "at", "city", "flag"))
    assert isinstance(day, NumericStats)
    assert isinstance(at, NumericStats)
    assert (day.unit, day.min, day.max) == ("days", 1.0, 10.0)
    assert (at.unit, at.min, at.max) == ("seconds", 30.0, 60.0)
    assert isinstance(city, CategoricalStats)
    assert isinstance(flag, CategoricalStats)
    assert city.categories == (("Oslo", 3), ("Rome", 2))
    assert city.other == 2
    assert city.truncated
    assert flag.categories == (("true", 2), ("false", 1))
    assert not flag.truncated
    assert flag.nulls == 4


def write_csv(path: Path, header: list[str], rows: list[list[Any]]) -> Path:
    lines = [",".join(header)] + [",".join("" if v is None else str(v) for v in row) for row in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_compute_stats_streams_a_csv_with_an_injected_clock(tmp_path: Path) -> None:
    schema = parse_schema({"fields": [{"name": "age", "type": "integer"}, {"name": "city"}]})
    rows = [[i % 90, ["a", "b", "c"][i % 3]] for i in range(3000)] + [["", "a"], ["old", "b"]]
    data = write_csv(tmp_path / "ref.csv", ["age", "city"], rows)
    clock = lambda: dt.datetime(2024, 5, 6, 7, 8, 9, tzinfo=dt.timezone.utc)  # noqa: E731
    stats = compute_stats(str(data), schema, csv=CsvConfig(block_size_mb=0.001), clock=clock)
    assert stats.created == "2024-05-06T07:08:09+00:00"
    assert stats.rows == 3002
    assert stats.source == str(data)
    age = stats.fields["age"]
    assert isinstance(age, NumericStats)
    assert (age.count, age.nulls, age.min, age.max) == (3000, 2, 0.0, 89.0)
    assert not age.exact
    assert max(abs(np.array(age.cdf[:-1]) - (np.array(age.cuts[:-1]) + 1) / 90)) < 0.02
    assert stats.fields["city"] == CategoricalStats(
        "city", "string", 3002, 0, 3002, (("a", 1001), ("b", 1001), ("c", 1000)), 0, False
    )
    assert (stats.source_bytes, stats.source_sha256) == (None, None)  # recorded only when asked


def test_compute_stats_can_record_the_digest_of_its_source(tmp_path: Path) -> None:
    schema = parse_schema({"fields": [{"name": "age", "type": "integer"}]})
    data = write_csv(tmp_path / "ref.csv", ["age"], [[i] for i in range(50)])
    stats = compute_stats(str(data), schema, csv=CsvConfig(), fingerprint=True)
    raw = data.read_bytes()
    assert (stats.source_bytes, stats.source_sha256) == (len(raw), hashlib.sha256(raw).hexdigest())
    document = to_data(stats)
    jsonschema.validate(document, STATS_SCHEMA)
    assert list(document)[:5] == ["schema_version", "kind", "source", "source_bytes", "source_sha256"]
    save_stats(tmp_path / "ref.json", stats)
    assert load_stats(tmp_path / "ref.json") == stats


def test_stats_file_round_trip_validates_against_json_schema(tmp_path: Path) -> None:
    values = np.random.default_rng(4).normal(size=10_000)
    stats = collect(
        {"x": pa.array(values), "city": pa.array(["a|b", "ü", "a|b"]), "n": pa.array([], pa.int64())}, 10_000
    )
    path = tmp_path / "deep" / "ref.json"
    save_stats(path, stats)
    data = json.loads(path.read_text(encoding="utf-8"))
    jsonschema.validate(data, STATS_SCHEMA)
    assert data["schema_version"] == 1
    assert data["kind"] == "mlgate-reference-stats"
    assert load_stats(path) == stats
    assert to_data(load_stats(str(path))) == data
    assert data["fields"]["n"]["min"] is None
    assert data["fields"]["n"]["quantiles"]["values"] == []


@pytest.mark.parametrize(
    ("content", "match"),
    [
        (None, r"reference statistics not found: .*missing\.json"),
        ("{not json", r"bad\.json:1: reference statistics are not valid JSON"),
        ('{"kind": "something-else"}', r"not an mlgate reference-statistics file"),
        ('{"kind": "mlgate-reference-stats", "schema_version": 2}', r"schema_version 2 is not supported"),
        (
            '{"kind": "mlgate-reference-stats", "schema_version": 1, "source": "s", "rows": 1, "created": "c", '
            '"fields": {"a": {"type": "string", "kind": "categorical", "rows": 1, "nulls": 0, "count": -1}}}',
            r"malformed at field 'a': expected a whole number >= 0, not -1",
        ),
        (
            '{"kind": "mlgate-reference-stats", "schema_version": 1, "source": "s", "rows": 1, "created": "c", '
            '"fields": {"b": {"type": "number", "kind": "numeric", "rows": 1, "nulls": 0, "count": 1}}}',
            r"malformed at field 'b': missing key 'quantiles'",
        ),
        (
            '{"kind": "mlgate-reference-stats", "schema_version": 1, "source": "s", "rows": 1, "created": "c", '
            '"fields": {}, "source_bytes": 3, "source_sha256": "ABC"}',
            r"malformed at field 'source_sha256': expected 64 lower-case hex digits, not 'ABC'",
        ),
        (
            '{"kind": "mlgate-reference-stats", "schema_version": 1, "source": "s", "rows": 1, "created": "c", '
            '"fields": {}, "source_bytes": -3}',
            r"malformed at field 'source_bytes': expected a whole number",
        ),
    ],
)
def test_invalid_stats_files_are_input_errors(tmp_path: Path, content: str | None, match: str) -> None:
    path = tmp_path / ("missing.json" if content is None else "bad.json")
    if content is not None:
        path.write_text(content, encoding="utf-8")
    with pytest.raises(DataError, match=match) as caught:
        load_stats(path)
    assert isinstance(caught.value, InputError)
    assert "\n" not in caught.value.message
    assert caught.value.hint
    assert "mlgate schema stats" in caught.value.hint


def test_saving_to_an_unwritable_place_is_an_input_error(tmp_path: Path) -> None:
    stats = collect({"x": pa.array([1.0])}, 1)
    (tmp_path / "taken").mkdir()
    with pytest.raises(InputError, match=r"cannot write reference statistics to .*taken"):
        save_stats(tmp_path / "taken", stats)
    assert math.isclose(stats.fields["x"].count, 1)


def test_a_schema_inferred_for_statistics_keeps_types_and_drops_constraints(tmp_path: Path) -> None:
    from mlgate.data.schema import Constraints
    from mlgate.data.stats import infer_stats_schema

    path = tmp_path / "d.csv"
    path.write_text(
        "id,when,kind\n" + "\n".join(f"{i},2024-01-{i % 28 + 1:02d},{'ab'[i % 2]}" for i in range(50)) + "\n",
        encoding="utf-8",
    )
    schema = infer_stats_schema(str(path), csv=CsvConfig())
    assert [(f.name, f.type) for f in schema.fields] == [("id", "integer"), ("when", "date"), ("kind", "string")]
    assert schema.primary_key == ()
    assert all(f.constraints == Constraints() for f in schema.fields)  # the drafted unique id and enum: not checked
    stats = compute_stats(str(path), schema, csv=CsvConfig())
    assert (stats.fields["when"].kind, stats.fields["kind"].kind) == ("numeric", "categorical")


def test_statistics_ignore_what_validation_would_find_and_count_rows_as_it_does(tmp_path: Path) -> None:
    """Repeated unique keys, invalid cells, a ragged record and a blank line: statistics only count."""
    path = tmp_path / "d.csv"
    path.write_text('id,x\n1,"a\nb"\n1,2.5\n\n2,oops\n3,1,extra\n', encoding="utf-8")
    schema = parse_schema(
        {
            "fields": [
                {"name": "id", "type": "integer", "constraints": {"unique": True}},
                {"name": "x", "type": "number"},
            ]
        }
    )
    stats = compute_stats(str(path), schema, csv=CsvConfig())
    assert (stats.rows, stats.fields["id"].count, stats.fields["x"].count) == (5, 3, 1)
