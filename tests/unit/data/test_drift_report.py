from __future__ import annotations

import dataclasses

import pytest

from mlgate.data.drift_report import DATASET_DRIFT_SHARE, SCHEMA_VERSION, DriftReport, to_data
from unit.report.monitor_results import DRIFTED, PLAN, STABLE


def test_the_share_of_drifted_fields_decides_dataset_drift() -> None:
    half = DriftReport("ref.csv", (STABLE, DRIFTED))
    assert (half.drifted, half.share, half.dataset_drift) == ((DRIFTED,), 0.5, True)  # at the threshold: drift
    third = DriftReport("ref.csv", (STABLE, DRIFTED, dataclasses.replace(PLAN, drifted=False)))
    assert third.share == pytest.approx(1 / 3)
    assert third.dataset_drift is False
    assert DriftReport("ref.csv", (STABLE, DRIFTED), share_threshold=0.6).dataset_drift is False
    assert DATASET_DRIFT_SHARE == 0.5


def test_no_field_checked_is_no_drift() -> None:
    empty = DriftReport("ref.csv", (), skipped=(("a", "not in the reference"),))
    assert (empty.drifted, empty.share, empty.dataset_drift) == ((), 0.0, False)


def test_the_json_form_counts_and_lists_every_field() -> None:
    data = to_data(DriftReport("ref.csv", (STABLE, DRIFTED, PLAN), skipped=(("b", "type changed"),)))
    assert {k: data[k] for k in ("schema_version", "reference", "checked", "drifted", "dataset_drift")} == {
        "schema_version": SCHEMA_VERSION,
        "reference": "ref.csv",
        "checked": 3,
        "drifted": 2,
        "dataset_drift": True,
    }
    assert data["share"] == pytest.approx(2 / 3)
    assert data["skipped"] == [{"field": "b", "reason": "type changed"}]
    assert [f["field"] for f in data["fields"]] == ["city", "age", "plan"]


def test_a_numeric_field_carries_its_bins_and_shift_in_its_own_units() -> None:
    age = to_data(DriftReport("ref.csv", (DRIFTED,)))["fields"][0]
    assert age["bins"] == {"labels": ["≤30", "30–50", ">50"], "reference": [0.3, 0.4, 0.3], "current": [0.1, 0.2, 0.7]}
    assert age["shift"] == {
        "reference_mean": 41.2,
        "current_mean": 55.7,
        "reference_std": 12.0,
        "current_std": 9.5,
        "reference_median": 40.0,
        "current_median": 56.0,
    }
    assert (age["psi"], age["ks"], age["test"], age["p_value"], age["p_adjusted"], age["alpha"]) == (
        0.9,
        0.4,
        "KS",
        1e-9,
        5e-9,
        0.01,
    )


def test_a_categorical_field_lists_new_and_missing_categories_and_has_no_shift() -> None:
    plan = to_data(DriftReport("ref.csv", (PLAN,)))["fields"][0]
    assert (plan["new_categories"], plan["missing_categories"], plan["new_share"]) == (["gold"], ["basic"], 0.25)
    assert (plan["ks"], plan["threshold_ks"], plan["shift"]) == (None, None, None)
    assert (plan["count"], plan["reference_count"], plan["severity"]) == (500, 1000, "warning")
