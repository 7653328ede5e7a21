"""The monitoring step's pure parts: the window of a stream, waiting for the writer, the drift lines."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from mlgate.config import Config, anchor_paths
from mlgate.data.drift_report import DriftReport, FieldDriftResult, NumericShift
from mlgate.demo.watch import capture_settings, find_drifted_fields, list_drift_lines, measure_window, poll
from mlgate.errors import ServiceError
from mlgate.monitor.model import MonitorResult, ReadSummary

T0 = dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.timezone.utc)


def test_a_window_covers_its_stream_rounded_up_to_the_millisecond() -> None:
    assert measure_window(T0, T0 + dt.timedelta(seconds=1.2341)) == "1.235s"
    assert measure_window(T0, T0 + dt.timedelta(seconds=2)) == "2.000s"
    assert measure_window(T0, T0) == "0.001s"  # never an empty (invalid) duration


def test_poll_returns_the_first_accepted_value() -> None:
    values = iter([1, 2, 5, 9])
    sleeps: list[float] = []
    assert poll(lambda: next(values), lambda v: v >= 5, what="rows", sleep=sleeps.append, interval=0.5) == 5
    assert sleeps == [0.5, 0.5]


def test_poll_gives_up_after_its_timeout() -> None:
    now = [0.0]

    def sleep(seconds: float) -> None:
        now[0] += seconds

    with pytest.raises(ServiceError, match=r"waited 1 s for 3 rows: the endpoint's capture writer did not"):
        poll(lambda: 0, lambda v: v >= 3, what="3 rows", timeout=1.0, interval=0.25, clock=lambda: now[0], sleep=sleep)
    assert now[0] == 1.0
    with pytest.raises(ServiceError, match=r"waited 1 s for the A/B log: it did not record them"):
        poll(
            lambda: 0,
            lambda v: v >= 3,
            what="the A/B log",
            failure="it did not record them",
            timeout=1.0,
            clock=lambda: now[0],
            sleep=sleep,
        )


def make_drift_result(field: str, *, drifted: bool, ks: float | None, new: tuple[str, ...] = ()) -> FieldDriftResult:
    return FieldDriftResult(
        field=field,
        kind="numeric" if ks is not None else "categorical",
        psi=0.75 if drifted else 0.01,
        ks=ks,
        ks_pvalue=None,
        new_categories=new,
        missing_categories=(),
        threshold_psi=0.2,
        threshold_ks=0.15 if ks is not None else None,
        drifted=drifted,
        severity="warning",
        count=10,
        reference_count=10,
        labels=("x", "y"),
        reference_shares=(0.5, 0.5),
        current_shares=(0.1, 0.9),
        test="KS",
        p_value=1e-5,
        shift=NumericShift(1.0, 3.0, 1.0, 1.0, 1.0, 3.0) if ks is not None else None,
        p_adjusted=3e-5,
    )


def test_drifted_fields_and_their_statistics() -> None:
    report = DriftReport(
        "train.csv",
        (
            make_drift_result("a", drifted=True, ks=0.5),
            make_drift_result("b", drifted=False, ks=0.01),
            make_drift_result("plan", drifted=True, ks=None, new=("gold",)),
        ),
    )
    result = MonitorResult("1", "deploy state", "1s", "s", "e", 1, ReadSummary("x", rows=10), feature_drift=report)
    assert find_drifted_fields(result) == ["a", "plan"]
    assert list_drift_lines(result) == [
        "  a: mean 1.000 → 3.000 (sd 1.000 → 1.000), median 1.000 → 3.000; PSI 0.75, KS 0.50, p < 0.0001 (Holm)",
        "  plan: x 50% → 10%, y 50% → 90%, new: gold (0% of rows); PSI 0.75, p < 0.0001 (Holm)",
    ]
    unchecked = MonitorResult("1", "deploy state", "1s", "s", "e", 1, ReadSummary("x"))
    assert find_drifted_fields(unchecked) == []
    assert list_drift_lines(unchecked) == []


def test_capture_is_switched_on_for_the_demo_in_the_projects_capture_folder(tmp_path: Path) -> None:
    config = anchor_paths(Config(), tmp_path)
    assert config.capture.enabled is False
    settings = capture_settings(config)
    assert settings.folder == (tmp_path / ".mlgate" / "capture").resolve()
    assert settings.sample == 1.0
