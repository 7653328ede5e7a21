"""Schema inference: types, constraints, and the property that the data passes its inferred schema."""

from __future__ import annotations

import datetime as dt
import gzip
import random
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from mlgate.config import CsvConfig
from mlgate.data import infer
from mlgate.data.infer import infer_dataset, infer_schema
from mlgate.data.ranges import Ranges
from mlgate.data.schema import parse_schema
from mlgate.data.validate import validate_file
from mlgate.errors import DataError

SMALL_BLOCKS = CsvConfig(block_size_mb=0.002)  # ~2 KB blocks: many batches even for small files
Rows = list[list[str]]


def write_csv(folder: Path, header: Sequence[str], rows: Rows, name: str = "data.csv") -> str:
    path = folder / name
    # An empty cell is written quoted: a line with nothing on it would be a blank row, not a record.
    lines = [",".join(header), *(",".join(cell or '""' for cell in row) for row in rows)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return str(path)


def column(
    folder: Path, values: Sequence[str], *, csv: CsvConfig | None = None, enum_max: int = 20, ranges: Ranges = "none"
) -> dict[str, Any]:
    """The inferred field of a one-column CSV (after checking the data passes its schema)."""
    uri = write_csv(folder, ["x"], [[v] for v in values])
    item: dict[str, Any] = round_trip(uri, csv=csv or CsvConfig(), enum_max=enum_max, ranges=ranges)["fields"][0]
    return item


def round_trip(
    uri: str, *, csv: CsvConfig | None = None, enum_max: int = 20, ranges: Ranges = "none"
) -> dict[str, Any]:
    csv = csv or CsvConfig()
    descriptor = infer_schema(uri, csv=csv, enum_max=enum_max, ranges=ranges)
    result = validate_file(uri, parse_schema(descriptor), csv=csv)
    # A record whose every cell is empty is a blank row (a data error, as in Frictionless) whatever
    # the schema says; one-column files with gaps have such rows. Every other check must pass.
    schema_errors = [v for v in result.violations if v.check != "blank-row"]
    assert not schema_errors, (descriptor, result.violations)
    return descriptor


def constraints(item: dict[str, Any]) -> dict[str, Any]:
    found: dict[str, Any] = item.get("constraints", {})
    return found


def observed(item: dict[str, Any]) -> dict[str, Any]:
    found: dict[str, Any] = item.get("x-mlgate", {}).get("observed", {})
    return found


# -- types -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        (["1", "-2", "+3", " 4 "], "integer"),
        (["0", "1", "1", "0"], "integer"),  # never boolean
        (["1.5", "1e5", "-0.5", "NaN", "inf", ".5", "1."], "number"),
        (["1", "2.5", "3"], "number"),
        (["123456789012345678901234567890", "1"], "number"),  # beyond 64 bits
        (["true", "False", "TRUE", "false"], "boolean"),
        (["yes", "no"], "string"),
        (["2024-01-05", "1999-12-31"], "date"),
        (["2024-01-05", "garbage"], "string"),
        (["2024-02-30", "2024-01-01"], "string"),  # not a real day
        (["2024-1-5", "2024-01-01"], "string"),  # not ISO
        (["2024-01-05T10:00:00", "2024-01-05 10:00:00.5Z", "2024-01-05T10:00:00+05:30"], "datetime"),
        (["2024-01-05T24:00:00"], "string"),
        (["2024-01-05", "2024-01-05T10:00:00"], "string"),
        (["a", "b"], "string"),
    ],
)
def test_types(tmp_path: Path, values: list[str], expected: str) -> None:
    assert column(tmp_path, values)["type"] == expected


def test_required_only_without_missing_values(tmp_path: Path) -> None:
    uri = write_csv(tmp_path, ["full", "gappy", "empty"], [["1", "1", ""], ["2", "", ""], ["3", "3", ""]])
    fields = {f["name"]: f for f in round_trip(uri)["fields"]}
    assert constraints(fields["full"])["required"] is True
    assert "required" not in constraints(fields["gappy"])
    assert fields["empty"] == {"name": "empty", "type": "string"}


# -- bounds ------------------------------------------------------------------------------------------


def test_observed_ranges_are_information_by_default(tmp_path: Path) -> None:
    item = column(tmp_path, ["5", "-17", "+40", "5"])
    assert item["constraints"] == {"required": True}  # a rule; the range is not one
    assert observed(item) == {"minimum": -17, "maximum": 40}
    item = column(tmp_path, [f"item-{i}" for i in range(95, 120)])
    assert item == {
        "name": "x",
        "type": "string",
        "constraints": {"required": True, "unique": True},
        "x-mlgate": {"observed": {"minLength": 7, "maxLength": 8}},
    }


def test_integer_bounds(tmp_path: Path) -> None:
    item = column(tmp_path, ["5", "-17", "+40", "", "3"], ranges="observed")
    found = constraints(item)
    assert (found["minimum"], found["maximum"]) == (-17, 40)
    assert isinstance(found["minimum"], int)
    assert observed(item) == {"minimum": -17, "maximum": 40}


def test_number_bounds_keep_full_precision_and_skip_nan_and_inf(tmp_path: Path) -> None:
    found = constraints(column(tmp_path, ["0.1234567890123456", "2.5e-7", "-inf"], ranges="observed"))
    assert found["maximum"] == 0.1234567890123456
    assert "minimum" not in found  # -inf is not a useful bound
    with_nan = column(tmp_path, ["0.5", "NaN", "1.5"], ranges="observed")
    assert "minimum" not in constraints(with_nan)  # NaN fails every bound (as in Frictionless), so none is declared
    assert "maximum" not in constraints(with_nan)
    assert observed(with_nan) == {"minimum": 0.5, "maximum": 1.5}  # the range of the other values, as information
    wide = column(tmp_path, ["0.5", "NaN", "1.5"], ranges="widened")
    assert "minimum" not in constraints(wide)
    found = constraints(column(tmp_path, ["0.30000000000000004", "1e5"], ranges="observed"))
    assert found["minimum"] == 0.30000000000000004


def test_date_and_datetime_bounds(tmp_path: Path) -> None:
    item = column(tmp_path, ["2024-03-01", "2023-01-31"], ranges="observed")
    assert constraints(item)["minimum"] == observed(item)["minimum"] == "2023-01-31"
    values = ["2024-01-05T10:00:00+05:30", "2024-01-05T06:00:00", "2024-01-05T12:00:00Z"]
    found = constraints(column(tmp_path, values, ranges="observed"))
    assert (found["minimum"], found["maximum"]) == ("2024-01-05T04:30:00", "2024-01-05T12:00:00")


def test_string_lengths(tmp_path: Path) -> None:
    values = [f"item-{i}" for i in range(95, 120)]
    found = constraints(column(tmp_path, values, ranges="observed"))
    assert (found["minLength"], found["maxLength"]) == (7, 8)
    found = constraints(column(tmp_path, values, ranges="widened"))
    assert "minLength" not in found
    assert found["maxLength"] == 16


@pytest.mark.parametrize(
    ("values", "seen", "bounds"),
    [
        (["18", "90", "40"], (18, 90), (0, 130)),  # never below zero: the data never was
        (["-17", "40"], (-17, 40), (-50, 70)),
        (["0.1", "0.9"], (0.1, 0.9), (0.0, 1.3)),
        (["2023-01-31", "2024-03-01"], ("2023-01-31", "2024-03-01"), ("2022-07-17", "2024-09-15")),
        (
            ["2024-01-05T04:30:00", "2024-01-05T12:00:00"],
            ("2024-01-05T04:30:00", "2024-01-05T12:00:00"),
            ("2024-01-04T00:00:00", "2024-01-07T00:00:00"),
        ),
    ],
)
def test_widened_bounds(tmp_path: Path, values: list[str], seen: tuple[Any, Any], bounds: tuple[Any, Any]) -> None:
    item = column(tmp_path, values, ranges="widened")
    assert (constraints(item)["minimum"], constraints(item)["maximum"]) == bounds
    assert (observed(item)["minimum"], observed(item)["maximum"]) == seen


# -- enums -------------------------------------------------------------------------------------------


def test_enum_for_low_cardinality_strings(tmp_path: Path) -> None:
    assert constraints(column(tmp_path, ["b", "a", "c", "a", "b", "c", ""]))["enum"] == ["a", "b", "c"]


def test_no_enum_when_values_rarely_repeat_or_too_many(tmp_path: Path) -> None:
    assert "enum" not in constraints(column(tmp_path, ["a", "b", "c", "a"]))  # < 2 rows per value
    many = [f"v{i % 30}" for i in range(300)]
    assert "enum" not in constraints(column(tmp_path, many))
    assert len(constraints(column(tmp_path, many, enum_max=30))["enum"]) == 30


def test_enum_values_that_look_like_other_types_stay_strings(tmp_path: Path) -> None:
    found = constraints(column(tmp_path, ["yes", "null", "yes", "null", "n/a", "n/a"]))
    assert found["enum"] == ["n/a", "null", "yes"]


# -- uniqueness --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("values", "unique"),
    [
        ([str(i) for i in range(50)], True),
        ([*(str(i) for i in range(50)), "7"], False),
        (["1", "01"], False),  # the same integer
        (["a1", "a2", "a3"], True),
        (["a1", "a2", "a1"], False),
        (["a1", "", "a3"], False),  # missing values: never claimed
        (["only"], False),  # one row proves nothing
        (["1.5", "2.5"], False),  # numbers are never claimed
    ],
)
def test_unique(tmp_path: Path, values: list[str], unique: bool) -> None:
    assert constraints(column(tmp_path, values)).get("unique", False) is unique


def test_unique_across_batches_and_after_integers_turn_into_strings(tmp_path: Path) -> None:
    ids = [str(i) for i in range(3000)]
    item = column(tmp_path, [*ids, "x-1"], csv=SMALL_BLOCKS)
    assert item["type"] == "string"
    assert constraints(item)["unique"] is True
    item = column(tmp_path, [*ids, "x-1", "17"], csv=SMALL_BLOCKS)  # "17" repeats a much earlier row
    assert "unique" not in constraints(item)
    assert "unique" not in constraints(column(tmp_path, [*ids, ids[0]], csv=SMALL_BLOCKS))


def test_periodic_global_duplicate_checks_keep_the_answer(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(infer, "_FIRST_DUPLICATE_CHECK", 100)
    ids = [f"k{i}" for i in range(3000)]
    assert constraints(column(tmp_path, ids, csv=SMALL_BLOCKS))["unique"] is True
    assert "unique" not in constraints(column(tmp_path, [*ids[:1500], ids[3], *ids[1500:]], csv=SMALL_BLOCKS))
    numbers = [str(i) for i in range(3000)]
    assert constraints(column(tmp_path, numbers, csv=SMALL_BLOCKS))["unique"] is True
    assert "unique" not in constraints(column(tmp_path, [*numbers, "5"], csv=SMALL_BLOCKS))


def test_zero_padded_text_is_not_claimed_unique_once_it_turns_string(tmp_path: Path) -> None:
    # "007" and "7" are one integer, so integer keys cannot tell them apart: never over-claim.
    item = column(tmp_path, ["007", *(str(i) for i in range(8, 3000)), "x"], csv=SMALL_BLOCKS)
    assert item["type"] == "string"
    assert "unique" not in constraints(item)


# -- the round-trip property -------------------------------------------------------------------------


def _ints_with_nulls(rng: random.Random, n: int) -> list[str]:
    return ["" if rng.random() < 0.1 else str(rng.randint(-(10**12), 10**12)) for _ in range(n)]


def _floats(rng: random.Random, n: int) -> list[str]:
    specials = ["1e5", "-0.5", "NaN", "inf", ".5", "1.", "-1E-300", "+2.5"]
    return [rng.choice(specials) if rng.random() < 0.2 else repr(rng.uniform(-1e6, 1e6)) for _ in range(n)]


def _dates(rng: random.Random, n: int) -> list[str]:
    return [(dt.date(2000, 1, 1) + dt.timedelta(days=rng.randint(0, 9000))).isoformat() for _ in range(n)]


def _datetimes(rng: random.Random, n: int) -> list[str]:
    zones = ["", "Z", "+05:30", "-0800", "+00:00"]
    out = []
    for _ in range(n):
        moment = dt.datetime(2020, 1, 1) + dt.timedelta(
            seconds=rng.randint(0, 10**8), microseconds=rng.randint(0, 999999)
        )
        sep, zone = rng.choice("T "), rng.choice(zones)
        out.append(moment.isoformat(sep=sep) + zone)
    return out


def _booleans(rng: random.Random, n: int) -> list[str]:
    return [rng.choice(["true", "false", "True", "FALSE", ""]) for _ in range(n)]


def _low_card(rng: random.Random, n: int) -> list[str]:
    return [rng.choice(["red", "green", "blue", "true", "0", "2024-01-01"]) for _ in range(n)]


def _ids(rng: random.Random, n: int) -> list[str]:
    return [f"id-{i:08d}-{rng.randint(0, 9)}" for i in range(n)]


def _mixed_numbers(rng: random.Random, n: int) -> list[str]:
    return [str(rng.randint(0, 100)) if rng.random() < 0.7 else str(rng.random()) for _ in range(n)]


def _dates_and_garbage(rng: random.Random, n: int) -> list[str]:
    return [d if rng.random() < 0.95 else "n/a" for d in _dates(rng, n)]


def _padded_numbers(rng: random.Random, n: int) -> list[str]:
    return [f"{' ' * rng.randint(0, 2)}{rng.randint(-50, 50)}{' ' * rng.randint(0, 2)}" for _ in range(n)]


def _sequence(rng: random.Random, n: int) -> list[str]:
    return [str(i) for i in range(n)]


def _all_missing(rng: random.Random, n: int) -> list[str]:
    return [""] * n


GENERATORS: dict[str, Callable[[random.Random, int], list[str]]] = {
    "ints_with_nulls": _ints_with_nulls,
    "floats": _floats,
    "dates": _dates,
    "datetimes": _datetimes,
    "booleans": _booleans,
    "low_card": _low_card,
    "ids": _ids,
    "mixed_numbers": _mixed_numbers,
    "dates_and_garbage": _dates_and_garbage,
    "padded_numbers": _padded_numbers,
    "sequence": _sequence,
    "all_missing": _all_missing,
}
EXPECTED = {
    "ints_with_nulls": "integer",
    "floats": "number",
    "dates": "date",
    "datetimes": "datetime",
    "booleans": "boolean",
    "low_card": "string",
    "ids": "string",
    "mixed_numbers": "number",
    "dates_and_garbage": "string",
    "padded_numbers": "integer",
    "sequence": "integer",
    "all_missing": "string",
}


@pytest.mark.parametrize("name", sorted(GENERATORS))
def test_each_dataset_passes_its_inferred_schema(tmp_path: Path, name: str) -> None:
    values = GENERATORS[name](random.Random(name), 2000)
    item = column(tmp_path, values, csv=SMALL_BLOCKS)
    assert item["type"] == EXPECTED[name]


@pytest.mark.parametrize("ranges", ["none", "observed", "widened"])
@pytest.mark.parametrize("seed", range(6))
def test_random_tables_pass_their_inferred_schema(tmp_path: Path, seed: int, ranges: Ranges) -> None:
    rng = random.Random(seed)
    names = rng.sample(sorted(GENERATORS), 6)
    rows = rng.randint(1, 1500)
    cells = [GENERATORS[n](rng, rows) for n in names]
    uri = write_csv(tmp_path, names, [list(r) for r in zip(*cells, strict=True)])
    descriptor = round_trip(uri, csv=SMALL_BLOCKS, ranges=ranges)
    assert [f["name"] for f in descriptor["fields"]] == names


def test_gzip_csv(tmp_path: Path) -> None:
    path = tmp_path / "data.csv.gz"
    path.write_bytes(gzip.compress(b"a,b\n1,x\n2,y\n"))
    assert [f["type"] for f in round_trip(str(path))["fields"]] == ["integer", "string"]


# -- Parquet -----------------------------------------------------------------------------------------


def test_parquet_types_map_directly_and_round_trip(tmp_path: Path) -> None:
    utc = dt.timezone.utc
    table = pa.table(
        {
            "i": pa.array([3, None, -1, 8], pa.int32()),
            "id": pa.array([10, 11, 12, 13], pa.int64()),
            "f": pa.array([1.5, float("nan"), None, -2.25]),
            "b": pa.array([True, False, None, True]),
            "d": pa.array([dt.date(2024, 1, 1), None, dt.date(2023, 5, 6), dt.date(2024, 2, 1)]),
            "ts": pa.array(
                [dt.datetime(2024, 1, 1, 12, tzinfo=utc), None, None, dt.datetime(2024, 1, 2, tzinfo=utc)],
                pa.timestamp("ms", tz="Europe/Paris"),
            ),
            "cat": pa.array(["x", "y", "x", "y"]).dictionary_encode(),
            "s": pa.array(["a", "", "bb", None]),
            "dec": pa.array([1, 2, 3, 4], pa.decimal128(10, 2)),
            "lst": pa.array([[1], [2], None, []]),
        }
    )
    path = tmp_path / "data.parquet"
    pq.write_table(table, path)
    fields = {f["name"]: f for f in round_trip(str(path))["fields"]}
    assert {n: f["type"] for n, f in fields.items()} == {
        "i": "integer",
        "id": "integer",
        "f": "number",
        "b": "boolean",
        "d": "date",
        "ts": "datetime",
        "cat": "string",
        "s": "string",
        "dec": "number",
        "lst": "any",
    }
    assert constraints(fields["i"]) == {}
    assert observed(fields["i"]) == {"minimum": -1, "maximum": 8}
    assert constraints(fields["id"]) == {"required": True, "unique": True}
    assert observed(fields["ts"]) == {"minimum": "2024-01-01T12:00:00", "maximum": "2024-01-02T00:00:00"}
    assert constraints(fields["cat"]) == {"required": True, "enum": ["x", "y"]}
    assert observed(fields["s"]) == {"minLength": 1, "maxLength": 2}  # "" counts as missing
    fields = {f["name"]: f for f in round_trip(str(path), ranges="observed")["fields"]}
    assert constraints(fields["id"]) == {"required": True, "unique": True, "minimum": 10, "maximum": 13}
    assert constraints(fields["f"]) == {}  # the column holds NaN, which fails any bound
    assert constraints(fields["ts"]) == {"minimum": "2024-01-01T12:00:00", "maximum": "2024-01-02T00:00:00"}
    assert constraints(fields["s"]) == {"minLength": 1, "maxLength": 2}


def test_parquet_corners_still_round_trip(tmp_path: Path) -> None:
    table = pa.table(
        {
            "big": pa.array([2**64 - 1, 3], pa.uint64()),  # beyond signed 64 bits: left untyped
            "text": pa.array(["1", "2"]),  # Parquet strings stay strings even when they look numeric
            "ns": pa.array([1_000, 5_000], pa.timestamp("ns")),
        }
    )
    path = tmp_path / "corners.parquet"
    pq.write_table(table, path)
    fields = {f["name"]: f for f in round_trip(str(path))["fields"]}
    assert fields["big"] == {"name": "big", "type": "any", "constraints": {"required": True}}
    assert fields["text"]["type"] == "string"
    assert observed(fields["ns"])["maximum"] == "1970-01-01T00:00:00.000005"


def test_empty_or_all_null_parquet_columns_keep_their_declared_type(tmp_path: Path) -> None:
    path = tmp_path / "empty.parquet"
    pq.write_table(pa.table({"a": pa.array([], pa.int64()), "b": pa.array([], pa.string())}), path)
    assert round_trip(str(path))["fields"] == [{"name": "a", "type": "integer"}, {"name": "b", "type": "string"}]
    pq.write_table(pa.table({"a": pa.array([None, None], pa.float32())}), path)
    assert round_trip(str(path))["fields"] == [{"name": "a", "type": "number"}]


def test_parquet_many_batches(tmp_path: Path) -> None:
    path = tmp_path / "big.parquet"
    n = 150_000
    pq.write_table(pa.table({"k": pa.array(range(n)), "v": pa.array([i % 3 for i in range(n)])}), path)
    fields = round_trip(str(path))["fields"]
    assert constraints(fields[0])["unique"] is True
    assert constraints(fields[1]) == {"required": True}
    assert observed(fields[1]) == {"minimum": 0, "maximum": 2}


# -- whole-file behaviour ----------------------------------------------------------------------------


def test_header_only_gives_plain_string_fields(tmp_path: Path) -> None:
    uri = write_csv(tmp_path, ["a", "b"], [])
    descriptor = round_trip(uri)
    assert descriptor["fields"] == [{"name": "a", "type": "string"}, {"name": "b", "type": "string"}]
    assert descriptor["missingValues"] == [""]


def test_description_counts_rows_and_uses_the_injected_date(tmp_path: Path) -> None:
    uri = write_csv(tmp_path, ["a"], [[str(i)] for i in range(1234)])
    result = infer_dataset(uri, csv=CsvConfig(), today=dt.date(2024, 6, 30))
    assert (result.rows, result.fields) == (1234, 1)
    assert "1,234 rows of data.csv on 2024-06-30" in result.descriptor["description"]
    assert "x-mlgate" not in result.descriptor


def test_progress_is_reported(tmp_path: Path) -> None:
    uri = write_csv(tmp_path, ["a"], [[str(i)] for i in range(5000)])
    calls: list[tuple[str, int, int, int]] = []
    infer_schema(uri, csv=SMALL_BLOCKS, progress=lambda *a: calls.append(a))
    assert len(calls) > 1
    assert calls[-1][3] == 5000


def test_duplicate_or_blank_column_names_are_refused(tmp_path: Path) -> None:
    uri = write_csv(tmp_path, ["a", "a"], [["1", "2"]])
    with pytest.raises(DataError, match="column 'a' appears twice"):
        infer_schema(uri, csv=CsvConfig())
    uri = write_csv(tmp_path, ["a", ""], [["1", "2"]])
    with pytest.raises(DataError, match="column 2 has no name"):
        infer_schema(uri, csv=CsvConfig())


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(DataError, match=r"dataset not found: .*nope\.csv"):
        infer_schema(str(tmp_path / "nope.csv"), csv=CsvConfig())
