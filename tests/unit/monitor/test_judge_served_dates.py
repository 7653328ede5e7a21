"""Dates as the endpoint takes them (days since 1970-01-01, as training encodes them) are valid captured dates."""

from __future__ import annotations

from pathlib import Path

import pytest

from mlgate.data.schema import load_schema
from mlgate.monitor.judge import check_inputs, served_date


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
    assert served_date(value) == expected


def test_captured_day_numbers_pass_a_date_field_and_its_bounds(tmp_path: Path) -> None:
    path = tmp_path / "schema.yaml"
    path.write_text("fields:\n  - {name: signup, type: date, constraints: {minimum: '2020-01-01'}}\n", encoding="utf-8")
    check, _drift = check_inputs({"signup": [18299.0, 19536, 17000.0, 1.5]}, load_schema(path),
                                 reference=None, max_invalid_fraction=0.0, workdir=tmp_path)  # fmt: skip
    assert check.invalid_rows == 2  # 17000 is 2016-07-18 (below the minimum); 1.5 is no date
    assert {v.check for v in check.violations} == {"minimum", "type"}
