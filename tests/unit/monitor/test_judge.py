"""Captured inputs through the schema engine, and predictions through the drift collector."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from mlgate.data.schema import load_schema
from mlgate.data.stats import from_data
from mlgate.monitor.judge import cell_text, check_inputs, check_predictions, schema_from_stats, traffic_schema
from mlgate.registry import LocalRegistry
from unit.monitor.helpers import make_project, predict, sample_inputs


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_project(tmp_path_factory.mktemp("judge")).parent


def columns(rows: list[dict[str, object]]) -> dict[str, list[object]]:
    return {name: [r.get(name) for r in rows] for name in ("x1", "x2", "color")}


@pytest.mark.parametrize(
    ("value", "kind", "text"),
    [
        (None, "number", None),
        ("red", "string", "red"),
        (True, "boolean", "true"),
        (3.0, "integer", "3"),
        (3.0, "number", "3.0"),
        (1.0, "boolean", "1"),
        (float("nan"), "number", None),
        (7, "integer", "7"),
        ({"b": 1, "a": [2]}, "any", '{"a":[2],"b":1}'),
        # a capture reader may type ISO strings (pyarrow infers timestamps): written back as ISO, never a crash
        (dt.date(2026, 11, 20), "date", "2026-11-20"),
        (dt.datetime(2026, 11, 20, 9, 30, tzinfo=dt.timezone.utc), "datetime", "2026-11-20T09:30:00+00:00"),
        ({"at": dt.date(2026, 11, 20)}, "any", '{"at":"2026-11-20"}'),
    ],
)
def test_cells_are_written_as_a_csv_would_hold_them(value: object, kind: str, text: str | None) -> None:
    assert cell_text(value, kind) == text


def test_the_traffic_schema_drops_dataset_only_checks(project: Path) -> None:
    schema = load_schema(project / "schema.yaml")
    cut = traffic_schema(schema, ["color", "x1"])
    assert cut.names == ("x1", "color")
    assert (cut.primary_key, cut.row_count_min, cut.fields_match) == ((), None, "exact")
    reference = from_data(LocalRegistry(project / "registry").get("1").reference_stats, "test")
    assert schema_from_stats(reference).names == ("x1", "x2", "color", "label")


def test_invalid_rows_are_counted_once_and_drift_is_measured(project: Path) -> None:
    schema = traffic_schema(load_schema(project / "schema.yaml"), ["x1", "x2", "color"])
    reference = from_data(LocalRegistry(project / "registry").get("1").reference_stats, "test")
    rows = sample_inputs(300, seed=4, drift=["color"])
    rows[0].update(color="purple", x2=12)  # two violations, one row
    rows[1]["x2"] = "ten"
    check, drift = check_inputs(
        columns(rows),
        schema,
        reference=reference,
        max_invalid_fraction=0.01,
        skipped=[("hashed", "hashed by capture.hash")],
        request_ids=[f"r{i}" for i in range(300)],
    )
    assert check.invalid_requests == ("r0", "r1")
    assert (check.rows, check.invalid_rows, check.breach) == (300, 2, False)
    assert {(v.field, v.check) for v in check.violations} == {("x2", "maximum"), ("x2", "type"), ("color", "enum")}
    assert drift is not None
    assert [r.field for r in drift.drifted] == ["color"]
    assert check.skipped == (("hashed", "hashed by capture.hash"),)


def test_prediction_drift_uses_the_version_prediction_stats(project: Path) -> None:
    stats = from_data(LocalRegistry(project / "registry").get("1").prediction_stats, "test")
    same = check_predictions([predict(r) for r in sample_inputs(400, seed=9)], stats, None)
    shifted = check_predictions([predict(r) for r in sample_inputs(400, seed=9, drift=["x1"])], stats, None)
    assert (len(same.fields), same.drifted, len(shifted.drifted)) == (1, (), 1)
