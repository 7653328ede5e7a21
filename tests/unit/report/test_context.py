from __future__ import annotations

import dataclasses

import pytest

from mlgate import __version__
from mlgate.report.context import FULL_REPORT_LIMIT, DataFile, DriftedColumn, DriftSummary, ReportContext


def test_a_column_drifted_in_two_files_counts_once() -> None:
    summary = DriftSummary(
        columns=(
            DriftedColumn("tenure", "train.csv", 0.31),
            DriftedColumn("tenure", "test.csv", 0.25, 0.2, threshold_ks=0.15),
            DriftedColumn("region", "test.csv", 0.22),
        ),
        checked=8,
    )
    assert summary.drifted == 2
    assert DriftSummary().drifted == 0


def test_a_drifted_column_defaults_to_a_warning_at_psi_0_2_without_ks() -> None:
    column = DriftedColumn("region", "test.csv", 0.22)
    assert (column.ks, column.threshold_psi, column.threshold_ks, column.severity) == (None, 0.2, None, "warning")


def test_a_context_needs_nothing_but_has_the_running_version_and_four_decimals() -> None:
    context = ReportContext()
    assert (context.key, context.mlgate_version, context.precision) == ("mlgate", __version__, 4)
    assert (context.head, context.validation, context.schema, context.drift, context.data_files) == (
        None,
        None,
        None,
        None,
        (),
    )
    assert DataFile("test.csv").rows is None


def test_the_full_report_limit_is_the_job_summarys_mebibyte() -> None:
    assert FULL_REPORT_LIMIT == 1024 * 1024


def test_contexts_are_frozen() -> None:
    with pytest.raises(dataclasses.FrozenInstanceError, match="cannot assign to field 'key'"):
        ReportContext().key = "other"  # type: ignore[misc]
