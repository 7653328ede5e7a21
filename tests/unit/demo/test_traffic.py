"""The demo's drifted stream: the shifted fields move, everything else stays, rows stay schema-valid."""

from __future__ import annotations

from typing import Any

from mlgate.demo.traffic import CHURN_SHIFTS, Shift, batches, drift_rows

ROWS: list[dict[str, Any]] = [
    {"customer_id": "C-000001", "plan": "basic", "tenure_months": 100.0, "monthly_charges": 40.0, "tickets": 2},
    {"customer_id": "C-000002", "plan": None, "tenure_months": 3.0, "monthly_charges": None, "tickets": 0},
]


def test_numbers_are_scaled_moved_and_clamped_and_a_category_replaced() -> None:
    shifted = drift_rows(ROWS, CHURN_SHIFTS)
    assert shifted[0] == {
        "customer_id": "C-000001",
        "plan": "premium",
        "tenure_months": 120.0,
        "monthly_charges": 79.0,
        "tickets": 2,
    }
    assert shifted[1] == {
        "customer_id": "C-000002",
        "plan": None,
        "tenure_months": 39.0,
        "monthly_charges": None,
        "tickets": 0,
    }  # missing values stay missing
    assert ROWS[0]["plan"] == "basic"  # the input rows are not changed


def test_integers_stay_integers_and_absent_fields_are_ignored() -> None:
    shifted = drift_rows(ROWS, (Shift("tickets", scale=1.5, offset=1), Shift("absent", to="x")))
    assert [row["tickets"] for row in shifted] == [4, 1]
    assert all(isinstance(row["tickets"], int) and "absent" not in row for row in shifted)


def test_shifts_describe_themselves() -> None:
    assert [s.describe() for s in CHURN_SHIFTS] == [
        "monthly_charges ×1.6 +15",
        "tenure_months +36",
        "plan → 'premium' for every row",
    ]


def test_batches_split_rows_into_requests() -> None:
    rows = [{"n": n} for n in range(5)]
    assert batches(rows, 2) == [[{"n": 0}, {"n": 1}], [{"n": 2}, {"n": 3}], [{"n": 4}]]
    assert batches([], 2) == []
