"""Temporal values as the endpoint takes them (days since 1970-01-01 for dates and datetimes, seconds since midnight
for times, as training encodes them) are valid captured values."""

from __future__ import annotations

from pathlib import Path

import pytest

from mlgate.data.schema import load_schema
from mlgate.monitor.judge import check_inputs, served_temporal


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (0, "1970-01-01"),
        (18299.0, "2020-02-07"),
        (-1, "1969-12-31"),
        ("2024-01-01", "2024-01-01"),  # ISO text is left as it is
        (1.5, 1.5),  # not a whole day: left for the schema check to reject
        (True, True),
        (None, None),
        (1e12, 1e12),  # beyond any date
    ],
)
def test_served_dates_become_iso_text(value: object, expected: object) -> None:
    assert served_temporal(value, "date") == expected


def test_captured_day_numbers_pass_a_date_field_and_its_bounds(tmp_path: Path) -> None:
    path = tmp_path / "schema.yaml"
    path.write_text("fields:\n  - {name: signup, type: date, constraints: {minimum: '2020-01-01'}}\n", encoding="utf-8")
    check, _drift = check_inputs(
        {"signup": [18299.0, 19536, 17000.0, 1.5]}, load_schema(path), reference=None, max_invalid_fraction=0.0
    )
    assert check.invalid_rows == 2  # 17000 is 2016-07-18 (below the minimum); 1.5 is no date
    assert {v.check for v in check.violations} == {"minimum", "type"}


@pytest.mark.parametrize(
    ("value", "kind", "fmt", "expected"),
    [
        (18299.5, "datetime", "default", "2020-02-07T12:00:00"),
        (18299.25, "datetime", "%Y-%m-%d %H:%M", "2020-02-07 06:00"),
        (3600.5, "time", "default", "01:00:00.500000"),
        (45296, "time", "%H:%M", "12:34"),
        (90000, "time", "default", 90000),  # past midnight: left for the schema check to reject
        (18299, "date", "%d/%m/%Y", "07/02/2020"),
        (float("inf"), "datetime", "default", float("inf")),
        ("2020-02-07T12:00:00", "datetime", "default", "2020-02-07T12:00:00"),
    ],
)
def test_served_datetimes_and_times_follow_the_fields_format(
    value: object, kind: str, fmt: str, expected: object
) -> None:
    assert served_temporal(value, kind, fmt) == expected


def test_captured_datetimes_and_times_in_a_custom_format_pass_their_fields(tmp_path: Path) -> None:
    path = tmp_path / "schema.yaml"
    path.write_text(
        "fields:\n"
        "  - {name: seen, type: datetime, format: '%Y-%m-%d %H:%M:%S', constraints: {minimum: '2020-01-01 00:00:00'}}\n"
        "  - {name: opens, type: time}\n",
        encoding="utf-8",
    )
    inputs = {"seen": [18299.5, 19000.0, 17000.25], "opens": [32400.0, 61200, 100000]}
    check, _drift = check_inputs(inputs, load_schema(path), reference=None, max_invalid_fraction=0.0)
    assert check.invalid_rows == 1  # row 3: 2016-07-18 06:00 is below the minimum, 100000 s is no time of day
    assert {v.check for v in check.violations} == {"minimum", "type"}
