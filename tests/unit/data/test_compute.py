"""The compute gateway returns what pyarrow.compute returns, and validate runs without importing pyarrow.compute."""

from __future__ import annotations

import datetime as dt
import inspect
import math
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pyarrow_compute
import pyarrow.csv as pcsv
import pyarrow.parquet as pq
import pytest

from mlgate.data import compute

INTS = pa.array([3, None, -1, 0, 7], pa.int64())
FLOATS = pa.array([1.5, None, math.nan, -2.0, 0.0, -0.0])
STRINGS = pa.array(["a", None, "", " b ", "abc-12", "+5", "é.x"])
BOOLS = pa.array([True, None, False, True, False])
OTHER_BOOLS = pa.array([False, True, None, True, None])
DATES = pa.array(["2024-01-31", None, "2024-02-30", "0000-01-01", "1999-12-1"])
STAMPS = pa.array([dt.datetime(2024, 1, 2, 3, 4), None, dt.datetime(1, 12, 31)], pa.timestamp("s"))
CHUNKED = pa.chunked_array([[1, None], [None, 4]], pa.int32())
TABLE = pa.table({"k": ["b", "a", "c", "d"], "c": [2, 2, 5, 1]})

CASES: list[tuple[str, tuple[Any, ...], dict[str, Any]]] = [
    ("add", (INTS, 1), {}),
    ("add", (FLOATS, 0.0), {}),
    ("all", (BOOLS,), {}),
    ("all", (pa.array([], pa.bool_()),), {}),
    ("any", (BOOLS,), {}),
    ("any", (pa.array([None], pa.bool_()),), {}),
    ("sum", (INTS,), {}),
    ("sum", (pa.array([None], pa.int64()),), {}),
    ("sum", (BOOLS,), {}),
    ("max", (INTS,), {}),
    ("max", (pa.array([], pa.int64()),), {}),
    ("min_max", (INTS,), {}),
    ("min_max", (CHUNKED,), {}),
    ("count_distinct", (STRINGS,), {}),
    ("and_", (BOOLS, OTHER_BOOLS), {}),
    ("and_not", (BOOLS, OTHER_BOOLS), {}),
    ("or_", (BOOLS, OTHER_BOOLS), {}),
    ("invert", (BOOLS,), {}),
    ("equal", (INTS, 0), {}),
    ("equal", (STRINGS, ""), {}),
    ("greater", (INTS, INTS), {}),
    ("greater_equal", (FLOATS, -(2.0**63)), {}),
    ("less", (FLOATS, 2.0**63), {}),
    ("less_equal", (pa.array([1, 2**64 - 1, None], pa.uint64()), pa.scalar(2**63 - 1, pa.uint64())), {}),
    ("if_else", (BOOLS, INTS, pa.scalar(None, pa.int64())), {}),
    ("fill_null", (BOOLS, False), {}),
    ("fill_null", (INTS, pa.scalar(9, pa.int32())), {}),
    ("fill_null", (CHUNKED, 5), {}),
    ("fill_null", (pa.array([None, None], pa.bool_()), True), {}),
    ("cast", (pa.array(["1", None, "-20"]), pa.int64()), {}),
    ("cast", (FLOATS, pa.int64()), {"safe": False}),
    ("cast", (STAMPS, pa.date32()), {}),
    ("cast", (CHUNKED, pa.string()), {}),
    ("is_in", (STRINGS,), {"value_set": pa.array(["a", ""])}),
    ("is_in", (INTS,), {"value_set": pa.array([0, 7, None], pa.int64())}),
    ("index_in", (STRINGS,), {"value_set": pa.array(["", "a"])}),
    ("indices_nonzero", (BOOLS,), {}),
    ("is_nan", (FLOATS,), {}),
    ("is_null", (FLOATS,), {}),
    ("is_valid", (INTS,), {}),
    ("floor", (FLOATS,), {}),
    ("day", (STAMPS,), {}),
    ("year", (STAMPS,), {}),
    ("binary_length", (STRINGS,), {}),
    ("utf8_length", (STRINGS,), {}),
    ("utf8_trim_whitespace", (STRINGS,), {}),
    ("list_element", (pa.array([["2024", "01", " 5"], None, ["a", "b", "c", "d"]]), 2), {}),
    ("split_pattern", (DATES, "-"), {}),
    ("starts_with", (STRINGS, "+"), {}),
    ("match_substring", (STRINGS, "."), {}),
    ("match_substring_regex", (STRINGS,), {"pattern": r"^[a-c]+(?:-[0-9]+)?$"}),
    ("match_substring_regex", (DATES, r"^[0-9]{4}-"), {}),
    ("replace_substring", (STRINGS,), {"pattern": "a", "replacement": "z"}),
    ("replace_substring_regex", (STRINGS,), {"pattern": r"^[^-0-9]*|[^0-9]*$", "replacement": ""}),
    ("strptime", (DATES,), {"format": "%Y-%m-%d", "unit": "s", "error_is_null": True}),
    ("sort_indices", (TABLE,), {"sort_keys": [("c", "descending"), ("k", "ascending")]}),
    ("unique", (STRINGS,), {}),
    ("value_counts", (STRINGS,), {}),
    ("take", (STRINGS, pa.array([6, 0, 1])), {}),
    ("take", (CHUNKED, pa.array([3, 0])), {}),
    ("filter", (INTS, BOOLS), {}),
    ("filter", (CHUNKED, pa.array([True, False, True, None])), {}),
    ("drop_null", (STRINGS,), {}),
    ("drop_null", (CHUNKED,), {}),
]


def comparable(result: Any) -> tuple[str, Any]:
    """The type and the Python values, with NaN made comparable."""
    if pa.types.is_timestamp(result.type):  # year 0 is out of range for Python datetimes
        result = result.cast(pa.int64())
    values = result.as_py() if isinstance(result, pa.Scalar) else result.to_pylist()
    if isinstance(values, list):
        values = ["nan" if isinstance(v, float) and math.isnan(v) else v for v in values]
    return str(result.type), values


@pytest.mark.parametrize(("name", "args", "kwargs"), CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_gateway_function_matches_pyarrow_compute(name: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
    expected = getattr(pyarrow_compute, name)(*args, **kwargs)
    found = getattr(compute, name)(*args, **kwargs)
    assert type(found) is type(expected)
    assert comparable(found) == comparable(expected)


def test_every_function_the_data_modules_call_is_covered() -> None:
    public = {
        name
        for name, value in vars(compute).items()
        if inspect.isfunction(value) and value.__module__ == compute.__name__ and not name.startswith("_")
    }
    assert public - {"from_numpy"} == {case[0] for case in CASES}


@pytest.mark.parametrize(
    "values",
    [
        np.array([True, False, True, True, False, False, True, False, True]),
        np.array([], np.bool_),
        np.arange(10, dtype=np.int64)[::3],
        np.array([2**64 - 1, 0], np.uint64),
        np.array([1.5, -0.0, np.nan]),
    ],
    ids=["bool", "empty-bool", "strided-int64", "uint64", "float64"],
)
def test_from_numpy_builds_what_pa_array_builds(values: Any) -> None:
    found = compute.from_numpy(values)
    expected = pa.array(values)
    assert found.type == expected.type
    assert found.null_count == 0
    assert comparable(found) == comparable(expected)


def test_safe_cast_rejects_lossy_values_like_pyarrow() -> None:
    with pytest.raises(pa.ArrowInvalid, match="truncated"):
        pyarrow_compute.cast(pa.array([1.5]), pa.int64())
    with pytest.raises(pa.ArrowInvalid, match="truncated"):
        compute.cast(pa.array([1.5]), pa.int64())


def test_invalid_regex_raises_arrow_invalid_like_pyarrow() -> None:
    with pytest.raises(pa.ArrowInvalid, match="Invalid regular expression"):
        compute.match_substring_regex(pa.array([""]), pattern="(")


EXAMPLE = Path(__file__).resolve().parents[3] / "examples" / "churn"
RUN_CLI = """
import sys
from mlgate.cli import main
code = main(sys.argv[1:])
print(code, "pyarrow.compute" in sys.modules, sorted(m for m in HEAVY if m in sys.modules))
"""
# Slow to import and not needed to validate a file: numpy.ma (pa.array on NumPy, np.unique), numpy.random,
# tempfile (importlib.abc, eager imports); pandas (pyarrow's probe).
HEAVY = ("numpy.ma", "numpy.random", "tempfile", "pandas")


def run_cli_isolated(cwd: Path, *args: str) -> str:
    """Run the CLI in a fresh interpreter; return its exit code and whether pyarrow.compute got imported."""
    command = [sys.executable, "-c", f"HEAVY = {HEAVY!r}\n{RUN_CLI}", *args]
    result = subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=60, check=False)
    return result.stdout.splitlines()[-1] if result.stdout else result.stderr


@pytest.mark.parametrize("suffix", ["parquet", "csv"])
def test_validate_does_not_import_pyarrow_compute(tmp_path: Path, suffix: str) -> None:
    table = pa.table({"id": [1, 2, 2, None], "name": ["a", "b", None, "zz"], "day": ["2024-01-31", "x", None, "1-1"]})
    data = tmp_path / f"data.{suffix}"
    if suffix == "parquet":
        pq.write_table(table, data)
    else:
        pcsv.write_csv(table, data)
    schema = tmp_path / "schema.yaml"
    schema.write_text(
        "fields:\n"
        "  - {name: id, type: integer, constraints: {required: true, unique: true, minimum: 1}}\n"
        "  - {name: name, type: string, constraints: {enum: [a, b], pattern: '[a-z]', maxLength: 1}}\n"
        "  - {name: day, type: date}\n"
        "primaryKey: [id]\n",
        encoding="utf-8",
    )
    assert (
        run_cli_isolated(tmp_path, "validate", str(data), "--schema", str(schema), "--format", "json") == "1 False []"
    )


def test_validate_with_drift_does_not_import_pyarrow_compute(tmp_path: Path) -> None:
    schema = (EXAMPLE / "schema.yaml").read_text(encoding="utf-8")
    schema = schema.replace("x-mlgate:\n  rowCount", "x-mlgate:\n  drift: {reference: train.stats.json}\n  rowCount")
    (tmp_path / "schema.yaml").write_text(schema, encoding="utf-8")
    stats = ["schema", "stats", str(EXAMPLE / "data" / "train.csv"), "-o", str(tmp_path / "train.stats.json")]
    assert run_cli_isolated(tmp_path, *stats, "--schema", str(tmp_path / "schema.yaml")).startswith("0 ")
    data = str(EXAMPLE / "data" / "test.csv")
    assert run_cli_isolated(tmp_path, "validate", data, "--schema", str(tmp_path / "schema.yaml")).startswith("0 False")


def test_schema_infer_does_not_import_pyarrow_compute(tmp_path: Path) -> None:
    assert run_cli_isolated(tmp_path, "schema", "infer", str(EXAMPLE / "data" / "train.csv")).startswith("0 False")
